"""Notification routes: where a contact or a whole party is notified, and in which language.

A route's target is a contact's email or "<agreement>:<party>"; its URL is an apprise URL
(mail, Slack, Teams, a JSON webhook …). URLs carry secrets (passwords, webhook tokens), so
they are written here and read by the sender, and shown elsewhere only with those masked.
Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from slawatch.store import audit
from slawatch.store.schema import notification_routes


@dataclass(frozen=True)
class Route:
    id: int
    target: str  # an email, or "<agreement>:<party>"
    url: str  # an apprise URL, secrets included
    language: str | None
    created_by: str
    created_at: int


def _route(row: Any) -> Route:
    return Route(
        id=row.id,
        target=row.target,
        url=row.url,
        language=row.language,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def list_routes(connection: Connection) -> list[Route]:
    """Return every route, by target and then in the order they were added."""
    query = select(notification_routes).order_by(
        notification_routes.c.target, notification_routes.c.id
    )
    return [_route(row) for row in connection.execute(query)]


def routes_for(connection: Connection, targets: Sequence[str]) -> list[Route]:
    """Return the routes of any of the targets, in the order of `targets`, then by id."""
    if not targets:
        return []
    query = (
        select(notification_routes)
        .where(notification_routes.c.target.in_(list(targets)))
        .order_by(notification_routes.c.id)
    )
    found = [_route(row) for row in connection.execute(query)]
    return sorted(found, key=lambda route: list(targets).index(route.target))


def get_route(connection: Connection, route_id: int) -> Route | None:
    row = connection.execute(
        select(notification_routes).where(notification_routes.c.id == route_id)
    ).first()
    return None if row is None else _route(row)


def create_route(
    connection: Connection,
    *,
    target: str,
    url: str,
    language: str | None,
    actor: str,
    now: int,
) -> Route:
    """Add a route (the caller has checked the target, URL and language)."""
    route_id = connection.execute(
        insert(notification_routes)
        .values(target=target, url=url, language=language, created_by=actor, created_at=now)
        .returning(notification_routes.c.id)
    ).scalar_one()
    # The URL stays out of the audit log: it may hold a password or a webhook secret.
    audit.record(
        connection,
        actor=actor,
        action="route.create",
        subject=f"route:{route_id}",
        target=target,
        language=language,
    )
    return Route(route_id, target, url, language, actor, now)


def delete_route(connection: Connection, route_id: int, *, actor: str) -> Route | None:
    """Remove a route; return what was removed, or None if there was no such route."""
    route = get_route(connection, route_id)
    if route is None:
        return None
    connection.execute(delete(notification_routes).where(notification_routes.c.id == route_id))
    audit.record(
        connection,
        actor=actor,
        action="route.delete",
        subject=f"route:{route_id}",
        target=route.target,
    )
    return route
