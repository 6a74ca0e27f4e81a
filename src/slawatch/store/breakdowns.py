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
from sqlalchemy import Connection, select

from slawatch.store.clock_lists import attribute_value
from slawatch.store.events import KIND
from slawatch.store.items import csv_aggregate, csv_field, read_csv_parts, run_csv_queries
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


_CLOCK_SCHEMA = {"key": pl.String, "state": pl.String, "elapsed_us": pl.Int64, "stopped": pl.Int8}


def _attribute(connection: Connection, name: str, parameter: str) -> str:
    """Return SQL of an item's attribute value (items as `i`), its name bound as `parameter`.

    `attributes` holds {name: [value, at µs]}; `kind` is a column of its own.
    """
    if name == KIND:
        return "i.kind"
    if connection.dialect.name == "postgresql":
        return f"(i.attributes -> :{parameter} ->> 0)"
    return f"json_extract(i.attributes, :{parameter})"


def _name(connection: Connection, name: str) -> str:
    """Return the bound value naming an attribute: the key, or SQLite's JSON path to it."""
    if connection.dialect.name == "postgresql":
        return name
    return '$."' + name.replace('"', '""') + '"[0]'


def clock_rows(
    connection: Connection, agreement_id: str, objective: str, periods: Sequence[str], by: str
) -> list[pl.DataFrame]:
    """Return (key, state, elapsed_us, stopped) of every stored clock of each period.

    Read as one CSV aggregate per period, several periods side by side on their own
    connections: a month of 60,000 clocks costs no Python object per row.
    """
    fields = [
        csv_field(_attribute(connection, by, "by")),
        "c.state",
        "c.elapsed_us",
        "CASE WHEN c.stopped_at IS NULL THEN 0 ELSE 1 END",
    ]
    sql = csv_aggregate(
        connection,
        fields,
        "item_clocks c JOIN items i ON i.id = c.item_id",
        "c.agreement_id = :agreement AND c.objective = :objective AND c.period = :period",
    )
    common = {"agreement": agreement_id, "objective": objective, "by": _name(connection, by)}
    parts = run_csv_queries(connection, [(sql, {**common, "period": p}) for p in periods])
    return [
        read_csv_parts([part], _CLOCK_SCHEMA).with_columns(pl.col("stopped").cast(pl.Boolean))
        for part in parts
    ]


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


_FIRST_IN_WINDOW = """
    e.type = :of AND e.at >= :start AND e.at < :end AND e.at <= :as_of
    AND NOT EXISTS (
        SELECT 1 FROM events p WHERE p.item_id = e.item_id AND p.type = :of AND p.at < e.at
    )
"""
_HIT = """
    CASE WHEN EXISTS (
        SELECT 1 FROM events h WHERE h.item_id = e.item_id AND h.type = :count AND h.at <= :as_of
    ) THEN 1 ELSE 0 END
"""


def _ratio_query(
    connection: Connection, window: RatioWindow, by: str, names: list[str]
) -> tuple[str, dict[str, Any]]:
    fields = ["e.item_id", csv_field(_attribute(connection, by, "by")), _HIT.strip()]
    fields += [csv_field(_attribute(connection, name, f"w{i}")) for i, name in enumerate(names)]
    sql = csv_aggregate(
        connection, fields, "events e JOIN items i ON i.id = e.item_id", _FIRST_IN_WINDOW.strip()
    )
    values: dict[str, Any] = {
        "of": window.of,
        "count": window.count,
        "start": window.start,
        "end": window.end,
        "as_of": window.as_of,
        "by": _name(connection, by),
    }
    values |= {f"w{i}": _name(connection, name) for i, name in enumerate(names)}
    return sql, values


def ratio_rows(
    connection: Connection,
    windows: Sequence[tuple[RatioWindow, Sequence[str]]],
    by: str,
) -> list[pl.DataFrame]:
    """Return (item, key, hit, *where attributes) of the items whose first `of` is in a window.

    One frame per (window, where attribute names), read side by side. `hit` says the item has
    a `count` event at or before `as_of`; the `where` attributes come along (as
    `where_column(name)`) so the caller applies the objective's filter with the engine's own
    tests. The (type, at) index finds the window's events, the (item, type, at) key answers
    each item's two questions.
    """
    named = [(window, list(dict.fromkeys(where))) for window, where in windows]
    parts = run_csv_queries(
        connection, [_ratio_query(connection, window, by, names) for window, names in named]
    )
    frames = []
    for part, (_, names) in zip(parts, named, strict=True):
        schema: dict[str, Any] = {"item": pl.Int64, "key": pl.String, "hit": pl.Int8}
        schema |= {where_column(name): pl.String for name in names}
        frame = read_csv_parts([part], schema)
        frames.append(frame.with_columns(pl.col("hit").cast(pl.Boolean)))
    return frames


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
