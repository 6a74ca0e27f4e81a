"""/agreements/new: choose a template, answer the form, preview the YAML, save version 1."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements.compose import template_fields
from slawatch.agreements.describe import template_names, template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.config import Settings
from slawatch.store.agreements import get_version, list_versions
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction
from slawatch.store.routes import list_routes
from slawatch.web.app import create_app
from slawatch.web.pages import new_agreement
from tests.evaluation.support import save_template
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
)

NEW = "/agreements/new"


@pytest.fixture
def evaluations() -> list[int]:
    return []


def make_app(engine: Engine, evaluations: list[int], **settings: str) -> FastAPI:
    app = create_app(Settings(**settings), engine)  # type: ignore[arg-type]
    app.state.after_ingest = lambda: evaluations.append(1)
    return app


@pytest.fixture
def app(engine: Engine, evaluations: list[int]) -> FastAPI:
    return make_app(engine, evaluations, smtp_url="")  # no mail, whatever the environment says


@pytest.fixture
def editor(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "editor") as client:
        yield client


def answers(client: TestClient, template: str = "marketing-sales", **changed: str) -> dict:
    form = template_fields(template_text(template)) | {"id": "acme-leads", "title": "ACME leads"}
    return form | changed | {"template": template, "csrf_token": client.csrf}


def problem_of(page: str, field: str) -> str:
    slug = field.replace(".", "__")
    match = re.search(rf'<small id="e-{re.escape(slug)}"[^>]*>([^<]*)</small>', page)
    assert match is not None, f"no problem element for {field}"
    return html.unescape(match.group(1))


def test_the_start_lists_every_template(editor: TestClient):
    page = editor.get(NEW)
    assert page.status_code == 200
    for name in template_names():
        assert f'value="{name}"' in page.text


def test_an_unknown_template_is_the_list_again_with_a_notice(editor: TestClient):
    page = editor.get(NEW, params={"template": "nope"})
    assert page.status_code == 404
    assert "There is no template" in page.text and 'value="it-service"' in page.text


def test_the_form_starts_with_the_templates_answers(editor: TestClient):
    page = editor.get(NEW, params={"template": "marketing-sales"})
    assert page.status_code == 200
    assert 'name="party.sales.contact.1"' in page.text and "tom.berg@example.com" in page.text
    assert 'name="objective.speed-to-lead.within" type="text" value="48h"' in page.text
    assert 'name="calendar.office.hours.fri" type="text" value="08:00-14:00"' in page.text


def test_the_preview_shows_the_yaml_the_answers_make(editor: TestClient):
    form = answers(editor, **{"objective.speed-to-lead.target": ">= 96%"})
    page = editor.post(f"{NEW}/preview", data=form)
    assert page.status_code == 200
    assert "agreement: acme-leads" in page.text
    assert "target: &#34;&gt;= 96%&#34;" in page.text
    partial = editor.post(f"{NEW}/preview", data=form, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'id="yaml-preview"' in partial.text
    assert 'hx-swap-oob="true"' in partial.text


def test_saving_stores_version_1_with_author_reason_and_audit(
    editor: TestClient, engine: Engine, evaluations: list[int]
):
    form = answers(editor, reason="signed by both heads")
    form |= {"party.sales.contact.1": "ann@acme.example", "calendar.office.region": "BE"}
    saved = editor.post(NEW, data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/agreements/acme-leads?saved=1"
    with read_transaction(engine) as connection:
        stored = get_version(connection, "acme-leads")
        log = entries(connection, subject="agreement:acme-leads")
    assert stored is not None and stored.version == 1
    assert (stored.author, stored.reason) == ("editor@example.com", "signed by both heads")
    assert stored.agreement.parties["sales"].contacts[0] == "ann@acme.example"
    calendar = stored.agreement.calendars["office"]
    assert calendar.holidays is not None and calendar.holidays.subdivision == "BE"
    assert "# slawatch agreement" in stored.yaml  # the template's comments stay
    assert [entry["action"] for entry in log] == ["agreement.version"]
    assert evaluations == [1]
    parse_agreement(stored.yaml, source="acme-leads.yaml")  # what `check` reads
    assert "Saved as version 1." in editor.get(saved.headers["location"]).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", "ACME leads", "lower-case letters"),
        ("id", "new", "reserved"),
        ("title", "", "title"),
        ("timezone", "Berlin", "time zone"),
        ("effective", "next year", "is not a date"),
        ("party.sales.name", "", "name"),
        ("party.sales.contact.2", "head at acme", "is not an e-mail address"),
        ("objective.speed-to-lead.target", "95%", ">= 95%"),
        ("objective.qualified-leads.target", ">= 50%", ">= 50"),
        ("objective.speed-to-lead.within", "two days", "duration"),
        ("calendar.office.hours.mon", "8-17", "08:00-12:00"),
        ("calendar.office.country", "XX", "country code"),
        ("calendar.office.region", "ZZ", "BY"),
        ("calendar.office.closed", "2026-02-30", "is not a date"),
    ],
)
def test_a_wrong_answer_comes_back_beside_its_field(
    editor: TestClient, engine: Engine, field: str, value: str, message: str
):
    page = editor.post(NEW, data=answers(editor, **{field: value}))
    assert page.status_code == 422
    assert message in problem_of(page.text, field)
    with read_transaction(engine) as connection:
        assert list_versions(connection, "acme-leads") == []


def test_a_credit_above_the_target_is_shown_at_the_target(editor: TestClient):
    form = answers(editor, **{"objective.speed-to-lead.target": ">= 90%"})
    page = editor.post(NEW, data=form)
    assert page.status_code == 422
    assert "no higher than the target" in problem_of(page.text, "objective.speed-to-lead.target")


def test_a_problem_only_the_whole_agreement_shows_is_placed_at_its_field(editor: TestClient):
    # `d` is wall-clock days, refused for an objective with a calendar: the parser says so.
    form = answers(editor, **{"objective.request-resolution.within": "3d"})
    page = editor.post(NEW, data=form)
    assert page.status_code == 422
    assert "bd" in problem_of(page.text, "objective.request-resolution.within")


def test_hours_out_of_the_day_are_shown_at_their_day(editor: TestClient):
    page = editor.post(NEW, data=answers(editor, **{"calendar.office.hours.fri": "08:00-25:00"}))
    assert page.status_code == 422
    assert "25:00" in problem_of(page.text, "calendar.office.hours.fri")


def test_problems_are_in_the_pages_language(app: FastAPI, engine: Engine):
    with browser(app, engine, "editor", "de") as client:
        page = client.post(NEW, data=answers(client, **{"party.sales.contact.1": "nobody"}))
    assert page.status_code == 422
    assert "ist keine E-Mail-Adresse" in problem_of(page.text, "party.sales.contact.1")


def test_an_existing_id_is_refused_beside_the_id(editor: TestClient, engine: Engine):
    save_template(engine)
    page = editor.post(NEW, data=answers(editor, id="marketing-sales"))
    assert page.status_code == 422
    assert "exists already" in problem_of(page.text, "id")
    with read_transaction(engine) as connection:
        assert [v.version for v in list_versions(connection, "marketing-sales")] == [1]


def test_an_id_taken_while_the_form_was_answered_stores_nothing(
    editor: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(new_agreement, "_existing", lambda _request: set())
    save_template(engine)
    page = editor.post(NEW, data=answers(editor, id="marketing-sales"))
    assert page.status_code == 422
    assert "exists already" in problem_of(page.text, "id")
    with read_transaction(engine) as connection:
        assert [v.version for v in list_versions(connection, "marketing-sales")] == [1]


def test_a_post_without_a_known_template_is_refused(editor: TestClient):
    page = editor.post(NEW, data={"template": "nope", "csrf_token": editor.csrf})
    assert page.status_code == 422


def test_viewers_may_not_create(app: FastAPI, engine: Engine):
    with browser(app, engine, "viewer") as viewer:
        assert viewer.get(NEW).status_code == 403
        assert viewer.post(NEW, data=answers(viewer)).status_code == 403
    with read_transaction(engine) as connection:
        assert list_versions(connection, "acme-leads") == []


def test_a_contacts_language_becomes_its_mail_route_when_mail_is_set_up(
    engine: Engine, evaluations: list[int]
):
    app = make_app(engine, evaluations, smtp_url="mailtos://u:p@smtp.example.com?from=s@x.com")
    with browser(app, engine, "editor") as client:
        form_page = client.get(NEW, params={"template": "marketing-sales"}).text
        assert 'name="party.sales.language.1"' in form_page
        form = answers(client, **{"party.sales.language.1": "de", "party.sales.language.3": "xx"})
        page = client.post(NEW, data=form)
        assert "English or German" in problem_of(page.text, "party.sales.language.3")
        form["party.sales.language.3"] = ""
        assert client.post(NEW, data=form, follow_redirects=False).status_code == 303
    with read_transaction(engine) as connection:
        routes = list_routes(connection)
    assert [(r.target, r.language) for r in routes] == [("tom.berg@example.com", "de")]
    assert "to=tom.berg@example.com" in routes[0].url


def test_without_mail_the_form_does_not_ask_for_languages(editor: TestClient):
    page = editor.get(NEW, params={"template": "marketing-sales"})
    assert 'name="party.sales.language.1"' not in page.text


def test_the_overview_links_to_new_agreement_for_editors(
    editor: TestClient, app: FastAPI, engine: Engine
):
    assert 'href="/agreements/new"' in editor.get("/").text
    with browser(app, engine, "viewer") as viewer:
        assert 'href="/agreements/new"' not in viewer.get("/").text


@pytest.mark.parametrize("template", template_names())
def test_every_template_saves_with_its_own_answers(
    editor: TestClient, engine: Engine, template: str
):
    saved = editor.post(NEW, data=answers(editor, template), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with read_transaction(engine) as connection:
        stored = get_version(connection, "acme-leads")
    assert stored is not None and stored.version == 1
    assert set(stored.agreement.objectives) == set(
        parse_agreement(template_text(template)).objectives
    )
