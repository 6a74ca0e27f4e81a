"""Apply approved corrections and exclusions to an event table, before anything is measured.

Corrections never edit events: they are records of their own, and evaluation reads the events
through them. An event correction names the event it corrects by (item, type, instant), the
key events are unique by, and gives it another instant, another type, or voids it. Several
corrections of one event apply in their order: the second names the event as the first left
it. An exclusion takes an item out of one objective; the agreement's standing `exclude:` takes
the items it matches out of every objective (`Evaluator.items_of` applies both).

Pure: plain records in, an `EventTable` out; an empty set of corrections returns the very
table it was given, so an agreement without corrections evaluates exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from slawatch.agreements.model import AttributeTest
from slawatch.engine.events import EventTable, select_items

ItemId = int | str
EventKey = tuple[ItemId, str, int]  # (item, type, at µs)


@dataclass(frozen=True)
class EventCorrection:
    """Correct one event: a new instant, a new type, or none at all (`void`)."""

    item: ItemId
    type: str
    at: int
    new_type: str | None = None
    new_at: int | None = None
    void: bool = False

    @property
    def key(self) -> EventKey:
        return (self.item, self.type, self.at)

    def corrected_key(self) -> EventKey | None:
        """Return the event's key after this correction; None when it voids the event."""
        if self.void:
            return None
        new_type = self.type if self.new_type is None else self.new_type
        return (self.item, new_type, self.at if self.new_at is None else self.new_at)


@dataclass(frozen=True)
class Exclusion:
    """Take one item out of one objective: it is neither measured nor counted there."""

    item: ItemId
    objective: str


@dataclass(frozen=True)
class Corrections:
    """The approved corrections of one agreement, in the order they were approved."""

    events: tuple[EventCorrection, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.events or self.exclusions)


NO_CORRECTIONS = Corrections()


def corrected_events(events: pl.DataFrame, corrections: Sequence[EventCorrection]) -> pl.DataFrame:
    """Return the events with the corrections applied one after another, by item and instant.

    Only the events a correction names or produces are touched: they are replayed as a set,
    so a correction of an event that does not exist (any more) changes nothing, and one that
    lands on another event's key leaves one event there, as an exact duplicate in a file does.
    """
    if not corrections:
        return events
    item_type = _plain(events.schema["item"])
    involved = {c.key for c in corrections} | {
        key for c in corrections if (key := c.corrected_key()) is not None
    }
    plain = events.with_columns(pl.col("item").cast(item_type), pl.col("type").cast(pl.String))
    keys = _frame(involved, item_type)
    present = plain.join(keys, on=["item", "type", "at"], how="semi")
    replayed = {
        (row[0], row[1], row[2]) for row in present.select("item", "type", "at").iter_rows()
    }
    for correction in corrections:
        if correction.key in replayed:
            replayed.discard(correction.key)
            if (key := correction.corrected_key()) is not None:
                replayed.add(key)
    kept = plain.join(keys, on=["item", "type", "at"], how="anti").select("item", "type", "at")
    combined = pl.concat([kept, _frame(replayed, item_type)])
    return combined.sort("item", "at", maintain_order=True)


def _frame(keys: Iterable[EventKey], item_type: pl.DataType) -> pl.DataFrame:
    rows = sorted(keys, key=lambda key: (key[2], str(key[0]), key[1]))
    return pl.DataFrame(
        {
            "item": [key[0] for key in rows],
            "type": [key[1] for key in rows],
            "at": [key[2] for key in rows],
        },
        schema={"item": item_type, "type": pl.String, "at": pl.Int64},
    )


def corrected(table: EventTable, corrections: Corrections) -> EventTable:
    """Return the table as the agreement's approved corrections and exclusions say it is."""
    if not corrections:
        return table
    events = corrected_events(table.events, corrections.events)
    exclusions = None
    if corrections.exclusions:
        exclusions = pl.DataFrame(
            {
                "item": [e.item for e in corrections.exclusions],
                "objective": [e.objective for e in corrections.exclusions],
            },
            schema={"item": _plain(table.items.schema["item"]), "objective": pl.String},
        )
    return EventTable(events, table.items, table.attributes, exclusions)


def _plain(dtype: pl.DataType) -> pl.DataType:
    return pl.String() if dtype == pl.Categorical else dtype


def excluded_items(
    table: EventTable, objective: str, standing: tuple[AttributeTest, ...]
) -> pl.Series | None:
    """Return the items taken out of `objective`: by a correction, or by the standing `exclude:`.

    None when nothing is excluded. A standing test on an attribute no item carries excludes
    nothing: a filter that cannot be checked must not empty the agreement.
    """
    parts: list[pl.Series] = []
    if table.exclusions is not None and table.exclusions.height:
        chosen = table.exclusions.filter(pl.col("objective") == objective).get_column("item")
        if chosen.len():
            parts.append(chosen)
    if standing:
        matching = select_items(table, standing)
        if matching.len():
            parts.append(matching.cast(_plain(matching.dtype)))
    if not parts:
        return None
    dtype = _plain(table.items.schema["item"])
    return pl.concat([part.cast(dtype) for part in parts])
