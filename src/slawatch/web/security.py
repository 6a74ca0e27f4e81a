"""Who is asking, and may they: API tokens (Bearer) and web sessions, mapped to permissions.

| permission | token scope         | user role               |
|------------|---------------------|-------------------------|
| read       | read, admin         | viewer, editor, admin   |
| ingest     | ingest, admin       | editor, admin           |
| edit       | admin               | editor, admin           |
| admin      | admin               | admin                   |
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from anyio import to_thread
from fastapi import Depends, Request

from slawatch.store.db import read_transaction, transaction
from slawatch.store.tokens import Token, needs_use_recorded, record_use, verify_token
from slawatch.wall_clock import now_us
from slawatch.web.errors import ForbiddenError, UnauthorizedError


class Permission(StrEnum):
    READ = "read"
    INGEST = "ingest"
    EDIT = "edit"
    ADMIN = "admin"


SCOPE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "read": frozenset({Permission.READ}),
    "ingest": frozenset({Permission.INGEST}),
    "admin": frozenset(Permission),
}
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "viewer": frozenset({Permission.READ}),
    "editor": frozenset({Permission.READ, Permission.INGEST, Permission.EDIT}),
    "admin": frozenset(Permission),
}
ROLES = tuple(ROLE_PERMISSIONS)


@dataclass(frozen=True)
class Principal:
    name: str  # the user's email, or "token:<name>"
    permissions: frozenset[Permission]
    via: Literal["session", "token"]
    user_id: int | None = None


class VerifiedTokens:
    """Remember verified tokens for a few seconds, so a stream of requests skips the lookup.

    Checking a token is a database read per request, a sixth of a single-event POST. A token
    revoked in the meantime keeps working until its entry expires (`seconds`), the price of
    not asking the database every time; unknown and revoked secrets are never remembered.
    """

    def __init__(self, seconds: float = 5.0, size: int = 1024) -> None:
        self.seconds = seconds
        self.size = size
        self._tokens: dict[str, tuple[Token, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Token | None:
        with self._lock:
            found = self._tokens.get(key)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def put(self, key: str, token: Token) -> None:
        with self._lock:
            if len(self._tokens) >= self.size:
                self._tokens.clear()
            self._tokens[key] = (token, time.monotonic() + self.seconds)


def _verified_tokens(request: Request) -> VerifiedTokens:
    tokens: VerifiedTokens | None = getattr(request.app.state, "verified_tokens", None)
    if tokens is None:
        tokens = request.app.state.verified_tokens = VerifiedTokens()
    return tokens


def _from_token(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    engine = request.app.state.engine
    key = _token_key(secret)
    remembered = _verified_tokens(request)
    token = remembered.get(key)
    if token is None:
        with read_transaction(engine) as connection:
            token = verify_token(connection, secret.strip())
    now = now_us()
    if token is not None and needs_use_recorded(token, now):
        with transaction(engine) as connection:
            record_use(connection, token, now)
        token = replace(token, last_used_at=now)
    if token is None:
        raise UnauthorizedError(
            "the API token is unknown or revoked; create one with `slawatch tokens create`"
        )
    remembered.put(key, token)
    return _token_principal(token)


def _token_key(secret: str) -> str:
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def _token_principal(token: Token) -> Principal:
    return Principal(
        name=f"token:{token.name}", permissions=SCOPE_PERMISSIONS[token.scope], via="token"
    )


async def current_principal(request: Request) -> Principal:
    """Return who is asking: a Bearer token first, else the session's user; 401 otherwise.

    A token verified moments ago is answered on the event loop; anything that reads the
    database (a new token, a session's user) runs in a worker thread.
    """
    principal = _remembered_token(request)
    if principal is None:
        principal = await to_thread.run_sync(_principal_from_database, request)
    return principal


def _remembered_token(request: Request) -> Principal | None:
    """Return the principal of a recently verified Bearer token whose use needs no record."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = _verified_tokens(request).get(_token_key(secret))
    if token is None or needs_use_recorded(token, now_us()):
        return None
    return _token_principal(token)


def _principal_from_database(request: Request) -> Principal:
    principal = _from_token(request)
    if principal is None:
        principal = request.app.state.session_principal(request)
    if principal is None:
        raise UnauthorizedError("log in, or send an API token as `Authorization: Bearer <token>`")
    return principal


def require(permission: Permission) -> Callable[..., Awaitable[Principal]]:
    """Return a FastAPI dependency admitting only principals with `permission`."""

    # Async: it only compares, so it runs on the event loop instead of a worker thread.
    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if permission not in principal.permissions:
            raise ForbiddenError(
                f"{principal.name} lacks the {permission.value} permission for this route",
            )
        return principal

    # Tests walk every route's dependencies to find the permission it demands.
    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
