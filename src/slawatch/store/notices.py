"""Alert notices: every message the delivery policy let through or held for a digest.

A notice sent at once points at its delivery; a digest entry has no delivery until the digest
that carries it is queued, and is claimed by that digest with a conditional UPDATE
(`WHERE delivery_id IS NULL`), so two replicas never put one entry in two digests. The daily
summary reads the notices of a recipient's day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store.schema import alert_notices


@dataclass(frozen=True)
class Notice:
    id: int
    recipient: str
    url: str
    language: str
    trigger: str
    tier: int
    escalation_id: int | None
    title: str
    body: str
    zone: str
    mode: str  # now | digest
    created_at: int
    release_at: int
    delivery_id: int | None


def _notice(row: Any) -> Notice:
    m = row._mapping
    return Notice(**{name: m[name] for name in Notice.__dataclass_fields__})


def _insert_or_ignore(connection: Connection) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(alert_notices).on_conflict_do_nothing(
        index_elements=["dedup_key"]
    )
    return statement


def add_notice(connection: Connection, *, dedup_key: str, **values: Any) -> bool:
    """Record one notice; False if one with this key exists (another replica's)."""
    added = connection.execute(
        _insert_or_ignore(connection)
        .values(dedup_key=dedup_key, **values)
        .returning(alert_notices.c.id)
    ).first()
    return added is not None


def held_notices(connection: Connection, *, now: int, limit: int = 5000) -> list[Notice]:
    """Return the digest entries released by `now` that no digest carries yet, oldest first."""
    c = alert_notices.c
    query = (
        select(alert_notices)
        .where(c.delivery_id.is_(None), c.mode == "digest", c.release_at <= now)
        .order_by(c.recipient, c.url, c.id)
        .limit(limit)
    )
    return [_notice(row) for row in connection.execute(query)]


def claim_notices(connection: Connection, ids: Sequence[int], delivery_id: int) -> int:
    """Mark entries as carried by a digest; return how many were still free."""
    c = alert_notices.c
    updated = connection.execute(
        update(alert_notices)
        .where(c.id.in_(list(ids)), c.delivery_id.is_(None))
        .values(delivery_id=delivery_id)
    )
    return int(updated.rowcount)


def recent_recipients(connection: Connection, *, since: int) -> list[tuple[str, str]]:
    """Return each (recipient, url) with a notice since `since`."""
    c = alert_notices.c
    query = select(c.recipient, c.url).where(c.created_at >= since).distinct()
    return [(recipient, url) for recipient, url in connection.execute(query)]


def notices_between(
    connection: Connection, recipient: str, url: str, start: int, end: int
) -> list[Notice]:
    """Return a recipient's notices on one channel created in [start, end), oldest first."""
    c = alert_notices.c
    query = (
        select(alert_notices)
        .where(c.recipient == recipient, c.url == url, c.created_at >= start, c.created_at < end)
        .order_by(c.created_at, c.id)
    )
    return [_notice(row) for row in connection.execute(query)]


def latest_notice(connection: Connection, recipient: str, url: str) -> Notice | None:
    c = alert_notices.c
    query = (
        select(alert_notices)
        .where(c.recipient == recipient, c.url == url)
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    return None if row is None else _notice(row)
