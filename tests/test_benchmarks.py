"""History comparisons and industry references (slawatch.benchmarks), without a database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.benchmarks import (
    Reference,
    average,
    change_text,
    compare,
    effective_references,
    figure_text,
    improved,
    objective_comparisons,
    objective_history,
    parse_references,
    references_for,
    shipped_references,
)
from slawatch.engine.kinds import result_of
from slawatch.engine.results import ObjectiveResult
from slawatch.i18n import translator

EN, DE = translator("en"), translator("de")


def typed(**document: Any) -> ObjectiveResult:
    """Return a result from the keys of its evaluate JSON that a test cares about."""
    defaults = {"id": "x", "owner": "sales", "op": ">=", "target": 0.9, "status": "met"}
    return result_of(defaults | document)


def ratio(numerator: int, denominator: int) -> ObjectiveResult:
    value = numerator / denominator if denominator else None
    return typed(
        id="conversion",
        kind="ratio",
        target=0.15,
        value=value,
        numerator=numerator,
        denominator=denominator,
    )


def count(value: float, op: str = ">=") -> ObjectiveResult:
    return typed(id="leads", kind="count", op=op, target=50, value=value)


def month(index: int) -> str:
    """Label of month number `index` (year * 12 + month - 1)."""
    return f"{index // 12}-{index % 12 + 1:02d}"


# --- averages and comparisons -----------------------------------------------------------------


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


# --- change ------------------------------------------------------------------------------------


def test_a_shares_change_reads_in_percentage_points():
    assert change_text(ratio(1, 2), 0.021, EN) == "▲ +2.1 pp"
    assert change_text(ratio(1, 2), -0.1, DE) == "▼ −10 Pp."
    assert change_text(ratio(1, 2), 0.0001, EN) == "±0 pp"


def test_a_counts_change_reads_as_a_number():
    assert change_text(count(5), 12, EN) == "▲ +12"
    assert change_text(count(5), -1234.5, DE) == "▼ −1.234,5"
    assert change_text(count(5), None, EN) == "–"


def test_a_change_is_better_in_the_direction_of_the_target():
    assert improved(count(5, ">="), 0.1) is True
    assert improved(count(5, "<="), 0.1) is False
    assert improved(count(5, "<="), 0) is None


# --- references --------------------------------------------------------------------------------


def test_the_shipped_references_name_their_sources():
    references = shipped_references()
    keys = {r.key for r in references}
    assert {"speed-to-lead-within-an-hour", "speed-to-lead-five-minutes"} <= keys
    hbr = next(r for r in references if r.key == "speed-to-lead-within-an-hour")
    assert hbr.source.publication == "Harvard Business Review" and hbr.source.year == 2011
    assert "60 times" in hbr.note and "7 times" in hbr.note
    lrm = next(r for r in references if r.key == "speed-to-lead-five-minutes")
    assert lrm.source.year == 2007 and "100 times" in lrm.note and "21 times" in lrm.note
    assert all(r.translations.get("de") for r in references)


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("speed-to-lead", {"speed-to-lead-within-an-hour", "speed-to-lead-five-minutes"}),
        ("lead-acceptance", {"lead-acceptance-sales-ready-to-qualified"}),
        ("conversion", {"conversion-lead-to-opportunity", "conversion-lead-to-customer"}),
    ],
)
def test_the_marketing_sales_objectives_find_their_references(objective, expected):
    agreement = parse_agreement(template_text("marketing-sales"))
    found = {r.key for r in references_for(agreement, objective, {})}
    assert expected <= found


def test_objectives_of_other_kinds_find_no_lead_references():
    agreement = parse_agreement(template_text("it-service"))
    assert all(references_for(agreement, o, {}) == [] for o in agreement.objectives)
    assert references_for(agreement, "no-such-objective", {}) == []


def test_an_override_replaces_the_shipped_entry_and_new_keys_are_added():
    shipped = shipped_references()[0]
    edited = shipped.edited(figure={"value": 2, "unit": "hours"})
    added = shipped.model_copy(update={"key": "our-own"})
    merged = effective_references({shipped.key: edited, "our-own": added})
    assert merged[0].figure.value == 2 and merged[-1].key == "our-own"
    assert len(merged) == len(shipped_references()) + 1
    agreement = parse_agreement(template_text("marketing-sales"))
    found = references_for(agreement, "speed-to-lead", {shipped.key: edited})
    assert edited in found and shipped not in found


def test_editing_a_text_drops_its_translation_and_keeps_the_others():
    shipped = shipped_references()[0]
    edited = shipped.edited(note="Our own reading.")
    assert edited.text("note", "de") == "Our own reading."
    assert edited.text("title", "de") == shipped.text("title", "de") != shipped.title


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"unit": "hours"}, "give a value"),
        ({"value": 1, "low": 0, "high": 2, "unit": "hours"}, "not both"),
        ({"low": 5, "high": 3, "unit": "percent"}, "above high"),
        ({"value": 120, "unit": "percent"}, "at most 100"),
        ({"value": -1, "unit": "count"}, "from 0"),
        ({"value": 1, "unit": "days"}, "unit"),
    ],
)
def test_figures_that_make_no_sense_are_refused(figure, message):
    with pytest.raises(ValidationError, match=message):
        shipped_references()[0].edited(figure=figure)


def test_sources_need_a_web_address_and_a_plausible_year():
    shipped = shipped_references()[0]
    with pytest.raises(ValidationError, match="web address"):
        shipped.edited(source=shipped.source.model_dump() | {"url": "ftp://example.com/x"})
    with pytest.raises(ValidationError, match="year"):
        shipped.edited(source=shipped.source.model_dump() | {"year": 20111})
    with pytest.raises(ValidationError, match="NUL"):
        shipped.edited(note="a\x00b")


def test_a_references_file_needs_a_list_and_unique_keys():
    with pytest.raises(ValueError, match="references"):
        parse_references("something: else\n")
    entry = shipped_references()[0].model_dump(mode="json")
    twice = json.dumps({"references": [entry, entry]})
    with pytest.raises(ValueError, match="duplicate"):
        parse_references(twice)


def test_a_match_needs_at_least_one_condition():
    entry = shipped_references()[0].model_dump()
    with pytest.raises(ValidationError, match="objective patterns"):
        Reference.model_validate(entry | {"applies_to": [{}]})


@pytest.mark.parametrize(
    ("figure", "english", "german"),
    [
        ({"value": 37, "unit": "percent"}, "37%", "37\xa0%"),
        ({"low": 40, "high": 60, "unit": "percent"}, "40% – 60%", "40\xa0% – 60\xa0%"),
        ({"value": 42, "unit": "hours"}, "42 h", "42 Std."),
        ({"value": 27.6, "unit": "hours"}, "27 h 36 min", "27 Std. 36 Min."),
        ({"value": 5, "unit": "minutes"}, "5 min", "5 Min."),
        ({"value": 1500, "unit": "count"}, "1,500", "1.500"),
    ],
)
def test_figures_read_in_their_unit_and_the_readers_language(figure, english, german):
    reference = shipped_references()[0].edited(figure=figure)
    assert figure_text(reference.figure, EN) == english
    assert figure_text(reference.figure, DE) == german


def test_each_objective_with_stored_periods_is_compared():
    agreement = parse_agreement(template_text("marketing-sales"))
    stored = [(month(2026 * 12 + m), (ratio(m, 10),)) for m in range(3)]
    found = objective_comparisons(agreement, stored, shipped_references())
    assert [objective for objective, _, _ in found] == ["conversion"]
    _, comparison, references = found[0]
    assert comparison.period == "2026-03" and comparison.change == pytest.approx(0.1)
    assert {r.key for r in references} >= {"conversion-lead-to-opportunity"}
