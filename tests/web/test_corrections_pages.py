"""The corrections page and the item page's forms: propose, confirm closed changes, decide."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.evaluation.credits import issue_statements
from slawatch.store.agreements import save_version
from slawatch.store.credits import issued_statement, set_revision
from slawatch.store.db import transaction
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.evaluation.support import AS_OF
from tests.evaluation.test_credits import (
    AGREEMENT,
    LATER,
    credited_yaml,
    evaluated_and_stated,
    late_leads_in_april,
)
from tests.web.support import set_now
from tests.web.test_reviews_pages import PASSWORD, csrf

PAGE = f"/agreements/{AGREEMENT}/corrections"
ITEM = "/items/default/late-0"


def login(engine: Engine, email: str, role: str, language: str | None = None) -> TestClient:
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    app = create_app(Settings(demo=True), engine)
    set_now(app, AS_OF)
    client = TestClient(app)
    token = csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    return client


def _stored(engine: Engine, *, other_party: bool = False) -> None:
    evaluated_and_stated(engine)
    late_leads_in_april(engine, count=3)
    if other_party:
        with transaction(engine) as connection:
            save_version(
                connection,
                credited_yaml() + "\ncorrections:\n  approval: other-party\n",
                author="lena.koch@example.com",
                reason="corrections need the other party",
            )


def _exclude(client: TestClient, page: str, objective: str, **more: str):  # type: ignore[no-untyped-def]
    form = {
        "csrf_token": csrf(page),
        "action": "exclude",
        "source": "default",
        "item": "late-0",
        "objective": objective,
        "reason": "a test lead",
        "back": ITEM,
        **more,
    }
    return client.post(PAGE, data=form, follow_redirects=False)


def test_an_editor_excludes_an_item_from_its_page_and_the_list_shows_it(engine: Engine):
    _stored(engine)
    lena = login(engine, "lena.koch@example.com", "editor")
    item = lena.get(ITEM)
    assert "Exclude from an objective" in item.text and "Correct an event" in item.text
    saved = _exclude(lena, item.text, "request-response")
    assert saved.status_code == 303 and saved.headers["location"] == f"{ITEM}?done=saved"
    listed = lena.get(PAGE)
    assert 'data-state="approved"' in listed.text
    assert "Exclude from request-response" in listed.text and "a test lead" in listed.text
    assert "lena.koch@example.com" in listed.text


def test_a_change_to_a_closed_period_is_shown_before_it_applies(engine: Engine):
    _stored(engine)
    lena = login(engine, "lena.koch@example.com", "editor")
    shown = _exclude(lena, lena.get(ITEM).text, "speed-to-lead")
    assert shown.status_code == 200  # a step of its own, not a refusal
    assert "Closed periods this correction changes" in shown.text and "2026-04" in shown.text
    assert "data-state=" not in shown.text  # nothing saved yet
    confirmed = _exclude(lena, shown.text, "speed-to-lead", confirm="on")
    assert confirmed.status_code == 303
    assert 'data-state="approved"' in lena.get(PAGE).text


def test_a_bad_form_is_refused_with_its_reason(engine: Engine):
    _stored(engine)
    lena = login(engine, "lena.koch@example.com", "editor")
    refused = _exclude(lena, lena.get(ITEM).text, "no-such-objective")
    assert refused.status_code == 422
    assert "The correction was not saved" in refused.text and "no-such-objective" in refused.text


def test_the_other_party_approves_and_the_proposer_cannot(engine: Engine):
    _stored(engine, other_party=True)
    lena = login(engine, "lena.koch@example.com", "editor")
    assert _exclude(lena, lena.get(ITEM).text, "request-response").status_code == 303
    page = lena.get(PAGE).text
    assert 'data-state="proposed"' in page and "/approve" not in page
    tom = login(engine, "tom.berg@example.com", "editor", "de")
    german = tom.get(PAGE).text
    assert "Korrekturen und Ausnahmen" in german and "vorgeschlagen" in german
    (approve,) = re.findall(r'action="([^"]+/approve)"', german)
    done = tom.post(approve, data={"csrf_token": csrf(german)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("done=approved")
    assert 'data-state="approved"' in tom.get(PAGE).text


def test_a_revised_statement_names_the_correction(engine: Engine):
    _stored(engine)
    late_leads_in_april(engine, count=20)
    issue_statements(engine, AGREEMENT, now=LATER)
    with transaction(engine) as connection:
        stated = issued_statement(connection, AGREEMENT, "2026-04", "sales")
        assert stated is not None and stated.revised is not None
        set_revision(
            connection, AGREEMENT, "2026-04", "sales",
            revised=stated.revised, now=LATER, reason="correction #1: a test lead",
        )  # fmt: skip
    admin = login(engine, "admin@example.com", "admin")
    credits = admin.get(f"/agreements/{AGREEMENT}/credits").text
    assert "Revised because of correction #1: a test lead" in credits
