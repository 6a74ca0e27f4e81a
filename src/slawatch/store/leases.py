"""Named leases: one process at a time runs a background job (escalation ticks, statements).

A lease is a row (name, owner, until). Taking it is one conditional UPDATE that matches only
a free, expired or already-owned row; the first time, an INSERT that ignores a conflict. Two
replicas racing for it both run the same statements, and exactly one sees a row change: the
healthchecks `sendalerts` pattern, without a lock server. A holder that dies simply lets its
lease run out, and the next tick of another replica takes it over.
"""

from __future__ import annotations

from sqlalchemy import Connection, Insert, or_, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store.schema import leases


def _insert_ignoring_conflict(connection: Connection) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(leases).on_conflict_do_nothing()
    return statement


def take_lease(connection: Connection, name: str, owner: str, now: int, until: int) -> bool:
    """Hold the lease `name` until `until`; False if another owner holds it past `now`.

    The owner may renew its own lease. The lease is free from the instant `until` on.
    """
    taken = connection.execute(
        update(leases)
        .where(
            leases.c.name == name,
            or_(leases.c.until.is_(None), leases.c.until <= now, leases.c.owner == owner),
        )
        .values(owner=owner, until=until)
    )
    if taken.rowcount == 1:
        return True
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    inserted = connection.execute(
        _insert_ignoring_conflict(connection)
        .values(name=name, owner=owner, until=until)
        .returning(leases.c.name)
    ).first()
    return inserted is not None


def release_lease(connection: Connection, name: str, owner: str) -> bool:
    """Give the lease back at once; False if `owner` no longer held it (it had expired)."""
    released = connection.execute(
        update(leases)
        .where(leases.c.name == name, leases.c.owner == owner)
        .values(owner=None, until=None)
    )
    return released.rowcount == 1


def lease_holder(connection: Connection, name: str, now: int) -> str | None:
    """Return who holds the lease at `now`, or None when it is free."""
    row = connection.execute(
        leases.select().where(leases.c.name == name, leases.c.until > now)
    ).first()
    return None if row is None else str(row.owner)
