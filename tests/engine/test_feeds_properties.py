"""Silence agrees with a slow reference that steps minute by minute, on random calendars.

The reference follows the sentence of docs/semantics.md "Silent feeds" literally: walk the
minutes from the last event (or the effective midnight), count the working ones, and the feed
is due at the end of the minute where the count reaches the allowance; silent once as-of is
past that. Business days step date by date. Calendars are random (overnight hours, holidays,
closed dates) in zones whose DST changes differ, with instants around the changes.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import (
    Agreement,
    Calendar,
    Duration,
    DurationUnit,
    Expectation,
    HolidaySource,
    Interval,
)
from slawatch.engine.feeds import feed_state, silence_ended
from slawatch.engine.instants import US, to_us
from tests.engine.reference import ReferenceCalendar

MINUTE = 60 * US
ZONES = {
    "Europe/Berlin": (("DE", "BY"), ("2026-03-29", "2026-10-25")),
    "America/New_York": (("US", "NY"), ("2026-03-08", "2026-11-01")),
    "Australia/Lord_Howe": (("AU", "NSW"), ("2026-04-05", "2026-10-04")),
    "America/Santiago": (("CL", None), ("2026-04-05", "2026-09-06")),
}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def weekday(draw: st.DrawFn) -> tuple[Interval, ...]:
    """Intervals on a 30-minute grid; the last may run overnight into the next day."""
    points = sorted(set(draw(st.lists(st.integers(0, 60).map(lambda h: h * 1800), max_size=4))))
    pairs = zip(points[::2], points[1::2], strict=False)
    return tuple(Interval(start=a, end=b) for a, b in pairs if a < 86_400)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Agreement, Expectation, int, int]:
    """Return an agreement with one expectation, a last event and an as-of instant."""
    name = draw(st.sampled_from(sorted(ZONES)))
    (country, subdivision), changes = ZONES[name]
    hours = [draw(weekday()) for _ in range(7)]
    hours[draw(st.integers(0, 6))] = (Interval(start=9 * 3600, end=13 * 3600),)  # some work
    change = dt.date.fromisoformat(draw(st.sampled_from(changes)))
    closed = draw(st.sets(st.integers(-4, 4).map(lambda k: change + dt.timedelta(days=k))))
    source = (
        HolidaySource(country=country, subdivision=subdivision) if draw(st.booleans()) else None
    )
    calendar = Calendar(
        id="office", timezone=name, hours=tuple(hours), holidays=source, closed=frozenset(closed)
    )
    unit = draw(st.sampled_from(list(DurationUnit)))
    amount = (
        draw(st.integers(1, 3))
        if unit is DurationUnit.BUSINESS_DAYS
        else (draw(st.integers(1, 600)) * 60)
    )
    every = Duration(unit=unit, amount=amount, text="random")
    expectation = Expectation(
        event_type="handed_over",
        every=every,
        calendar=None if unit is DurationUnit.WALL else "office",
    )
    zone = ZoneInfo(name)
    around = to_us(dt.datetime.combine(change, dt.time(2)).replace(tzinfo=zone))
    last = around + draw(st.integers(-3 * 1440, 2 * 1440)) * MINUTE
    as_of = last + draw(st.integers(0, 6 * 1440)) * MINUTE
    agreement = Agreement(
        id="feeds",
        title="Feeds",
        timezone=name,
        effective=change - dt.timedelta(days=draw(st.integers(0, 3))),
        parties={},
        objectives={},
        calendars={"office": calendar},
        expect={"handed_over": expectation},
    )
    return agreement, expectation, last, as_of


class MinuteCalendar:
    """Whether each whole minute is working time, from the intervals of the dates around it."""

    def __init__(self, spec: Calendar) -> None:
        self.reference = ReferenceCalendar(spec)
        self.day_intervals = cache(self.reference.day_intervals)

    def is_working(self, minute: int) -> bool:
        day = self.reference.local_date(minute)
        return any(
            a <= minute < b
            for back in range(3)  # an interval opens on its date and may run two days on
            for a, b in self.day_intervals(day - dt.timedelta(days=back))
        )


def reference_due_by(agreement: Agreement, expectation: Expectation, since: int) -> int:
    every = expectation.every
    if every.unit is DurationUnit.WALL:
        return since + every.amount * US
    spec = agreement.calendars["office"]
    if every.unit is DurationUnit.BUSINESS_DAYS:
        return ReferenceCalendar(spec).business_day_deadline(since, every.amount)
    minutes = MinuteCalendar(spec)
    needed = every.amount // 60
    minute = since
    while True:
        if minutes.is_working(minute):
            needed -= 1
            if needed == 0:
                return minute + MINUTE  # the end of the minute that used the allowance up
        minute += MINUTE


@PROPERTY
@given(cases(), st.booleans())
def test_due_by_and_silence_match_the_minute_by_minute_reference(
    case: tuple[Agreement, Expectation, int, int], seen: bool
) -> None:
    agreement, expectation, last, as_of = case
    state = feed_state(agreement, expectation, last if seen else None, max(as_of, last))
    since = (
        last
        if seen
        else to_us(
            dt.datetime.combine(agreement.effective, dt.time()).replace(
                tzinfo=ZoneInfo(agreement.timezone)
            )
        )
    )
    expected = reference_due_by(agreement, expectation, since)
    assert state.counting_from == since
    assert state.due_by == expected
    assert state.silent == (max(as_of, last) > expected)
    assert state.silent_since == (expected if state.silent else None)
    # At the due-by instant itself the feed is not silent yet; a microsecond later it is.
    if expected >= last:
        at_due = last if seen else None
        assert not feed_state(agreement, expectation, at_due, expected).silent
        assert feed_state(agreement, expectation, at_due, expected + 1).silent


@PROPERTY
@given(cases(), st.integers(0, 3 * 1440))
def test_a_feed_stays_silent_until_an_event_and_a_late_event_ends_a_silence(
    case: tuple[Agreement, Expectation, int, int], later_minutes: int
) -> None:
    agreement, expectation, last, as_of = case
    state = feed_state(agreement, expectation, last, as_of)
    later = feed_state(agreement, expectation, last, as_of + later_minutes * MINUTE)
    assert later.due_by == state.due_by
    assert later.silent or not state.silent  # time alone never ends a silence
    # An event arriving at `as_of` ended a silence exactly when the feed was silent before it.
    ended = silence_ended(agreement, "handed_over", last, as_of)
    assert ended == state.silent_since
    assert not feed_state(agreement, expectation, as_of, as_of).silent
