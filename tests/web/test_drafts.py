"""Drafts: checking the YAML, and measuring it next to the versions in force."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import FastAPI
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.evaluation.cache import EventCache
from slawatch.store.agreements import all_versions
from slawatch.store.db import read_transaction
from slawatch.web.drafts import (
    check_draft,
    compare_draft,
    event_cache,
    latest_periods,
    what_if,
)
from tests.evaluation.support import AS_OF, save_template, store_example_events

TEXT = template_text("marketing-sales")
DAY = 86_400_000_000


def test_a_valid_draft_is_read_with_unix_line_ends() -> None:
    draft = check_draft(TEXT.replace("\n", "\r\n"), "marketing-sales")
    assert draft.agreement is not None and draft.problems == ()
    assert draft.text == TEXT


def test_an_invalid_draft_carries_each_problem_with_its_line_text() -> None:
    draft = check_draft(TEXT.replace("within: 48h", "within: 48 hours"), "marketing-sales")
    assert draft.agreement is None
    (problem,) = draft.problems
    assert problem.field == "objectives.speed-to-lead.within"
    assert problem.source == "    within: 48 hours"
    assert draft.lines == frozenset({problem.line})


def test_a_draft_naming_another_agreement_is_a_problem_at_that_line() -> None:
    draft = check_draft(TEXT, "it-service")
    (problem,) = draft.problems
    assert problem.field == "agreement"
    assert problem.source == "agreement: marketing-sales"
    assert "'it-service'" in problem.message


def test_an_empty_draft_is_a_problem_not_an_error() -> None:
    draft = check_draft("", "marketing-sales")
    assert draft.agreement is None and draft.problems


def test_the_latest_ended_periods_are_compared_unless_too_few_have_ended() -> None:
    bounds = {"a": (0, 10), "b": (10, 20), "c": (20, 30), "d": (30, 40)}
    assert latest_periods(set(bounds), bounds, 35, 3) == ["a", "b", "c"]
    assert latest_periods({"c", "d"}, bounds, 35, 3) == ["c", "d"]


def test_an_unchanged_draft_measures_as_the_versions_in_force(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    with read_transaction(engine) as connection:
        stored = all_versions(connection, "marketing-sales")
    draft = check_draft(TEXT, "marketing-sales").agreement
    assert draft is not None
    table, _last = EventCache().current(engine)
    result = compare_draft(stored, draft, table, as_of=AS_OF)
    assert len(result.objectives) == 7
    for objective in result.objectives:
        assert [row.period for row in objective.periods] == ["2026-04", "2026-05", "2026-06"]
        for row in objective.periods:
            assert row.in_force == row.draft and row.version == 1 and not row.status_changes


def test_a_changed_target_changes_only_that_objectives_status(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    changed = TEXT.replace('target: ">= 80%"', 'target: ">= 70%"')
    draft = check_draft(changed, "marketing-sales").agreement
    assert draft is not None
    result = what_if(engine, EventCache(), "marketing-sales", draft, as_of=AS_OF)
    changes = {
        (objective.objective, row.period)
        for objective in result.objectives
        for row in objective.periods
        if row.status_changes
    }
    assert {objective for objective, _period in changes} == {"lead-acceptance"}
    assert ("lead-acceptance", "2026-05") in changes  # 73.4 %: below 80 %, above 70 %


def test_a_new_objective_of_the_draft_has_no_figures_in_force(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    added = TEXT.replace(
        "  conversion:\n",
        '  acceptance-count:\n    owner: sales\n    count: accepted\n    target: ">= 1"\n'
        "  conversion:\n",
    )
    draft = check_draft(added, "marketing-sales").agreement
    assert draft is not None
    result = what_if(engine, EventCache(), "marketing-sales", draft, as_of=AS_OF)
    (new,) = [o for o in result.objectives if o.objective == "acceptance-count"]
    assert [row.in_force for row in new.periods] == [None, None, None]
    assert all(row.draft is not None and row.status_changes for row in new.periods)


def test_drafts_use_the_background_evaluators_event_cache_when_there_is_one() -> None:
    shared = EventCache()
    app = FastAPI()
    app.state.scheduler = SimpleNamespace(recomputer=SimpleNamespace(cache=shared))
    assert event_cache(app) is shared
    alone = FastAPI()
    assert event_cache(alone) is event_cache(alone)
    assert event_cache(alone) is not event_cache(FastAPI())
