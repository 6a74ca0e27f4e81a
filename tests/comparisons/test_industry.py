"""Industry references: reading, overriding and matching them to objectives."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.comparisons.industry import (
    Match,
    Reference,
    effective_references,
    objective_comparisons,
    parse_references,
    references_for,
    shipped_references,
)
from slawatch.engine.kinds import KINDS
from tests.comparisons.support import month, ratio


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


def test_each_objective_with_stored_periods_is_compared():
    agreement = parse_agreement(template_text("marketing-sales"))
    stored = [(month(2026 * 12 + m), (ratio(m, 10),)) for m in range(3)]
    found = objective_comparisons(agreement, stored, shipped_references())
    assert [objective for objective, _, _ in found] == ["conversion"]
    _, comparison, references = found[0]
    assert comparison.period == "2026-03" and comparison.change == pytest.approx(0.1)
    assert {r.key for r in references} >= {"conversion-lead-to-opportunity"}


def test_a_match_names_a_kind_of_the_registry() -> None:
    assert {Match(kind=name).kind for name in KINDS} == set(KINDS)
    with pytest.raises(ValidationError, match="Input should be 'count', 'clock'"):
        Match(kind="clok")


@pytest.mark.parametrize(
    ("match", "applies"),
    [
        ({"start": ["handed_over"]}, True),
        ({"start": ["handed_over"], "stop": ["contacted"]}, True),
        ({"stop": ["qualified"]}, False),
        ({"count": ["handed_over"]}, False),
    ],
)
def test_a_clocks_start_and_stop_events_are_matched(match: dict[str, list[str]], applies: bool):
    agreement = parse_agreement(template_text("marketing-sales"))
    assert (
        Match.model_validate(match).matches("speed", agreement.objectives["speed-to-lead"])
        is applies
    )


def test_a_count_is_not_matched_by_a_ratios_count_event() -> None:
    agreement = parse_agreement(template_text("marketing-sales"))
    counted = next(o for o in agreement.objectives.values() if o.kind == "count")
    roles = KINDS["count"].event_roles(counted)
    assert not Match(count=(roles["count"],)).matches(counted.id, counted)
