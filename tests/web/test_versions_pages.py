"""/agreements/{id}/versions: the history, the diff of two versions, and "what if"."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.web.pages.versions import diff_lines
from tests.evaluation.support import AS_OF, save_template
from tests.web.support import set_now
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    evaluated_example,
    page_app,
    row_of,
)

VERSIONS = "/agreements/marketing-sales/versions"
WHAT_IF = "/agreements/marketing-sales/what-if"
TEXT = template_text("marketing-sales")


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    evaluated_example(engine)
    save_template(
        engine,
        replace=('target: ">= 50"', 'target: ">= 60"'),
        effective=dt.date(2026, 4, 1),
        retroactive=True,
        reason="Q2 review",
    )
    app = page_app(engine)
    set_now(app, AS_OF)
    return app


@pytest.fixture
def editor(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "editor") as client:
        yield client


@pytest.fixture
def viewer(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "viewer") as client:
        yield client


def diff_rows(page: str) -> list[tuple[str, str]]:
    """Return the diff's rows as (class, text without tags)."""
    body = page.split('<table class="diff">', 1)[1].split("</table>", 1)[0]
    return [
        (kind, html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()))
        for kind, row in re.findall(r'<tr class="(\w+)">(.*?)</tr>', body, flags=re.S)
    ]


def test_the_history_lists_every_version_newest_first(viewer: TestClient) -> None:
    page = viewer.get(VERSIONS)
    assert page.status_code == 200
    second, first = row_of(page.text, 'id="a-2"'), row_of(page.text, 'id="a-1"')
    assert "Apr 1, 2026" in second and second.endswith("Q2 review")
    assert "Jan 1, 2026" in first and first.endswith("first version")
    assert page.text.index('id="a-2"') < page.text.index('id="a-1"')
    assert 'value="1" id="a-1" checked' in page.text and 'value="2" id="b-2" checked' in page.text


def test_the_diff_marks_removed_and_added_lines_by_class_and_sign(viewer: TestClient) -> None:
    page = viewer.get(f"{VERSIONS}/diff", params={"a": 1, "b": 2})
    assert page.status_code == 200
    rows = diff_rows(page.text)
    changed = [(kind, text) for kind, text in rows if kind in ("add", "del")]
    line = TEXT.splitlines().index('    target: ">= 50"') + 1
    assert changed == [
        ("del", f'{line} − removed: target: ">= 50"'),
        ("add", f'{line} + added: target: ">= 60"'),
    ]
    assert [kind for kind, _text in rows].count("same") == 6  # three lines either side
    assert "1 line added (+) · 1 line removed (−)" in page.text


def test_the_same_version_twice_has_no_changes(viewer: TestClient) -> None:
    page = viewer.get(f"{VERSIONS}/diff", params={"a": 2, "b": 2})
    assert "The two versions have the same text." in page.text


def test_an_unknown_version_is_a_404_naming_the_versions(viewer: TestClient) -> None:
    page = viewer.get(f"{VERSIONS}/diff", params={"a": 1, "b": 7})
    assert page.status_code == 404
    assert "versions 1 to 2; there is no version 7" in page.text
    assert viewer.get(f"{VERSIONS}/diff", params={"a": 1}).status_code == 422


def what_if_row(page: str, objective: str, period: str) -> str:
    table = page.split(f'data-objective="{objective}"', 1)[1].split("</table>", 1)[0]
    return row_of(table, f'data-period="{period}"')


def test_what_if_measures_the_last_three_periods_under_the_draft_and_in_force(
    editor: TestClient,
) -> None:
    draft = TEXT.replace('target: ">= 80%"', 'target: ">= 70%"')
    page = editor.post(WHAT_IF, data={"yaml": draft, "csrf_token": editor.csrf})
    assert page.status_code == 200
    # Lead acceptance in May was 73.4 %: breached against 80 %, met against 70 %.
    assert what_if_row(page.text, "lead-acceptance", "2026-05") == (
        "2026-05 2 73.4% breached 73.4% met yes"
    )
    assert what_if_row(page.text, "lead-acceptance", "2026-06") == (
        "2026-06 2 83.8% met 83.8% met no"
    )
    table = page.text.split('data-objective="lead-acceptance"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'data-period="([^"]+)"', table) == ["2026-04", "2026-05", "2026-06"]
    # The version in force for April to June is version 2 (its qualified-leads target is 60).
    assert what_if_row(page.text, "qualified-leads", "2026-06").startswith("2026-06 2 61 met")


def test_what_if_answers_htmx_with_the_tables_alone(editor: TestClient) -> None:
    answer = editor.post(
        WHAT_IF,
        data={"yaml": TEXT},
        headers={"HX-Request": "true", "X-CSRF-Token": editor.csrf},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text
    assert what_if_row(answer.text, "speed-to-lead", "2026-05") == (
        "2026-05 2 93.5% breached 93.5% breached no"
    )


def test_what_if_shows_an_invalid_drafts_problems_at_their_lines(editor: TestClient) -> None:
    draft = TEXT.replace("within: 48h", "within: 48 hours")
    line = draft.splitlines().index("    within: 48 hours") + 1
    page = editor.post(WHAT_IF, data={"yaml": draft, "csrf_token": editor.csrf})
    assert page.status_code == 422
    assert f'<a href="#line-{line}" data-line="{line}">line {line}</a>' in page.text
    assert "objectives.speed-to-lead.within" in page.text
    assert 'class="what-if"' not in page.text
    fragment = editor.post(
        WHAT_IF,
        data={"yaml": draft},
        headers={"HX-Request": "true", "X-CSRF-Token": editor.csrf},
    )
    assert fragment.status_code == 200 and f"line {line}" in fragment.text


def test_viewers_may_read_the_history_but_not_run_what_if(viewer: TestClient) -> None:
    assert 'action="/agreements/marketing-sales/what-if"' not in viewer.get(VERSIONS).text
    answer = viewer.post(WHAT_IF, data={"yaml": TEXT, "csrf_token": viewer.csrf})
    assert answer.status_code == 403


def test_what_if_needs_the_csrf_token(editor: TestClient) -> None:
    assert editor.post(WHAT_IF, data={"yaml": TEXT}).status_code == 403


def test_a_diff_leaves_out_unchanged_stretches_and_marks_where() -> None:
    old = "\n".join(f"line {n}" for n in range(1, 21))
    new = old.replace("line 10\n", "line ten\n")
    rows = diff_lines(old, new, context=2)
    assert [row["kind"] for row in rows] == [
        "gap", "same", "same", "del", "add", "same", "same", "gap",
    ]  # fmt: skip
    assert (rows[3]["old"], rows[3]["sign"], rows[4]["new"], rows[4]["sign"]) == (10, "−", 10, "+")
    assert diff_lines("a\nb", "a\nb") == []
    assert [row["kind"] for row in diff_lines("a", "b")] == ["del", "add"]


def test_a_retroactive_version_is_marked_in_the_history(editor: TestClient) -> None:
    page = editor.get(VERSIONS)
    assert page.status_code == 200
    rows = {line for line in page.text.splitlines() if "retroactive</span>" in line}
    assert len(rows) == 1  # version 2 reaches back to April; version 1 is the start
