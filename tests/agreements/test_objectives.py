import datetime as dt

import pytest

from slawatch.agreements import Problem
from slawatch.agreements.model import (
    AttributeTest,
    ClockSpec,
    Comparison,
    DurationUnit,
    Objective,
    PeriodKind,
    Target,
)
from slawatch.engine.kinds.availability import AvailabilityObjective
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.kinds.ratio import RatioObjective
from tests.agreements.support import line_of, make, objective, only_problem, parse, problems_of


def one(body: str) -> Objective:
    return parse(make(objectives=objective(body))).objectives["speed"]


def problem_with(body: str) -> Problem:
    return only_problem(make(objectives=objective(body)))


# ---------------------------------------------------------------- the four kinds


def test_a_count_objective() -> None:
    got = one('owner: marketing\ncount: qualified\nwhere: {kind: lead}\ntarget: ">= 50"')
    assert isinstance(got, CountObjective)
    assert got.count == "qualified"
    assert got.where == (AttributeTest(attribute="kind", equals=("lead",)),)
    assert got.target == Target(op=Comparison.AT_LEAST, value=50, share=False, text=">= 50")


def test_a_clock_objective_with_pause_warn_and_calendar() -> None:
    got = one(
        "owner: sales\n"
        "clock: {start: handed_over, stop: contacted, pause: on_hold, resume: off_hold}\n"
        'within: 16h\ncalendar: office\ntarget: ">= 95%"\nwarn: 75%'
    )
    assert isinstance(got, ClockObjective)
    assert got.clock == ClockSpec(
        start="handed_over", stop="contacted", pause="on_hold", resume="off_hold"
    )
    assert (got.within.unit, got.within.amount) == (DurationUnit.WORKING, 16 * 3600)
    assert got.calendar == "office"
    assert got.warn == 0.75
    assert got.target.share and got.target.value == 0.95


def test_a_clock_objective_in_business_days() -> None:
    got = one(
        'owner: sales\nclock: {start: a, stop: b}\nwithin: 3bd\ncalendar: office\ntarget: ">= 90%"'
    )
    assert isinstance(got, ClockObjective)
    assert (got.within.unit, got.within.amount) == (DurationUnit.BUSINESS_DAYS, 3)


def test_a_ratio_objective_lower_is_better() -> None:
    got = one('owner: marketing\nratio: {count: rejected, of: handed_over}\ntarget: "<= 10%"')
    assert isinstance(got, RatioObjective)
    assert (got.count, got.of) == ("rejected", "handed_over")
    assert got.target.op is Comparison.AT_MOST
    assert not got.target.op.higher_is_better


def test_an_availability_objective_with_maintenance() -> None:
    got = one(
        "owner: sales\n"
        "availability:\n"
        "  down: down\n"
        "  up: up\n"
        "  maintenance:\n"
        "    - {start: 2026-03-07T22:00:00+01:00, end: '2026-03-08T02:00:00Z'}\n"
        "calendar: office\n"
        "where: {kind: service}\n"
        'target: ">= 99.9%"'
    )
    assert isinstance(got, AvailabilityObjective)
    assert (got.down, got.up, got.calendar) == ("down", "up", "office")
    window = got.maintenance[0]
    assert window.start == dt.datetime(2026, 3, 7, 21, 0, tzinfo=dt.UTC)
    assert window.end == dt.datetime(2026, 3, 8, 2, 0, tzinfo=dt.UTC)
    assert got.target.value == 0.999


def test_title_defaults_from_the_id_and_period_to_month() -> None:
    got = parse(make(objectives=objective(name="speed-to-lead"))).objectives["speed-to-lead"]
    assert got.title == "Speed to lead"
    assert got.period is PeriodKind.MONTH


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter", "year"])
def test_every_period_kind_is_accepted(period: str) -> None:
    assert one(f'owner: sales\ncount: x\ntarget: ">= 1"\nperiod: {period}').period == period


def test_an_unknown_period_gets_a_did_you_mean() -> None:
    problem = problem_with('owner: sales\ncount: x\ntarget: ">= 1"\nperiod: monthly')
    assert problem.field == "objectives.speed.period"
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean month?")


def test_an_objective_without_a_kind_is_refused() -> None:
    problem = problem_with('owner: sales\ntarget: ">= 1"')
    assert (problem.field, problem.message) == ("objectives.speed", "says nothing to measure")


def test_an_objective_with_two_kinds_is_refused_at_the_second() -> None:
    text = make(
        objectives=objective('owner: sales\ncount: x\nratio: {count: a, of: b}\ntarget: ">= 1"')
    )
    problem = only_problem(text)
    assert problem.line == line_of(text, "ratio:")
    assert problem.message == "measures both count and ratio"


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ("clock: handed_over\nwithin: 1h", "write {start: opened, stop: answered}"),
        ("ratio: accepted", "write {count: accepted, of: handed_over}"),
        ("availability: down", "write {down: down, up: up}"),
    ],
)
def test_a_kind_written_as_a_word_shows_how_its_mapping_is_written(body: str, hint: str) -> None:
    problem = problem_with(f'owner: sales\n{body}\ntarget: ">= 95%"')
    assert problem.message.startswith("must be")
    assert problem.hint == hint


def test_owner_must_be_a_party_with_a_hint() -> None:
    problem = problem_with('owner: sails\nclock: {start: a, stop: b}\nwithin: 1h\ntarget: ">= 1%"')
    assert problem.field == "objectives.speed.owner"
    assert problem.message == '"sails" is not a party of this agreement'
    assert problem.hint == "did you mean sales? (parties: marketing, sales)"


def test_calendar_must_be_defined() -> None:
    problem = problem_with(
        'owner: sales\nclock: {start: a, stop: b}\nwithin: 8h\ncalendar: ofice\ntarget: ">= 9%"'
    )
    assert problem.field == "objectives.speed.calendar"
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean office?")


def test_owner_and_target_are_required() -> None:
    problems = problems_of(make(objectives=objective("count: x")))
    assert {p.field for p in problems} == {"objectives.speed.owner", "objectives.speed.target"}


def test_fee_is_not_an_objective_id() -> None:
    problem = only_problem(make(objectives=objective(name="fee")))
    assert problem.message == '"fee" is reserved'


@pytest.mark.parametrize(
    ("event", "hint"), [("Handed Over", "handed_over"), ("1st-contact", "e_1st_contact")]
)
def test_event_types_are_lowercase_identifiers(event: str, hint: str) -> None:
    problem = problem_with(f'owner: sales\ncount: "{event}"\ntarget: ">= 1"')
    assert problem.field == "objectives.speed.count"
    assert problem.hint == f"use lowercase letters, digits and underscores, such as {hint}"


def test_unknown_objective_keys_get_a_did_you_mean_and_the_known_keys() -> None:
    problem = problem_with('owner: sales\ncount: x\ntarget: ">= 1"\ntraget: ">= 2"')
    assert problem.field == "objectives.speed.traget"
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean target? known keys: owner, title, period, where")


# ---------------------------------------------------------------- clocks


def test_within_is_required_for_a_clock() -> None:
    problem = problem_with('owner: sales\nclock: {start: a, stop: b}\ntarget: ">= 9%"')
    assert (problem.field, problem.message) == (
        "objectives.speed.within",
        "is required but missing",
    )


def test_within_with_a_calendar_refuses_days() -> None:
    problem = problem_with(
        'owner: sales\nclock: {start: a, stop: b}\nwithin: 2d\ncalendar: office\ntarget: ">= 9%"'
    )
    assert problem.field == "objectives.speed.within"
    assert "2bd" in (problem.hint or "")


def test_within_without_a_calendar_refuses_business_days() -> None:
    problem = problem_with('owner: sales\nclock: {start: a, stop: b}\nwithin: 3bd\ntarget: ">= 9%"')
    assert problem.message == '"3bd" counts business days, which need a calendar'


def test_a_zero_allowance_can_never_be_met() -> None:
    problem = problem_with('owner: sales\nclock: {start: a, stop: b}\nwithin: 0h\ntarget: ">= 9%"')
    assert problem.message == 'an allowance of "0h" can never be met'


@pytest.mark.parametrize(("present", "missing"), [("pause", "resume"), ("resume", "pause")])
def test_pause_and_resume_come_together(present: str, missing: str) -> None:
    problem = problem_with(
        f'owner: sales\nclock: {{start: a, stop: b, {present}: c}}\nwithin: 1h\ntarget: ">= 9%"'
    )
    assert problem.field == f"objectives.speed.clock.{present}"
    assert problem.message == f"{present} needs {missing}"


def test_a_clock_stops_at_a_different_event_than_it_starts() -> None:
    problem = problem_with('owner: sales\nclock: {start: a, stop: a}\nwithin: 1h\ntarget: ">= 9%"')
    assert problem.message == "stop is the same event as start"


def test_a_clock_needs_start_and_stop() -> None:
    problems = problems_of(
        make(
            objectives=objective(
                'owner: sales\nclock: {pause: p, resume: r}\nwithin: 1h\ntarget: ">= 9%"'
            )
        )
    )
    assert {p.field for p in problems} == {
        "objectives.speed.clock.start",
        "objectives.speed.clock.stop",
    }


@pytest.mark.parametrize(
    ("warn", "message", "hint"),
    [
        ("0.75", '"0.75" is not a percentage', "write 75%"),
        ("75", '"75" is not a percentage', "write 75%"),
        ("120%", "120% is outside 0–100 %", "write a percentage between 0% and 100%"),
    ],
)
def test_warn_is_a_percentage_of_the_allowance(warn: str, message: str, hint: str) -> None:
    problem = problem_with(
        f'owner: sales\nclock: {{start: a, stop: b}}\nwithin: 1h\ntarget: ">= 9%"\nwarn: {warn}'
    )
    assert (problem.field, problem.message, problem.hint) == (
        "objectives.speed.warn",
        message,
        hint,
    )


@pytest.mark.parametrize("key", ["within: 4h", "warn: 50%"])
def test_within_and_warn_only_apply_to_clocks(key: str) -> None:
    problem = problem_with(f'owner: sales\nratio: {{count: a, of: b}}\ntarget: ">= 9%"\n{key}')
    name = key.split(":", maxsplit=1)[0]
    assert problem.field == f"objectives.speed.{name}"
    assert problem.message == f"{name} only applies to clock objectives"


def test_calendar_does_not_apply_to_counts_and_ratios() -> None:
    problem = problem_with('owner: sales\ncount: x\ncalendar: office\ntarget: ">= 1"')
    assert problem.message == "calendar only applies to clock and availability objectives"


# ---------------------------------------------------------------- ratios and availability


def test_a_ratio_of_an_event_to_itself_is_refused() -> None:
    problem = problem_with('owner: sales\nratio: {count: a, of: a}\ntarget: ">= 9%"')
    assert problem.message == "counts the same event it divides by"


def test_a_ratio_needs_count_and_of() -> None:
    problem = problem_with('owner: sales\nratio: {count: a}\ntarget: ">= 9%"')
    assert (problem.field, problem.message) == (
        "objectives.speed.ratio.of",
        "is required but missing",
    )


def test_availability_needs_different_down_and_up_events() -> None:
    problem = problem_with('owner: sales\navailability: {down: x, up: x}\ntarget: ">= 99%"')
    assert problem.message == "up is the same event as down"


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("{start: 2026-03-07T22:00:00, end: 2026-03-08T02:00:00+01:00}", "has no UTC offset"),
        ("{start: 2026-03-07, end: 2026-03-08T02:00:00+01:00}", "has no UTC offset"),
        ("{start: soon, end: 2026-03-08T02:00:00+01:00}", '"soon" is not an instant'),
        (
            "{start: 2026-03-08T02:00:00+01:00, end: 2026-03-07T22:00:00+01:00}",
            "the window ends before it starts",
        ),
        ("{start: 2026-03-08T02:00:00+01:00}", "is required but missing"),
    ],
)
def test_maintenance_windows_need_offsets_and_an_order(window: str, message: str) -> None:
    body = f"owner: sales\navailability:\n  down: d\n  up: u\n  maintenance: [{window}]\n"
    problem = problem_with(body + 'target: ">= 99%"')
    assert problem.field.startswith("objectives.speed.availability.maintenance[0]")
    assert message in problem.message


# ---------------------------------------------------------------- where


def test_where_takes_values_lists_and_comparisons() -> None:
    got = one(
        'owner: sales\ncount: x\ntarget: ">= 1"\n'
        'where: {kind: lead, region: [DACH, Nordics], score: ">= 50", priority: 1, vip: true}'
    )
    assert got.where == (
        AttributeTest(attribute="kind", equals=("lead",)),
        AttributeTest(attribute="region", equals=("DACH", "Nordics")),
        AttributeTest(attribute="score", compare=Comparison.AT_LEAST, number=50.0),
        AttributeTest(attribute="priority", equals=("1",)),
        AttributeTest(attribute="vip", equals=("true",)),
    )


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ('{score: ">= high"}', '">= high" is not a comparison'),
        ('{score: "!= 5"}', '"!= 5" is not a comparison'),
        ('{score: ">= 5%"}', '">= 5%" is not a comparison'),
        ("{region: []}", "lists no values"),
        ('{region: [a, "> 5"]}', '"> 5" compares inside a list'),
        ("{region: }", "needs a value to match"),
        ("kind = lead", "must be a mapping of key: value"),
    ],
)
def test_bad_filters_are_refused(where: str, message: str) -> None:
    problem = problem_with(f'owner: sales\ncount: x\ntarget: ">= 1"\nwhere: {where}')
    assert problem.field.startswith("objectives.speed.where")
    assert problem.message == message
    assert problem.hint


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("target", "op", "value"),
    [(">= 95%", ">=", 0.95), ("<= 10%", "<=", 0.10), ("> 99.5%", ">", 0.995), ("< 5%", "<", 0.05),
     ("≥ 90%", ">=", 0.90), (">=100%", ">=", 1.0), ("<= 0%", "<=", 0.0)],
)  # fmt: skip
def test_share_targets_become_fractions(target: str, op: str, value: float) -> None:
    got = one(f'owner: sales\nratio: {{count: a, of: b}}\ntarget: "{target}"')
    assert (got.target.op.value, got.target.value, got.target.share) == (op, value, True)


@pytest.mark.parametrize(
    ("target", "value"), [(">= 50", 50), ("<= 0", 0), ("> 3", 3), ("< 10", 10)]
)
def test_count_targets_stay_numbers(target: str, value: int) -> None:
    got = one(f'owner: sales\ncount: x\ntarget: "{target}"')
    assert (got.target.value, got.target.share) == (value, False)


@pytest.mark.parametrize(
    ("target", "message", "hint"),
    [
        ("> 100%", '"> 100%" can never be met', "a share lies between 0% and 100%"),
        (">= 101%", '">= 101%" can never be met', "a share lies between 0% and 100%"),
        ("< 0%", '"< 0%" can never be met', "a share lies between 0% and 100%"),
        (">= -5%", '">= -5%" can never be met', "a share lies between 0% and 100%"),
        (">= 95", '">= 95" is a count, but this objective measures a share', 'write ">= 95%"'),
        (">= 0.95", '">= 0.95" is a count, but this objective measures a share', 'write ">= 95%"'),
        ("95%", '"95%" is not a target', 'write ">= 95%" (or "<= 95%" if lower is better)'),
        (
            "== 95%",
            '"== 95%" is not a target',
            'use >=, <=, > or < and a number, such as ">= 95%" or ">= 50"',
        ),
    ],
)
def test_impossible_or_malformed_share_targets_are_refused(
    target: str, message: str, hint: str
) -> None:
    problem = problem_with(f'owner: sales\nratio: {{count: a, of: b}}\ntarget: "{target}"')
    assert (problem.field, problem.message, problem.hint) == (
        "objectives.speed.target",
        message,
        hint,
    )


@pytest.mark.parametrize(
    ("target", "message", "hint"),
    [
        (">= -1", '">= -1" can never be met', "a count is never negative"),
        ("< 0", '"< 0" can never be met', "a count is never negative"),
        (">= 5.5", '">= 5.5" is not a whole number of items', 'write ">= 6"'),
        (
            ">= 50%",
            '">= 50%" is a percentage, but a count objective counts items',
            'write a number of items, such as ">= 50"',
        ),
    ],
)
def test_impossible_count_targets_are_refused(target: str, message: str, hint: str) -> None:
    problem = problem_with(f'owner: sales\ncount: x\ntarget: "{target}"')
    assert (problem.message, problem.hint) == (message, hint)


def test_a_bare_number_target_asks_for_a_comparison() -> None:
    problem = problem_with("owner: sales\ncount: x\ntarget: 50")
    assert (problem.message, problem.hint) == (
        "50 has no comparison",
        'write ">= 50" (or "<= 50" if lower is better)',
    )


@pytest.mark.parametrize(
    ("target", "hint"),
    [
        ("0.95", 'write ">= 95%" (or "<= 95%" if lower is better)'),
        ('"0.95"', 'write ">= 95%" (or "<= 95%" if lower is better)'),
        ('"95 %"', 'write ">= 95%" (or "<= 95%" if lower is better)'),
    ],
)
def test_a_bare_share_target_suggests_the_percentage(target: str, hint: str) -> None:
    problem = problem_with(f"owner: sales\nratio: {{count: a, of: b}}\ntarget: {target}")
    assert problem.hint == hint


def test_a_maintenance_instant_may_use_a_space_instead_of_t() -> None:
    got = one(
        "owner: sales\navailability:\n  down: d\n  up: u\n"
        '  maintenance: [{start: "2026-03-07 22:00+01:00", end: "2026-03-07 23:00+01:00"}]\n'
        'target: ">= 99%"'
    )
    assert isinstance(got, AvailabilityObjective)
    assert got.maintenance[0].end - got.maintenance[0].start == dt.timedelta(hours=1)


@pytest.mark.parametrize("column", ["item", "type", "at"])
def test_event_columns_are_not_attributes_to_filter_on(column: str) -> None:
    problem = problem_with(f'owner: sales\ncount: x\ntarget: ">= 1"\nwhere: {{{column}: a}}')
    assert problem.field == f"objectives.speed.where.{column}"
    assert problem.message == f'"{column}" is a column of every event, not an item attribute'
