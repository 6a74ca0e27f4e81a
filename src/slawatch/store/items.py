"""Read items and events back: in bulk into the engine's columns, or one item for the API.

Loading never builds a Python object per row where it can avoid it: PostgreSQL streams the
events as CSV through COPY and SQLite renders them as CSV text in one aggregate, and polars
parses that text in native code. Attributes come from their history table as a long table
(item, name, value, at), the same four columns whatever the number of names, and polars
folds them into one column per name; items cost no JSON decoding in Python either.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, select, text

from slawatch.engine.events import EventTable
from slawatch.store.events import KIND
from slawatch.store.schema import events, items

_EVENT_SCHEMA = {"item": pl.Int64, "type": pl.String, "at": pl.Int64}
_HISTORY_SCHEMA = {"item": pl.Int64, "name": pl.String, "value": pl.String, "at": pl.Int64}
_CHUNK = 500_000  # ids per aggregate: far below the 1 GB bound on one text value
_PARALLEL = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class LoadedEvents:
    """The engine's table and the id of the newest event in it (0 when there is none)."""

    table: EventTable
    last_event_id: int


@dataclass(frozen=True)
class EventRecord:
    id: int
    type: str
    at: int
    received_at: int


@dataclass(frozen=True)
class ItemDetail:
    id: int
    source: str
    external_id: str
    kind: str | None
    attributes: dict[str, str]
    events: tuple[EventRecord, ...]  # sorted by instant, then type


def _postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _csv_field(expression: str) -> str:
    """Return SQL rendering `expression` as one quoted CSV field; NULL becomes an empty field."""
    return f"coalesce('\"' || replace(CAST({expression} AS TEXT), '\"', '\"\"') || '\"', '')"


csv_field = _csv_field  # the other stores' CSV aggregates quote their text fields alike


def csv_aggregate(connection: Connection, fields: list[str], table: str, where: str) -> str:
    """Return SQL that renders the selected rows as CSV text in one aggregate value.

    One value instead of a row per event: the database builds the text in native code and
    polars parses it in native code, so no Python object is made per row.
    """
    row = " || ',' || ".join(fields)
    concat = "string_agg" if _postgres(connection) else "group_concat"
    newline = "E'\\n'" if _postgres(connection) else "char(10)"
    return f"SELECT {concat}({row}, {newline}) FROM {table} WHERE {where}"


def _ranges(low: int, high: int, size: int) -> list[tuple[int, int]]:
    return [(start, min(start + size, high)) for start in range(low, high, size)]


def run_csv_queries(
    connection: Connection, queries: list[tuple[str, dict[str, Any]]]
) -> list[bytes]:
    """Run aggregate queries, several at once on their own connections when there are many.

    Both drivers release the GIL while the database works, so chunks load in parallel. The
    other connections see every event up to the chunk's bound: ids are handed out in commit
    order on SQLite (one writer), and events are never updated or deleted.
    """

    def one(target: Connection, sql: str, parameters: dict[str, Any]) -> bytes:
        value = target.execute(text(sql), parameters).scalar()
        return (value or "").encode()

    if len(queries) <= 1:
        return [one(connection, sql, parameters) for sql, parameters in queries]
    engine = connection.engine.execution_options(readonly=True)

    def own(query: tuple[str, dict[str, Any]]) -> bytes:
        with engine.connect() as target:
            return one(target, *query)

    with ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
        return list(pool.map(own, queries))


def read_csv_parts(parts: list[bytes], schema: dict[str, Any]) -> pl.DataFrame:
    parts = [part for part in parts if part]
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(
        io.BytesIO(b"\n".join(parts)),
        has_header=False,
        new_columns=list(schema),
        schema_overrides=schema,
        quote_char='"',
    )


def _events_frame(connection: Connection, after_id: int, last_id: int) -> pl.DataFrame:
    fields = ["item_id", _csv_field("type"), "at"]
    sql = csv_aggregate(connection, fields, "events", "id > :low AND id <= :high")
    queries = [
        (sql, {"low": low, "high": high}) for low, high in _ranges(after_id, last_id, _CHUNK)
    ]
    return read_csv_parts(run_csv_queries(connection, queries), _EVENT_SCHEMA)


def _history_frame(
    connection: Connection, item_filter: str, ranges: list[tuple[int, int]]
) -> pl.DataFrame:
    """Return the attribute history (item, name, value, at) of the selected items.

    A long table: one query of four columns whatever the number of attribute names, where
    one column per name would grow the query (and break it, past a few hundred names).
    """
    fields = ["item_id", _csv_field("name"), _csv_field("value"), "at"]
    where = f"{item_filter.format(id='item_id')} AND item_id > :low AND item_id <= :high"
    sql = csv_aggregate(connection, fields, "item_attributes", where)
    queries = [(sql, {"low": low, "high": high}) for low, high in ranges]
    return read_csv_parts(run_csv_queries(connection, queries), _HISTORY_SCHEMA)


def _items_frame(
    connection: Connection, item_filter: str, ranges: list[tuple[int, int]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the items (item, kind, one column per attribute: the latest values) and the
    history they were folded from."""
    where = f"{item_filter.format(id='id')} AND id > :low AND id <= :high"
    sql = csv_aggregate(connection, ["CAST(id AS TEXT)"], "items", where)
    queries = [(sql, {"low": low, "high": high}) for low, high in ranges]
    ids = read_csv_parts(run_csv_queries(connection, queries), {"item": pl.Int64})
    history = _history_frame(connection, item_filter, ranges)
    latest = (
        history.sort("at")
        .group_by("item", "name")
        .agg(pl.col("value").last())
        .pivot(on="name", index="item", values="value", sort_columns=True)
    )
    if KIND not in latest.columns:
        latest = latest.with_columns(pl.lit(None, pl.String).alias(KIND))
    names = [name for name in latest.columns if name not in ("item", KIND)]
    items = ids.join(latest.select("item", KIND, *names), on="item", how="left")
    return items, history


def _max_id(connection: Connection, table: Any) -> int:
    return int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one())


def load_event_table(connection: Connection, *, after_id: int = 0) -> LoadedEvents:
    """Load every event (or only those after `after_id`) and the items they touch.

    Events are committed and never change, so the newest id is a watermark: the next call
    with `after_id=last_event_id` returns exactly what arrived since.
    """
    last_id = max(_max_id(connection, events), after_id)
    frame = _events_frame(connection, after_id, last_id)
    if after_id > 0:
        touched = (
            "{id} IN (SELECT item_id FROM events "
            f"WHERE id > {int(after_id)} AND id <= {int(last_id)})"
        )
        ranges = [(0, _max_id(connection, items))] if frame.height else []
        item_frame, history = _items_frame(connection, touched, ranges)
    else:
        ranges = _ranges(0, _max_id(connection, items), _CHUNK)
        item_frame, history = _items_frame(connection, "1 = 1", ranges)
    table = EventTable(events=frame, items=item_frame, attributes=history)
    return LoadedEvents(table=table, last_event_id=last_id)


def item_detail(connection: Connection, source: str, external_id: str) -> ItemDetail | None:
    """Return one item with its attributes and its events by instant, or None."""
    row = connection.execute(
        select(items.c.id, items.c.kind, items.c.attributes).where(
            items.c.source == source, items.c.external_id == external_id
        )
    ).first()
    if row is None:
        return None
    timeline = connection.execute(
        select(events.c.id, events.c.type, events.c.at, events.c.received_at)
        .where(events.c.item_id == row.id)
        .order_by(events.c.at, events.c.type, events.c.id)
    ).all()
    stamped: dict[str, list[Any]] = row.attributes or {}
    attributes = {name: str(value[0]) for name, value in sorted(stamped.items()) if name != KIND}
    return ItemDetail(
        id=row.id,
        source=source,
        external_id=external_id,
        kind=row.kind,
        attributes=attributes,
        events=tuple(EventRecord(r.id, r.type, r.at, r.received_at) for r in timeline),
    )


def item_table(detail: ItemDetail) -> EventTable:
    """Return the engine's table for one item, to compute its clocks."""
    frame = pl.DataFrame(
        {
            "item": [detail.id] * len(detail.events),
            "type": [e.type for e in detail.events],
            "at": [e.at for e in detail.events],
        },
        schema=_EVENT_SCHEMA,
    )
    columns: dict[str, Any] = {"item": [detail.id], "kind": [detail.kind]}
    columns |= {name: [value] for name, value in detail.attributes.items()}
    schema = {"item": pl.Int64} | {name: pl.String for name in columns if name != "item"}
    return EventTable(events=frame, items=pl.DataFrame(columns, schema=schema))
