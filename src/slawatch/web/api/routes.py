"""API routes: notification routes (where a contact or a party is notified), for admins.

URLs come back with passwords and tokens masked: a route is replaced, not edited, so nobody
needs to read a secret back. Each change is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from slawatch.alerts.channels import redacted, url_problem
from slawatch.i18n import LANGUAGES, supported
from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.routes import Route, create_route, delete_route, list_routes
from slawatch.store.users import UserError, normalize_email
from slawatch.web.deps import Admin, Now, engine_of
from slawatch.web.errors import NotFoundError, UnprocessableError

router = APIRouter(tags=["notifications"])
RouteId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class RouteCreate(BaseModel):
    target: str = Field(
        min_length=1,
        max_length=320,
        description='a contact\'s email, or "<agreement>:<party>" for everyone of a party',
        examples=["tom.berg@example.com", "marketing-sales:sales"],
    )
    url: str = Field(
        min_length=1,
        max_length=4000,
        description="an apprise URL: mailto://…, slack://…, msteams://…, json://…",
        examples=["json://hooks.example.com/slawatch"],
    )
    language: str | None = Field(default=None, description="en or de; default: the user's")


class RouteRead(BaseModel):
    id: int
    target: str
    url: str  # secrets masked
    language: str | None
    created_by: str
    created_at: int


def _read(route: Route) -> RouteRead:
    return RouteRead(
        id=route.id,
        target=route.target,
        url=redacted(route.url),
        language=route.language,
        created_by=route.created_by,
        created_at=route.created_at,
    )


def _checked_target(request: Request, target: str) -> str:
    """Return the stored form of a target: a lower-cased email or an existing party."""
    if "@" in target:
        try:
            return normalize_email(target)
        except UserError as error:
            raise UnprocessableError(str(error)) from None
    agreement_id, _, party = target.strip().partition(":")
    if not party:
        raise UnprocessableError(
            f"target {target[:80]!r} is neither an email nor <agreement>:<party>, "
            "e.g. marketing-sales:sales"
        )
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        raise UnprocessableError(f"there is no agreement {agreement_id[:100]!r}")
    if party not in stored.agreement.parties:
        known = ", ".join(sorted(stored.agreement.parties)) or "none"
        raise UnprocessableError(
            f"agreement {agreement_id!r} has no party {party[:100]!r}; its parties: {known}"
        )
    return f"{agreement_id}:{party}"


@router.get("/notification-routes", response_model=list[RouteRead])
def get_routes(request: Request, _admin: Admin) -> list[RouteRead]:
    """List every notification route, secrets masked."""
    with read_transaction(engine_of(request)) as connection:
        return [_read(route) for route in list_routes(connection)]


@router.post(
    "/notification-routes",
    response_model=RouteRead,
    status_code=status.HTTP_201_CREATED,
    responses={422: {"description": "the target, URL or language cannot be used"}},
)
def post_route(request: Request, route: RouteCreate, admin: Admin, now: Now) -> RouteRead:
    """Add a route: messages for the target go to the URL, in the language given."""
    target = _checked_target(request, route.target)
    problem = url_problem(route.url.strip())
    if problem is not None:
        raise UnprocessableError(f"apprise cannot send to this URL: {problem[:300]}")
    language = supported(route.language) if route.language else None
    if route.language and language is None:
        raise UnprocessableError(
            f"unknown language {route.language[:20]!r}; use {' or '.join(LANGUAGES)}"
        )
    with transaction(engine_of(request)) as connection:
        created = create_route(
            connection,
            target=target,
            url=route.url.strip(),
            language=language,
            actor=admin.name,
            now=now,
        )
    return _read(created)


@router.delete(
    "/notification-routes/{route_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no such route"}},
)
def remove_route(request: Request, route_id: RouteId, admin: Admin) -> Response:
    """Remove a route; its target falls back to mail (or its other routes)."""
    with transaction(engine_of(request)) as connection:
        removed = delete_route(connection, route_id, actor=admin.name)
    if removed is None:
        raise NotFoundError(
            f"there is no notification route {route_id}; "
            "GET /api/v1/notification-routes lists them",
        )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
