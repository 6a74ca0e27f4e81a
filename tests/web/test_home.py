"""The overview: scorecards from stored results and one queue of open items, on both backends."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.formatting import change_text, status_text, target_text, value_text
from slawatch.i18n import translator
from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.evaluation.support import save_template, store_example_events
from tests.web.support import set_now

PASSWORD = "a long password"
MID_JUNE = to_us(dt.datetime(2026, 6, 20, 12, tzinfo=dt.UTC))


def log_in(client: TestClient, email: str, password: str) -> None:
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def browser(engine: Engine, role: str = "viewer") -> TestClient:
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role)
    client = TestClient(create_app(Settings(demo=True), engine))
    log_in(client, email, PASSWORD)
    return client


def objective_row(page: str, objective: str) -> str:
    match = re.search(rf'<tr data-objective="{objective}">(.*?)</tr>', page, re.S)
    assert match is not None, f"no row for {objective}"
    return match.group(1)


@pytest.fixture
def evaluated(engine: Engine) -> Engine:
    """The marketing-sales template with the example events, evaluated in mid June 2026."""
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=MID_JUNE)
    return engine


def test_visitors_without_a_session_are_sent_to_log_in(engine: Engine):
    client = TestClient(create_app(Settings(demo=True), engine))
    response = client.get("/", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/"
    assert client.get("/", headers={"Accept": "application/json"}).status_code == 401
    assert client.get("/queue", headers={"Accept": "application/json"}).status_code == 401


def test_the_scorecard_shows_what_the_report_api_says_for_the_current_period(evaluated):
    client = browser(evaluated)
    page = client.get("/")
    report = client.get("/api/v1/agreements/marketing-sales/report", params={"period": "2026-06"})
    assert page.status_code == 200 and report.status_code == 200
    assert (
        '<a href="/agreements/marketing-sales">Lead handover between Marketing and Sales</a>'
        in (page.text)
    )
    t = translator("en")
    objectives: list[dict[str, Any]] = report.json()["periods"][0]["objectives"]
    assert len(objectives) == 7
    for objective in objectives:
        row = objective_row(page.text, objective["id"])
        assert f"/agreements/marketing-sales/objectives/{objective['id']}" in row
        assert "2026-06" in row
        value = value_text(objective, objective["value"], t)
        assert f'<span class="value">{value}</span>' in row
        assert f">{target_text(objective, t)}</td>" in row
        assert f'class="status {objective["status"]}">{status_text(objective["status"], t)}' in row
    assert "Marketing</td>" in objective_row(page.text, "lead-acceptance")
    assert "Sales</td>" in objective_row(page.text, "speed-to-lead")


def test_each_objective_has_a_sparkline_with_its_values_as_text(evaluated):
    page = browser(evaluated).get("/").text
    row = objective_row(page, "qualified-leads")
    assert '<div class="chart small"><canvas class="sparkline" role="img"' in row
    assert re.search(r'aria-label="Last 6 periods: 2026-01 \d+, .*2026-06 \d+; target ≥ 50"', row)
    assert "borderDash" in row and "data-chart=" in row


def test_the_change_against_the_previous_period_has_an_arrow_and_a_difference(evaluated):
    client = browser(evaluated)
    page = client.get("/").text
    june, may = (
        {
            o["id"]: o
            for o in client.get(
                "/api/v1/agreements/marketing-sales/report", params={"period": period}
            ).json()["periods"][0]["objectives"]
        }
        for period in ("2026-06", "2026-05")
    )
    t = translator("en")
    for objective in ("qualified-leads", "lead-acceptance"):
        now, before = june[objective], may[objective]
        assert now["value"] is not None and before["value"] is not None
        expected = change_text(now, now["value"] - before["value"], t)
        assert expected in objective_row(page, objective)
    assert re.search(r"[▲▼] [+−][\d.]+ pp", page)


def test_the_queue_lists_open_items_of_all_agreements_by_deadline(engine: Engine):
    save_template(engine)
    handed = {"L-LATE": 5, "L-SOON": 1, "L-MID": 3}  # hours after midnight of 1 June 2026 UTC
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                EventIn("crm", item, "handed_over", to_us(start + dt.timedelta(hours=h)), "lead")
                for item, h in handed.items()
            ],
        )
    refresh_all(engine, as_of=to_us(start + dt.timedelta(hours=6)))
    client = browser(engine)
    for text in (client.get("/").text, client.get("/queue").text):
        queue = text.split('id="queue"')[1].split("</section>")[0]
        assert re.findall(r"/items/crm/(L-\w+)", queue) == [
            "L-SOON",
            "L-MID",
            "L-LATE",
        ]
        assert 'hx-get="/queue" hx-trigger="every 60s"' in text
        assert '<time data-countdown="2026-06-03T01:00:00Z"' in queue
        assert "First contact within 48 hours" in queue
        assert "Lead handover between Marketing and Sales" in queue
        assert "Jun 3, 2026, 3:00:00" in queue  # the deadline in the agreement's zone (Berlin)


def test_without_results_the_page_says_so(engine: Engine):
    save_template(engine)
    page = browser(engine).get("/").text
    assert "No results yet" in page
    assert "No open items" in page


def test_without_agreements_the_page_says_how_to_add_one(engine: Engine):
    assert "No agreements yet" in browser(engine).get("/").text


def test_the_overview_speaks_german(evaluated):
    client = browser(evaluated)
    page = client.get("/", headers={"Accept-Language": "de"}).text
    assert '<html lang="de">' in page
    for word in ("Übersicht", "Gefährdete Vorgänge", "Verantwortlich", "Letzte 12 Perioden"):
        assert word in page
    t = translator("de")
    june = client.get(
        "/api/v1/agreements/marketing-sales/report", params={"period": "2026-06"}
    ).json()["periods"][0]["objectives"]
    acceptance = next(o for o in june if o["id"] == "lead-acceptance")
    row = objective_row(page, "lead-acceptance")
    assert value_text(acceptance, acceptance["value"], t) in row  # "83,8 %"
    assert status_text(acceptance["status"], t) in row
    assert "Pp." in page


def page_at(engine: Engine, instant: int, language: str | None = None) -> str:
    """Return the overview as a viewer sees it at `instant`."""
    with transaction(engine) as connection:
        create_user(connection, "reader@example.com", PASSWORD, "viewer", language)
    app = create_app(Settings(demo=True), engine)
    set_now(app, instant)
    client = TestClient(app)
    log_in(client, "reader@example.com", PASSWORD)
    return client.get("/").text


def test_the_last_closed_periods_verdict_stands_beside_the_running_period(evaluated):
    page = page_at(evaluated, MID_JUNE)
    client = browser(evaluated, "editor")
    report = client.get("/api/v1/agreements/marketing-sales/report", params={"period": "2026-05"})
    may = report.json()["periods"][0]["objectives"]
    t = translator("en")
    for objective in may:
        row = objective_row(page, objective["id"])
        cell = row.split('class="last-period"')[1].split("</td>")[0]
        assert f'class="status {objective["status"]}">{status_text(objective["status"], t)}' in cell
        assert f"{value_text(objective, objective['value'], t)} · 2026-05" in cell
    met = sum(1 for o in may if o["status"] == "met")
    breached = sum(1 for o in may if o["status"] == "breached")
    verdict = page.split('class="last-verdict"')[1].split("</p>")[0]
    assert "Last closed period, 2026-05:" in verdict
    assert f"{met} objective{'s' if met != 1 else ''} met" in verdict
    if breached:
        assert f"{breached} breached" in verdict


def test_a_running_count_says_its_pace_and_what_is_still_needed(evaluated):
    page = page_at(evaluated, MID_JUNE)
    client = browser(evaluated, "editor")
    report = client.get("/api/v1/agreements/marketing-sales/report", params={"period": "2026-06"})
    leads = next(
        o for o in report.json()["periods"][0]["objectives"] if o["id"] == "qualified-leads"
    )
    row = objective_row(page, "qualified-leads")
    assert leads["status"] in ("on_track", "at_risk")  # the example's June is short of 50
    # 20 June 14:00 in Berlin: 10 days and 10 hours left of June, a part day counts as one.
    more = math.ceil(leads["target"] - leads["value"])
    expected = f"{leads['value']} so far, on pace for {math.floor(leads['forecast'])}; "
    assert f'<span class="pace muted">{expected}{more} more needed in 11 days</span>' in row
    assert 'class="sample' not in row  # a count has no sample


def test_a_share_shows_its_sample_size(evaluated):
    page = page_at(evaluated, MID_JUNE)
    row = objective_row(page, "lead-acceptance")
    assert re.search(r'<span class="sample muted">\d+ of \d+</span>', row)


def test_an_overdue_review_is_flagged_and_times_carry_their_zone(evaluated):
    page = page_at(evaluated, MID_JUNE)
    assert "Review overdue since Apr 1, 2026 (80 days)" in page
    assert 'href="/agreements/marketing-sales/reviews"' in page
    assert re.search(r"as of Jun 20, 2026, 2:00:00\u202fPM CEST", page)


def test_the_new_lines_speak_german(evaluated):
    page = page_at(evaluated, MID_JUNE, "de")
    assert "Letzter abgeschlossener Zeitraum, 2026-05:" in page
    assert "Überprüfung überfällig seit 01.04.2026 (80 Tage)" in page
    assert "MESZ" in page or "CEST" in page
