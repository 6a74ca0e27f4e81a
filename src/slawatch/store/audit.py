"""The audit log: who changed what, when. Rows are only ever added."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from slawatch.store.schema import audit_log
from slawatch.wall_clock import now_us


def record(connection: Connection, *, actor: str, action: str, subject: str, **detail: Any) -> None:
    """Add one entry, in the caller's transaction: it lands exactly when the change does."""
    connection.execute(
        insert(audit_log).values(
            at=now_us(), actor=actor, action=action, subject=subject, detail=detail
        )
    )


def entries(
    connection: Connection, *, subject: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    return [dict(row._mapping) for row in connection.execute(query)]
