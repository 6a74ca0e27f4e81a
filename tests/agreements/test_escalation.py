import pytest

from slawatch.agreements.model import DurationUnit
from tests.agreements.support import line_of, make, only_problem, parse, problems_of


def with_escalation(steps: str) -> str:
    return make(tail=f"escalation:\n{steps}")


def test_escalation_steps_are_wall_time_delays_with_tiers() -> None:
    text = with_escalation(
        "  - {after: 0h, tier: 1}\n  - {after: 4h, tier: 2}\n  - {after: 1d, tier: 3}\n"
    )
    steps = parse(text).escalation
    assert [(s.after.amount, s.tier) for s in steps] == [(0, 1), (14_400, 2), (86_400, 3)]
    assert all(s.after.unit is DurationUnit.WALL for s in steps)


def test_tiers_may_repeat_to_remind_again() -> None:
    steps = parse(
        with_escalation("  - {after: 0h, tier: 1}\n  - {after: 2h, tier: 1}\n")
    ).escalation
    assert [s.tier for s in steps] == [1, 1]


def test_business_days_are_refused_because_escalation_is_wall_time() -> None:
    problem = only_problem(with_escalation("  - {after: 2bd, tier: 2}\n"))
    assert problem.field == "escalation[0].after"
    assert problem.hint == "escalation delays take m, h, d or w: write 2d"


@pytest.mark.parametrize("tier", ["0", "4", "two", "1.5"])
def test_a_tier_is_1_2_or_3(tier: str) -> None:
    problem = only_problem(with_escalation(f"  - {{after: 1h, tier: {tier}}}\n"))
    assert problem.field == "escalation[0].tier"
    assert problem.hint == "write 1 (employee), 2 (department head) or 3 (management)"


def test_afters_must_increase() -> None:
    text = with_escalation("  - {after: 4h, tier: 1}\n  - {after: 2h, tier: 2}\n")
    problem = only_problem(text)
    assert problem.field == "escalation[1].after"
    assert problem.line == line_of(text, "2h")
    assert problem.message == "after 2h is not later than the step before (4h)"


def test_tiers_must_not_decrease() -> None:
    problem = only_problem(with_escalation("  - {after: 1h, tier: 2}\n  - {after: 2h, tier: 1}\n"))
    assert (problem.field, problem.message) == ("escalation[1].tier", "tier 1 comes after tier 2")


def test_a_step_needs_after_and_tier_and_nothing_else() -> None:
    problems = problems_of(with_escalation("  - {tier: 1, notify: boss}\n"))
    assert {p.field for p in problems} == {"escalation[0].after", "escalation[0].notify"}


def test_escalation_must_be_a_list() -> None:
    problem = only_problem(make(tail="escalation: {after: 1h, tier: 1}\n"))
    assert problem.message.startswith("must be a list")


def test_the_section_may_be_a_mapping_with_the_ladder_and_when_objective_warnings_begin() -> None:
    text = make(
        tail="escalation:\n"
        "  objective_warnings_after: 75%\n"
        "  ladder:\n"
        "    - {after: 0h, tier: 1}\n"
        "    - {after: 4h, tier: 2}\n"
    )
    agreement = parse(text)
    assert [(s.after.amount, s.tier) for s in agreement.escalation] == [(0, 1), (14_400, 2)]
    assert agreement.objective_warnings_after == 0.75


def test_objective_warnings_begin_halfway_through_a_period_by_default() -> None:
    assert parse(with_escalation("  - {after: 0h, tier: 1}\n")).objective_warnings_after == 0.5
    assert parse(make(tail="escalation:\n  objective_warnings_after: 0%\n")).escalation == ()


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("0.5", "write 50%"),
        ("150%", "write a percentage between 0% and 100%"),
        ("soon", "write it with %, such as 75%"),
    ],
)
def test_objective_warnings_after_is_a_share_of_the_period(written: str, hint: str) -> None:
    text = make(tail=f"escalation:\n  objective_warnings_after: {written}\n")
    problem = only_problem(text)
    assert problem.field == "escalation.objective_warnings_after"
    assert problem.line == line_of(text, "objective_warnings_after")
    assert problem.hint == hint


def test_a_misspelt_key_of_the_section_names_the_known_ones() -> None:
    text = make(tail="escalation:\n  objective_warning_after: 50%\n")
    problem = only_problem(text)
    assert problem.message == 'unknown key "objective_warning_after"'
    assert problem.hint.startswith("did you mean objective_warnings_after?")


def test_the_ladder_under_the_mapping_is_checked_like_the_list() -> None:
    text = make(tail="escalation:\n  ladder:\n    - {after: 2bd, tier: 2}\n")
    assert only_problem(text).field == "escalation.ladder[0].after"
