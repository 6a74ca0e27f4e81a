"""Split one clock's span into working, paused, closed and holiday time, to explain it.

A clock counts only working time outside pauses; a reader sees a start, a stop and a
deadline days apart and wonders why. These segments say where the time went: each instant
of [start, end) is working time (counted), paused working time (not counted), time outside
working hours, or a closed day (a public holiday or a `closed:` date). Working and paused
segments add up to the clock's `elapsed` and `paused` exactly, because they come from the
same calendar table the clock reads. Time outside working hours inside a pause stays
"closed": the clock would not have counted it either way.
"""

from __future__ import annotations

import datetime as dt
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import holidays
import numpy as np

from slawatch.engine.calendar import WorkingCalendar, WorkingTime
from slawatch.engine.instants import from_us, to_us, zone

Span = tuple[int, int]  # [start, end) in µs since the epoch


class SegmentKind(StrEnum):
    WORKING = "working"  # counted by the clock
    PAUSED = "paused"  # working time while the clock was on hold
    CLOSED = "closed"  # outside working hours
    HOLIDAY = "holiday"  # a closed day: a public holiday or a `closed:` date


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    kind: SegmentKind

    @property
    def length(self) -> int:
        return self.end - self.start


def merged(spans: Iterable[Span]) -> list[Span]:
    """Return the union of half-open spans as sorted, disjoint, non-touching spans."""
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def closed_days(calendar: WorkingTime, start: int, end: int) -> list[Span]:
    """Return the UTC spans of the calendar's closed local dates that touch [start, end).

    A wall-clock calendar (no `calendar:`) is never closed. A closed date spans from its
    local midnight to the next, placed like the calendar places wall times (fold=0).
    """
    if end <= start or not isinstance(calendar, WorkingCalendar):
        return []
    spec = calendar.spec
    place = zone(spec.timezone)
    first = from_us(start, place).date() - dt.timedelta(days=1)
    last = from_us(end, place).date() + dt.timedelta(days=1)
    closed = {day for day in spec.closed if first <= day <= last}
    if spec.holidays is not None:
        found = holidays.country_holidays(
            spec.holidays.country,
            subdiv=spec.holidays.subdivision,
            years=list(range(first.year, last.year + 1)),
            categories=spec.holidays.categories,
        )
        closed.update(day for day in found if first <= day <= last)

    def midnight(day: dt.date) -> int:
        return to_us(dt.datetime.combine(day, dt.time()).replace(tzinfo=place))

    return merged((midnight(day), midnight(day + dt.timedelta(days=1))) for day in closed)


def _inside(spans: Sequence[Span], starts: Sequence[int], t: int) -> bool:
    i = bisect_right(starts, t) - 1
    return i >= 0 and t < spans[i][1]


def clock_segments(
    calendar: WorkingTime, start: int, end: int, pauses: Iterable[Span] = ()
) -> list[Segment]:
    """Return segments covering [start, end) exactly, adjacent ones of a kind joined.

    `calendar` is the one the clock measured with (wall-clock time for an allowance in
    hours of real time); `pauses` may overlap, reach outside the span or be open (end
    NO_INSTANT): they are clipped to it.
    """
    if end <= start:
        return []
    working = calendar.intervals_between(start, end)
    paused = merged((max(p, start), min(q, end)) for p, q in pauses)
    closed = [(max(a, start), min(b, end)) for a, b in closed_days(calendar, start, end)]
    closed = [(a, b) for a, b in closed if b > a]
    edges = sorted(
        {start, end} | {t for spans in (working, paused, closed) for span in spans for t in span}
    )
    working_starts = [a for a, _ in working]
    paused_starts = [a for a, _ in paused]
    closed_starts = [a for a, _ in closed]
    segments: list[Segment] = []
    for a, b in itertools.pairwise(edges):
        if a < start or b > end:
            continue
        if _inside(working, working_starts, a):
            paused_here = _inside(paused, paused_starts, a)
            kind = SegmentKind.PAUSED if paused_here else SegmentKind.WORKING
        elif _inside(closed, closed_starts, a):
            kind = SegmentKind.HOLIDAY
        else:
            kind = SegmentKind.CLOSED
        if segments and segments[-1].kind is kind:
            segments[-1] = Segment(segments[-1].start, b, kind)
        else:
            segments.append(Segment(a, b, kind))
    return segments


def totals(segments: Iterable[Segment]) -> dict[SegmentKind, int]:
    """Return the µs of each kind, every kind present (0 when absent)."""
    out = dict.fromkeys(SegmentKind, 0)
    for segment in segments:
        out[segment.kind] += segment.length
    return out


def when_worked(
    calendar: WorkingTime,
    segments: Sequence[Segment],
    amount: int,
    *,
    start: int,
    end: int,
    beyond_end: bool = True,
) -> int | None:
    """Return the instant at which `amount` µs of unpaused working time since `start` passed.

    That is the clock's deadline for the allowance, or its warning point for a share of it.
    Past `end` the calendar goes on without pauses (what the clock assumes for a running
    item); with `beyond_end` False an amount not reached by `end` gives None, as for a clock
    suspended by an open pause. A zero amount is due at the start, like a zero allowance.
    """
    if amount <= 0:
        return start
    used = 0
    for segment in segments:
        if segment.kind is not SegmentKind.WORKING:
            continue
        if used + segment.length >= amount:
            return segment.start + (amount - used)
        used += segment.length
    if not beyond_end:
        return None
    cumulative = calendar.cumulative(np.array([end], dtype=np.int64))
    return int(calendar.instant_at(cumulative + (amount - used))[0])
