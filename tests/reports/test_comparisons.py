"""Benchmarks of a report: each objective beside its own past and the references that fit."""

from __future__ import annotations

from slawatch.comparisons.industry import shipped_references
from slawatch.reports.comparisons import benchmarks_of
from tests.reports.support import from_file


def test_an_objective_is_compared_with_the_periods_before_the_reported_one():
    october = from_file("2026-10")
    figures = [f for figures in october.history.values() for f in figures]
    found = benchmarks_of(october.agreement, october.scores, figures, october.period, {})
    comparison = found["conversion"].comparison
    assert comparison.period == "2026-10"
    assert comparison.trailing_3.labels == ("2026-09", "2026-08", "2026-07")
    assert comparison.trailing_3.method == "pooled"


def test_an_admins_override_replaces_the_shipped_reference():
    october = from_file("2026-10")
    shipped = next(r for r in shipped_references() if r.key == "speed-to-lead-within-an-hour")
    edited = shipped.edited(title="Our own reading of the study")
    figures = [f for figures in october.history.values() for f in figures]
    found = benchmarks_of(
        october.agreement, october.scores, figures, october.period, {shipped.key: edited}
    )
    titles = [r.title for r in found["speed-to-lead"].references]
    assert "Our own reading of the study" in titles
    assert shipped.title not in titles


def test_an_objective_without_the_reported_period_in_its_history_is_left_out():
    october = from_file("2026-10")
    earlier = [f for f in october.history["conversion"] if f.period.label != "2026-10"]
    assert benchmarks_of(october.agreement, october.scores, earlier, october.period, {}) == {}
