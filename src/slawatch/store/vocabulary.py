"""The names stored data uses: event types with their counts, item attributes.

Asked for by the agreement page, which reports the names no objective uses. Millions of events
must not be scanned on a page view, so the distinct types come from a skip scan of the
(type, at) index — one index probe per type — and only the types asked for are counted.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, func, select, text

from slawatch.store.events import KIND
from slawatch.store.schema import events, items

# Each step finds the next type after the last one through the index, instead of reading rows.
_DISTINCT_TYPES = text(
    """
    WITH RECURSIVE found(type) AS (
        SELECT (SELECT type FROM events ORDER BY type LIMIT 1)
        UNION ALL
        SELECT (SELECT e.type FROM events e WHERE e.type > found.type ORDER BY e.type LIMIT 1)
        FROM found WHERE found.type IS NOT NULL
    )
    SELECT type FROM found WHERE type IS NOT NULL
    """
)


def event_types(connection: Connection) -> list[str]:
    """Return every event type stored, sorted."""
    return list(connection.execute(_DISTINCT_TYPES).scalars())


def event_counts(connection: Connection, types: Collection[str]) -> dict[str, int]:
    """Return how many events of each of `types` are stored (0 for none)."""
    if not types:
        return {}
    rows = connection.execute(
        select(events.c.type, func.count())
        .where(events.c.type.in_(sorted(types)))
        .group_by(events.c.type)
    )
    counts = dict.fromkeys(types, 0)
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts


def _has_attribute(connection: Connection, name: str) -> bool:
    if name == KIND:
        probe = select(items.c.id).where(items.c.kind.is_not(None)).limit(1)
        return connection.execute(probe).first() is not None
    if connection.dialect.name == "postgresql":
        query = "SELECT 1 FROM items WHERE attributes -> :name IS NOT NULL LIMIT 1"
    else:  # json_each matches any key; a JSON path cannot quote every name
        query = "SELECT 1 FROM items, json_each(items.attributes) AS j WHERE j.key = :name LIMIT 1"
    row = connection.execute(text(query), {"name": name}).first()
    return row is not None


def attributes_present(connection: Connection, names: Collection[str]) -> set[str]:
    """Return which of `names` at least one stored item has (`kind` included).

    A probe stops at the first item that has the attribute, so the usual case (it is there)
    costs little; only a name no item has reads the whole table.
    """
    return {name for name in names if _has_attribute(connection, name)}


def attribute_names(connection: Connection) -> set[str]:
    """Return every attribute name any stored item has, `kind` included when an item has one."""
    if connection.dialect.name == "postgresql":
        query = "SELECT DISTINCT json_object_keys(attributes) FROM items"
    else:
        query = "SELECT DISTINCT j.key FROM items, json_each(items.attributes) AS j"
    return set(connection.execute(text(query)).scalars())
