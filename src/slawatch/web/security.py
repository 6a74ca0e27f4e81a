"""Who is asking, and may they: API tokens (Bearer) and web sessions, mapped to permissions.

| permission | token scope         | user role               |
|------------|---------------------|-------------------------|
| read       | read, admin         | viewer, editor, admin   |
| ingest     | ingest, admin       | editor, admin           |
| edit       | admin               | editor, admin           |
| admin      | admin               | admin                   |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from fastapi import Depends, HTTPException, Request, status

from slawatch.store.clock import now_us
from slawatch.store.db import read_transaction, transaction
from slawatch.store.tokens import needs_use_recorded, record_use, verify_token


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


def _from_token(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    engine = request.app.state.engine
    with read_transaction(engine) as connection:
        token = verify_token(connection, secret.strip())
    now = now_us()
    if token is not None and needs_use_recorded(token, now):
        with transaction(engine) as connection:
            record_use(connection, token, now)
    if token is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the API token is unknown or revoked; create one with `slawatch tokens create`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Principal(
        name=f"token:{token.name}", permissions=SCOPE_PERMISSIONS[token.scope], via="token"
    )


def current_principal(request: Request) -> Principal:
    """Return who is asking: a Bearer token first, else the session's user; 401 otherwise."""
    principal = _from_token(request)
    if principal is None:
        principal = request.app.state.session_principal(request)
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "log in, or send an API token as `Authorization: Bearer <token>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


def require(permission: Permission) -> Callable[..., Principal]:
    """Return a FastAPI dependency admitting only principals with `permission`."""

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if permission not in principal.permissions:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"{principal.name} lacks the {permission.value} permission for this route",
            )
        return principal

    # Tests walk every route's dependencies to find the permission it demands.
    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
