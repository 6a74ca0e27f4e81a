"""Store events in bulk, idempotently: the API's and the importer's one way in.

A batch is a handful of statements whatever its size: one insert of the items (returning the
ids of new ones), one select of the existing ones, one update of those whose kind or attributes
changed, one insert of the events. Events conflicting with a stored one (same item, type and
instant, or the same idempotency key) are skipped by the database itself (ON CONFLICT DO
NOTHING), so concurrent writers and retried batches never store an event twice and never fail
on a duplicate. Rows are written in key order, so two PostgreSQL transactions touching the same
items lock them in the same order and wait for each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, select, update

from slawatch.store.clock import now_us
from slawatch.store.schema import items as items_table

DEFAULT_SOURCE = "default"
KIND = "kind"  # the item's kind and its instant live in `attributes` under this reserved key
RESERVED = frozenset({"item", "type", "at", KIND, "source", "idempotency_key", "attributes"})
_CHUNK = 2_000  # item keys per lookup: far below every backend's bound-parameter limit

ItemKey = tuple[str, str]  # (source, external id)
Stamped = dict[str, list[Any]]  # {attribute: [value, at µs]}


@dataclass(frozen=True, slots=True)
class EventIn:
    """One event to store: `at` is µs since the epoch UTC; attributes describe its item."""

    source: str
    item: str
    type: str
    at: int
    kind: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None


@dataclass(frozen=True)
class StoreResult:
    """`accepted + duplicates` is the number of events handed in."""

    accepted: int
    duplicates: int


def _fold_batch(events: Sequence[EventIn]) -> dict[ItemKey, Stamped]:
    """Return each item's kind and attributes as the batch alone sets them.

    The latest non-empty value by event instant wins; inside one batch the later element wins
    a tie, as in event files. Across batches a stored value yields only to a strictly later
    one (`_merge`), so a retried batch changes nothing.
    """
    batch: dict[ItemKey, Stamped] = {}
    for event in sorted(events, key=_instant_of):  # stable: ties keep the batch's order
        stamped = batch.setdefault((event.source, event.item), {})
        at = event.at
        if event.kind:
            _stamp(stamped, KIND, event.kind, at)
        for name, value in event.attributes.items():
            if value is not None and value != "":
                _stamp(stamped, name, value, at)
    return batch


def _instant_of(event: EventIn) -> int:
    return event.at


def _stamp(stamped: Stamped, name: str, value: Any, at: int) -> None:
    current = stamped.get(name)
    if current is None or at >= current[1]:
        stamped[name] = [str(value), at]


def _merge(stored: Stamped, incoming: Stamped) -> bool:
    changed = False
    for name, (value, at) in incoming.items():
        current = stored.get(name)
        if current is None or at > current[1]:
            stored[name] = [value, at]
            changed = True
    return changed


def _item_rows(connection: Connection, keys: Sequence[ItemKey]) -> dict[ItemKey, Any]:
    rows: dict[ItemKey, Any] = {}
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    c = items_table.c
    for source, ids in by_source.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            # FOR UPDATE (PostgreSQL; SQLite has one writer anyway): two batches merging
            # attributes into one item take turns, so neither overwrites the other's values.
            result = connection.execute(
                select(c.id, c.source, c.external_id, c.attributes)
                .where(c.source == source, c.external_id.in_(chunk))
                .order_by(c.id)
                .with_for_update()
            )
            for row in result:
                rows[(row.source, row.external_id)] = row
    return rows


def _upsert_items(connection: Connection, batch: dict[ItemKey, Stamped]) -> dict[ItemKey, int]:
    """Create missing items, merge attributes into existing ones; return every item's id.

    The insert comes first and returns the ids it created: new items (the common case for a
    stream of fresh leads) then cost one statement, and only existing ones are read back.
    """
    c = items_table.c
    rows = [
        (source, external_id, stamped.get(KIND, [None])[0], orjson.dumps(stamped).decode())
        for (source, external_id), stamped in sorted(batch.items())
    ]
    ids = {
        (source, external_id): id_ for id_, source, external_id in _insert_items(connection, rows)
    }
    existing = [key for key in batch if key not in ids]
    changes = []
    for key, row in _item_rows(connection, existing).items():
        ids[key] = row.id
        stored: Stamped = dict(row.attributes or {})
        if _merge(stored, batch[key]):
            kind = stored.get(KIND, [None])[0]
            changes.append({"item_id": row.id, "new_kind": kind, "new_attributes": stored})
    if changes:
        changes.sort(key=lambda change: change["item_id"])
        connection.execute(
            update(items_table)
            .where(c.id == bindparam("item_id"))
            .values(kind=bindparam("new_kind"), attributes=bindparam("new_attributes")),
            changes,
        )
    return ids


_ITEM_COLUMNS = "items (source, external_id, kind, attributes)"
_RETURNING = "ON CONFLICT DO NOTHING RETURNING id, source, external_id"
_ROWS_PER_INSERT = 5_000  # SQLite binds at most 32,766 values per statement


def _insert_items(connection: Connection, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Insert item rows, skipping existing ones; return (id, source, external_id) of new ones.

    Straight to the driver, as tuples: SQLAlchemy's result rows cost a tenth of a batch.
    """
    if connection.dialect.name == "postgresql":
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                f"INSERT INTO {_ITEM_COLUMNS} SELECT * FROM unnest(%s::varchar[], %s::varchar[], "
                f"%s::varchar[], %s::json[]) {_RETURNING}",
                columns,
            )
        ]
    driver = connection.connection.driver_connection
    assert driver is not None
    created: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        values = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
        flat = tuple(value for row in chunk for value in row)
        created += driver.execute(
            f"INSERT INTO {_ITEM_COLUMNS} VALUES {values} {_RETURNING}", flat
        ).fetchall()
    return created


_EVENT_COLUMNS = "events (item_id, type, at, idempotency_key, received_at)"


def _insert_events(connection: Connection, rows: list[tuple[Any, ...]]) -> int:
    """Insert event rows, skipping conflicts; return how many were inserted.

    The hot path of ingestion, so it talks to the driver directly: PostgreSQL gets the whole
    batch as five arrays in one statement, SQLite one prepared statement run per row in C.
    Both report exactly the rows inserted (rowcount), which is the accepted count.
    """
    if connection.dialect.name == "postgresql":
        columns = [list(column) for column in zip(*rows, strict=True)]
        result = connection.exec_driver_sql(
            f"INSERT INTO {_EVENT_COLUMNS} SELECT * FROM unnest(%s::bigint[], %s::varchar[], "
            "%s::bigint[], %s::varchar[], %s::bigint[]) ON CONFLICT DO NOTHING",
            tuple(columns),
        )
    else:
        result = connection.exec_driver_sql(
            f"INSERT INTO {_EVENT_COLUMNS} VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", rows
        )
    inserted: int = result.rowcount
    return inserted


def store_events(connection: Connection, events: Sequence[EventIn]) -> StoreResult:
    """Store a batch in the caller's transaction; events already stored count as duplicates.

    Duplicates inside the batch (same item, type and instant, or a repeated idempotency key)
    count once as accepted and otherwise as duplicates, exactly as if sent one by one.
    """
    if not events:
        return StoreResult(accepted=0, duplicates=0)
    ids = _upsert_items(connection, _fold_batch(events))
    received = now_us()
    seen: set[tuple[int, str, int]] = set()
    keys: set[str] = set()
    rows = []
    for event in events:
        item_id = ids[(event.source, event.item)]
        identity = (item_id, event.type, event.at)
        key = event.idempotency_key
        if identity in seen or (key is not None and key in keys):
            continue
        seen.add(identity)
        if key is not None:
            keys.add(key)
        rows.append((item_id, event.type, event.at, key, received))
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    accepted = _insert_events(connection, rows)
    return StoreResult(accepted=accepted, duplicates=len(events) - accepted)
