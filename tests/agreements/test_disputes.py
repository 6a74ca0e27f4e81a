"""The `disputes:` section: its resolution time, calendar and ladder, and their defaults."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.agreements import AgreementError
from slawatch.agreements.disputes import DEFAULT_RULES, dispute_rules
from slawatch.agreements.model import DurationUnit
from tests.agreements.support import make, only_problem, parse, problems_of


def with_disputes(section: str, escalation: str = "") -> str:
    return make(tail=escalation + "disputes:\n" + section)


def test_an_agreement_without_the_section_has_no_dispute_rules_and_takes_the_defaults() -> None:
    agreement = parse(make())
    assert agreement.disputes is None
    rules = dispute_rules(agreement)
    assert rules.resolve_within == DEFAULT_RULES.resolve_within
    assert [(s.after.amount, s.tier) for s in rules.ladder or ()] == [(0, 1)]


def test_the_default_ladder_is_the_agreements_escalation_ladder() -> None:
    text = with_disputes(
        "  resolve_within: 3d\n",
        escalation="escalation:\n  - {after: 0h, tier: 1}\n  - {after: 4h, tier: 2}\n",
    )
    rules = dispute_rules(parse(text))
    assert [(s.after.amount, s.tier) for s in rules.ladder or ()] == [(0, 1), (14_400, 2)]
    assert rules.resolve_within.unit is DurationUnit.WALL


def test_on_a_calendar_resolution_and_ladder_take_working_hours_and_business_days() -> None:
    text = with_disputes(
        "  resolve_within: 5bd\n  calendar: office\n"
        "  ladder:\n    - {after: 0h, tier: 1}\n    - {after: 2bd, tier: 2}\n"
        "    - {after: 4bd, tier: 3}\n"
    )
    rules = parse(text).disputes
    assert rules is not None
    assert rules.calendar == "office"
    assert rules.resolve_within.unit is DurationUnit.BUSINESS_DAYS
    assert [(s.after.unit, s.after.amount, s.tier) for s in rules.ladder or ()] == [
        (DurationUnit.WORKING, 0, 1),
        (DurationUnit.BUSINESS_DAYS, 2, 2),
        (DurationUnit.BUSINESS_DAYS, 4, 3),
    ]


def test_the_resolution_time_is_required() -> None:
    problem = only_problem(with_disputes("  calendar: office\n"))
    assert problem.field == "disputes.resolve_within"


def test_business_days_without_a_calendar_are_refused_with_a_hint() -> None:
    problem = only_problem(with_disputes("  resolve_within: 5bd\n"))
    assert problem.field == "disputes.resolve_within"
    assert "calendar" in (problem.hint or "")


def test_an_unknown_calendar_is_refused() -> None:
    problem = only_problem(with_disputes("  resolve_within: 40h\n  calendar: ofice\n"))
    assert problem.field == "disputes.calendar"
    assert "office" in (problem.hint or "")


def test_an_unknown_key_gets_a_did_you_mean() -> None:
    problem = only_problem(with_disputes("  resolve_within: 40h\n  ladders: []\n"))
    assert "did you mean ladder" in (problem.hint or "")


def test_ladder_steps_go_upwards_in_time_and_tier() -> None:
    problems = problems_of(
        with_disputes(
            "  resolve_within: 40h\n  ladder:\n    - {after: 4h, tier: 2}\n"
            "    - {after: 2h, tier: 1}\n"
        )
    )
    assert {p.field for p in problems} == {"disputes.ladder[1].after", "disputes.ladder[1].tier"}


def test_a_ladder_tier_outside_1_to_3_is_refused() -> None:
    problem = only_problem(
        with_disputes("  resolve_within: 40h\n  ladder: [{after: 1h, tier: 4}]\n")
    )
    assert problem.field == "disputes.ladder[0].tier"


def test_an_empty_ladder_is_refused() -> None:
    problem = only_problem(with_disputes("  resolve_within: 40h\n  ladder: []\n"))
    assert problem.field == "disputes.ladder"


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**15), st.sampled_from(
        ["0h", "5bd", "40h", "2d", "office", "ofice", "-1h", "1.5h", "bd", "", "3 hours"]
    ),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["after", "tier", "x", "ladder"]), inner, max_size=3),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["resolve_within", "calendar", "ladder", "extra"]), VALUES))
def test_any_section_is_read_or_refused_with_problems_never_an_exception(
    section: dict[str, object],
) -> None:
    body = json.dumps({"disputes": section})
    try:
        parse(make(tail=f"disputes: {json.dumps(section)}\n") if section else make())
    except AgreementError as error:
        assert error.problems, body
