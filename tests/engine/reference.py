"""A slow, obviously-correct model of DESIGN's clock semantics, to test the kernel against.

No numpy, no tables, no cleverness: walk local dates one by one with zoneinfo, list the
working intervals as UTC microseconds, merge them, and answer every question by walking
those lists. Each function follows one sentence of DESIGN "Clock semantics".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import holidays

from slawatch.agreements.model import Calendar, Duration, DurationUnit, HolidaySource, Interval
from slawatch.engine.instants import NO_INSTANT, US, from_us, to_us

Span = tuple[int, int]  # [open, close) in µs since the epoch
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def calendar_spec(
    timezone: str = "Europe/Berlin",
    *,
    days: str = "mon tue wed thu fri",
    hours: str = "08:00-12:00, 13:00-17:00",
    public_holidays: str | None = None,
    categories: tuple[str, ...] | None = None,
    closed: tuple[str, ...] = (),
) -> Calendar:
    """Return a calendar with the same hours on `days`; "22:00-06:00" runs overnight."""
    intervals = []
    for part in hours.split(","):
        a, b = (hhmm(x) for x in part.strip().split("-"))
        intervals.append(Interval(start=a, end=b if b > a else b + 86_400))
    week = tuple(tuple(intervals) if name in days.split() else () for name in WEEKDAYS)
    source = None
    if public_holidays:
        country, _, subdivision = public_holidays.partition("-")
        source = HolidaySource(
            country=country, subdivision=subdivision or None, categories=categories
        )
    return Calendar(
        id="test",
        timezone=timezone,
        hours=week,
        holidays=source,
        closed=frozenset(dt.date.fromisoformat(d) for d in closed),
    )


def merge(spans: list[Span]) -> list[Span]:
    """Return the union of half-open spans as sorted, disjoint, non-touching spans."""
    merged: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def measure(spans: list[Span], a: int, b: int) -> int:
    """Return the length of the part of merged `spans` inside [a, b)."""
    return sum(max(0, min(b, y) - max(a, x)) for x, y in spans)


def subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    """Return merged `spans` minus merged `holes`."""
    result = []
    for a, b in spans:
        pieces = [(a, b)]
        for x, y in holes:
            pieces = [p for c, d in pieces for p in ((c, min(d, x)), (max(c, y), d)) if p[1] > p[0]]
        result.extend(pieces)
    return result


class ReferenceCalendar:
    """Working intervals of a calendar, computed date by date on request."""

    def __init__(self, spec: Calendar | None) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.timezone) if spec else None
        self._holidays: dict[int, set[dt.date]] = {}

    def is_closed(self, day: dt.date) -> bool:
        assert self.spec is not None
        if day in self.spec.closed:
            return True
        source = self.spec.holidays
        if source is None:
            return False
        if day.year not in self._holidays:
            found = holidays.country_holidays(
                source.country,
                subdiv=source.subdivision,
                years=day.year,
                categories=source.categories,
            )
            self._holidays[day.year] = set(found)
        return day in self._holidays[day.year]

    def place(self, day: dt.date, seconds: int) -> int:
        """Return wall time `seconds` after local midnight of `day` in UTC (fold=0)."""
        wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
        return to_us(wall.replace(tzinfo=self.zone))

    def day_intervals(self, day: dt.date) -> list[Span]:
        """Return the non-empty intervals that open on local date `day`."""
        assert self.spec is not None
        if self.is_closed(day):
            return []
        spans = [
            (self.place(day, iv.start), self.place(day, iv.end))
            for iv in self.spec.hours[day.weekday()]
        ]
        return [s for s in spans if s[1] > s[0]]

    def local_date(self, t: int) -> dt.date:
        assert self.zone is not None
        return from_us(t, self.zone).date()

    def intervals(self, a: int, b: int) -> list[Span]:
        """Return the merged working set, exact at least on [a, b)."""
        if self.spec is None:
            return [(a, b)] if b > a else []
        day = self.local_date(a) - dt.timedelta(days=3)
        last = self.local_date(b) + dt.timedelta(days=1)
        spans: list[Span] = []
        while day <= last:
            spans.extend(self.day_intervals(day))
            day += dt.timedelta(days=1)
        return merge(spans)

    def working_time(self, a: int, b: int) -> int:
        return measure(self.intervals(a, b), a, b) if b > a else 0

    def walk(self, start: int, allowance: int, pauses: list[Span]) -> int:
        """Return the earliest x >= start where working time less pause time reaches allowance."""
        if allowance == 0:
            return start
        horizon = start + 14 * 86_400 * US
        while True:
            free = subtract(self.intervals(start, horizon), pauses)
            used = 0
            for a, b in free:
                x = max(a, start)
                if b <= x:
                    continue
                if used + (b - x) >= allowance:
                    found = x + (allowance - used)
                    if found < horizon - 3 * 86_400 * US:
                        return found
                    break
                used += b - x
            horizon = start + 2 * (horizon - start)

    def business_day_deadline(self, start: int, days: int) -> int:
        """Return the close of the last interval on the `days`-th business day after start."""
        if days == 0:
            return start
        day = self.local_date(start)
        while days:
            day += dt.timedelta(days=1)
            if self.day_intervals(day):
                days -= 1
        return max(c for _, c in self.day_intervals(day))


@dataclass(frozen=True)
class ReferenceClock:
    elapsed: int
    paused: int
    deadline: int
    allowance: int
    state: str


def reference_clock(
    cal: ReferenceCalendar,
    start: int,
    stop: int,
    pauses: list[Span],
    *,
    as_of: int,
    within: Duration,
    warn: float | None,
) -> ReferenceClock:
    """Return one item's clock per DESIGN; pause ends of NO_INSTANT are still open."""
    if within.unit is DurationUnit.WALL:
        cal = ReferenceCalendar(None)
    stopped = stop != NO_INSTANT
    end = stop if stopped else as_of
    clipped = merge([(max(p, start), min(q, end)) for p, q in pauses])
    open_starts = [max(p, start) for p, q in pauses if not stopped and q > as_of and p <= as_of]
    working = cal.intervals(start, end)
    pause_work = sum(measure(working, p, q) for p, q in clipped)
    elapsed = cal.working_time(start, end) - pause_work
    if within.unit is DurationUnit.BUSINESS_DAYS:
        nominal = cal.business_day_deadline(start, within.amount)
        allowance = cal.working_time(start, nominal)
    else:
        allowance = within.amount * US
    deadline = cal.walk(start, allowance, clipped)
    if any(p < deadline for p in open_starts):
        deadline = NO_INSTANT
    if stopped:
        state = "met" if stop <= deadline else "breached"
    elif as_of > deadline:
        state = "breached"
    elif open_starts:
        state = "paused"
    elif warn is not None and elapsed >= warn * allowance:
        state = "at_risk"
    else:
        state = "running"
    return ReferenceClock(elapsed, pause_work, deadline, allowance, state)
