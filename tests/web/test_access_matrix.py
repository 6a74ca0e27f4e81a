"""Every route × every kind of caller: who gets in is exactly what web.security's table says.

Routes are read from the app itself and each one's permission from its `require(...)`
dependency, so routes added later are walked without touching this file. A route that
declares no permission must be in PUBLIC, or this test fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi import APIRouter, Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.routing import Mount, Route

from slawatch.config import Settings
from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token, list_tokens, revoke_token
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.security import (
    ROLE_PERMISSIONS,
    SCOPE_PERMISSIONS,
    Permission,
    require,
)
from slawatch.web.sessions import COOKIE, CSRF_HEADER

PASSWORD = "correct horse battery"
STATIC = {"/static"}
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("POST", "/language"),
    ("GET", "/api/v1/docs"),
    ("GET", "/api/docs"),
    ("GET", "/api/v1/redoc"),
    ("GET", "/api/v1/openapi.json"),
}
CALLERS = (
    "anonymous",
    "viewer session",
    "editor session",
    "admin session",
    "read token",
    "ingest token",
    "admin token",
    "revoked token",
)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def probes() -> APIRouter:
    """One route per permission, so each is walked even before a real route demands it."""
    router = APIRouter(prefix="/api/v1/access-probe")
    for permission in Permission:
        router.add_api_route(
            f"/{permission.value}",
            lambda: "ok",
            methods=["POST"],
            dependencies=[Depends(require(permission))],
        )
    return router


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    permissions: frozenset[Permission]  # all of them are needed; empty: public

    @property
    def url(self) -> str:
        return re.sub(r"\{[^}]+\}", "probe", self.path)


def permissions_of(dependant: Dependant) -> set[Permission]:
    """Collect the permissions that `require(...)` dependencies anywhere below demand."""
    permission = getattr(dependant.call, "permission", None)
    found = {permission} if isinstance(permission, Permission) else set()
    for sub in dependant.dependencies:
        found |= permissions_of(sub)
    return found


def endpoints(app: FastAPI) -> list[Endpoint]:
    found = []
    # FastAPI keeps included routers whole in app.routes; this walks the routes inside them.
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            needed = frozenset(permissions_of(context.dependant))
        elif isinstance(context.original_route, Route):
            needed = frozenset()
        elif isinstance(context.original_route, Mount) and context.original_route.path in STATIC:
            continue  # stylesheets, scripts and the vendored libraries: public by design
        else:
            pytest.fail(f"{context.original_route!r} is not a route; teach this test about it")
        for method in sorted((context.methods or set()) - {"HEAD", "OPTIONS"}):
            assert context.path is not None
            found.append(Endpoint(method, context.path, needed))
    return found


def new_app(engine: Engine) -> FastAPI:
    app = create_app(Settings(secret_key="k" * 40), engine)
    app.include_router(probes())
    return app


def test_every_route_is_public_or_demands_a_permission(engine: Engine):
    unguarded = [
        f"{e.method} {e.path}"
        for e in endpoints(new_app(engine))
        if not e.permissions and (e.method, e.path) not in PUBLIC
    ]
    assert unguarded == [], (
        "these routes declare no permission; add Depends(require(Permission.X)), or list them "
        "in PUBLIC in tests/web/test_access_matrix.py if anyone may call them"
    )


def test_every_permission_and_the_public_routes_are_walked(engine: Engine):
    walked = endpoints(new_app(engine))
    assert {p for e in walked for p in e.permissions} == set(Permission)
    assert {(e.method, e.path) for e in walked} >= PUBLIC


@dataclass(frozen=True)
class Caller:
    headers: dict[str, str]
    permissions: frozenset[Permission] | None  # None: nobody (anonymous or a revoked token)


def log_in(client: TestClient, email: str | None) -> dict[str, str]:
    """Return the cookie and CSRF header of a browser session, logged in as `email` or not."""
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    if email is not None:
        response = client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": match.group(1)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert match is not None
    headers = {"Cookie": f"{COOKIE}={client.cookies[COOKIE]}", CSRF_HEADER: match.group(1)}
    client.cookies.clear()
    return headers


def make_caller(name: str, client: TestClient, engine: Engine) -> Caller:
    """Build one of CALLERS: "anonymous", "<role> session" or "<scope|revoked> token"."""
    if name == "anonymous":
        return Caller(log_in(client, None), None)
    what, kind = name.split(" ")
    if kind == "session":
        email = f"{what}@example.com"
        with transaction(engine) as connection:
            create_user(connection, email, PASSWORD, what)
        return Caller(log_in(client, email), ROLE_PERMISSIONS[what])
    scope = "admin" if what == "revoked" else what
    with transaction(engine) as connection:
        secret = create_token(connection, name=name, scope=scope, created_by="test")
        if what == "revoked":
            token_id = next(t["id"] for t in list_tokens(connection) if t["name"] == name)
            assert revoke_token(connection, int(str(token_id)))
            return Caller({"Authorization": f"Bearer {secret}"}, None)
    return Caller({"Authorization": f"Bearer {secret}"}, SCOPE_PERMISSIONS[scope])


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(new_app(engine), raise_server_exceptions=False) as client:
        yield client


def expected(endpoint: Endpoint, caller: Caller) -> str:
    if not endpoint.permissions:
        return "public"
    if caller.permissions is None:
        return "401"
    return "allowed" if endpoint.permissions <= caller.permissions else "403"


def outcome(status: int) -> str:
    return str(status) if status in (401, 403) else "allowed"


@pytest.mark.parametrize("name", CALLERS)
def test_each_caller_gets_exactly_the_routes_its_permissions_allow(
    name: str, client: TestClient, engine: Engine
):
    caller = make_caller(name, client, engine)
    wrong, public = [], {}
    for endpoint in endpoints(client.app):  # type: ignore[arg-type]
        headers = dict(caller.headers)
        if endpoint.method not in UNSAFE:
            headers.pop(CSRF_HEADER, None)
        response = client.request(
            endpoint.method, endpoint.url, headers=headers, follow_redirects=False
        )
        client.cookies.clear()  # logging out must not end the session for the next route
        want = expected(endpoint, caller)
        if want == "public":
            public[(endpoint.method, endpoint.path)] = response.status_code
        elif outcome(response.status_code) != want:
            wrong.append(
                f"{endpoint.method} {endpoint.path}: want {want}, got {response.status_code} "
                f"{response.text[:120]}"
            )
    assert wrong == [], f"{name}:\n" + "\n".join(wrong)
    browser = CSRF_HEADER in caller.headers
    assert public == {
        ("GET", "/health"): 200,
        ("GET", "/ready"): 200,
        ("GET", "/login"): 200,
        # The login and logout forms need the session's CSRF token, which only a browser has;
        # with it, an empty login form is answered with the form again (401), whoever asks.
        ("POST", "/login"): 401 if browser else 403,
        ("POST", "/logout"): 303 if browser else 403,
        ("POST", "/language"): 422 if browser else 403,  # no language chosen in the form
        ("GET", "/api/v1/docs"): 200,
        ("GET", "/api/docs"): 308,
        ("GET", "/api/v1/redoc"): 200,
        ("GET", "/api/v1/openapi.json"): 200,
    }
