"""A report from an event file: the period, its history, items, credits and benchmarks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from slawatch.agreement_files import load_agreement
from slawatch.engine.credits import credit_statements
from slawatch.engine.events import EventTable
from slawatch.engine.objectives import evaluate
from slawatch.ingest.files import read_events
from slawatch.reports import Report
from slawatch.reports.model import MAX_BREACH_ROWS, Items, breaches_of
from tests.reports.support import AS_OF, EVENTS, EXAMPLE, from_file


@pytest.fixture(scope="module")
def october() -> Report:
    return from_file("2026-10")


def test_the_report_holds_one_score_per_objective_and_at_most_12_periods(october: Report):
    assert [s.id for s in october.scores] == list(october.agreement.objectives)
    assert all(1 <= len(figures) <= 12 for figures in october.history.values())
    assert [f.period.label for f in october.history["conversion"]][-1] == "2026-10"
    assert october.source == "events"
    assert october.closed
    assert october.generated_at.tzinfo is not None


def test_a_report_of_an_earlier_period_charts_no_later_period():
    september = from_file("2026-09")
    assert september.history["conversion"][-1].period.label == "2026-09"


def test_the_items_are_those_whose_clock_started_in_the_period(october: Report):
    for score in october.scores:
        if score.kind == "clock":
            listed = october.items[score.id]
            assert listed.total == len(listed.rows) == sum(score.objective.columns().values())
            assert all(row.started.month == 10 for row in listed.rows)
            assert all(row.started.tzinfo is None for row in listed.rows)


def test_the_breaches_are_the_breached_items(october: Report):
    assert [row.item for row in october.breaches["speed-to-lead"].rows] == ["L-0281"]
    assert october.breaches["request-resolution"].total == 2


def test_breaches_are_capped_and_counted():
    row = from_file().breaches["speed-to-lead"].rows[0]
    many = tuple(dataclasses.replace(row, item=f"B-{n}") for n in range(MAX_BREACH_ROWS + 5))
    capped = breaches_of(Items(many, len(many)))
    assert (len(capped.rows), capped.total, capped.more) == (MAX_BREACH_ROWS, 205, 5)


def test_the_credits_are_the_engines_statements_of_the_period():
    september = from_file("2026-09")
    agreement = load_agreement(EXAMPLE)
    log = read_events(EVENTS)
    evaluation = evaluate(agreement, EventTable(log.events, log.items), as_of=AS_OF)
    engine_statements = [
        s for s in credit_statements(agreement, evaluation) if s.period == "2026-09"
    ]
    assert [c.statement for c in september.credits] == engine_statements
    (credit,) = september.credits
    assert (credit.statement.party, credit.statement.total, credit.provisional) == (
        "sales",
        500.0,
        False,
    )


def test_a_running_periods_credits_are_provisional():
    running = from_file("2026-10", as_of=AS_OF - int(dt.timedelta(days=5).total_seconds() * 1e6))
    assert not running.closed
    assert running.credits and all(c.provisional for c in running.credits)


def test_each_objective_is_compared_with_its_past_and_the_shipped_references(october: Report):
    speed = october.benchmarks["speed-to-lead"]
    assert speed.comparison.period == "2026-10"
    assert speed.comparison.previous.labels == ("2026-09",)
    assert speed.comparison.previous.value == pytest.approx(0.9464285714285714)
    assert any(r.key == "speed-to-lead-within-an-hour" for r in speed.references)
    assert all(r.source.year for r in speed.references)


def test_a_quarter_of_monthly_objectives_has_no_history_to_compare_with():
    quarter = from_file("2026-Q3")
    assert quarter.period.label == "2026-Q3"
    assert quarter.benchmarks == {}
    assert quarter.credits == ()  # credits are agreed per the objective's own period
