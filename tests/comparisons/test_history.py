"""Comparing an objective's period with its own history, without a database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.comparisons.history import average, compare, improved, objective_history
from slawatch.engine.results import ObjectiveResult
from tests.comparisons.support import count, month, ratio, typed


def test_ratios_are_pooled_so_a_busy_period_weighs_more():
    pooled = average([ratio(1, 1), ratio(0, 9)])
    assert pooled.method == "pooled" and pooled.value == pytest.approx(0.1)
    assert pooled.periods == 2


def test_clocks_are_pooled_over_met_and_breached_items():
    clocks = [
        typed(kind="clock", value=1.0, counts={"met": 3, "breached": 0, "running": 9}),
        typed(kind="clock", value=0.0, counts={"met": 0, "breached": 1}),
    ]
    assert average(clocks).value == pytest.approx(0.75)


def test_availability_is_pooled_over_eligible_time():
    periods = [
        typed(kind="availability", value=0.5, downtime_seconds=50, eligible_seconds=100),
        typed(kind="availability", value=1.0, downtime_seconds=0, eligible_seconds=300),
    ]
    assert average(periods).value == pytest.approx(350 / 400)


def test_counts_have_no_parts_and_take_the_mean():
    counts = [count(10), count(20), count(None)]  # type: ignore[arg-type]
    assert (average(counts).method, average(counts).value) == ("mean", 15)


def test_a_comparison_needs_the_period_to_compare():
    with pytest.raises(ValueError, match="at least"):
        compare([])


def test_a_missing_period_counts_as_no_data_rather_than_shifting_the_window():
    history = [("2026-01", count(10)), ("2026-03", count(30)), ("2026-04", count(40))]
    comparison = compare(history)
    assert comparison.previous.value == 30 and comparison.change == 10
    assert comparison.trailing_3.value == 20  # 2026-03 and 2026-01; 2026-02 is missing
    assert comparison.trailing_3.periods == 2
    assert comparison.year_ago.labels == ("2025-04",) and comparison.year_ago.value is None


def reference_compare(history: dict[int, ObjectiveResult], current: int) -> dict[str, Any]:
    """Compare month `current` the plain way: month numbers, explicit sums."""

    def pooled(months: list[int]) -> float | None:
        present = [history[m].columns() for m in months if m in history]
        numerator = sum(p["numerator"] for p in present)
        denominator = sum(p["denominator"] for p in present)
        return numerator / denominator if denominator else None

    return {
        "previous": pooled([current - 1]),
        "trailing_3": pooled([current - k for k in range(1, 4)]),
        "trailing_12": pooled([current - k for k in range(1, 13)]),
        "year_ago": pooled([current - 12]),
    }


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.integers(min_value=0, max_value=30),
        st.tuples(st.integers(0, 50), st.integers(0, 50)).map(lambda p: (min(p), max(p))),
        max_size=31,
    ),
    st.integers(min_value=2000 * 12, max_value=2100 * 12),
    st.booleans(),
)
def test_comparisons_agree_with_a_straightforward_reference(parts, start, shuffled):
    current = start + 30
    history = {start + offset: ratio(*pair) for offset, pair in parts.items()}
    history[current] = ratio(3, 4)
    entries = [(month(m), history[m]) for m in sorted(history)]
    if shuffled:
        entries = entries[:-1][::-1] + entries[-1:]  # any order, the compared period last
    comparison = compare(entries)
    expected = reference_compare(history, current)
    assert comparison.period == month(current) and comparison.value == 0.75
    for name, value in expected.items():
        got = getattr(comparison, name).value
        assert got == pytest.approx(value) if value is not None else got is None, name


def test_an_objectives_history_is_picked_out_of_stored_periods():
    stored = [("2026-05", (count(5), ratio(1, 2)))]
    assert objective_history(stored, "leads") == [("2026-05", count(5))]


def test_a_change_is_better_in_the_direction_of_the_target():
    assert improved(count(5, ">="), 0.1) is True
    assert improved(count(5, "<="), 0.1) is False
    assert improved(count(5, "<="), 0) is None
