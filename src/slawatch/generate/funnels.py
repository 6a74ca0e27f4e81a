"""Funnels: each item's events as a chain, every event placed after its parent event.

An event follows its parent for a share of the items, after a log-normal delay. Clock stops land
around a seventh of the allowance (in working time when the clock has a calendar), so most items
meet their objective and a few miss it; ratio outcomes follow the target rate.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from slawatch.agreements.model import Agreement, DurationUnit
from slawatch.engine.kinds.base import TimedObjective
from slawatch.generate.attributes import matches
from slawatch.generate.flows import Flow, Outcome
from slawatch.generate.local_time import DAY, HOUR, MINUTE, NONE
from slawatch.generate.week import Week, calendar_week

# A sales funnel's known steps: share given the parent event, median delay, sigma.
KNOWN_STEPS: dict[str, tuple[float, float, float]] = {
    "qualified": (0.78, 20 * HOUR, 1.0),
    "handed_over": (0.95, 3 * HOUR, 0.8),
}
KNOWN_PARENTS = {"converted": "accepted"}  # a conversion follows an acceptance
OUTCOME_DELAYS = {"accepted": (DAY, 1.0), "rejected": (DAY, 1.0), "converted": (21 * DAY, 0.6)}
SNAPPED = frozenset({"handed_over", "request_opened"})  # happen in office hours


@dataclass
class Funnel:
    """The events of one flow's items, as local seconds per event name (NONE: no such event)."""

    agreement: Agreement
    flow: Flow
    rng: np.random.Generator
    arrival: np.ndarray
    attributes: dict[str, np.ndarray]
    times: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.arrival)

    def delay(self, median: float, sigma: float) -> np.ndarray:
        return np.maximum(1, self.rng.lognormal(math.log(median), sigma, self.n)).astype(np.int64)

    def follow(self, parent: np.ndarray, share: float, wait: np.ndarray) -> np.ndarray:
        """Return parent + wait for a `share` of the items that have the parent event."""
        chosen = (parent != NONE) & (self.rng.random(self.n) < share)
        return np.where(chosen, parent + wait, NONE)

    def snap(self, times: np.ndarray, week: Week) -> np.ndarray:
        """Move instants into working time (to the next opening, at a random second of it)."""
        placed = week.add(times, self.rng.integers(0, 60, self.n))
        return np.where(times != NONE, placed, NONE)


def _plan(flow: Flow) -> dict[str, str | None]:
    """Return each event's parent event (None: the item's arrival), without cycles."""
    clocks, ratios, counted = flow.clocks, flow.outcomes, flow.counted
    parents: dict[str, str | None] = {}
    if flow.kind == "lead":
        parents["created"] = None
    for clock in clocks:
        parents.setdefault(clock.clock.stop, clock.clock.start)
    events = set(flow.events)
    for ratio in ratios:
        known = KNOWN_PARENTS.get(ratio.count)
        stops = [c.clock.stop for c in clocks if c.clock.start == ratio.of]
        parent = known if known in events else (stops[0] if stops else ratio.of)
        parents.setdefault(ratio.count, parent)
    anchor = "created" if "created" in parents else None
    for name in counted:
        parents.setdefault(name, anchor)
    for name in [c.clock.start for c in clocks] + [r.of for r in ratios]:
        earlier = [c for c in counted if c != name]
        parents.setdefault(name, earlier[0] if earlier else anchor)
    for name in list(parents):  # break cycles by hanging the event on the arrival
        seen, current = {name}, parents[name]
        while current is not None:
            if current in seen:
                parents[name] = anchor if anchor != name else None
                break
            seen.add(current)
            current = parents.get(current)
    return parents


def _order(parents: dict[str, str | None]) -> list[str]:
    ordered: list[str] = []

    def visit(name: str) -> None:
        parent = parents.get(name)
        if parent is not None and parent not in ordered:
            visit(parent)
        if name not in ordered:
            ordered.append(name)

    for name in parents:
        visit(name)
    return ordered


def _ratio_rate(objective: Outcome) -> float:
    """Aim close to the target, on the good side: most periods meet it, some do not."""
    if objective.target.op.higher_is_better:
        return min(0.99, objective.target.value + 0.03)
    return max(0.005, objective.target.value - 0.025)


def place_events(funnel: Funnel) -> None:
    """Fill `funnel.times` with every event of the flow, parents before children."""
    flow = funnel.flow
    parents = _plan(flow)
    clocks = flow.clocks
    ratios = {o.count: o for o in flow.outcomes}
    office = Week.of(None)
    roots = 0
    for name in _order(parents):
        parent = parents[name]
        base = funnel.arrival if parent is None else funnel.times[parent]
        stops = [c for c in clocks if c.clock.stop == name and c.clock.start == parent]
        if stops:
            funnel.times[name] = _stop_times(funnel, base, stops)
            _pauses(funnel, stops)
        elif name in ratios:
            of = ratios[name]
            rate = _ratio_rate(of)
            if parent in ratios and parent != of.of:  # converted after accepted
                rate = min(1.0, rate / _ratio_rate(ratios[parent]))
            delay = OUTCOME_DELAYS.get(name, (4 * HOUR, 1.2))
            funnel.times[name] = _outcome(funnel, name, base, rate=rate, delay=delay, ratios=ratios)
        elif parent is None:
            first_root = roots == 0
            share = 1.0 if first_root else 0.6
            wait = np.zeros(funnel.n, np.int64) if first_root else funnel.delay(DAY, 1.0)
            roots += 1
            funnel.times[name] = funnel.follow(base, share, wait)
        else:
            share, median, sigma = KNOWN_STEPS.get(name, (0.9, 4 * HOUR, 1.0))
            funnel.times[name] = funnel.follow(base, share, funnel.delay(median, sigma))
        starts = [c for c in clocks if c.clock.start == name]
        if name in SNAPPED or any(c.calendar for c in starts):
            calendars = [c.calendar for c in starts if c.calendar]
            week = calendar_week(funnel.agreement, calendars[0]) if calendars else office
            funnel.times[name] = funnel.snap(funnel.times[name], week)
    _order_stops(funnel, clocks)


def _outcome(
    funnel: Funnel,
    name: str,
    base: np.ndarray,
    *,
    rate: float,
    delay: tuple[float, float],
    ratios: dict[str, Outcome],
) -> np.ndarray:
    """Draw ratio outcomes; outcomes of the same `of` that fit in 100 % exclude each other."""
    of = ratios[name].of
    rivals = [c for c, r in ratios.items() if r.of == of and c not in KNOWN_PARENTS]
    rates = [_ratio_rate(ratios[c]) for c in rivals]
    if name in rivals and len(rivals) > 1 and sum(rates) <= 1:
        key = f"\x00outcome:{of}"
        if key not in funnel.times:  # one categorical draw shared by the rivals
            funnel.times[key] = funnel.rng.choice(
                len(rivals) + 1, size=funnel.n, p=[*rates, 1 - sum(rates)]
            )
        chosen = (funnel.times[key] == rivals.index(name)) & (base != NONE)
        return np.where(chosen, base + funnel.delay(*delay), NONE)
    return funnel.follow(base, rate, funnel.delay(*delay))


def _stop_times(funnel: Funnel, start: np.ndarray, clocks: list[TimedObjective]) -> np.ndarray:
    """Stop about a seventh of the allowance after the start, by the clock the item falls under."""
    stop = np.full(funnel.n, NONE)
    # least specific first: an item measured by a narrower clock (priority P1) takes its delay
    for clock in sorted(clocks, key=lambda c: len(c.where)):
        if clock.calendar is not None:
            week = calendar_week(funnel.agreement, clock.calendar)
            allowance = (
                clock.within.amount * week.seconds_per_business_day
                if clock.within.unit is DurationUnit.BUSINESS_DAYS
                else clock.within.amount
            )
            wait = funnel.delay(max(60.0, allowance / 7), 1.0)
            later = week.add(np.where(start != NONE, start, 0), wait)
        else:
            later = start + funnel.delay(max(60.0, clock.within.amount / 7), 1.0)
        mask = matches(clock.where, funnel.attributes, funnel.n) | (stop == NONE)
        stop = np.where(mask, later, stop)
    return funnel.follow(start, 0.99, np.where(start != NONE, stop - start, 0))


def _pauses(funnel: Funnel, clocks: list[TimedObjective]) -> None:
    """Pause a few running clocks; the stop moves by the pause, or never comes without a resume."""
    spec = next((c.clock for c in clocks if c.clock.pause and c.clock.resume), None)
    if spec is None or spec.pause is None or spec.resume is None or spec.pause in funnel.times:
        return
    start, stop = funnel.times[spec.start], funnel.times[spec.stop]
    span = np.where(stop != NONE, stop - start, 8 * HOUR)
    paused = funnel.follow(
        start, 0.08, (span * funnel.rng.uniform(0.1, 0.9, funnel.n)).astype(np.int64)
    )
    length = funnel.delay(3 * HOUR, 0.8)
    resumed = funnel.follow(paused, 0.9, length)
    moved = np.where(resumed != NONE, stop + length, NONE)
    funnel.times[spec.stop] = np.where((paused != NONE) & (stop != NONE), moved, stop)
    funnel.times[spec.pause] = paused
    funnel.times[spec.resume] = resumed


def _order_stops(funnel: Funnel, clocks: list[TimedObjective]) -> None:
    """Two stops of one start (answered, resolved) come in the order of their allowances."""
    by_start: dict[str, list[TimedObjective]] = {}
    for clock in clocks:
        by_start.setdefault(clock.clock.start, []).append(clock)
    for group in by_start.values():
        stops = sorted({c.clock.stop: _rough_seconds(c) for c in group}.items(), key=lambda x: x[1])
        start = funnel.times[group[0].clock.start]
        for (first, _), (second, _) in itertools.pairwise(stops):
            # the earlier promise gives way: an answer comes at the latest with the resolution
            a, b = funnel.times[first], funnel.times[second]
            both = (a != NONE) & (b != NONE)
            funnel.times[first] = np.where(
                both, np.minimum(a, np.maximum(start + 1, b - MINUTE)), a
            )


def _rough_seconds(clock: TimedObjective) -> float:
    if clock.within.unit is DurationUnit.BUSINESS_DAYS:
        return clock.within.amount * DAY
    return clock.within.amount * (1 if clock.within.unit is DurationUnit.WALL else 4)
