"""A dispute's ladder and resolution deadline: when each step falls due, checked by hand and
against a slow reference that walks the calendar's working intervals (across DST changes)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import Duration, DurationUnit, EscalationStep
from slawatch.engine.calendar import WorkingCalendar
from slawatch.engine.dispute_ladder import (
    OVERDUE,
    deadline_of,
    due_after,
    due_steps,
    next_due,
    schedule,
)
from slawatch.engine.instants import US, from_us
from tests.engine.builders import instant, office

HOUR = 3_600 * US
CALENDAR = WorkingCalendar(office())  # Mon-Fri 08-12, 13-17 Europe/Berlin
BERLIN = ZoneInfo("Europe/Berlin")


def working(seconds: int) -> Duration:
    return Duration(unit=DurationUnit.WORKING, amount=seconds, text=f"{seconds}s")


def wall(seconds: int) -> Duration:
    return Duration(unit=DurationUnit.WALL, amount=seconds, text=f"{seconds}s")


def business_days(days: int) -> Duration:
    return Duration(unit=DurationUnit.BUSINESS_DAYS, amount=days, text=f"{days}bd")


def step(after: Duration, tier: int) -> EscalationStep:
    return EscalationStep(after=after, tier=tier)


def test_without_a_calendar_steps_fall_due_after_wall_time() -> None:
    opened = instant("2026-03-02T10:00:00+01:00")
    steps = schedule(opened, [step(wall(0), 1), step(wall(4 * 3600), 2)], wall(86_400), None)
    assert [(s.key, s.tier, s.due_at - opened) for s in steps] == [
        ("tier-1", 1, 0),
        ("tier-2", 2, 4 * HOUR),
        (OVERDUE, 3, 24 * HOUR),
    ]


def test_a_dispute_opened_at_night_reaches_tier_one_when_the_office_opens() -> None:
    opened = instant("2026-03-02T22:00:00+01:00")  # a Monday night
    assert due_after(opened, working(0), CALENDAR) == instant("2026-03-03T08:00:00+01:00")


def test_working_hours_skip_lunch_night_and_weekend_and_an_exact_fit_is_the_close() -> None:
    opened = instant("2026-03-06T15:00:00+01:00")  # a Friday
    assert due_after(opened, working(2 * 3600), CALENDAR) == instant("2026-03-06T17:00:00+01:00")
    assert due_after(opened, working(3 * 3600), CALENDAR) == instant("2026-03-09T09:00:00+01:00")


def test_business_days_end_at_the_close_of_the_nth_business_day() -> None:
    opened = instant("2026-03-06T15:00:00+01:00")  # Friday; 2bd → Tuesday 17:00
    assert due_after(opened, business_days(2), CALENDAR) == instant("2026-03-10T17:00:00+01:00")


def test_the_deadline_is_management_and_comes_after_a_ladder_step_at_the_same_instant() -> None:
    opened = instant("2026-03-02T10:00:00+01:00")
    steps = schedule(opened, [step(wall(3600), 3)], wall(3600), None)
    assert [s.key for s in steps] == ["tier-1", OVERDUE]
    assert deadline_of(steps) == opened + HOUR


def test_a_late_run_takes_every_step_due_meanwhile_once_and_none_after_a_decision() -> None:
    opened = instant("2026-03-02T10:00:00+01:00")
    ladder = [step(wall(0), 1), step(wall(3600), 2), step(wall(7200), 3)]
    steps = schedule(opened, ladder, wall(86_400), None)
    due = due_steps(steps, set(), opened + 3 * HOUR, decided=False)
    assert [s.key for s in due] == ["tier-1", "tier-2", "tier-3"]
    assert due_steps(steps, {"tier-1", "tier-2", "tier-3"}, opened + 3 * HOUR, decided=False) == []
    assert next_due(steps, {"tier-1", "tier-2", "tier-3"}) == opened + 24 * HOUR
    assert due_steps(steps, set(), opened + 48 * HOUR, decided=True) == []


def reference_due(opened: int, seconds: int) -> int:
    """Walk working intervals one by one until `seconds` of working time have passed."""
    left = seconds * US
    for start, end in CALENDAR.intervals_between(opened, opened + 400 * 86_400 * US):
        if left == 0:
            return start  # 0h: the first working instant at or after the opening
        if end - start >= left:
            return start + left
        left -= end - start
    raise AssertionError("no deadline within 400 days")


# Instants around the spring and autumn DST changes of Berlin, and ordinary weeks.
OPENINGS = st.sampled_from(
    ["2026-03-27T16:00:00+01:00", "2026-10-23T16:30:00+02:00", "2026-03-28T23:30:00+01:00",
     "2026-10-25T02:30:00+01:00", "2026-06-10T12:15:00+02:00", "2026-12-24T09:00:00+01:00"]
).map(instant)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(OPENINGS, st.integers(0, 7 * 24 * 3600), st.integers(0, 3 * 86_400))
def test_working_time_steps_agree_with_walking_the_intervals(
    base: int, seconds: int, shift: int
) -> None:
    opened = base + shift * US
    due = due_after(opened, working(seconds), CALENDAR)
    assert due == reference_due(opened, seconds)
    assert int(CALENDAR.working_time([opened], [due])[0]) == seconds * US


@settings(max_examples=100, deadline=None)
@given(OPENINGS, st.integers(0, 3 * 86_400), st.integers(1, 12))
def test_a_business_day_deadline_is_a_closing_time_on_a_later_local_date(
    base: int, shift: int, days: int
) -> None:
    opened = base + shift * US
    due = due_after(opened, business_days(days), CALENDAR)
    local = from_us(due, BERLIN)
    assert (local.hour, local.minute) == (17, 0)
    assert local.date() > from_us(opened, BERLIN).date()
    assert local.weekday() < 5
    between = {
        from_us(start, BERLIN).date()
        for start, _ in CALENDAR.intervals_between(opened, due)
        if from_us(start, BERLIN).date() > from_us(opened, BERLIN).date()
    }
    assert len(between) == days


@settings(max_examples=100, deadline=None)
@given(
    OPENINGS,
    st.lists(st.integers(0, 40 * 3600), min_size=1, max_size=4, unique=True).map(sorted),
    st.integers(0, 60 * 3600),
    st.lists(st.integers(0, 30 * 86_400), min_size=1, max_size=6),
)
def test_however_the_runs_fall_every_step_is_taken_once_in_order_and_never_early(
    opened: int, afters: list[int], within: int, runs: list[int]
) -> None:
    ladder = [step(working(a), min(i + 1, 3)) for i, a in enumerate(afters)]
    steps = schedule(opened, ladder, working(within), CALENDAR)
    taken: list[str] = []
    for run in sorted(runs):
        as_of = opened + run * US
        for due in due_steps(steps, set(taken), as_of, decided=False):
            assert due.due_at <= as_of
            taken.append(due.key)
    assert len(taken) == len(set(taken))
    times = {s.key: s.due_at for s in steps}
    assert [times[k] for k in taken] == sorted(times[k] for k in taken)
    last = opened + max(runs) * US
    assert set(taken) == {s.key for s in steps if s.due_at <= last}


def test_a_dispute_opened_in_the_spring_forward_night_counts_the_short_day_rightly() -> None:
    opened = instant("2026-03-29T02:30:00+02:00")  # Sunday: the clocks jumped at 02:00
    due = due_after(opened, working(8 * 3600), CALENDAR)
    assert from_us(due, BERLIN) == dt.datetime(2026, 3, 30, 17, 0, tzinfo=BERLIN)
