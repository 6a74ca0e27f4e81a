"""The item page: attributes, events in the agreement's zone, and clock bars that explain."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store.agreements import save_version
from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.pages import items as item_pages
from tests.web.support import set_now

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "a long password"
ITEM_ROUTE = "/items/{source}/{external_id:path}"


def berlin(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN))


def log_in(client: TestClient, email: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303


@pytest.fixture
def browser(engine: Engine) -> Iterator[TestClient]:
    """A logged-in viewer on the marketing-sales agreement, with the clock at a fixed now."""
    with transaction(engine) as connection:
        save_version(connection, template_text("marketing-sales"), author="t", reason="test")
        create_user(connection, "ana@example.com", PASSWORD, "viewer")
    app = create_app(Settings(demo=True), engine)
    set_now(app, berlin("2026-05-06T10:00"))
    if not any(getattr(route, "path", None) == ITEM_ROUTE for route in app.routes):
        app.include_router(item_pages.router)
    with TestClient(app) as client:
        log_in(client, "ana@example.com")
        yield client


def store(engine: Engine, item: str, *events: tuple[str, str], **attributes: str) -> None:
    with transaction(engine) as connection:
        store_events(
            connection,
            [EventIn("default", item, kind, berlin(at), "lead", attributes) for kind, at in events],
        )


def clock_section(page: str, objective: str) -> str:
    """Return the HTML of one objective's clock card."""
    start = page.index(f'/objectives/{objective}"')
    return page[start : page.index("</section>", start)]


def test_a_met_clock_shows_its_verdict_numbers_and_an_explained_bar(
    engine: Engine, browser: TestClient
) -> None:
    store(
        engine,
        "L-1",
        ("handed_over", "2026-03-03T09:00"),
        ("contacted", "2026-03-03T11:30"),
        owner="tom",
    )
    page = browser.get("/items/default/L-1")
    assert page.status_code == 200
    card = clock_section(page.text, "speed-to-lead")
    assert 'data-verdict="met"' in card
    assert "2 h 30 min" in card  # working time used
    assert 'role="img"' in card
    assert re.search(r'aria-label="First contact within 48 hours: met\. 2 h 30 min', card)
    assert "Deadline" in card
    assert "Warning" in card  # speed-to-lead warns at 75 %
    assert "1 segment" in card
    assert "<dt>owner</dt><dd>tom</dd>" in page.text


def test_a_clock_over_a_holiday_weekend_shows_closed_days_and_the_overrun(
    engine: Engine, browser: TestClient
) -> None:
    # request-resolution allows 3 business days on the office calendar (DE-BY); 1 May 2026 is
    # a Friday and a public holiday. Opened Thursday 16:00, resolved the next Thursday 12:00.
    store(
        engine,
        "R-1",
        ("request_opened", "2026-04-30T16:00"),
        ("request_answered", "2026-04-30T16:30"),
        ("request_resolved", "2026-05-07T12:00"),
    )
    page = browser.get("/items/default/R-1")
    card = clock_section(page.text, "request-resolution")
    assert 'data-verdict="running"' in card  # now is Wednesday 6 May, 10:00
    assert 'class="seg holiday"' in card
    assert 'class="seg closed"' in card
    assert "closed day" in card
    assert "outside working hours" in card
    assert "Time left" in card


def test_a_breached_clock_says_how_late_it_is(engine: Engine, browser: TestClient) -> None:
    set_now(browser.app, berlin("2026-05-08T10:00"))
    store(
        engine,
        "R-2",
        ("request_opened", "2026-04-30T16:00"),
        ("request_resolved", "2026-05-07T12:00"),
    )
    card = clock_section(browser.get("/items/default/R-2").text, "request-resolution")
    assert 'data-verdict="breached"' in card
    # Due at the close of the third business day (Wed 6 May, 17:00): 19 h late on the wall.
    assert "Overrun" in card
    assert "19 h past the deadline (4 h of working time)" in card


def test_an_open_pause_suspends_the_deadline_and_shows_on_the_bar(
    engine: Engine, browser: TestClient
) -> None:
    store(
        engine,
        "L-2",
        ("handed_over", "2026-05-05T09:00"),
        ("on_hold", "2026-05-05T15:00"),
    )
    card = clock_section(browser.get("/items/default/L-2").text, "speed-to-lead")
    assert 'data-verdict="paused"' in card
    assert "suspended while the clock is on hold" in card
    assert 'class="seg paused"' in card
    assert 'class="pause-mark"' in card
    assert "Now " in card


def test_a_running_clock_counts_down_to_its_deadline(engine: Engine, browser: TestClient) -> None:
    store(engine, "L-3", ("handed_over", "2026-05-06T08:00"))
    card = clock_section(browser.get("/items/default/L-3").text, "speed-to-lead")
    assert 'data-verdict="running"' in card
    assert '<time data-countdown="2026-05-08T06:00:00+00:00">1 d 22 h</time>' in card
    assert 'class="seg rest"' in card  # the rest of the allowance, up to the deadline


def test_events_are_listed_in_the_agreements_zone(engine: Engine, browser: TestClient) -> None:
    store(engine, "L-4", ("handed_over", "2026-03-03T09:00"))
    page = browser.get("/items/default/L-4").text
    assert "Times in Europe/Berlin." in page
    assert "Mar 3, 2026, 9:00:00\u202fAM" in page or "Mar 3, 2026, 9:00:00 AM" in page
    assert '<time datetime="2026-03-03T08:00:00+00:00">' in page


def test_escalations_of_each_clock_load_from_their_fragment(
    engine: Engine, browser: TestClient
) -> None:
    store(engine, "L-5", ("handed_over", "2026-03-03T09:00"))
    page = browser.get("/items/default/L-5").text
    fragment = re.search(r'hx-get="(/escalations/fragment\?[^"]+)"', page)
    assert fragment is not None
    assert "agreement=marketing-sales&amp;objective=speed-to-lead&amp;item_id=" in fragment[1]


def test_the_page_speaks_german(engine: Engine, browser: TestClient) -> None:
    store(engine, "L-6", ("handed_over", "2026-03-03T09:00"), ("contacted", "2026-03-03T10:00"))
    browser.cookies.set("slawatch_lang", "de")
    page = browser.get("/items/default/L-6")
    assert '<html lang="de">' in page.text
    assert "Arbeitszeit" in page.text
    assert "erfüllt" in page.text
    assert "Frist" in page.text


def test_an_item_without_a_clock_says_so(engine: Engine, browser: TestClient) -> None:
    store(engine, "L-7", ("qualified", "2026-03-03T09:00"))
    page = browser.get("/items/default/L-7").text
    assert "No clock has started for this item" in page


def test_an_unknown_item_is_a_page_that_says_so(browser: TestClient) -> None:
    page = browser.get("/items/default/nobody")
    assert page.status_code == 404
    assert "There is no item nobody in source default" in page.text


def test_an_item_id_with_a_slash_or_a_nul_is_handled(engine: Engine, browser: TestClient) -> None:
    store(engine, "a/b", ("handed_over", "2026-03-03T09:00"))
    assert browser.get("/items/default/a/b").status_code == 200
    assert browser.get("/items/default/a%00b").status_code == 404


@pytest.mark.parametrize("source", ["crm/eu", "/crm", "crm/", "a%b"])
def test_an_item_of_a_source_with_a_slash_is_reached_by_its_encoded_address(
    engine: Engine, browser: TestClient, source: str
) -> None:
    with transaction(engine) as connection:
        at = berlin("2026-03-03T09:00")
        store_events(connection, [EventIn(source, "L/1", "handed_over", at, "lead")])
    page = browser.get(f"/items/{quote(source, safe='')}/{quote('L/1', safe='')}")
    assert page.status_code == 200
    assert f"<dd>{html.escape(source)}</dd>" in page.text
    assert browser.get(f"/items/{quote(source, safe='')}/L/1").status_code == 200
    assert browser.get(f"/items/{quote(source, safe='')}/L-2").status_code == 404


def test_visitors_without_a_session_are_sent_to_log_in(engine: Engine) -> None:
    app = create_app(Settings(demo=True), engine)
    if not any(getattr(route, "path", None) == ITEM_ROUTE for route in app.routes):
        app.include_router(item_pages.router)
    answer = TestClient(app).get(
        "/items/default/x", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_a_clock_running_for_months_lists_its_first_and_last_segments_and_totals(
    engine: Engine, browser: TestClient
) -> None:
    store(engine, "R-3", ("request_opened", "2026-03-02T09:00"))
    card = clock_section(browser.get("/items/default/R-3").text, "request-resolution")
    assert 'data-verdict="breached"' in card
    count = int(re.search(r"(\d+) segments</summary>", card)[1])
    assert count > 100
    assert f"… {count - 100} segments left out …" in card
    assert card.count("<tr><td>") == 100
    assert '<th scope="row" colspan="2">Total</th><td>working time</td>' in card
    # Two months on a scale of Mondays, at most eight of them.
    ticks = re.findall(r'class="tick-label"[^>]*>([^<]+)<', card)
    assert 2 <= len(ticks) <= 8
    assert all(tick.startswith("Mon, ") for tick in ticks)


def test_a_clock_near_its_deadline_shows_used_and_left_that_add_up_to_the_allowance(
    engine: Engine, browser: TestClient
) -> None:
    store(engine, "L-48", ("handed_over", "2026-05-04T10:01:15"))  # 47 h 58 min 45 s ago
    card = clock_section(browser.get("/items/default/L-48").text, "speed-to-lead")
    facts = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd>(?:<time[^>]*>)?([^<]+)", card))
    assert facts["Working time used"] == "47 h 59 min"
    assert facts["Time left"] == "1 min"  # 47 h 59 min + 1 min = 48 h, never "48 hr" + time left
    assert facts["Allowed"] == "48 h"
    assert facts["Due in"] == "1 min 15 s"
