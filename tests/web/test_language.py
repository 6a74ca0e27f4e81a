"""The language switch: a cookie for everyone, the user's setting when logged in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import read_transaction, transaction
from slawatch.store.users import create_user, find_user
from slawatch.web.app import create_app


def client(engine: Engine) -> TestClient:
    return TestClient(create_app(Settings(demo=True), engine))


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


def test_the_login_page_follows_the_browser_language(engine: Engine):
    page = client(engine).get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in page.text
    assert "Bei slawatch anmelden" in page.text


def test_switching_language_sets_a_cookie_and_returns_to_the_page(engine: Engine):
    browser = client(engine)
    token = csrf(browser.get("/login").text)
    answer = browser.post(
        "/language",
        data={"language": "de", "next": "/login", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert "Passwort" in browser.get("/login", headers={"Accept-Language": "en"}).text


def test_a_logged_in_users_choice_is_stored_on_the_user(engine: Engine):
    with transaction(engine) as connection:
        create_user(connection, "ana@example.com", "a long password 1", role="viewer", actor="test")
    browser = client(engine)
    token = csrf(browser.get("/login").text)
    browser.post(
        "/login",
        data={"email": "ana@example.com", "password": "a long password 1", "csrf_token": token},
    )
    token = csrf(browser.get("/").text)
    browser.post("/language", data={"language": "de", "next": "/", "csrf_token": token})
    with read_transaction(engine) as connection:
        assert find_user(connection, "ana@example.com").language == "de"


def test_an_unknown_language_is_refused_with_a_message(engine: Engine):
    browser = client(engine)
    token = csrf(browser.get("/login").text)
    answer = browser.post("/language", data={"language": "xx", "csrf_token": token})
    assert answer.status_code == 422
    assert "use en or de" in answer.json()["detail"]


def test_static_assets_are_served(engine: Engine):
    browser = client(engine)
    assert browser.get("/static/app.css").status_code == 200
    assert browser.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
