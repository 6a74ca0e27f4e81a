"""Imports of CRM exports and event files: one row per import, with its counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from slawatch.store.schema import imports
from slawatch.wall_clock import now_us


def record_import(
    connection: Connection,
    *,
    filename: str,
    mapping: str,
    rows_read: int,
    imported: int,
    duplicates: int,
    rejected: int,
    actor: str,
) -> int:
    """Add the import's row in the caller's transaction; return its id."""
    result = connection.execute(
        insert(imports)
        .values(
            filename=filename,
            mapping=mapping,
            rows_read=rows_read,
            imported=imported,
            duplicates=duplicates,
            rejected=rejected,
            actor=actor,
            created_at=now_us(),
        )
        .returning(imports.c.id)
    )
    return int(result.scalar_one())


def recent_imports(connection: Connection, *, limit: int = 50) -> list[dict[str, Any]]:
    """Return the latest imports, newest first."""
    query = select(imports).order_by(imports.c.id.desc()).limit(limit)
    return [dict(row._mapping) for row in connection.execute(query)]
