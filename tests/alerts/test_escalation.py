"""The ladder as a pure state machine, step by step with `as_of`, and its invariants."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st

from slawatch.agreements.model import Duration, DurationUnit, EscalationStep
from slawatch.alerts.escalation import (
    NEVER,
    Action,
    Close,
    Condition,
    EscalationState,
    Notify,
    Rung,
    StepClock,
    apply,
    due_actions,
    ladder_of,
    next_step_at,
    wall_clock,
    working_clock,
)
from slawatch.engine.calendar import WorkingCalendar
from tests.engine.builders import instant, office

HOUR = 3_600_000_000
LADDER = (Rung(0, 1), Rung(4 * HOUR, 2), Rung(24 * HOUR, 3))
OPENED = 1_000 * HOUR


def steps(state: EscalationState, as_of: int, condition: Condition = Condition.BAD) -> list[Action]:
    return due_actions(state, LADDER, condition, as_of)


def test_the_agreement_ladder_becomes_rungs_in_microseconds() -> None:
    def step(seconds: int, tier: int) -> EscalationStep:
        after = Duration(unit=DurationUnit.WALL, amount=seconds, text=f"{seconds}s")
        return EscalationStep(after=after, tier=tier)

    assert ladder_of([step(0, 1), step(14_400, 2)]) == (Rung(0, 1), Rung(4 * HOUR, 2))


def test_tier_one_is_due_at_opening_and_the_ladder_climbs_with_time() -> None:
    state = EscalationState(opened_at=OPENED)
    assert steps(state, OPENED) == [Notify(step=1, tier=1, due_at=OPENED)]
    state = apply(state, steps(state, OPENED))
    assert (state.tier, state.steps_taken) == (1, 1)
    assert steps(state, OPENED + 4 * HOUR - 1) == []
    assert steps(state, OPENED + 4 * HOUR) == [Notify(2, 2, OPENED + 4 * HOUR)]
    state = apply(state, steps(state, OPENED + 4 * HOUR))
    assert next_step_at(state, LADDER) == OPENED + 24 * HOUR
    state = apply(state, steps(state, OPENED + 30 * HOUR))
    assert (state.tier, state.steps_taken) == (3, 3)
    assert steps(state, OPENED + 1000 * HOUR) == []
    assert next_step_at(state, LADDER) is None


def test_a_late_tick_takes_every_step_that_fell_due_in_ladder_order() -> None:
    actions = steps(EscalationState(opened_at=OPENED), OPENED + 25 * HOUR)
    assert [(a.step, a.tier) for a in actions if isinstance(a, Notify)] == [(1, 1), (2, 2), (3, 3)]


def test_an_acknowledged_escalation_climbs_no_further() -> None:
    state = EscalationState(opened_at=OPENED, steps_taken=1, tier=1, acknowledged=True)
    assert steps(state, OPENED + 48 * HOUR) == []
    assert next_step_at(state, LADDER) is None


def test_a_recovered_subject_closes_the_escalation_without_notifying() -> None:
    state = EscalationState(opened_at=OPENED, steps_taken=1, tier=1)
    assert steps(state, OPENED + 48 * HOUR, Condition.RECOVERED) == [Close("recovered")]
    acknowledged = EscalationState(opened_at=OPENED, acknowledged=True)
    assert steps(acknowledged, OPENED, Condition.RECOVERED) == [Close("recovered")]
    assert apply(state, [Close("recovered")]).closed


def test_a_closed_escalation_takes_no_step_at_all() -> None:
    state = EscalationState(opened_at=OPENED, closed=True)
    assert steps(state, OPENED + 48 * HOUR) == []
    assert steps(state, OPENED + 48 * HOUR, Condition.RECOVERED) == []


def test_a_waiting_subject_holds_the_ladder_and_catches_up_when_bad_again() -> None:
    state = EscalationState(opened_at=OPENED, steps_taken=1, tier=1)
    assert steps(state, OPENED + 5 * HOUR, Condition.WAITING) == []
    assert steps(state, OPENED + 5 * HOUR) == [Notify(2, 2, OPENED + 4 * HOUR)]


def test_a_ladder_that_repeats_a_tier_reminds_it_without_raising_the_tier() -> None:
    ladder = (Rung(0, 1), Rung(2 * HOUR, 1))
    state = EscalationState(opened_at=OPENED)
    actions = due_actions(state, ladder, Condition.BAD, OPENED + 2 * HOUR)
    assert actions == [Notify(1, 1, OPENED), Notify(2, 1, OPENED + 2 * HOUR)]
    assert apply(state, actions).tier == 1


def test_an_empty_ladder_never_notifies() -> None:
    state = EscalationState(opened_at=OPENED)
    assert due_actions(state, (), Condition.BAD, OPENED + 100 * HOUR) == []
    assert next_step_at(state, ()) is None


# -- calendar-aware ladders --------------------------------------------------------------

CALENDAR_CLOCK = working_clock(WorkingCalendar(office()))  # Mon-Fri 08-12, 13-17 Berlin


def test_on_a_calendar_a_breach_at_night_notifies_tier_one_when_the_office_opens() -> None:
    opened = instant("2026-03-04T03:00:00+01:00")  # a Wednesday, 3 a.m.
    assert CALENDAR_CLOCK(opened, 0) == instant("2026-03-04T08:00:00+01:00")
    state = EscalationState(opened_at=opened)
    assert due_actions(state, LADDER, Condition.BAD, opened + 4 * HOUR, CALENDAR_CLOCK) == []


def test_on_a_calendar_tier_one_is_due_at_once_inside_working_hours() -> None:
    opened = instant("2026-03-04T10:30:00+01:00")
    assert CALENDAR_CLOCK(opened, 0) == opened


def test_on_a_calendar_after_counts_working_hours_across_the_lunch_break_and_night() -> None:
    opened = instant("2026-03-04T10:00:00+01:00")
    # 2 h before the break, 2 h after it: 15:00 the same day.
    assert CALENDAR_CLOCK(opened, 4 * HOUR) == instant("2026-03-04T15:00:00+01:00")
    # 6 h that day (10-12, 13-17), 2 h the next morning.
    assert CALENDAR_CLOCK(opened, 8 * HOUR) == instant("2026-03-05T10:00:00+01:00")


def test_on_a_calendar_the_ladder_skips_the_weekend() -> None:
    opened = instant("2026-03-06T16:00:00+01:00")  # Friday
    assert CALENDAR_CLOCK(opened, 4 * HOUR) == instant("2026-03-09T11:00:00+01:00")
    state = apply(EscalationState(opened_at=opened), [Notify(1, 1, opened)])
    assert next_step_at(state, LADDER, CALENDAR_CLOCK) == instant("2026-03-09T11:00:00+01:00")


def test_an_exact_fit_falls_due_at_closing_time_not_the_next_opening() -> None:
    opened = instant("2026-03-04T13:00:00+01:00")
    assert CALENDAR_CLOCK(opened, 4 * HOUR) == instant("2026-03-04T17:00:00+01:00")


def test_without_a_calendar_the_ladder_is_wall_time() -> None:
    assert wall_clock(OPENED, 4 * HOUR) == OPENED + 4 * HOUR


# -- invariants ---------------------------------------------------------------------------


@st.composite
def ladders(draw: st.DrawFn) -> tuple[Rung, ...]:
    size = draw(st.integers(0, 5))
    afters = sorted(draw(st.lists(st.integers(0, 48), min_size=size, max_size=size, unique=True)))
    tiers = sorted(draw(st.lists(st.integers(1, 3), min_size=size, max_size=size)))
    return tuple(Rung(after * HOUR, tier) for after, tier in zip(afters, tiers, strict=True))


@dataclass(frozen=True)
class Moment:
    advance: int  # µs since the previous tick
    condition: Condition
    acknowledge: bool  # someone acknowledges just before this tick


moments = st.builds(
    Moment,
    advance=st.integers(0, 12 * HOUR),
    condition=st.sampled_from([Condition.BAD] * 4 + [Condition.WAITING, Condition.RECOVERED]),
    acknowledge=st.sampled_from([False] * 7 + [True]),
)


Taken = list[tuple[EscalationState, int, Action]]


def run(
    ladder: tuple[Rung, ...], ticks: list[Moment], clock: StepClock = wall_clock
) -> tuple[EscalationState, int, Taken]:
    """Replay the ticks; return the notifications in order, with the state before each."""
    state = EscalationState(opened_at=OPENED)
    as_of = OPENED
    taken: Taken = []
    for moment in ticks:
        as_of += moment.advance
        if moment.acknowledge and not state.closed:
            state = replace(state, acknowledged=True)
        actions = due_actions(state, ladder, moment.condition, as_of, clock)
        taken += [(state, as_of, action) for action in actions]
        state = apply(state, actions)
    return state, as_of, taken


@given(ladders(), st.lists(moments, max_size=30))
def test_tiers_never_go_down_and_steps_are_never_skipped(
    ladder: tuple[Rung, ...], ticks: list[Moment]
) -> None:
    _, _, taken = run(ladder, ticks)
    notified = [action for _, _, action in taken if isinstance(action, Notify)]
    assert [n.step for n in notified] == list(range(1, len(notified) + 1))
    assert [n.tier for n in notified] == sorted(n.tier for n in notified)
    assert [n.tier for n in notified] == [rung.tier for rung in ladder[: len(notified)]]


@given(ladders(), st.lists(moments, max_size=30))
def test_nothing_is_notified_after_acknowledgement_or_closing_nor_before_due(
    ladder: tuple[Rung, ...], ticks: list[Moment]
) -> None:
    _, _, taken = run(ladder, ticks)
    for before, as_of, action in taken:
        assert not before.closed
        if isinstance(action, Notify):
            assert not before.acknowledged
            assert action.due_at <= as_of
    closes = [i for i, (_, _, action) in enumerate(taken) if isinstance(action, Close)]
    assert closes in ([], [len(taken) - 1])


@given(ladders(), st.lists(st.integers(0, 12 * HOUR), max_size=20))
def test_while_bad_and_unacknowledged_every_due_step_is_taken_however_the_ticks_fall(
    ladder: tuple[Rung, ...], advances: list[int]
) -> None:
    ticks = [Moment(advance, Condition.BAD, False) for advance in advances]
    state, as_of, taken = run(ladder, ticks)
    one_tick = due_actions(EscalationState(opened_at=OPENED), ladder, Condition.BAD, as_of)
    if ticks:
        assert [action for _, _, action in taken] == one_tick
    due = [rung for rung in ladder if OPENED + rung.after_us <= as_of]
    assert state.steps_taken == (len(due) if ticks else 0)


@given(ladders(), st.lists(moments, max_size=20))
def test_a_calendar_ladder_keeps_the_same_invariants_and_notifies_only_in_working_hours(
    ladder: tuple[Rung, ...], ticks: list[Moment]
) -> None:
    calendar = WorkingCalendar(office())
    clock = working_clock(calendar)
    _, _, taken = run(ladder, ticks, clock)
    notified = [action for _, _, action in taken if isinstance(action, Notify)]
    assert [n.step for n in notified] == list(range(1, len(notified) + 1))
    for n in notified:
        opening_hours = calendar.intervals_between(n.due_at - 24 * HOUR, n.due_at + 1)
        assert any(start <= n.due_at <= end for start, end in opening_hours)


def test_a_warning_held_for_good_notifies_tier_one_and_never_climbs() -> None:
    state = EscalationState(opened_at=OPENED, held_until=NEVER)
    state = apply(state, steps(state, OPENED))
    assert state.tier == 1
    assert steps(state, OPENED + 1000 * HOUR) == []
    assert next_step_at(state, LADDER) is None


def test_a_running_period_warning_climbs_only_after_the_period_ends_measured_from_its_end() -> None:
    end = OPENED + 10 * HOUR
    state = EscalationState(opened_at=OPENED, held_until=end)
    state = apply(state, steps(state, OPENED))
    assert steps(state, end - 1) == []
    assert next_step_at(state, LADDER) == end + 4 * HOUR
    assert steps(state, end + 4 * HOUR) == [Notify(2, 2, end + 4 * HOUR)]


def test_a_reminder_to_tier_one_is_not_held() -> None:
    ladder = (Rung(0, 1), Rung(2 * HOUR, 1), Rung(4 * HOUR, 2))
    state = EscalationState(opened_at=OPENED, held_until=NEVER)
    taken = due_actions(state, ladder, Condition.BAD, OPENED + 100 * HOUR)
    assert [action.tier for action in taken if isinstance(action, Notify)] == [1, 1]


def test_a_snooze_holds_the_ladder_and_it_resumes_with_what_fell_due() -> None:
    state = apply(EscalationState(opened_at=OPENED), [Notify(1, 1, OPENED)])
    snoozed = replace(state, snoozed_until=OPENED + 6 * HOUR)
    assert steps(snoozed, OPENED + 5 * HOUR) == []
    assert next_step_at(snoozed, LADDER) == OPENED + 6 * HOUR
    assert steps(snoozed, OPENED + 6 * HOUR) == [Notify(2, 2, OPENED + 4 * HOUR)]
    assert steps(snoozed, OPENED + HOUR, Condition.RECOVERED) == [Close("recovered")]
    later = replace(state, snoozed_until=OPENED + HOUR)  # a snooze that ended before the step
    assert next_step_at(later, LADDER) == OPENED + 4 * HOUR


def test_an_escalation_of_history_notifies_no_one_but_closes_on_recovery() -> None:
    state = EscalationState(opened_at=OPENED, history=True)
    assert steps(state, OPENED + 1000 * HOUR) == []
    assert next_step_at(state, LADDER) is None
    assert steps(state, OPENED, Condition.RECOVERED) == [Close("recovered")]
