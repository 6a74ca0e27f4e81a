"""The period picker on the report, agreement and objective pages, and a bad period's page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.store import users as users_store
from slawatch.store.db import read_transaction, transaction
from slawatch.store.reports import subscribers
from slawatch.store.tokens import create_token
from slawatch.store.users import create_user
from tests.reports.support import pdf_text, store_example
from tests.web.test_home import log_in
from tests.web.test_report_pages import new_app

PASSWORD = "a long password 1"
AGREEMENT = "/agreements/marketing-sales"
PAGE = f"{AGREEMENT}/reports"
GERMAN = {"Accept-Language": "de"}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


@pytest.fixture
def viewer(engine: Engine) -> Iterator[TestClient]:
    store_example(engine)
    with transaction(engine) as connection:
        create_user(connection, "vera@example.com", PASSWORD, "viewer")
    with TestClient(new_app(engine)) as client:
        log_in(client, "vera@example.com", PASSWORD)
        yield client


def options(page: str) -> list[str]:
    picker = page.split('id="picker-period"')[1].split("</select>", maxsplit=1)[0]
    return re.findall(r'<option value="([^"]*)"', picker)


def test_the_report_page_shows_the_latest_closed_period_and_lists_periods_latest_first(
    viewer: TestClient,
):
    page = viewer.get(PAGE)
    assert page.status_code == 200
    assert "<h1>Report 2026-10</h1>" in page.text
    listed = options(page.text)
    assert listed.index("2026-11") < listed.index("2026-10") < listed.index("2026-09")
    assert '<option value="2026-10" selected>' in page.text
    assert 'href="/agreements/marketing-sales/report.pdf?period=2026-10"' in page.text


def test_choosing_a_period_shows_its_scorecard(viewer: TestClient):
    page = viewer.get(PAGE, params={"period": "2026-09"})
    assert "<h1>Report 2026-09</h1>" in page.text
    assert 'data-objective="speed-to-lead"' in page.text
    assert "report.csv?period=2026-09" in page.text


def test_a_range_of_days_is_measured_and_offered_as_downloads(viewer: TestClient):
    page = viewer.get(PAGE, params={"from": "2026-10-01", "to": "2026-10-15"})
    assert page.status_code == 200
    assert "<h1>Report 2026-10-01..2026-10-15</h1>" in page.text
    assert 'value="2026-10-01"' in page.text and 'value="2026-10-15"' in page.text
    pdf = viewer.get(f"{AGREEMENT}/report.pdf", params={"period": "2026-10-01..2026-10-15"})
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "2026-10-01..2026-10-15" in text
    assert "Source: the stored events, evaluated for this range of days" in text
    assert (
        'filename="marketing-sales-2026-10-01..2026-10-15.pdf"'
        in (pdf.headers["content-disposition"])
    )


@pytest.mark.parametrize(
    "url",
    [
        f"{PAGE}?period=October",
        f"{PAGE}?from=2026-10-15&to=2026-10-01",
        f"{PAGE}?from=2026-10-15",
        f"{AGREEMENT}/report.pdf?period=2026-13",
        f"{AGREEMENT}?period=9999-12",
        f"{AGREEMENT}/objectives/speed-to-lead?period=2026-10-31..2026-10-01",
    ],
)
def test_a_bad_period_answers_the_pages_error_page_in_the_readers_language(
    viewer: TestClient, url: str
):
    english = viewer.get(url)
    assert english.status_code == 422
    assert english.headers["content-type"].startswith("text/html")
    assert "is not a period slawatch can show" in english.text
    german = viewer.get(url, headers=GERMAN)
    assert german.status_code == 422 and "ist kein Zeitraum" in german.text


def test_a_period_with_nothing_stored_says_which_periods_are(viewer: TestClient):
    answer = viewer.get(f"{AGREEMENT}/report.xlsx", params={"period": "2025-01"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "Stored periods run from" in answer.text and "2026-11" in answer.text


def test_a_token_still_gets_a_4xx_message(engine: Engine):
    store_example(engine)
    with transaction(engine) as connection:
        secret = create_token(connection, name="r", scope="read", created_by="test")
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        answer = client.get(f"{AGREEMENT}/report.csv", params={"period": "2026-10-15..2026-10-01"})
    assert answer.status_code == 422
    assert "ends before it begins" in answer.json()["detail"]


def test_a_german_reader_gets_the_csv_in_german_conventions(viewer: TestClient):
    answer = viewer.get(f"{AGREEMENT}/report.csv", params={"period": "2026-10"}, headers=GERMAN)
    assert answer.content.startswith(b"\xef\xbb\xbfperiod;objective;")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    speed = next(row for row in rows if row["objective"] == "speed-to-lead")
    assert "," in speed["value"] and len(speed["value"]) <= 8
    english = viewer.get(f"{AGREEMENT}/report.csv", params={"period": "2026-10", "lang": "en"})
    assert english.content.startswith(b"period,objective,")


def test_the_agreement_page_offers_the_chosen_periods_reports(viewer: TestClient):
    page = viewer.get(AGREEMENT, params={"period": "2026-09"})
    assert page.status_code == 200
    assert "report.pdf?period=2026-09" in page.text
    assert '<option value="2026-09" selected>' in page.text


def test_the_objective_page_filters_its_items_by_the_chosen_period(viewer: TestClient):
    page = viewer.get(f"{AGREEMENT}/objectives/speed-to-lead", params={"period": "2026-09"})
    assert page.status_code == 200
    assert 'class="chosen" aria-current="true"' in page.text
    ranged = viewer.get(
        f"{AGREEMENT}/objectives/speed-to-lead", params={"from": "2026-10-01", "to": "2026-10-15"}
    )
    assert 'class="notice range-figure"' in ranged.text
    assert 'data-period="2026-10-01..2026-10-15"' in ranged.text


def test_a_reader_subscribes_and_unsubscribes_with_the_button(viewer: TestClient, engine: Engine):
    page = viewer.get(PAGE)
    token = page.text.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]
    answer = viewer.post(
        f"{PAGE}/subscription",
        data={"csrf_token": token, "subscribed": "true"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    with read_transaction(engine) as connection:
        assert subscribers(connection, "marketing-sales") == ["vera@example.com"]
    assert "Unsubscribe" in viewer.get(PAGE).text
    viewer.post(f"{PAGE}/subscription", data={"csrf_token": token, "subscribed": "false"})
    with read_transaction(engine) as connection:
        assert subscribers(connection, "marketing-sales") == []


def test_an_editor_subscribes_a_user_through_the_api(engine: Engine):
    store_example(engine)
    with transaction(engine) as connection:
        create_user(connection, "anna@example.com", PASSWORD, "viewer")
        secret = create_token(connection, name="e", scope="admin", created_by="test")
    url = "/api/v1/agreements/marketing-sales/report-subscribers"
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        assert client.put(f"{url}/Anna@example.com").status_code == 204
        assert client.get(url).json() == {
            "agreement": "marketing-sales",
            "subscribers": ["anna@example.com"],
        }
        unknown = client.put(f"{url}/nobody@example.com")
        assert unknown.status_code == 404 and "create the user first" in unknown.json()["detail"]
        assert (
            client.put("/api/v1/agreements/nope/report-subscribers/anna@example.com").status_code
            == 404
        )
        assert client.delete(f"{url}/anna@example.com").status_code == 204
        assert client.delete(f"{url}/anna@example.com").status_code == 404


def test_the_api_evaluates_a_range_of_days_as_one_window(engine: Engine):
    store_example(engine)
    with transaction(engine) as connection:
        secret = create_token(connection, name="r", scope="read", created_by="test")
    url = "/api/v1/agreements/marketing-sales/report"
    with TestClient(new_app(engine)) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        answer = client.get(url, params={"period": "2026-10-01..2026-10-15"})
        assert answer.status_code == 200, answer.text
        (period,) = answer.json()["periods"]
        assert period["period"] == "2026-10-01..2026-10-15"
        assert period["start"].startswith("2026-10-01T00:00:00+02:00")
        assert period["end"].startswith("2026-10-16T00:00:00+02:00")
        leads = next(o for o in period["objectives"] if o["id"] == "qualified-leads")
        assert leads["target"] == pytest.approx(50 * 15 / 31)
        bad = client.get(url, params={"period": "2026-10-15..2026-10-01"})
        assert bad.status_code == 422 and "ends before it begins" in bad.json()["detail"]
