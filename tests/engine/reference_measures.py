"""A slow, obviously-correct model of docs/semantics.md for period results, to test against.

Plain Python on lists of events: no polars, no numpy, no searchsorted. It applies the three
rules the engine once got wrong, each where the docs state it and independently of the engine:
- events after the as-of instant do not exist, and an event exactly at it does;
- a period `[start, end)` is reported once it has begun (`start ≤ as_of`), so the period that
  begins exactly at the as-of instant is there, running, at its first instant;
- nothing that starts before the agreement's `effective` date is measured, even in a first
  period that begins earlier.
Clock states come from `reference.reference_clock`; working time from `ReferenceCalendar`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

from slawatch.agreements.model import Calendar, Duration, PeriodKind
from slawatch.engine.instants import NO_INSTANT, US, to_us
from tests.engine.reference import ReferenceCalendar, Span, measure, merge, reference_clock

Event = tuple[str, str, int]  # item, type, instant in µs


@dataclass(frozen=True)
class RefPeriod:
    label: str
    start: int
    end: int


def midnight(day: dt.date, zone: ZoneInfo) -> int:
    return to_us(dt.datetime.combine(day, dt.time()).replace(tzinfo=zone))


def _next(kind: PeriodKind, first: dt.date) -> dt.date:
    if kind is PeriodKind.DAY:
        return first + dt.timedelta(days=1)
    if kind is PeriodKind.WEEK:
        return first + dt.timedelta(days=7)
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    month = first.month - 1 + months
    return dt.date(first.year + month // 12, month % 12 + 1, 1)


def _first(kind: PeriodKind, day: dt.date) -> dt.date:
    """Walk back one day at a time to the period's first date: slow and plain."""
    while True:
        if kind is PeriodKind.DAY:
            return day
        if kind is PeriodKind.WEEK and day.weekday() == 0:
            return day
        if kind is PeriodKind.MONTH and day.day == 1:
            return day
        if kind is PeriodKind.QUARTER and day.day == 1 and day.month in (1, 4, 7, 10):
            return day
        if kind is PeriodKind.YEAR and (day.month, day.day) == (1, 1):
            return day
        day -= dt.timedelta(days=1)


def periods(kind: PeriodKind, effective: dt.date, as_of: int, zone: ZoneInfo) -> list[RefPeriod]:
    """Return the periods from effective's to as_of's that have begun at as_of."""
    found = []
    first = _first(kind, effective)
    while midnight(first, zone) <= as_of:
        after = _next(kind, first)
        found.append(RefPeriod(first.isoformat(), midnight(first, zone), midnight(after, zone)))
        first = after
    return found


class Measures:
    """The docs' rules for one agreement, one event list and one as-of instant."""

    def __init__(
        self, events: list[Event], *, effective: dt.date, as_of: int, zone: ZoneInfo
    ) -> None:
        self.events = [e for e in events if e[2] <= as_of]  # later events do not exist
        self.as_of = as_of
        self.measured_from = midnight(effective, zone)

    def first(self, event_type: str) -> dict[str, int]:
        firsts: dict[str, int] = {}
        for item, kind, at in self.events:
            if kind == event_type and (item not in firsts or at < firsts[item]):
                firsts[item] = at
        return firsts

    def measured_in(self, at: int, period: RefPeriod) -> bool:
        return period.start <= at < period.end and at >= self.measured_from

    def count(self, event_type: str, period: RefPeriod) -> int:
        return sum(self.measured_in(at, period) for at in self.first(event_type).values())

    def ratio(self, count: str, of: str, period: RefPeriod) -> tuple[int, int]:
        counted = {item for item, kind, _ in self.events if kind == count}
        denominator = [i for i, at in self.first(of).items() if self.measured_in(at, period)]
        return sum(i in counted for i in denominator), len(denominator)

    def clock_states(
        self, start: str, stop: str, period: RefPeriod, *, within: Duration, warn: float | None
    ) -> dict[str, int]:
        states = dict.fromkeys(("met", "breached", "paused", "at_risk", "running"), 0)
        for item, began in self.first(start).items():
            if not self.measured_in(began, period):
                continue
            stops = [at for i, k, at in self.events if i == item and k == stop and at >= began]
            clock = reference_clock(
                ReferenceCalendar(None),
                began,
                min(stops, default=NO_INSTANT),
                [],
                as_of=self.as_of,
                within=within,
                warn=warn,
            )
            states[clock.state] += 1
        return states


@dataclass(frozen=True)
class RefAvailability:
    eligible: int  # µs, summed over services
    downtime: int
    failures: int
    mttr: int | None  # whole seconds, rounded down
    mttf: int | None
    budget: int  # whole seconds, rounded down


def outages(events: list[Event], down: str, up: str) -> dict[str, list[tuple[int, int]]]:
    """Return each service's merged outages; an open one finishes at NO_INSTANT."""
    found: dict[str, list[tuple[int, int]]] = {}
    for item in sorted({i for i, k, _ in events if k in (down, up)}):
        ups = sorted(at for i, k, at in events if i == item and k == up)
        spans = []
        for begin in sorted(at for i, k, at in events if i == item and k == down):
            spans.append((begin, min((u for u in ups if u > begin), default=NO_INSTANT)))
        merged: list[tuple[int, int]] = []
        for begin, finish in spans:  # sorted by begin; touching outages stay two
            if merged and begin < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
            else:
                merged.append((begin, finish))
        found[item] = merged
    return found


def availability(
    m: Measures,
    period: RefPeriod,
    *,
    down: str,
    up: str,
    target: Fraction,
    calendar: Calendar | None,
    maintenance: list[Span],
) -> RefAvailability:
    """Return the docs' availability figures of one period."""
    cal = ReferenceCalendar(calendar)
    windows = merge(maintenance)

    def working(a: int, b: int) -> int:
        return cal.working_time(a, b) if b > a else 0

    def eligible(a: int, b: int) -> int:
        if b <= a:
            return 0
        inside = cal.intervals(a, b)
        return measure(inside, a, b) - sum(
            measure(inside, max(x, a), min(y, b)) for x, y in windows if min(y, b) > max(x, a)
        )

    services = outages(m.events, down, up)
    start = max(period.start, m.measured_from)
    until = min(period.end, m.as_of)
    downtime = failures = 0
    repairs: list[int] = []
    ups: list[int] = []
    for spans in services.values():
        for n, (begin, finish) in enumerate(spans):
            downtime += eligible(max(begin, start), min(finish, m.as_of, until))
            if start <= begin < period.end:
                failures += 1
                if n > 0 and spans[n - 1][1] != NO_INSTANT:
                    ups.append(working(spans[n - 1][1], begin))
            if finish != NO_INSTANT and start <= finish < period.end and begin >= m.measured_from:
                repairs.append(working(begin, finish))

    def mean(lengths: list[int]) -> int | None:
        return math.floor(Fraction(sum(lengths), len(lengths) * US)) if lengths else None

    return RefAvailability(
        eligible=eligible(start, until) * len(services),
        downtime=downtime,
        failures=failures,
        mttr=mean(repairs),
        mttf=mean(ups),
        budget=math.floor((1 - target) * eligible(start, period.end) * len(services) / US),
    )
