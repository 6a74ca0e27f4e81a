"""/agreements/{id}/edit: check a draft, see problems at their lines, save a new version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from slawatch.agreements import template_text
from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.store.agreements import get_version, list_versions
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction
from slawatch.store.schema import audit_log
from slawatch.web.pages.editor import excerpt
from tests.evaluation.support import AS_OF, save_template, store_example_events
from tests.web.support import set_now
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    page_app,
)

EDIT = "/agreements/marketing-sales/edit"
CHECK = "/agreements/marketing-sales/check"
TEXT = template_text("marketing-sales")
BAD = TEXT.replace("within: 48h", "within: 48 hours")
BAD_LINE = BAD.splitlines().index("    within: 48 hours") + 1


@pytest.fixture
def evaluations() -> list[int]:
    return []


@pytest.fixture
def app(engine: Engine, evaluations: list[int]) -> FastAPI:
    save_template(engine)
    app = page_app(engine)
    app.state.after_ingest = lambda: evaluations.append(1)
    return app


@pytest.fixture
def editor(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "editor") as client:
        yield client


def versions(engine: Engine) -> list[int]:
    with read_transaction(engine) as connection:
        return [v.version for v in list_versions(connection, "marketing-sales")]


def test_the_editor_shows_the_current_yaml_with_line_numbers(editor: TestClient) -> None:
    page = editor.get(EDIT)
    assert page.status_code == 200
    assert "agreement: marketing-sales" in page.text
    assert 'name="csrf_token"' in page.text
    count = TEXT.count("\n") + 1
    assert f"<span>{count}</span>" in page.text and f"<span>{count + 1}</span>" not in page.text


def test_viewers_cannot_edit(app: FastAPI, engine: Engine) -> None:
    with browser(app, engine, "viewer") as viewer:
        assert viewer.get(EDIT).status_code == 403
        saved = viewer.post(EDIT, data={"yaml": TEXT, "csrf_token": viewer.csrf})
        assert saved.status_code == 403
    assert versions(engine) == [1]


def test_check_lists_each_problem_at_its_line(editor: TestClient) -> None:
    page = editor.post(CHECK, data={"yaml": BAD, "csrf_token": editor.csrf})
    assert page.status_code == 422
    assert f'<a href="#line-{BAD_LINE}" data-line="{BAD_LINE}">line {BAD_LINE}</a>' in page.text
    assert "<code>objectives.speed-to-lead.within</code>:" in page.text
    assert "write 48h" in page.text
    assert f'<tr id="line-{BAD_LINE}" class="marked">' in page.text
    assert f'<span class="bad">{BAD_LINE}</span>' in page.text  # the gutter marks the line
    textarea = page.text.split('name="yaml"', 1)[1].split("</textarea>", 1)[0]
    assert "    within: 48 hours\n" in textarea  # the draft comes back as typed


def test_check_answers_htmx_with_the_problem_list_alone(editor: TestClient) -> None:
    headers = {"HX-Request": "true", "X-CSRF-Token": editor.csrf}
    bad = editor.post(CHECK, data={"yaml": BAD}, headers=headers)
    assert bad.status_code == 200 and "<html" not in bad.text
    assert f"line {BAD_LINE}" in bad.text
    good = editor.post(CHECK, data={"yaml": TEXT}, headers=headers)
    assert "No problems found: the draft can be saved." in good.text


def test_saving_an_invalid_draft_shows_its_errors_and_saves_nothing(
    editor: TestClient, engine: Engine
) -> None:
    page = editor.post(EDIT, data={"yaml": BAD, "reason": "faster", "csrf_token": editor.csrf})
    assert page.status_code == 422
    assert f"line {BAD_LINE}" in page.text
    assert 'value="faster"' in page.text  # the form keeps what was typed
    assert versions(engine) == [1]


def test_saving_a_valid_draft_stores_version_two(
    editor: TestClient, engine: Engine, evaluations: list[int]
) -> None:
    draft = TEXT.replace('target: ">= 50"', 'target: ">= 60"').replace("\n", "\r\n")
    answer = editor.post(
        EDIT,
        data={
            "yaml": draft,
            "effective": "2199-04-01",
            "reason": "Q2 review",
            "csrf_token": editor.csrf,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/agreements/marketing-sales?saved=2"
    with read_transaction(engine) as connection:
        stored = get_version(connection, "marketing-sales", 2)
        audit = connection.execute(
            select(audit_log.c.actor, audit_log.c.action).order_by(audit_log.c.id.desc())
        ).first()
    assert stored is not None
    assert stored.yaml == TEXT.replace('target: ">= 50"', 'target: ">= 60"')  # LF line ends
    assert (stored.author, stored.reason, stored.effective.isoformat()) == (
        "editor@example.com",
        "Q2 review",
        "2199-04-01",
    )
    assert audit is not None and tuple(audit) == ("editor@example.com", "agreement.version")
    assert evaluations == [1]
    assert "Saved as version 2." in editor.get(answer.headers["location"]).text


def test_a_draft_of_another_agreement_is_refused_at_its_agreement_line(
    editor: TestClient, engine: Engine
) -> None:
    draft = TEXT.replace("agreement: marketing-sales", "agreement: other")
    line = draft.splitlines().index("agreement: other") + 1
    page = editor.post(EDIT, data={"yaml": draft, "csrf_token": editor.csrf})
    assert page.status_code == 422
    assert f"line {line}" in page.text and "agreement: other" in page.text
    assert versions(engine) == [1]


@pytest.mark.parametrize(
    ("effective", "words"),
    [("2026-02-30", "is not a date"), ("0001-01-01", "is out of range")],
)
def test_a_bad_effective_date_is_refused_with_a_message(
    editor: TestClient, engine: Engine, effective: str, words: str
) -> None:
    page = editor.post(EDIT, data={"yaml": TEXT, "effective": effective, "csrf_token": editor.csrf})
    assert page.status_code == 422
    assert words in page.text
    assert versions(engine) == [1]


def test_saving_needs_the_csrf_token(editor: TestClient, engine: Engine) -> None:
    assert editor.post(EDIT, data={"yaml": TEXT}).status_code == 403
    assert versions(engine) == [1]


def test_the_editor_reads_in_german(app: FastAPI, engine: Engine) -> None:
    with browser(app, engine, "editor", language="de") as german:
        page = german.post(CHECK, data={"yaml": BAD, "csrf_token": german.csrf}).text
    assert "Vereinbarung bearbeiten" in page
    assert f"Zeile {BAD_LINE}" in page
    assert "1 Problem: Der Entwurf kann noch nicht gespeichert werden." in page


def test_an_excerpt_shows_the_lines_around_each_problem() -> None:
    text = "\n".join(f"l{n}" for n in range(1, 11))
    rows = excerpt(text, frozenset({2, 8}))
    assert [(row["number"], row["gap"], row.get("marked")) for row in rows] == [
        (1, False, False),
        (2, False, True),
        (3, False, False),
        (6, True, None),
        (7, False, False),
        (8, False, True),
        (9, False, False),
    ]


LOWER = TEXT.replace('target: ">= 80%"', 'target: ">= 70%"')  # lead acceptance


@pytest.fixture
def admin(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    with browser(app, engine, "admin") as client:
        yield client


def test_a_lower_target_saved_without_a_date_is_in_force_from_today(
    editor: TestClient, engine: Engine
) -> None:
    # Finding 1: "In force from" left empty; the YAML still says effective: 2026-01-01.
    data = {"yaml": LOWER, "effective": "", "reason": "lower", "csrf_token": editor.csrf}
    answer = editor.post(EDIT, data=data, follow_redirects=False)
    assert answer.status_code == 303
    with read_transaction(engine) as connection:
        stored = get_version(connection, "marketing-sales", 2)
    assert stored is not None and not stored.retroactive
    assert stored.effective > dt.date(2026, 7, 1)  # the save day, not the YAML's 2026-01-01


def test_a_past_date_is_refused_and_the_page_names_the_fix(
    editor: TestClient, engine: Engine
) -> None:
    data = {"yaml": LOWER, "effective": "2026-01-01", "reason": "", "csrf_token": editor.csrf}
    answer = editor.post(EDIT, data=data)
    assert answer.status_code == 422
    assert "lies before today" in answer.text and "retroactive version" in answer.text
    assert 'name="retroactive"' not in answer.text  # only admins see the choice
    forbidden = editor.post(EDIT, data={**data, "retroactive": "on", "reason": "why not"})
    assert forbidden.status_code == 403 and "Only an admin" in forbidden.text
    assert versions(engine) == [1]


def test_a_save_refused_because_the_day_turned_meanwhile_comes_back_with_the_fix(
    app: FastAPI, editor: TestClient, engine: Engine
) -> None:
    # The request's instant is yesterday evening: its "today" is yesterday, but the store
    # saves on the wall clock's day, so a version in force from yesterday is refused there.
    berlin = ZoneInfo("Europe/Berlin")
    yesterday = dt.datetime.now(berlin).date() - dt.timedelta(days=1)
    set_now(app, to_us(dt.datetime.combine(yesterday, dt.time(23, 59, 59), berlin)))
    data = {"yaml": LOWER, "effective": yesterday.isoformat(), "csrf_token": editor.csrf}
    answer = editor.post(EDIT, data=data)
    assert answer.status_code == 422
    assert "lies before today" in answer.text
    assert versions(engine) == [1]


def test_a_retroactive_version_shows_the_closed_periods_it_changes_before_saving(
    admin: TestClient, engine: Engine
) -> None:
    data = {
        "yaml": LOWER,
        "effective": "2026-01-01",
        "retroactive": "on",
        "reason": "the signed contract says 70 %",
        "csrf_token": admin.csrf,
    }
    preview = admin.post(EDIT, data=data)
    assert preview.status_code == 200 and versions(engine) == [1]
    assert "Closed periods this version changes" in preview.text
    table = preview.text.split('id="retroactive-preview"')[1]
    for period in ("2026-02", "2026-04", "2026-05"):
        assert f'<th scope="row">{period}</th>' in table
    assert '<th scope="row">2026-03</th>' not in table  # met before and after
    assert "breached</span>" in table and "met</span>" in table
    confirm = table.split('name="confirm" value="')[1].split('"')[0]
    edited = admin.post(EDIT, data={**data, "reason": "changed", "confirm": confirm})
    assert edited.status_code == 200 and versions(engine) == [1]  # shown again, not saved
    saved = admin.post(EDIT, data={**data, "confirm": confirm}, follow_redirects=False)
    assert saved.status_code == 303 and versions(engine) == [1, 2]
    with read_transaction(engine) as connection:
        stored = get_version(connection, "marketing-sales", 2)
        (entry, *_older) = entries(connection, subject="agreement:marketing-sales")
    assert stored is not None and stored.retroactive
    assert stored.effective == dt.date(2026, 1, 1)
    assert entry["detail"]["reason"] == "the signed contract says 70 %"
    assert {"2026-02", "2026-04", "2026-05"} <= set(entry["detail"]["changed_periods"])


def test_a_retroactive_version_needs_a_reason(admin: TestClient, engine: Engine) -> None:
    data = {"yaml": LOWER, "effective": "2026-01-01", "retroactive": "on", "reason": " "}
    answer = admin.post(EDIT, data={**data, "csrf_token": admin.csrf})
    assert answer.status_code == 422 and "needs a reason" in answer.text
    assert versions(engine) == [1]
