"""/agreements/{id}: the agreement as a document, in English and German, on both backends.

The helpers here (an app with the agreement pages, a logged-in browser, the example agreement
with its events evaluated) serve the other agreement page tests too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_names, template_text
from slawatch.agreements.model import Calendar, Duration, DurationUnit, Interval
from slawatch.agreements.parse import parse_agreement
from slawatch.config import Settings
from slawatch.evaluation.service import refresh_all
from slawatch.i18n import translator
from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.pages import agreements, editor, objectives, versions
from slawatch.web.pages.agreements import week_hours, within_text
from tests.evaluation.support import AS_OF, save_template, store_example_events

PASSWORD = "a long password 1"
DOCUMENT = "/agreements/marketing-sales"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def page_app(engine: Engine) -> FastAPI:
    """Build the app with the agreement pages (added here until app.py includes them)."""
    app = create_app(Settings(), engine)
    present = {getattr(route, "path", None) for route in app.routes}
    for module in (agreements, objectives, versions, editor):
        if not any(route.path in present for route in module.router.routes):
            app.include_router(module.router)
    return app


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


def browser(app: FastAPI, engine: Engine, role: str, language: str | None = None) -> TestClient:
    """Return a client logged in as a new user with `role`; `.csrf` is the session's token."""
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language, actor="test")
    client = TestClient(app)
    token = csrf(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    client.csrf = csrf(client.get("/login").text)
    return client


def evaluated_example(engine: Engine) -> None:
    """Store the marketing-sales agreement and its example events, evaluated as of AS_OF."""
    save_template(engine)
    store_example_events(engine)
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]


def row_of(page: str, text: str) -> str:
    """Return the table row (<tr>…</tr>) of a page that contains `text`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S):
        if text in row:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    raise AssertionError(f"no row with {text!r}")


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    evaluated_example(engine)
    return page_app(engine)


@pytest.fixture
def viewer(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "viewer") as client:
        yield client


def test_the_document_shows_each_responsibility_with_owner_timeframe_and_target(
    viewer: TestClient,
) -> None:
    page = viewer.get(DOCUMENT)
    assert page.status_code == 200
    assert row_of(page.text, "First contact within 48 hours") == (
        "First contact within 48 hours response time Sales within 48 h ≥ 95%"
    )
    assert row_of(page.text, "Request resolution") == (
        "Request resolution response time Marketing within 3 business days (calendar office) ≥ 90%"
    )
    assert row_of(page.text, "Qualified leads per month") == (
        "Qualified leads per month count · kind = lead Marketing per month ≥ 50"
    )
    assert 'href="/agreements/marketing-sales/objectives/speed-to-lead"' in page.text


def test_the_document_names_the_contacts_of_each_tier_and_the_escalation_path(
    viewer: TestClient,
) -> None:
    page = viewer.get(DOCUMENT).text
    assert "Tier 1 · employee" in row_of(page, "lena.koch@example.com")
    assert (
        row_of(page, "head.sales@example.com") == "Tier 2 · department head head.sales@example.com"
    )
    assert (
        row_of(page, "at once")
        == "at once Tier 1 · employee lena.koch@example.com tom.berg@example.com"
    )
    assert row_of(page, "after 4 h") == (
        "after 4 h Tier 2 · department head head.marketing@example.com head.sales@example.com"
    )


def test_the_document_shows_calendars_credits_review_and_version(viewer: TestClient) -> None:
    page = viewer.get(DOCUMENT).text
    assert "Mon–Thu: 08:00–12:00, 13:00–17:00" in page
    assert "Sat–Sun: closed" in page
    assert "Germany (BY)" in page
    assert "Dec 24, 2026, Dec 31, 2026" in page
    assert row_of(page, "below 90%") == "below 90% 10% of the fee €1,000.00"
    assert "Fee per period: €10,000.00" in page
    assert "quarterly" in page
    assert "Version 1, saved" in page and "lena@example.com" in page
    assert "Jan 1, 2026" in page


def test_the_document_links_the_reports_of_the_latest_closed_period(viewer: TestClient) -> None:
    page = viewer.get(DOCUMENT).text
    for kind in ("pdf", "xlsx", "csv"):
        assert f'href="/agreements/marketing-sales/report.{kind}?period=2026-06"' in page
    for path in ("document.pdf", "versions", "credits", "reviews"):
        assert f'href="/agreements/marketing-sales/{path}"' in page


def test_only_editors_get_the_edit_link(app: FastAPI, engine: Engine, viewer: TestClient) -> None:
    assert 'href="/agreements/marketing-sales/edit"' not in viewer.get(DOCUMENT).text
    with browser(app, engine, "editor") as editor_browser:
        assert 'href="/agreements/marketing-sales/edit"' in editor_browser.get(DOCUMENT).text


def test_the_document_reads_in_german(app: FastAPI, engine: Engine) -> None:
    with browser(app, engine, "viewer", language="de") as german:
        page = german.get(DOCUMENT).text
    assert '<html lang="de">' in page
    assert "Verantwortlichkeiten" in page
    assert row_of(page, "First contact within 48 hours") == (
        "First contact within 48 hours Reaktionszeit Sales innerhalb von 48 Std. ≥ 95 %"
    )
    assert "Stufe 2 · Abteilungsleitung" in page
    assert "innerhalb von 3 Arbeitstagen" in page
    assert "10.000,00\xa0€" in page
    assert "vierteljährlich" in page


def test_an_unknown_agreement_is_a_404_page(viewer: TestClient) -> None:
    page = viewer.get("/agreements/nope")
    assert page.status_code == 404
    assert "There is no agreement nope." in page.text


def test_a_browser_without_a_session_is_sent_to_log_in(app: FastAPI) -> None:
    answer = TestClient(app).get(DOCUMENT, headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/agreements/marketing-sales"


def test_allowances_read_as_hours_working_time_or_business_days() -> None:
    english, german = translator("en"), translator("de")
    assert within_text(Duration(unit=DurationUnit.WALL, amount=30 * 60, text="30m"), english) == (
        "within 30 min"
    )
    working = Duration(unit=DurationUnit.WORKING, amount=8 * 3600, text="8h")
    assert within_text(working, english) == "within 8 h of working time"
    assert within_text(working, german) == "innerhalb von 8 Std. Arbeitszeit"
    one_day = Duration(unit=DurationUnit.BUSINESS_DAYS, amount=1, text="1bd")
    assert within_text(one_day, english) == "within 1 business day"


def test_working_hours_join_runs_of_equal_days() -> None:
    weekday = (Interval(start=8 * 3600, end=17 * 3600),)
    night = (Interval(start=22 * 3600, end=30 * 3600),)
    calendar = Calendar(
        id="desk", timezone="UTC", hours=(weekday, weekday, weekday, weekday, weekday, night, ())
    )
    assert week_hours(calendar, translator("en")) == [
        ("Mon–Fri", "08:00–17:00"),
        ("Sat", "22:00–06:00 (+1)"),
        ("Sun", "closed"),
    ]


@pytest.mark.parametrize("name", template_names())
def test_every_template_reads_as_a_document_before_any_results(engine: Engine, name: str) -> None:
    agreement = parse_agreement(template_text(name))
    save_template(engine, name)
    with browser(page_app(engine), engine, "viewer") as client:
        page = client.get(f"/agreements/{agreement.id}")
        assert page.status_code == 200
        assert "No closed period yet" in page.text
        for objective in agreement.objectives:
            shown = client.get(f"/agreements/{agreement.id}/objectives/{objective}")
            assert shown.status_code == 200
            assert "No results yet" in shown.text
