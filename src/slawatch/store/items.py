"""Read items and events back: in bulk into the engine's columns, or one item for the API.

Loading never builds a Python object per row where it can avoid it: PostgreSQL streams the
events as CSV through COPY and SQLite renders them as CSV text in one aggregate, and polars
parses that text in native code. Attributes are pulled out of the JSON column by the database
(one column per attribute name), so items cost no JSON decoding in Python either.
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


def _attribute_names(connection: Connection, item_filter: str) -> list[str]:
    if _postgres(connection):
        query = f"SELECT DISTINCT json_object_keys(attributes) FROM items WHERE {item_filter}"
    else:
        query = (
            "SELECT DISTINCT j.key FROM items, json_each(items.attributes) AS j "
            f"WHERE {item_filter}"
        )
    names = connection.execute(text(query)).scalars().all()
    return sorted(name for name in names if name != KIND)


def _items_frame(
    connection: Connection, item_filter: str, ranges: list[tuple[int, int]]
) -> pl.DataFrame:
    names = _attribute_names(connection, item_filter)
    postgres = _postgres(connection)
    fields = ["id", _csv_field("kind")]
    parameters: dict[str, Any] = {}
    for index, name in enumerate(names):
        if postgres:
            fields.append(_csv_field(f"(attributes -> :a{index} ->> 0)"))
            parameters[f"a{index}"] = name
        else:
            fields.append(_csv_field(f"json_extract(attributes, :a{index})"))
            parameters[f"a{index}"] = '$."' + name.replace('"', '""') + '"[0]'
    sql = csv_aggregate(connection, fields, "items", f"{item_filter} AND id > :low AND id <= :high")
    queries = [(sql, parameters | {"low": low, "high": high}) for low, high in ranges]
    schema = {"item": pl.Int64, "kind": pl.String} | dict.fromkeys(names, pl.String)
    return read_csv_parts(run_csv_queries(connection, queries), schema)


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
            "items.id IN (SELECT item_id FROM events "
            f"WHERE id > {int(after_id)} AND id <= {int(last_id)})"
        )
        ranges = [(0, _max_id(connection, items))] if frame.height else []
        item_frame = _items_frame(connection, touched, ranges)
    else:
        ranges = _ranges(0, _max_id(connection, items), _CHUNK)
        item_frame = _items_frame(connection, "1 = 1", ranges)
    return LoadedEvents(table=EventTable(events=frame, items=item_frame), last_event_id=last_id)


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
