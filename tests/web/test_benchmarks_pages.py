"""The Benchmarks page: comparisons and references for readers, editing for admins."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.evaluation.service import refresh_all
from slawatch.store.benchmarks import reference_overrides
from slawatch.store.db import read_transaction, transaction
from slawatch.store.users import create_user
from slawatch.web.api import benchmarks as benchmarks_api
from slawatch.web.app import create_app
from slawatch.web.pages import benchmarks as benchmarks_pages
from tests.evaluation.support import AS_OF, save_template, store_example_events
from tests.web.test_home import log_in

PASSWORD = "a long password"
KEY = "speed-to-lead-five-minutes"
EDIT = f"/benchmarks/references/{KEY}"


def benchmarks_app(engine: Engine) -> FastAPI:
    """The app with the benchmark routes, also before web/app.py registers them."""
    app = create_app(Settings(demo=True), engine)
    paths = {context.path for context in iter_route_contexts(app.routes)}
    if "/benchmarks" not in paths:
        app.include_router(benchmarks_pages.router)
    if "/api/v1/benchmarks" not in paths:
        app.include_router(benchmarks_api.router, prefix="/api/v1")
    return app


def browser(engine: Engine, role: str) -> TestClient:
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role)
    client = TestClient(benchmarks_app(engine), raise_server_exceptions=False)
    log_in(client, email, PASSWORD)
    return client


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]


def form(**changes: str) -> dict[str, str]:
    values = {
        "value": "10",
        "low": "",
        "high": "",
        "unit": "minutes",
        "author": "Our research team",
        "source_title": "Internal lead study",
        "publication": "Company wiki",
        "year": "2025",
        "url": "https://wiki.example.com/leads",
        "note": "Measured on our own leads.",
    }
    return values | changes


@pytest.fixture
def evaluated(engine: Engine) -> Engine:
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    return engine


def test_readers_see_each_objective_beside_its_history(evaluated):
    page = browser(evaluated, "viewer").get("/benchmarks")
    assert page.status_code == 200
    text = page.text
    section = text.split('id="benchmarks-marketing-sales-speed-to-lead"')[1].split("<h3")[0]
    for name in ("This period", "Previous period", "Last 3 periods", "Last 12 periods"):
        assert name in section
    assert "Same period a year ago" in section and "2025-07" in section
    assert "3 of 3 periods, pooled" in section
    assert "6 of 12 periods, pooled" in section  # the history starts in January 2026


def test_matching_references_show_their_source_and_year_as_external_figures(evaluated):
    text = browser(evaluated, "viewer").get("/benchmarks").text
    section = text.split('id="benchmarks-marketing-sales-speed-to-lead"')[1].split("<h3")[0]
    assert "External figure" in section
    assert "Harvard Business Review, 2011" in section
    assert "https://hbr.org/2011/03/the-short-life-of-online-sales-leads" in section
    assert "Lead Response Management Study" in section and ", 2007" in section
    conversion = text.split('id="benchmarks-marketing-sales-conversion"')[1].split("<h3")[0]
    assert "Leads that become opportunities" in conversion
    acceptance = text.split('id="benchmarks-marketing-sales-lead-acceptance"')[1]
    assert "Sales-ready leads that become sales-qualified" in acceptance.split("<h3")[0]
    assert "Edit reference" not in text  # a viewer cannot edit


def test_an_admin_edits_a_reference_and_resets_it_to_the_shipped_one(evaluated):
    admin = browser(evaluated, "admin")
    page = admin.get(EDIT)
    assert page.status_code == 200 and 'name="source_title"' in page.text
    token = csrf(page.text)
    saved = admin.post(EDIT, data=form(csrf_token=token), follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#reference-{KEY}")
    with read_transaction(evaluated) as connection:
        edited = reference_overrides(connection)[KEY]
    assert (edited.figure.value, edited.source.year) == (10, 2025)
    assert edited.translations["de"].note is None  # the German note was of the old text
    assert '<button type="submit">Reset to shipped</button>' in admin.get(EDIT).text
    shown = admin.get("/benchmarks").text
    assert "Internal lead study" in shown and "edited" in shown and "10 min" in shown
    reset = admin.post(f"{EDIT}/reset", data={"csrf_token": token}, follow_redirects=False)
    assert reset.status_code == 303
    with read_transaction(evaluated) as connection:
        assert reference_overrides(connection) == {}
    again = admin.post(f"{EDIT}/reset", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 404 and "no edit to reset" in again.json()["detail"]


def test_a_wrong_form_comes_back_with_every_problem(evaluated):
    admin = browser(evaluated, "admin")
    token = csrf(admin.get(EDIT).text)
    answer = admin.post(
        EDIT,
        data=form(csrf_token=token, value="", low="9", high="3", url="ftp://x.example.com"),
    )
    assert answer.status_code == 422
    problems = re.findall(r"<li>([^<]*)</li>", answer.text)
    assert any("above high" in p for p in problems)
    assert any(p.startswith("Web address:") for p in problems)
    assert 'value="ftp://x.example.com"' in answer.text  # the form keeps what was typed
    answer = admin.post(EDIT, data=form(csrf_token=token, value="ten", year="soon", author=""))
    problems = re.findall(r"<li>([^<]*)</li>", answer.text)
    assert {"Value: enter a number", "Year: enter a year", "Author: required"} <= set(problems)
    with read_transaction(evaluated) as connection:
        assert reference_overrides(connection) == {}


def test_a_wrong_form_names_its_problems_in_the_readers_language(evaluated):
    admin = browser(evaluated, "admin")
    german = {"Accept-Language": "de"}
    token = csrf(admin.get(EDIT, headers=german).text)
    wrong = form(csrf_token=token, value="", low="9", high="3", year="1800", author="x" * 301)
    answer = admin.post(EDIT, data=wrong, headers=german)
    assert answer.status_code == 422
    problems = set(re.findall(r"<li>([^<]*)</li>", answer.text))
    assert {
        "Kennzahl: die Untergrenze (9) liegt über der Obergrenze (3)",
        "Jahr: mindestens 1900",
        "Autor: höchstens 300 Zeichen",
    } <= problems, problems
    answer = admin.post(EDIT, data=form(csrf_token=token, unit="parsecs"), headers=german)
    assert "Einheit: bitte einen der angebotenen Werte wählen" in answer.text


def test_only_admins_edit_and_only_with_the_forms_csrf_token(evaluated):
    editor = browser(evaluated, "editor")
    assert editor.get(EDIT).status_code == 403
    token = csrf(editor.get("/benchmarks").text)
    assert editor.post(EDIT, data=form(csrf_token=token)).status_code == 403
    admin = browser(evaluated, "admin")
    assert admin.post(EDIT, data=form()).status_code == 403  # no CSRF token
    assert admin.get("/benchmarks/references/no-such-reference").status_code == 404


def test_the_benchmarks_page_speaks_german(evaluated):
    admin = browser(evaluated, "admin")
    text = admin.get("/benchmarks", headers={"Accept-Language": "de"}).text
    for words in (
        "Gleiche Periode im Vorjahr",
        "Externe Kennzahl",
        "Web-Leads innerhalb von fünf Minuten anrufen",  # the shipped German title
        "Referenz bearbeiten",
        "zusammengefasst",
    ):
        assert words in text
    form_page = admin.get(EDIT, headers={"Accept-Language": "de"}).text
    assert '<button type="submit">Auf Auslieferung zurücksetzen' not in form_page  # unedited
    assert "Titel der Quelle" in form_page
