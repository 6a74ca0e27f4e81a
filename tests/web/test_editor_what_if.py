"""The editor's "What if": it measures the YAML being edited, not the stored version."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from tests.evaluation.support import AS_OF
from tests.web.support import set_now
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    evaluated_example,
    page_app,
)
from tests.web.test_versions_pages import what_if_row

EDIT = "/agreements/marketing-sales/edit"
WHAT_IF = "/agreements/marketing-sales/edit/what-if"
TEXT = template_text("marketing-sales")
DRAFT = TEXT.replace('target: ">= 80%"', 'target: ">= 70%"')


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    evaluated_example(engine)
    app = page_app(engine)
    set_now(app, AS_OF)
    return app


@pytest.fixture
def editor(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "editor") as client:
        yield client


def test_the_editor_offers_what_if_on_its_own_text(editor: TestClient) -> None:
    page = editor.get(EDIT)
    assert 'formaction="/agreements/marketing-sales/edit/what-if"' in page.text
    assert 'hx-post="/agreements/marketing-sales/edit/what-if"' in page.text


def test_what_if_measures_the_draft_being_edited(editor: TestClient) -> None:
    answer = editor.post(
        WHAT_IF,
        data={"yaml": DRAFT},
        headers={"HX-Request": "true", "X-CSRF-Token": editor.csrf},
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    # Lead acceptance in May was 73.4 %: breached against the stored 80 %, met under the draft.
    assert what_if_row(answer.text, "lead-acceptance", "2026-05") == (
        "2026-05 1 73.4% breached 73.4% met yes"
    )


def test_without_javascript_the_editor_comes_back_with_the_draft_and_the_answer(
    editor: TestClient,
) -> None:
    form = {"yaml": DRAFT, "reason": "Q3 review", "csrf_token": editor.csrf}
    page = editor.post(WHAT_IF, data=form)
    assert page.status_code == 200
    assert 'target: ">= 70%"' in html.unescape(page.text)
    assert 'value="Q3 review"' in page.text
    assert what_if_row(page.text, "lead-acceptance", "2026-05").endswith("met yes")


def test_an_invalid_draft_comes_back_with_its_problems_and_no_tables(editor: TestClient) -> None:
    draft = TEXT.replace("within: 48h", "within: 48 hours")
    page = editor.post(WHAT_IF, data={"yaml": draft, "csrf_token": editor.csrf})
    assert page.status_code == 422
    assert "objectives.speed-to-lead.within" in page.text
    assert 'class="what-if"' not in page.text


def test_viewers_may_not_run_it(app: FastAPI, engine: Engine) -> None:
    with browser(app, engine, "viewer") as viewer:
        answer = viewer.post(WHAT_IF, data={"yaml": DRAFT, "csrf_token": viewer.csrf})
    assert answer.status_code == 403
