"""Event columns → what each objective measures: first events, clocks, pauses and outages.

Everything here is a polars expression over the whole table; nothing loops over items.
An event after `as_of` does not exist yet, so every function first cuts the table there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from slawatch.agreements.model import AttributeTest, ClockSpec
from slawatch.engine.clock import ClockInput
from slawatch.engine.instants import NO_INSTANT

ITEM_COLUMNS = ("item", "kind")


@dataclass(frozen=True)
class EventTable:
    """The engine's input: events (item, type, at µs UTC) and items (item, kind, attributes).

    `item` is a string id (event files) or an integer id (the store); both work. `items` holds
    each item's latest value of kind and of every attribute; `attributes`, when given, is their
    history (item, name, value, at): the instants at which a value was set or changed. With it,
    an evaluation as of an earlier instant sees the values of that instant, not later ones.
    `exclusions`, when given, are (item, objective) pairs taken out of those objectives by
    approved corrections (`engine/corrections.py`).
    """

    events: pl.DataFrame
    items: pl.DataFrame
    attributes: pl.DataFrame | None = None
    exclusions: pl.DataFrame | None = None

    def until(self, as_of: int) -> EventTable:
        """Return the table as it stood at `as_of`: later events and values do not exist yet."""
        events = self.events.filter(pl.col("at") <= as_of)
        items = items_as_of(self.items, self.attributes, as_of)
        if events.height < self.events.height:  # items whose first event is later do not exist
            items = items.filter(pl.col("item").is_in(events.get_column("item").implode()))
        return EventTable(events, items, exclusions=self.exclusions)

    def encoded(self) -> EventTable:
        """Return the table with item ids and event types as categoricals.

        Every objective filters by type and joins by item; on categoricals those compare
        integers instead of strings, which pays for the one-off cast many times over.
        """
        item = (
            pl.col("item").cast(pl.Categorical)
            if self.events.schema["item"] == pl.String
            else pl.col("item")
        )
        events = self.events.with_columns(item, pl.col("type").cast(pl.Categorical))
        if self.items.schema["item"] != pl.String:
            return EventTable(events, self.items, self.attributes, self.exclusions)
        attributes = self.attributes
        if attributes is not None and attributes.schema["item"] == pl.String:
            attributes = attributes.with_columns(pl.col("item").cast(pl.Categorical))
        items = self.items.with_columns(pl.col("item").cast(pl.Categorical))
        return EventTable(events, items, attributes, self.exclusions)


def items_as_of(items: pl.DataFrame, attributes: pl.DataFrame | None, as_of: int) -> pl.DataFrame:
    """Return `items` with each value as it stood at `as_of`: the latest one set by then.

    Only the items with a value set after `as_of` are rebuilt from their history; in the usual
    evaluation (as of now) there are none and this costs one pass over the instants.
    """
    if attributes is None or attributes.height == 0:
        return items
    if (latest := attributes.get_column("at").max()) is None or latest <= as_of:  # type: ignore[operator]
        return items
    later = attributes.filter(pl.col("at") > as_of).get_column("item").unique()
    history = attributes.filter(pl.col("item").is_in(later.implode()) & (pl.col("at") <= as_of))
    values = (
        history.sort("at", maintain_order=True)  # of equal instants the later one set it
        .group_by("item", "name", maintain_order=True)
        .agg(pl.col("value").last())
    )
    names = [name for name in items.columns if name != "item"]
    rows = pl.DataFrame({"item": later}).cast({"item": items.schema["item"]})
    if values.height:
        wide = values.pivot(on="name", index="item", values="value")
        wide = wide.select("item", *(name for name in wide.columns if name in names))
        rows = rows.join(wide.cast({"item": items.schema["item"]}), on="item", how="left")
    rows = rows.select(
        "item",
        *(
            pl.col(name) if name in rows.columns else pl.lit(None, pl.String).alias(name)
            for name in names
        ),
    ).cast({name: items.schema[name] for name in names})
    return items.update(rows, on="item", how="left", include_nulls=True)


@dataclass(frozen=True)
class ClockItems:
    """The items of one clock objective in kernel form, row i of `items` ↔ element i."""

    items: pl.Series
    inputs: ClockInput


def _test_expression(test: AttributeTest) -> pl.Expr:
    column = pl.col(test.attribute)
    if test.compare is not None and test.number is not None:
        number = column.cast(pl.Float64, strict=False)
        expression: pl.Expr = test.compare.apply(number, test.number)
        return expression
    return column.is_in(list(test.equals))


def select_items(table: EventTable, where: tuple[AttributeTest, ...]) -> pl.Series:
    """Return the ids of the items that pass every `where` test.

    An attribute no item carries matches nothing (the caller warns about it), rather than
    everything: a filter that cannot be checked must not widen the objective.
    """
    items = table.items
    if any(test.attribute not in items.columns for test in where):
        return pl.Series("item", [], dtype=items.schema["item"])  # string or store id
    if not where:
        return items.get_column("item")
    condition = pl.all_horizontal([_test_expression(test) for test in where]).fill_null(False)
    return items.filter(condition).get_column("item")


def _of_items(events: pl.DataFrame, items: pl.Series | None) -> pl.DataFrame:
    if items is None:
        return events
    return events.filter(pl.col("item").is_in(items.implode()))


def first_events(events: pl.DataFrame, event_type: str, items: pl.Series | None) -> pl.DataFrame:
    """Return (item, at) of each item's first event of `event_type`, in table order."""
    typed = events.filter(pl.col("type") == event_type)
    return _of_items(typed, items).group_by("item", maintain_order=True).agg(pl.col("at").min())


def has_event(events: pl.DataFrame, event_type: str) -> pl.Series:
    """Return the ids of the items with at least one event of `event_type`."""
    return events.filter(pl.col("type") == event_type).get_column("item").unique()


def _pair(opens: pl.DataFrame, closes: pl.DataFrame) -> pl.DataFrame:
    """Pair each opening event with the item's next closing event strictly after it.

    Returns (item, begin, finish) with finish = NO_INSTANT while still open. Nested opens pair
    with the same close and overlap; the kernels merge overlaps. A close at the very instant
    of an open belongs to the span before it: a service that recovers and fails again within
    the same second has two outages, not a zero-length one that swallows the second.
    """
    opened = opens.select("item", pl.col("at").alias("begin")).sort("begin")
    closed = closes.select("item", pl.col("at").alias("finish")).sort("finish")
    paired = opened.join_asof(
        closed,
        left_on="begin",
        right_on="finish",
        by="item",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,  # sorted by instant overall, hence within every item
    )
    return paired.with_columns(pl.col("finish").fill_null(NO_INSTANT))


def clock_items(table: EventTable, spec: ClockSpec, items: pl.Series) -> ClockItems:
    """Return each item's start, stop and pauses for one clock objective."""
    events = table.events
    starts = first_events(events, spec.start, items).rename({"at": "start"})
    stops = (
        events.filter(pl.col("type") == spec.stop)
        .join(starts, on="item")
        .filter(pl.col("at") >= pl.col("start"))
        .group_by("item")
        .agg(pl.col("at").min().alias("stop"))
    )
    clocks = starts.join(stops, on="item", how="left").with_row_index("index")
    pause_item = np.empty(0, dtype=np.int64)
    pause_start = np.empty(0, dtype=np.int64)
    pause_end = np.empty(0, dtype=np.int64)
    if spec.pause is not None and spec.resume is not None:
        pauses = _pair(
            _of_items(events.filter(pl.col("type") == spec.pause), items),
            _of_items(events.filter(pl.col("type") == spec.resume), items),
        ).join(clocks.select("item", "index"), on="item")
        pause_item = pauses.get_column("index").cast(pl.Int64).to_numpy()
        pause_start = pauses.get_column("begin").to_numpy()
        pause_end = pauses.get_column("finish").to_numpy()
    inputs = ClockInput(
        start=clocks.get_column("start").to_numpy(),
        stop=clocks.get_column("stop").fill_null(NO_INSTANT).to_numpy(),
        pause_item=pause_item,
        pause_start=pause_start,
        pause_end=pause_end,
    )
    return ClockItems(items=clocks.get_column("item"), inputs=inputs)


def outages(table: EventTable, down: str, up: str, items: pl.Series | None) -> pl.DataFrame:
    """Return merged outages (item, begin, finish, recovered) per service, sorted.

    Overlapping outages of one service merge; `recovered` is False for one still open,
    whose finish is NO_INSTANT.
    """
    events = table.events
    paired = _pair(
        _of_items(events.filter(pl.col("type") == down), items),
        _of_items(events.filter(pl.col("type") == up), items),
    ).sort("item", "begin")
    # A new outage starts where it begins once everything before it on the service has ended;
    # outages that only touch ([a, b) then [b, c)) stay two failures.
    reach = pl.col("finish").cum_max().shift(1).over("item")
    merged = (
        paired.with_columns(
            (reach.is_null() | (pl.col("begin") >= reach)).cum_sum().over("item").alias("group")
        )
        .group_by("item", "group")
        .agg(pl.col("begin").min(), pl.col("finish").max())
        .drop("group")
        .sort("item", "begin")
    )
    return merged.with_columns((pl.col("finish") != NO_INSTANT).alias("recovered"))
