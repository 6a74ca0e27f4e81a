"""Login, the session cookie and CSRF: what a browser and an attacker each get, on both backends."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import APIRouter, Depends, Form
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token, list_tokens, revoke_token
from slawatch.store.users import create_user, deactivate, set_password, set_role
from slawatch.web.app import create_app
from slawatch.web.deps import Editor, Reader
from slawatch.web.pages.login import safe_next
from slawatch.web.security import VerifiedTokens
from slawatch.web.sessions import COOKIE, form_csrf, verify_csrf

PASSWORD = "correct horse battery"
SECRET = "s" * 40


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def probes() -> APIRouter:
    """Routes standing in for real ones: a read, an edit by API, and an edit by form."""
    router = APIRouter()

    @router.get("/api/v1/probe")
    def read(principal: Reader) -> dict[str, str]:
        return {"name": principal.name, "via": principal.via}

    @router.post("/api/v1/probe")
    def edit(principal: Editor) -> dict[str, str]:
        return {"name": principal.name}

    @router.post("/probe-form", dependencies=[Depends(verify_csrf)])
    def form(principal: Editor, note: Annotated[str, Form()] = "") -> dict[str, str]:
        return {"name": principal.name, "note": note}

    @router.post("/probe-page-form", dependencies=[Depends(form_csrf)])
    def page_form(principal: Editor, note: Annotated[str, Form()] = "") -> dict[str, str]:
        return {"name": principal.name, "note": note}

    return router


def make_client(engine: Engine, **settings: object) -> TestClient:
    app = create_app(Settings(**{"secret_key": SECRET, **settings}), engine)  # type: ignore[arg-type]
    app.include_router(probes())
    return TestClient(app)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with transaction(engine) as connection:
        create_user(connection, "ann@example.com", PASSWORD, "editor")
        create_user(connection, "vic@example.com", PASSWORD, "viewer")
    with make_client(engine) as client:
        yield client


def token_in(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def form_token(client: TestClient) -> str:
    """The session's CSRF token, as every page with a form embeds it."""
    return token_in(client.get("/login"))


def log_in(client: TestClient, email: str = "ann@example.com", password: str = PASSWORD):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": form_token(client)},
        follow_redirects=False,
    )


def test_the_login_page_is_an_accessible_form_with_a_csrf_field(client: TestClient):
    page = client.get("/login")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    assert '<label for="email">' in page.text
    assert '<label for="password">' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert 'name="csrf_token"' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_session_cookie_is_http_only_and_same_site_lax_and_secure_only_over_https(
    engine: Engine,
):
    with make_client(engine) as plain:
        cookie = plain.get("/login").headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert f"Max-Age={Settings().session_max_age}" in cookie
    with make_client(engine, base_url="https://sla.example.com") as secure:
        assert "; Secure" in secure.get("/login").headers["set-cookie"]


def test_logging_in_redirects_to_next_and_the_session_then_reads(client: TestClient):
    response = client.post(
        "/login",
        data={
            "email": "ANN@example.com",
            "password": PASSWORD,
            "csrf_token": form_token(client),
            "next": "/agreements/x?period=2026-10",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/agreements/x?period=2026-10"
    assert client.get("/api/v1/probe").json() == {"name": "ann@example.com", "via": "session"}


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:x", ""]
)
def test_next_never_leaves_the_site(target: str):
    assert safe_next(target) == "/"


def test_an_off_site_next_sends_the_user_home(client: TestClient):
    token = form_token(client)
    response = client.post(
        "/login",
        data={
            "email": "ann@example.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//x.y",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_401_form(client: TestClient):
    wrong = log_in(client, password="wrong password")
    unknown = log_in(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert "The email or the password is wrong." in wrong.text
    assert wrong.text.replace("ann@example.com", "E") == unknown.text.replace(
        "nobody@example.com", "E"
    ).replace(token_in(unknown), token_in(wrong))
    assert client.get("/api/v1/probe").status_code == 401


def test_a_login_without_the_csrf_token_is_refused_and_logs_no_one_in(client: TestClient):
    client.get("/login")
    response = client.post(
        "/login",
        data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "expired" in response.text
    assert client.get("/api/v1/probe").status_code == 401


def test_logging_in_gives_a_new_csrf_token(client: TestClient):
    before = form_token(client)
    client.post(
        "/login",
        data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": before},
    )
    assert form_token(client) != before


def test_a_tampered_or_foreign_cookie_is_no_session(client: TestClient, engine: Engine):
    assert log_in(client).status_code == 303
    good = client.cookies[COOKIE]
    client.cookies.set(COOKIE, good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    assert client.get("/api/v1/probe").status_code == 401
    with make_client(engine, secret_key="another secret, also forty characters!!") as other:
        other.cookies.set(COOKIE, good)
        assert other.get("/api/v1/probe").status_code == 401


def test_an_expired_session_is_no_session(client: TestClient, monkeypatch: pytest.MonkeyPatch):
    serializer = client.app.state.session_serializer  # type: ignore[attr-defined]
    assert log_in(client).status_code == 303
    payload = serializer.loads(client.cookies[COOKIE])
    now = time.time()
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: now - Settings().session_max_age - 60)
        old = serializer.dumps(payload)
    client.cookies.set(COOKIE, old)
    assert client.get("/api/v1/probe").status_code == 401


def test_a_role_change_applies_to_an_open_session_at_once(client: TestClient, engine: Engine):
    log_in(client, "vic@example.com")
    headers = {"X-CSRF-Token": form_token(client)}
    assert client.post("/api/v1/probe", headers=headers).status_code == 403
    with transaction(engine) as connection:
        set_role(connection, "vic@example.com", "editor", actor="t")
    assert client.post("/api/v1/probe", headers=headers).status_code == 200


def test_deactivating_a_user_ends_their_session(client: TestClient, engine: Engine):
    log_in(client)
    assert client.get("/api/v1/probe").status_code == 200
    with transaction(engine) as connection:
        deactivate(connection, "ann@example.com", actor="t")
    assert client.get("/api/v1/probe").status_code == 401


def test_a_new_password_ends_the_sessions_made_with_the_old_one(client: TestClient, engine: Engine):
    log_in(client)
    with transaction(engine) as connection:
        set_password(connection, "ann@example.com", "a brand new password", actor="t")
    assert client.get("/api/v1/probe").status_code == 401


def test_a_session_api_write_needs_the_csrf_header(client: TestClient):
    log_in(client)
    missing = client.post("/api/v1/probe")
    assert missing.status_code == 403
    assert "X-CSRF-Token" in missing.json()["detail"]
    assert client.post("/api/v1/probe", headers={"X-CSRF-Token": "forged"}).status_code == 403
    allowed = client.post("/api/v1/probe", headers={"X-CSRF-Token": form_token(client)})
    assert allowed.status_code == 200


def test_a_session_form_post_passes_with_the_csrf_field_and_fails_without(client: TestClient):
    log_in(client)
    token = form_token(client)
    allowed = client.post("/probe-form", data={"note": "hi", "csrf_token": token})
    assert allowed.json() == {"name": "ann@example.com", "note": "hi"}
    assert client.post("/probe-form", data={"note": "hi"}).status_code == 403


def test_a_page_form_asks_a_session_for_the_csrf_field_and_a_bearer_token_for_nothing(
    client: TestClient, engine: Engine
):
    with transaction(engine) as connection:
        secret = create_token(connection, name="ci", scope="admin", created_by="t")
    log_in(client)
    assert client.post("/probe-page-form", data={"note": "hi"}).status_code == 403
    token = form_token(client)
    allowed = client.post("/probe-page-form", data={"note": "hi", "csrf_token": token})
    assert allowed.json() == {"name": "ann@example.com", "note": "hi"}
    client.cookies.clear()
    by_token = client.post(
        "/probe-page-form", data={"note": "hi"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert by_token.json() == {"name": "token:ci", "note": "hi"}


def test_a_bearer_token_needs_no_csrf_header_even_alongside_a_session(
    client: TestClient, engine: Engine
):
    with transaction(engine) as connection:
        secret = create_token(connection, name="ci", scope="admin", created_by="t")
    log_in(client, "vic@example.com")
    response = client.post("/api/v1/probe", headers={"Authorization": f"Bearer {secret}"})
    assert response.json() == {"name": "token:ci"}


def test_logging_out_ends_the_session_and_needs_the_csrf_token(client: TestClient):
    log_in(client)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert client.get("/api/v1/probe").status_code == 200
    response = client.post(
        "/logout", data={"csrf_token": form_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert client.get("/api/v1/probe").status_code == 401


def test_an_api_request_without_credentials_sets_no_cookie(client: TestClient):
    response = client.get("/api/v1/probe")
    assert response.status_code == 401
    assert "set-cookie" not in response.headers


def test_logging_in_upgrades_a_hash_made_with_old_argon2_parameters(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    monkeypatch.setattr(users_store, "hasher", stronger)
    assert log_in(client).status_code == 303
    with transaction(engine) as connection:
        stored = connection.exec_driver_sql(
            "SELECT password_hash FROM users WHERE email = 'ann@example.com'"
        ).scalar_one()
    assert not stronger.check_needs_rehash(stored)


def test_a_verified_token_is_remembered_for_a_few_seconds_then_checked_again(engine: Engine):
    app = create_app(Settings(), engine)
    with transaction(engine) as connection:
        secret = create_token(connection, name="crm", scope="read", created_by="test")
        (token_id,) = [int(str(t["id"])) for t in list_tokens(connection)]
    browser = TestClient(app)
    headers = {"Authorization": f"Bearer {secret}"}
    assert browser.get("/api/v1/agreements", headers=headers).status_code == 200
    with transaction(engine) as connection:
        assert revoke_token(connection, token_id)
    assert browser.get("/api/v1/agreements", headers=headers).status_code == 200  # remembered
    app.state.verified_tokens = VerifiedTokens(seconds=0)  # as if 5 s had passed
    assert browser.get("/api/v1/agreements", headers=headers).status_code == 401
