import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slawatch.agreements.model import Duration, DurationUnit
from slawatch.engine.calendar import AlwaysOpen, WorkingCalendar, WorkingTime
from slawatch.engine.clock import ClockInput, ClockState, compute_clocks
from slawatch.engine.instants import NO_INSTANT, US, from_us, to_us
from tests.engine.reference import calendar_spec

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600 * US
OFFICE = WorkingCalendar.from_spec(calendar_spec(public_holidays="DE-BY"))


def at(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN))


def working(hours: float) -> Duration:
    return Duration(unit=DurationUnit.WORKING, amount=int(hours * 3600), text=f"{hours}h")


def business_days(days: int) -> Duration:
    return Duration(unit=DurationUnit.BUSINESS_DAYS, amount=days, text=f"{days}bd")


def wall(hours: int) -> Duration:
    return Duration(unit=DurationUnit.WALL, amount=hours * 3600, text=f"{hours}h")


@dataclass
class Clock:
    elapsed: int
    paused: int
    deadline: str | None
    allowance: int
    state: str


def clock(
    start: str,
    stop: str | None = None,
    pauses: tuple[tuple[str, str | None], ...] = (),
    *,
    as_of: str = "2026-12-31 00:00",
    within: Duration | None = None,
    calendar: WorkingTime = OFFICE,
    warn: float | None = None,
) -> Clock:
    """Return the clock of one item, given as local Berlin wall times."""
    inputs = ClockInput(
        start=np.array([at(start)]),
        stop=np.array([at(stop) if stop else NO_INSTANT]),
        pause_item=np.zeros(len(pauses), dtype=np.int64),
        pause_start=np.array([at(p) for p, _ in pauses], dtype=np.int64),
        pause_end=np.array([at(q) if q else NO_INSTANT for _, q in pauses], dtype=np.int64),
    )
    out = compute_clocks(
        inputs,
        as_of=at(as_of),
        within=within or working(8),
        calendar=calendar,
        warn=warn,
    )
    deadline = int(out.deadline[0])
    return Clock(
        elapsed=int(out.elapsed[0]),
        paused=int(out.paused[0]),
        deadline=None if deadline == NO_INSTANT else from_us(deadline, BERLIN).isoformat(),
        allowance=int(out.allowance[0]),
        state=ClockState(out.state[0]).label,
    )


def test_exact_fit_lands_on_closing_time():
    c = clock("2026-11-23 08:00", within=working(8))
    assert c.deadline == "2026-11-23T17:00:00+01:00"


def test_exact_fit_on_a_friday_does_not_move_to_monday():
    c = clock("2026-11-27 13:00", within=working(4))
    assert c.deadline == "2026-11-27T17:00:00+01:00"


def test_a_start_outside_working_hours_waits_for_the_next_opening():
    c = clock("2026-11-23 18:30", within=working(8))
    assert c.deadline == "2026-11-24T17:00:00+01:00"
    c = clock("2026-11-27 20:00", within=working(1))  # Friday evening
    assert c.deadline == "2026-11-30T09:00:00+01:00"


def test_a_zero_allowance_is_due_at_the_start_even_outside_working_hours():
    c = clock("2026-11-28 10:00", within=working(0))  # Saturday
    assert (c.deadline, c.allowance) == ("2026-11-28T10:00:00+01:00", 0)
    assert clock("2026-11-28 10:00", "2026-11-28 10:00", within=working(0)).state == "met"
    assert clock("2026-11-28 10:00", "2026-11-30 08:00", within=working(0)).state == "breached"


def test_a_start_on_a_holiday_counts_from_the_next_working_day():
    c = clock("2026-01-06 09:00", "2026-01-07 10:00", within=working(2))  # Epiphany
    assert (c.elapsed, c.deadline) == (2 * HOUR, "2026-01-07T10:00:00+01:00")
    assert c.state == "met"


def test_elapsed_counts_working_time_to_the_stop():
    c = clock("2026-11-23 11:00", "2026-11-24 09:30", within=working(8))
    assert c.elapsed == 6 * HOUR + HOUR // 2
    assert (c.paused, c.state, c.allowance) == (0, "met", 8 * HOUR)


def test_stop_exactly_at_the_deadline_is_met():
    assert clock("2026-11-23 08:00", "2026-11-23 17:00").state == "met"
    assert clock("2026-11-23 08:00", "2026-11-23 17:00:00.000001").state == "breached"


def test_a_running_clock_breaches_only_after_the_deadline():
    assert clock("2026-11-23 08:00", as_of="2026-11-23 17:00").state == "running"
    assert clock("2026-11-23 08:00", as_of="2026-11-23 17:00:00.000001").state == "breached"


def test_a_running_clock_is_at_risk_once_warn_of_the_allowance_is_used():
    assert clock("2026-11-23 08:00", as_of="2026-11-23 15:00", warn=0.75).state == "at_risk"
    assert clock("2026-11-23 08:00", as_of="2026-11-23 14:59", warn=0.75).state == "running"


def test_sub_second_inputs_stay_exact():
    c = clock("2026-11-23 16:59:59.250000", "2026-11-24 08:00:00.500001", within=working(1))
    assert c.elapsed == 750_000 + 500_001
    assert c.deadline == "2026-11-24T08:59:59.250000+01:00"


def test_a_pause_pushes_the_deadline_by_its_working_time():
    c = clock("2026-11-23 08:00", pauses=(("2026-11-23 10:00", "2026-11-23 14:00"),))
    assert c.paused == 3 * HOUR  # the lunch hour was not working time anyway
    assert c.deadline == "2026-11-24T11:00:00+01:00"


def test_overlapping_pauses_count_once():
    pauses = (
        ("2026-11-23 09:00", "2026-11-23 11:00"),
        ("2026-11-23 10:00", "2026-11-23 11:30"),
        ("2026-11-23 08:00", "2026-11-23 08:30"),
    )
    c = clock("2026-11-23 08:00", "2026-11-23 16:00", pauses)
    assert (c.paused, c.elapsed) == (3 * HOUR, 4 * HOUR)


def test_pauses_are_clipped_to_the_clock():
    pauses = (("2026-11-20 08:00", "2026-11-23 09:00"), ("2026-11-23 15:00", "2026-11-25 12:00"))
    c = clock("2026-11-23 08:00", "2026-11-23 16:00", pauses)
    assert (c.paused, c.elapsed) == (2 * HOUR, 5 * HOUR)


def test_an_open_pause_suspends_the_deadline():
    c = clock("2026-11-23 08:00", pauses=(("2026-11-23 10:00", None),), as_of="2026-11-25 09:00")
    assert (c.deadline, c.state) == (None, "paused")
    assert (c.elapsed, c.paused) == (2 * HOUR, 15 * HOUR)


def test_a_pause_starting_exactly_at_as_of_pauses_the_clock():
    c = clock("2026-11-23 08:00", pauses=(("2026-11-23 10:00", None),), as_of="2026-11-23 10:00")
    assert (c.deadline, c.state, c.elapsed, c.paused) == (None, "paused", 2 * HOUR, 0)


def test_a_pause_after_as_of_does_not_exist_yet():
    c = clock("2026-11-23 08:00", pauses=(("2026-11-23 11:00", None),), as_of="2026-11-23 10:00")
    assert (c.deadline, c.state) == ("2026-11-23T17:00:00+01:00", "running")


def test_an_open_pause_ends_with_the_stop():
    c = clock("2026-11-23 08:00", "2026-11-23 12:00", (("2026-11-23 10:00", None),))
    assert (c.elapsed, c.paused, c.state) == (2 * HOUR, 2 * HOUR, "met")
    assert c.deadline == "2026-11-24T10:00:00+01:00"


def test_a_pause_after_the_deadline_does_not_rescue_a_breach():
    c = clock("2026-11-23 08:00", pauses=(("2026-11-24 09:00", None),), as_of="2026-11-25 09:00")
    assert (c.deadline, c.state) == ("2026-11-23T17:00:00+01:00", "breached")
    closed = (("2026-11-24 09:00", "2026-11-24 12:00"),)
    assert clock("2026-11-23 08:00", "2026-11-24 13:00", closed).state == "breached"


def test_a_pause_starting_exactly_at_the_deadline_does_not_move_it():
    c = clock("2026-11-23 08:00", pauses=(("2026-11-23 17:00", "2026-11-24 10:00"),))
    assert c.deadline == "2026-11-23T17:00:00+01:00"


def test_business_days_from_a_saturday_start():
    c = clock("2026-11-28 10:00", within=business_days(1), as_of="2026-11-28 12:00")
    assert (c.deadline, c.allowance, c.state) == ("2026-11-30T17:00:00+01:00", 8 * HOUR, "running")


def test_pauses_push_a_business_day_deadline_by_their_working_time():
    pauses = (("2026-11-30 09:00", "2026-11-30 11:00"),)
    c = clock("2026-11-27 10:00", pauses=pauses, within=business_days(1))
    assert c.deadline == "2026-12-01T10:00:00+01:00"
    assert c.allowance == 14 * HOUR


def test_a_wall_allowance_ignores_the_calendar():
    c = clock("2026-11-28 10:00", "2026-11-30 09:00", within=wall(48))
    assert (c.deadline, c.elapsed, c.state) == ("2026-11-30T10:00:00+01:00", 47 * HOUR, "met")


def test_wall_time_crosses_dst_in_real_hours():
    c = clock("2026-03-28 12:00", within=wall(24), calendar=AlwaysOpen())
    assert c.deadline == "2026-03-29T13:00:00+02:00"


def test_business_days_need_a_calendar():
    with pytest.raises(ValueError, match="calendar"):
        clock("2026-11-23 08:00", within=business_days(1), calendar=AlwaysOpen())


def test_an_interval_across_the_dst_change_counts_real_working_time():
    night = WorkingCalendar.from_spec(calendar_spec(days="sat sun", hours="01:00-04:00"))
    c = clock("2026-03-29 00:00", within=working(2.5), calendar=night)
    assert c.deadline == "2026-04-04T01:30:00+02:00"  # 2 h in the short night, then Saturday
    c = clock("2026-10-25 00:00", within=working(3.5), calendar=night)
    assert c.deadline == "2026-10-25T03:30:00+01:00"  # the second 03:00 comes after 02:00 CET


def test_an_overnight_interval_carries_a_deadline_past_midnight():
    nights = WorkingCalendar.from_spec(calendar_spec(hours="22:00-06:00"))
    c = clock("2026-11-23 21:00", within=working(3), calendar=nights)
    assert c.deadline == "2026-11-24T01:00:00+01:00"


def test_clocks_years_outside_the_first_table_work():
    office = WorkingCalendar.from_spec(calendar_spec(public_holidays="DE-BY"))
    assert clock("2026-11-23 08:00", calendar=office).deadline == "2026-11-23T17:00:00+01:00"
    c = clock("1990-01-05 16:00", "1990-01-08 09:00", calendar=office, as_of="2081-01-01 00:00")
    assert (c.elapsed, c.deadline) == (2 * HOUR, "1990-01-08T16:00:00+01:00")
    c = clock("2080-12-23 10:00", as_of="2080-12-24 00:00", within=working(16), calendar=office)
    assert c.deadline == "2080-12-27T10:00:00+01:00"  # after Christmas and Boxing Day


def test_many_items_are_computed_in_chunks_alike():
    rng = np.random.default_rng(7)
    start = at("2026-01-01 00:00") + rng.integers(0, 300 * 86_400 * US, 5000)
    stop = np.where(rng.random(5000) < 0.5, start + rng.integers(0, 86_400 * US, 5000), NO_INSTANT)
    item = rng.integers(0, 5000, 3000)
    ps = start[item] + rng.integers(0, 86_400 * US, 3000)
    inputs = ClockInput(start, stop, item, ps, ps + rng.integers(0, 3 * HOUR, 3000))
    kwargs = {"as_of": at("2026-12-31 00:00"), "within": working(4), "calendar": OFFICE}
    whole = compute_clocks(inputs, warn=0.5, **kwargs)
    chunked = compute_clocks(inputs, warn=0.5, chunk=333, **kwargs)
    for name in ("elapsed", "paused", "deadline", "allowance", "state"):
        assert np.array_equal(getattr(whole, name), getattr(chunked, name)), name


def test_no_items_give_empty_clocks():
    empty = np.empty(0, dtype=np.int64)
    out = compute_clocks(
        ClockInput.without_pauses(empty, empty),
        as_of=at("2026-11-23 08:00"),
        within=working(1),
        calendar=OFFICE,
        warn=None,
    )
    assert len(out.elapsed) == len(out.state) == 0
