"""The review pages: next due date, target history chart, recording a review, frozen figures."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.store.agreements import list_versions, save_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.reviews import list_reviews
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.pages import reviews
from tests.evaluation.test_credits import AGREEMENT, evaluated_and_stated, save_credited
from tests.web.test_credits_api import included

PAGE = f"/agreements/{AGREEMENT}/reviews"
PASSWORD = "a long password"


def browser(engine: Engine, role: str = "editor", language: str | None = None) -> TestClient:
    """Log a user of `role` in and return the browser, with the review pages registered."""
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    client = TestClient(included(create_app(Settings(demo=True), engine), reviews.router))
    token = csrf(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


def chart_of(page: str) -> dict[str, Any]:
    match = re.search(r'<canvas data-chart="([^"]*)"', page)
    assert match is not None, "no chart on the page"
    config: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return config


def form(page: str, **fields: str) -> dict[str, str]:
    found = re.search(r'<textarea id="yaml"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None, "no YAML field on the page"
    return {
        "csrf_token": csrf(page),
        "held_on": "2026-07-01",
        "participants": "head.sales@example.com\nhead.marketing@example.com\n",
        "notes": "April and May missed speed-to-lead.",
        "decisions": "Keep the targets.",
        "yaml": html.unescape(found.group(1)),
        "effective": "",
        **fields,
    }


def test_the_page_shows_the_cadence_the_next_due_date_and_no_reviews_yet(engine: Engine):
    save_credited(engine)
    page = browser(engine, "viewer").get(PAGE)
    assert page.status_code == 200
    assert "quarterly" in page.text and "Next review due" in page.text
    assert "No review has been recorded yet." in page.text
    assert "Record a review" not in page.text  # viewers read, editors record


def test_recording_a_review_shows_it_with_its_frozen_figures(engine: Engine):
    evaluated_and_stated(engine)
    client = browser(engine)
    page = client.get(PAGE).text
    answer = client.post(PAGE, data=form(page), follow_redirects=False)
    assert answer.status_code == 303
    with read_transaction(engine) as connection:
        (review,) = list_reviews(connection, AGREEMENT)
    assert answer.headers["location"] == f"{PAGE}/{review.id}"
    assert review.version is None  # the YAML was left as it was
    assert review.participants == ["head.sales@example.com", "head.marketing@example.com"]
    detail = client.get(answer.headers["location"]).text
    assert "The figures as the review saw them" in detail
    assert "First contact within 48 hours" in detail and "2026-06" in detail
    assert "€500.00" in detail
    listed = client.get(PAGE).text
    assert f'href="{PAGE}/{review.id}"' in listed and "Keep the targets." in listed


def test_changed_yaml_with_a_date_becomes_the_next_version_and_the_chart_steps(engine: Engine):
    evaluated_and_stated(engine)
    client = browser(engine)
    page = client.get(PAGE).text
    changed = form(page)["yaml"].replace('target: ">= 95%"', 'target: ">= 97%"')
    fields = form(page, yaml=changed, effective="2199-07-01", decisions="Speed to lead: 97 %.")
    answer = client.post(PAGE, data=fields, follow_redirects=False)
    assert answer.status_code == 303
    with read_transaction(engine) as connection:
        versions = list_versions(connection, AGREEMENT)
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].reason.endswith(": Speed to lead: 97 %.")
    chart = chart_of(client.get(PAGE).text)
    assert chart["data"]["labels"][:2] == ["Jan 1, 2026", "Jul 1, 2199"]
    speed = next(
        d for d in chart["data"]["datasets"] if d["label"] == "First contact within 48 hours"
    )
    assert speed["data"][:2] == [95.0, 97.0] and speed["yAxisID"] == "share"
    assert speed["stepped"] == "after"
    leads = next(d for d in chart["data"]["datasets"] if d["label"] == "Qualified leads per month")
    assert leads["yAxisID"] == "count" and leads["data"][0] == 50
    assert set(chart["options"]["scales"]) == {"share", "count"}


def test_invalid_input_is_shown_with_line_numbers_and_nothing_is_recorded(engine: Engine):
    evaluated_and_stated(engine)
    client = browser(engine)
    page = client.get(PAGE).text
    broken = form(page)["yaml"].replace('target: ">= 50"', 'target: "about 50"')
    answer = client.post(PAGE, data=form(page, yaml=broken, participants=" "))
    assert answer.status_code == 422
    assert "The review was not recorded" in answer.text
    assert "Name at least one participant" in answer.text
    assert "Say from which day the changed agreement applies." in answer.text
    assert re.search(r"line \d+", answer.text)
    assert "about 50" in answer.text  # the form keeps what was typed
    future = client.post(PAGE, data=form(page, held_on="2999-01-01"))
    assert future.status_code == 422 and "in the future" in future.text
    with read_transaction(engine) as connection:
        assert list_reviews(connection, AGREEMENT) == []


def test_recording_needs_the_forms_csrf_token_and_the_edit_permission(engine: Engine):
    evaluated_and_stated(engine)
    client = browser(engine)
    fields = form(client.get(PAGE).text)
    forged = client.post(PAGE, data={**fields, "csrf_token": "forged"})
    assert forged.status_code == 403
    viewer = browser(engine, "viewer")
    token = csrf(viewer.get(PAGE).text)  # viewers get no form: post the editor's fields
    refused = viewer.post(PAGE, data={**fields, "csrf_token": token})
    assert refused.status_code == 403


def test_the_pages_speak_german(engine: Engine):
    evaluated_and_stated(engine)
    client = browser(engine, "editor", "de")
    page = client.get(PAGE).text
    assert "Nächste Überprüfung fällig" in page and "vierteljährlich" in page
    answer = client.post(PAGE, data=form(page), follow_redirects=True)
    assert "Die Kennzahlen, wie die Überprüfung sie sah" in answer.text


def test_unknown_agreements_and_reviews_get_a_page_saying_so(engine: Engine):
    client = browser(engine, "viewer")
    missing = client.get("/agreements/nothing/reviews")
    assert missing.status_code == 404 and "nothing" in missing.text
    save_credited(engine)
    absent = client.get(f"{PAGE}/999")
    assert absent.status_code == 404 and "has no review 999" in absent.text


def test_the_template_shipped_with_slawatch_has_a_history_of_one_version(engine: Engine):
    with transaction(engine) as connection:
        save_version(connection, template_text("hr-requests"), author="t", reason="first")
    chart = chart_of(browser(engine, "viewer").get("/agreements/hr-requests/reviews").text)
    assert chart["data"]["labels"][-1] == "today"
    assert all(len(d["data"]) == 2 for d in chart["data"]["datasets"])


def test_new_targets_from_a_past_day_are_refused_and_nothing_is_recorded(engine: Engine):
    evaluated_and_stated(engine)
    client = browser(engine)
    page = client.get(PAGE).text
    changed = form(page)["yaml"].replace('target: ">= 95%"', 'target: ">= 97%"')
    answer = client.post(PAGE, data=form(page, yaml=changed, effective="2026-04-01"))
    assert answer.status_code == 422
    assert "would change closed periods" in answer.text
    with read_transaction(engine) as connection:
        assert list_reviews(connection, AGREEMENT) == []
        assert [v.version for v in list_versions(connection, AGREEMENT)] == [1]
