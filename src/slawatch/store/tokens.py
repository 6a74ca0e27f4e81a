"""API tokens: shown once, stored as a SHA-256 hash, scoped to ingest, read or admin.

Tokens carry 256 bits of randomness, so a fast hash is enough (no password stretching): the
hash only has to stop a leaked database from yielding usable tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from slawatch.store.schema import api_tokens
from slawatch.wall_clock import now_us

SCOPES = ("ingest", "read", "admin")
PREFIX = "slw_"


@dataclass(frozen=True)
class Token:
    id: int
    name: str
    scope: str
    created_by: str
    last_used_at: int | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(connection: Connection, *, name: str, scope: str, created_by: str) -> str:
    """Store a new token and return its secret text, which is never stored or shown again."""
    if scope not in SCOPES:
        raise ValueError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    secret = PREFIX + secrets.token_urlsafe(32)
    connection.execute(
        insert(api_tokens).values(
            name=name,
            prefix=secret[:10],
            token_hash=_digest(secret),
            scope=scope,
            created_by=created_by,
            created_at=now_us(),
        )
    )
    return secret


USE_RECORDED_EVERY = 60 * 1_000_000  # µs: last_used_at is a hint, not a log


def verify_token(connection: Connection, secret: str) -> Token | None:
    """Return the live token with this secret, or None.

    Only reads: checking a token must not take the database's write lock on every request.
    Record the use with `record_use` when `needs_use_recorded` says so.
    """
    row = connection.execute(
        select(
            api_tokens.c.id,
            api_tokens.c.name,
            api_tokens.c.scope,
            api_tokens.c.created_by,
            api_tokens.c.last_used_at,
        )
        .where(api_tokens.c.token_hash == _digest(secret))
        .where(api_tokens.c.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return Token(
        id=row.id,
        name=row.name,
        scope=row.scope,
        created_by=row.created_by,
        last_used_at=row.last_used_at,
    )


def needs_use_recorded(token: Token, now: int) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= USE_RECORDED_EVERY


def record_use(connection: Connection, token: Token, now: int) -> None:
    connection.execute(
        update(api_tokens).where(api_tokens.c.id == token.id).values(last_used_at=now)
    )


def revoke_token(connection: Connection, token_id: int) -> bool:
    result = connection.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now_us())
    )
    return result.rowcount == 1


def list_tokens(connection: Connection) -> list[dict[str, object]]:
    rows = connection.execute(
        select(
            api_tokens.c.id,
            api_tokens.c.name,
            api_tokens.c.prefix,
            api_tokens.c.scope,
            api_tokens.c.created_by,
            api_tokens.c.created_at,
            api_tokens.c.last_used_at,
            api_tokens.c.revoked_at,
        ).order_by(api_tokens.c.id)
    )
    return [dict(row._mapping) for row in rows]
