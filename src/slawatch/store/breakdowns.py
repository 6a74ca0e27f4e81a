"""What an objective's breakdown reads: one period's items with a group value, and late clocks.

Clock objectives read the stored item clocks of the period (index on agreement, objective,
period, state); ratio objectives read the period's first `of` events through the (type, at)
index and probe each item's events through the (item, type, at) key. The group value is an
item attribute from `items.attributes` (its latest value). Nothing here evaluates.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, exists, select
from sqlalchemy.orm import aliased

from slawatch.store.clock_lists import attribute_value
from slawatch.store.events import KIND
from slawatch.store.schema import evaluation_state, events, item_clocks, items

ATTRIBUTE_SAMPLE = 500  # items read to list the attributes a period's items carry
_OPEN = ("running", "at_risk", "breached")  # states a clock still running can have


def _value(name: str) -> Any:
    """Return the SQL value of an item's attribute, `kind` included."""
    return items.c.kind if name == KIND else attribute_value(name)


def evaluation_stamp(connection: Connection, agreement_id: str) -> tuple[int, int]:
    """Return what changes whenever the agreement's stored results and clocks change."""
    row = connection.execute(
        select(evaluation_state.c.done, evaluation_state.c.computed_at).where(
            evaluation_state.c.agreement_id == agreement_id
        )
    ).first()
    return (0, 0) if row is None else (int(row.done), int(row.computed_at or 0))


def clock_rows(
    connection: Connection, agreement_id: str, objective: str, period: str, by: str
) -> pl.DataFrame:
    """Return (key, state, elapsed_us, stopped) of every stored clock of one period."""
    c = item_clocks.c
    query = (
        select(_value(by), c.state, c.elapsed_us, c.stopped_at.is_not(None))
        .join_from(item_clocks, items, items.c.id == c.item_id)
        .where(c.agreement_id == agreement_id, c.objective == objective, c.period == period)
    )
    schema = {"key": pl.String, "state": pl.String, "elapsed_us": pl.Int64, "stopped": pl.Boolean}
    return pl.DataFrame(connection.execute(query).all(), schema=schema, orient="row")


@dataclass(frozen=True)
class RatioWindow:
    """Where a ratio's period items are: first `of` events in [start, end) up to `as_of`."""

    of: str
    count: str
    start: int  # the period's start, or the agreement's effective midnight if later
    end: int
    as_of: int


def where_column(name: str) -> str:
    """Return the column of a `where` attribute in ratio_rows (apart from item, key, hit)."""
    return f"where:{name}"


def ratio_rows(
    connection: Connection, window: RatioWindow, by: str, where: Sequence[str]
) -> pl.DataFrame:
    """Return (item, key, hit, *where attributes) of the items whose first `of` is in the window.

    `hit` says the item has a `count` event at or before `as_of`; the `where` attributes come
    along (as `where_column(name)`) so the caller applies the objective's filter with the
    engine's own tests.
    """
    first, earlier, counted = events, aliased(events), aliased(events)
    before = exists().where(
        earlier.c.item_id == first.c.item_id,
        earlier.c.type == window.of,
        earlier.c.at < first.c.at,
    )
    hit = exists().where(
        counted.c.item_id == first.c.item_id,
        counted.c.type == window.count,
        counted.c.at <= window.as_of,
    )
    names = list(dict.fromkeys(where))
    query = (
        select(first.c.item_id, _value(by), hit, *(_value(name) for name in names))
        .join_from(first, items, items.c.id == first.c.item_id)
        .where(
            and_(
                first.c.type == window.of,
                first.c.at >= window.start,
                first.c.at < window.end,
                first.c.at <= window.as_of,
            ),
            ~before,
        )
    )
    schema: dict[str, Any] = {"item": pl.Int64, "key": pl.String, "hit": pl.Boolean}
    schema |= {where_column(name): pl.String for name in names}
    return pl.DataFrame(connection.execute(query).all(), schema=schema, orient="row")


def clock_attribute_names(
    connection: Connection, agreement_id: str, objective: str, period: str
) -> set[str]:
    """Return the attribute names a sample of the period's clocked items carry."""
    c = item_clocks.c
    query = (
        select(items.c.kind, items.c.attributes)
        .join_from(item_clocks, items, items.c.id == c.item_id)
        .where(c.agreement_id == agreement_id, c.objective == objective, c.period == period)
        .limit(ATTRIBUTE_SAMPLE)
    )
    return _names(connection.execute(query).all())


def ratio_attribute_names(connection: Connection, window: RatioWindow) -> set[str]:
    """Return the attribute names a sample of the period's ratio items carry."""
    query = (
        select(items.c.kind, items.c.attributes)
        .join_from(events, items, items.c.id == events.c.item_id)
        .where(events.c.type == window.of, events.c.at >= window.start, events.c.at < window.end)
        .limit(ATTRIBUTE_SAMPLE)
    )
    return _names(connection.execute(query).all())


def _names(rows: Sequence[Any]) -> set[str]:
    found = set()
    for kind, stamped in rows:
        if kind is not None:
            found.add(KIND)
        # a driver may hand JSON back as text
        names = json.loads(stamped) if isinstance(stamped, str) else stamped or {}
        found.update(name for name in names if name != KIND)
    return found


@dataclass(frozen=True)
class OpenClock:
    """A clock still running with a deadline, and its item: it may be late or at risk now."""

    item_id: int
    source: str
    external_id: str
    owner: str | None
    period: str
    state: str
    started_at: int
    deadline: int
    warn_at: int | None


def open_clocks(
    connection: Connection,
    agreement_id: str,
    objective: str,
    *,
    periods: Sequence[str],
    owner: str,
) -> list[OpenClock]:
    """Return the objective's running clocks with a deadline, the one due first first.

    Paused clocks have no deadline while paused. The periods are named so that the
    (agreement, objective, period, state) index finds the few open clocks among a million
    stopped ones, instead of reading every clock of the objective.
    """
    c = item_clocks.c
    query = (
        select(
            c.item_id,
            items.c.source,
            items.c.external_id,
            _value(owner),
            c.period,
            c.state,
            c.started_at,
            c.deadline,
            c.warn_at,
        )
        .join_from(item_clocks, items, items.c.id == c.item_id)
        .where(
            c.agreement_id == agreement_id,
            c.objective == objective,
            c.period.in_(list(periods)),
            c.state.in_(_OPEN),
            c.stopped_at.is_(None),
            c.deadline.is_not(None),
        )
        .order_by(c.deadline, c.item_id)
    )
    return [OpenClock(*row) for row in connection.execute(query)]
