"""A minute-by-minute model of docs/semantics.md "Availability, MTTR, MTTF", to test against.

Every input instant lies on a whole minute, so each minute [t, t + 1 min) is wholly down or up,
wholly working or not and wholly in maintenance or not: counting minutes is exact. Nothing here
merges intervals or clips spans, the two things the kernel does with numpy; a service's state
is walked one minute at a time, as a status board would show it:
- an `up` ends the outage in progress (an `up` with none in progress changes nothing);
- a `down` starts an outage unless one is in progress (then the two overlap and merge);
- at one instant the `up` comes first, so a recovery and a new failure in the same minute are
  two outages that touch, as the docs' "next up *after* the down" says.
Working time comes from `reference.ReferenceCalendar`, which test_clock_properties proves
against the kernel's calendar; which minutes count is decided here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from slawatch.agreements.model import Calendar
from slawatch.engine.instants import US
from tests.engine.reference import ReferenceCalendar

MINUTE = 60 * US
Event = tuple[str, str, int]  # item, type, instant in µs


@dataclass(frozen=True)
class RefOutage:
    begin: int
    finish: int | None  # None while the service is still down at the as-of instant


@dataclass(frozen=True)
class RefFigures:
    """One period's availability figures, in µs like `AvailabilityFigures`."""

    services: int
    eligible_us: int
    downtime_us: int
    failures: int
    mttr_us: int | None
    mttf_us: int | None
    error_budget_us: Fraction

    @property
    def availability(self) -> Fraction | None:
        if self.eligible_us == 0:
            return None
        return Fraction(self.eligible_us - self.downtime_us, self.eligible_us)

    @property
    def mtbf_us(self) -> int | None:
        if self.mttr_us is None or self.mttf_us is None:
            return None
        return self.mttr_us + self.mttf_us

    @property
    def error_budget_remaining(self) -> Fraction | None:
        if self.error_budget_us <= 0:
            return None
        return 1 - self.downtime_us / self.error_budget_us


def on_the_minute(*instants: int) -> None:
    for t in instants:
        assert t % MINUTE == 0, f"{t} is not on a whole minute; the reference would be inexact"


class Timeline:
    """The minutes from `first` to `last`: which are working time, which are maintenance."""

    def __init__(
        self, first: int, last: int, calendar: Calendar | None, maintenance: list[tuple[int, int]]
    ) -> None:
        on_the_minute(first, last)
        self.minutes = range(first, last, MINUTE)
        self.working: set[int] = set()
        for a, b in ReferenceCalendar(calendar).intervals(first, last):
            on_the_minute(a, b)
            self.working.update(range(max(a, first), min(b, last), MINUTE))
        self.maintenance: set[int] = set()
        for a, b in maintenance:
            on_the_minute(a, b)
            self.maintenance.update(range(a, b, MINUTE))

    def eligible(self, t: int) -> bool:
        return t in self.working and t not in self.maintenance

    def working_minutes(self, a: int, b: int) -> int:
        """Return the working time in [a, b); maintenance does not shorten it."""
        return sum(t in self.working for t in range(a, b, MINUTE)) * MINUTE


@dataclass(frozen=True)
class Service:
    down_minutes: frozenset[int]
    outages: tuple[RefOutage, ...]


def walk(events: list[Event], timeline: Timeline, *, down: str, up: str) -> Service:
    """Return one service's down minutes and outages, from its own events."""
    types_at: dict[int, set[str]] = defaultdict(set)
    for _, kind, at in events:
        types_at[at].add(kind)
    down_minutes: set[int] = set()
    outages: list[RefOutage] = []
    begin: int | None = None  # of the outage in progress
    for t in timeline.minutes:
        if begin is not None and up in types_at.get(t, ()):
            outages.append(RefOutage(begin, t))
            begin = None
        if begin is None and down in types_at.get(t, ()):
            begin = t
        if begin is not None:
            down_minutes.add(t)
    if begin is not None:
        outages.append(RefOutage(begin, None))
    return Service(frozenset(down_minutes), tuple(outages))


class AvailabilityReference:
    """The docs' figures for one set of events as of one instant, over any period in `span`."""

    def __init__(
        self,
        events: list[Event],
        *,
        services: list[str],
        down: str,
        up: str,
        as_of: int,
        measured_from: int,
        calendar: Calendar | None,
        maintenance: list[tuple[int, int]],
        target: Fraction,
        span: tuple[int, int],
    ) -> None:
        existing = [e for e in events if e[2] <= as_of]  # later events do not exist
        on_the_minute(as_of, measured_from, *(e[2] for e in existing))
        first = min([span[0], measured_from, *(e[2] for e in existing)])
        self.timeline = Timeline(first, max(span[1], as_of) + MINUTE, calendar, maintenance)
        self.services = [
            walk([e for e in existing if e[0] == name], self.timeline, down=down, up=up)
            for name in services
        ]
        self.as_of = as_of
        self.measured_from = measured_from
        self.target = target

    def figures(self, period_start: int, period_end: int) -> RefFigures:
        """Return one period's figures, walking every minute of it."""
        on_the_minute(period_start, period_end)
        timeline = self.timeline
        start = max(period_start, self.measured_from)
        until = min(period_end, self.as_of)
        measured = [t for t in range(start, until, MINUTE) if timeline.eligible(t)]
        whole = [t for t in range(start, period_end, MINUTE) if timeline.eligible(t)]
        downtime = failures = 0
        repairs: list[int] = []
        ups: list[int] = []
        for service in self.services:
            downtime += sum(t in service.down_minutes for t in measured) * MINUTE
            for n, outage in enumerate(service.outages):
                if start <= outage.begin < period_end:
                    failures += 1
                    if n > 0:
                        previous = service.outages[n - 1].finish
                        assert previous is not None  # an outage in progress has no successor
                        ups.append(timeline.working_minutes(previous, outage.begin))
                finish = outage.finish
                recovered = finish is not None and start <= finish < period_end
                # Only a failure under the agreement is repaired under it.
                if recovered and outage.begin >= self.measured_from:
                    assert finish is not None
                    repairs.append(timeline.working_minutes(outage.begin, finish))
        services = len(self.services)
        return RefFigures(
            services=services,
            eligible_us=len(measured) * MINUTE * services,
            downtime_us=downtime,
            failures=failures,
            mttr_us=_floor_mean(repairs),
            mttf_us=_floor_mean(ups),
            error_budget_us=(1 - self.target) * len(whole) * MINUTE * services,
        )


def _floor_mean(lengths: list[int]) -> int | None:
    return math.floor(Fraction(sum(lengths), len(lengths))) if lengths else None
