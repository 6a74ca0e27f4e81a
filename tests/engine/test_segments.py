"""A clock's span splits into working, paused, closed and holiday time that adds up exactly.

The segments are checked minute by minute against the slow reference calendar, and their
totals against the clock kernel: working segments are the clock's elapsed time, paused ones
its paused time, and walking the working segments finds the kernel's deadline.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import Calendar, Duration, DurationUnit, HolidaySource, Interval
from slawatch.engine.calendar import AlwaysOpen, WorkingCalendar, WorkingTime
from slawatch.engine.clock import ClockInput, ClockState, compute_clocks
from slawatch.engine.instants import NO_INSTANT, US, to_us
from slawatch.engine.segments import (
    Segment,
    SegmentKind,
    clock_segments,
    closed_days,
    totals,
    when_worked,
)
from tests.engine.reference import ReferenceCalendar, calendar_spec

MINUTE = 60 * US
HOUR = 60 * MINUTE
DAY = 24 * HOUR
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = {
    "Europe/Berlin": (("DE", "BY"), "2026-03-29"),
    "America/New_York": (("US", "NY"), "2026-11-01"),
    "Asia/Kolkata": (("IN", None), "2026-03-29"),
    "America/Santiago": (("CL", None), "2026-09-06"),
}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def berlin(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN))


def office() -> WorkingCalendar:
    return WorkingCalendar(calendar_spec(public_holidays="DE-BY", closed=("2026-12-24",)))


# -- examples ------------------------------------------------------------------------------


def test_a_long_weekend_splits_into_working_hours_nights_and_the_holiday() -> None:
    # 1 May 2026 is a Friday and a public holiday in Bavaria.
    segments = clock_segments(office(), berlin("2026-04-30T16:00"), berlin("2026-05-04T09:00"))
    assert segments == [
        Segment(berlin("2026-04-30T16:00"), berlin("2026-04-30T17:00"), SegmentKind.WORKING),
        Segment(berlin("2026-04-30T17:00"), berlin("2026-05-01T00:00"), SegmentKind.CLOSED),
        Segment(berlin("2026-05-01T00:00"), berlin("2026-05-02T00:00"), SegmentKind.HOLIDAY),
        Segment(berlin("2026-05-02T00:00"), berlin("2026-05-04T08:00"), SegmentKind.CLOSED),
        Segment(berlin("2026-05-04T08:00"), berlin("2026-05-04T09:00"), SegmentKind.WORKING),
    ]


def test_a_closed_date_of_the_agreement_counts_as_a_holiday() -> None:
    segments = clock_segments(office(), berlin("2026-12-23T16:00"), berlin("2026-12-24T12:00"))
    assert [s.kind for s in segments] == [
        SegmentKind.WORKING,
        SegmentKind.CLOSED,
        SegmentKind.HOLIDAY,
    ]


def test_a_pause_marks_only_its_working_time_as_paused() -> None:
    pause = (berlin("2026-03-03T11:00"), berlin("2026-03-03T14:00"))
    segments = clock_segments(
        office(), berlin("2026-03-03T10:00"), berlin("2026-03-03T15:00"), [pause]
    )
    assert [(s.kind, s.length // HOUR) for s in segments] == [
        (SegmentKind.WORKING, 1),
        (SegmentKind.PAUSED, 1),
        (SegmentKind.CLOSED, 1),  # lunch: not working time, paused or not
        (SegmentKind.PAUSED, 1),
        (SegmentKind.WORKING, 1),
    ]


def test_an_open_pause_runs_to_the_end_of_the_span() -> None:
    start, end = berlin("2026-03-03T09:00"), berlin("2026-03-03T11:00")
    segments = clock_segments(office(), start, end, [(berlin("2026-03-03T10:00"), NO_INSTANT)])
    assert totals(segments)[SegmentKind.PAUSED] == HOUR


def test_wall_clock_time_is_all_working() -> None:
    start = berlin("2026-05-01T00:00")
    assert clock_segments(AlwaysOpen(), start, start + 3 * DAY) == [
        Segment(start, start + 3 * DAY, SegmentKind.WORKING)
    ]
    assert closed_days(AlwaysOpen(), start, start + 3 * DAY) == []


def test_an_empty_span_has_no_segments() -> None:
    start = berlin("2026-05-04T09:00")
    assert clock_segments(office(), start, start) == []


def test_the_deadline_walks_the_working_time_past_pauses_and_into_the_future() -> None:
    calendar = office()
    start, end = berlin("2026-03-03T16:00"), berlin("2026-03-04T09:00")
    pause = (berlin("2026-03-04T08:00"), berlin("2026-03-04T08:30"))
    segments = clock_segments(calendar, start, end, [pause])
    # 1 h on Tuesday, 30 min on Wednesday before 09:00: 2.5 h left of a 4 h allowance.
    deadline = when_worked(calendar, segments, 4 * HOUR, start=start, end=end)
    assert deadline == berlin("2026-03-04T11:30")
    assert when_worked(calendar, segments, HOUR, start=start, end=end) == berlin("2026-03-03T17:00")
    assert when_worked(calendar, segments, 4 * HOUR, start=start, end=end, beyond_end=False) is None
    assert when_worked(calendar, segments, 0, start=start, end=end) == start


# -- properties ----------------------------------------------------------------------------

# Interval edges on a 15-minute grid, so that a minute is wholly inside or outside.
quarter_hours = st.integers(0, 2 * 96).map(lambda k: k * 900)


@st.composite
def weekdays(draw: st.DrawFn) -> tuple[Interval, ...]:
    points = sorted(set(draw(st.lists(quarter_hours, max_size=4))))
    pairs = zip(points[::2], points[1::2], strict=False)
    return tuple(Interval(start=a, end=b) for a, b in pairs if a < 86_400)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[Calendar | None, int]:
    """Return a calendar (None: wall-clock time) and an instant near a DST change."""
    name = draw(st.sampled_from(sorted(ZONES)))
    (country, subdivision), change_text = ZONES[name]
    change = dt.date.fromisoformat(change_text)
    around = to_us(dt.datetime.combine(change, dt.time(2)).replace(tzinfo=ZoneInfo(name)))
    if draw(st.integers(0, 5)) == 0:
        return None, around
    hours = tuple(draw(weekdays()) for _ in range(7))
    if not any(iv.end > iv.start for day in hours for iv in day):
        hours = ((Interval(start=9 * 3600, end=17 * 3600),), *hours[1:])
    source = None
    if draw(st.booleans()):
        source = HolidaySource(country=country, subdivision=subdivision)
    closed = draw(st.sets(st.integers(-3, 3).map(lambda k: change + dt.timedelta(days=k))))
    spec = Calendar(
        id="random", timezone=name, hours=hours, holidays=source, closed=frozenset(closed)
    )
    return spec, around


def minutes(limit: int) -> st.SearchStrategy[int]:
    return st.integers(0, limit // MINUTE).map(lambda k: k * MINUTE)


@st.composite
def clocks(draw: st.DrawFn, around: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Return a start, an end up to three days later and pauses, all on whole minutes."""
    start = around - (around % MINUTE) + draw(st.integers(-2 * DAY, DAY // 2).map(_minute))
    end = start + draw(minutes(3 * DAY))
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        p = start - HOUR + draw(minutes(end - start + HOUR))
        q = NO_INSTANT if draw(st.integers(0, 3)) == 0 else p + draw(minutes(end - p + HOUR))
        pauses.append((p, q))
    return start, end, pauses


def _minute(offset: int) -> int:
    return offset - offset % MINUTE


def reference_kinds(
    spec: Calendar | None, start: int, end: int, pauses: list[tuple[int, int]]
) -> list[tuple[int, int, SegmentKind]]:
    """Classify [start, end) minute by minute with the slow reference, then join runs."""
    reference = ReferenceCalendar(spec)
    working = reference.intervals(start, end)
    runs: list[tuple[int, int, SegmentKind]] = []
    for m in range(start, end, MINUTE):
        if any(a <= m < b for a, b in working):
            paused = any(p <= m < q for p, q in pauses)
            kind = SegmentKind.PAUSED if paused else SegmentKind.WORKING
        elif spec is not None and reference.is_closed(reference.local_date(m)):
            kind = SegmentKind.HOLIDAY
        else:
            kind = SegmentKind.CLOSED
        if runs and runs[-1][2] is kind:
            runs[-1] = (runs[-1][0], m + MINUTE, kind)
        else:
            runs.append((m, m + MINUTE, kind))
    return runs


def engine_calendar(spec: Calendar | None) -> WorkingTime:
    return AlwaysOpen() if spec is None else WorkingCalendar(spec)


@given(data=st.data(), calendar=calendars())
@PROPERTY
def test_segments_agree_with_the_reference_minute_by_minute(data, calendar) -> None:
    spec, around = calendar
    start, end, pauses = data.draw(clocks(around), label="clock")
    segments = clock_segments(engine_calendar(spec), start, end, pauses)
    assert [(s.start, s.end, s.kind) for s in segments] == reference_kinds(spec, start, end, pauses)


@given(data=st.data(), calendar=calendars())
@PROPERTY
def test_segments_cover_the_span_without_gaps_or_overlaps(data, calendar) -> None:
    spec, around = calendar
    start, end, pauses = data.draw(clocks(around), label="clock")
    segments = clock_segments(engine_calendar(spec), start, end, pauses)
    if end == start:
        assert segments == []
        return
    assert segments[0].start == start
    assert segments[-1].end == end
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start
        assert before.kind is not after.kind
    assert all(s.length > 0 for s in segments)


allowances = st.one_of(
    st.builds(
        Duration,
        unit=st.just(DurationUnit.WORKING),
        amount=st.one_of(st.just(0), st.integers(1, 20 * 3600)),
        text=st.just("h"),
    ),
    st.builds(
        Duration,
        unit=st.just(DurationUnit.BUSINESS_DAYS),
        amount=st.integers(0, 3),
        text=st.just("bd"),
    ),
    st.builds(
        Duration,
        unit=st.just(DurationUnit.WALL),
        amount=st.integers(0, 72 * 3600),
        text=st.just("w"),
    ),
)


@given(data=st.data(), calendar=calendars(), within=allowances)
@PROPERTY
def test_segment_totals_and_the_walk_agree_with_the_clock(data, calendar, within) -> None:
    spec, around = calendar
    if spec is None and within.unit is DurationUnit.BUSINESS_DAYS:
        within = Duration(unit=DurationUnit.WORKING, amount=8 * 3600, text="8h")
    start, end, pauses = data.draw(clocks(around), label="clock")
    stopped = data.draw(st.booleans(), label="stopped")
    as_of = end if not stopped else end + data.draw(minutes(DAY), label="later")
    warn = data.draw(st.sampled_from([None, 0.5, 0.75]), label="warn")
    measured = engine_calendar(spec)
    clock = compute_clocks(
        ClockInput(
            start=np.array([start], dtype=np.int64),
            stop=np.array([end if stopped else NO_INSTANT], dtype=np.int64),
            pause_item=np.zeros(len(pauses), dtype=np.int64),
            pause_start=np.array([p for p, _ in pauses], dtype=np.int64),
            pause_end=np.array([q for _, q in pauses], dtype=np.int64),
        ),
        as_of=as_of,
        within=within,
        calendar=measured,
        warn=warn,
    )
    # The clock measures an allowance of real time on the wall clock, whatever the calendar.
    if within.unit is DurationUnit.WALL:
        measured = AlwaysOpen()
    segments = clock_segments(measured, start, end, pauses)
    sums = totals(segments)
    assert sums[SegmentKind.WORKING] == int(clock.elapsed[0])
    assert sums[SegmentKind.PAUSED] == int(clock.paused[0])
    allowance = int(clock.allowance[0])
    deadline = int(clock.deadline[0])
    if deadline != NO_INSTANT:
        walked = when_worked(measured, segments, allowance, start=start, end=end)
        assert walked == deadline
    state = ClockState(int(clock.state[0]))
    if warn is not None and state in (ClockState.RUNNING, ClockState.AT_RISK):
        point = when_worked(measured, segments, math.ceil(warn * allowance), start=start, end=end)
        assert point is not None
        assert (point <= end) == (state is ClockState.AT_RISK)
