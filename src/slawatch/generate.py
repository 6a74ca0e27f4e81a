"""Realistic synthetic events for any agreement, derived from its objectives.

Objectives are grouped into flows, one per item kind (`where: {kind: …}`, else guessed from the
event names). Each flow is a small funnel: an arrival, then every event of the flow placed after
its parent event with a share and a log-normal delay. Clock stops land around a seventh of the
allowance (in working time when the clock has a calendar), so most items meet their objective
and a few miss it; ratio counts follow the target rate; services fail and recover at a rate that
spends most, not all, of the availability budget. Everything is vectorised over items with one
seeded numpy Generator, so a seed always gives the same file.

Times are built as local wall-clock seconds in the agreement's zone (a DST shift is an hour of
noise in synthetic data) and only turned into instants with offsets at the end.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from slawatch.agreements.model import (
    Agreement,
    AttributeTest,
    AvailabilityObjective,
    Calendar,
    ClockObjective,
    Comparison,
    CountObjective,
    DurationUnit,
    Objective,
    RatioObjective,
)

COLUMNS = ("item", "type", "at", "kind")
NONE = np.int64(-(2**62))  # "this item has no such event"
MINUTE, HOUR, DAY = 60, 3600, 86_400
WEEK_MINUTES = 7 * 1440
MONDAY = 4 * DAY  # 1970-01-05, a Monday, in local seconds

LEAD_EVENTS = frozenset(
    {"created", "qualified", "handed_over", "contacted", "on_hold", "off_hold", "accepted",
     "rejected", "converted"}
)  # fmt: skip
PREFIXES = {"lead": "L-", "request": "R-", "service": "S-", "ticket": "T-"}
# A sales funnel's known steps: share given the parent event, median delay, sigma.
KNOWN_STEPS: dict[str, tuple[float, float, float]] = {
    "qualified": (0.78, 20 * HOUR, 1.0),
    "handed_over": (0.95, 3 * HOUR, 0.8),
}
KNOWN_PARENTS = {"converted": "accepted"}  # a conversion follows an acceptance
OUTCOME_DELAYS = {"accepted": (DAY, 1.0), "rejected": (DAY, 1.0), "converted": (21 * DAY, 0.6)}
SNAPPED = frozenset({"handed_over", "request_opened"})  # happen in office hours
DEFAULT_ATTRIBUTES: dict[str, dict[str, tuple[tuple[str, ...], tuple[float, ...]]]] = {
    "lead": {
        "source": (("web", "event", "referral", "ads"), (0.45, 0.15, 0.15, 0.25)),
        "region": (("north", "south", "east", "west"), (0.3, 0.25, 0.25, 0.2)),
    },
    "request": {
        "priority": (("low", "normal", "high", "urgent"), (0.3, 0.45, 0.2, 0.05)),
        "request_type": (
            ("access", "payroll", "onboarding", "equipment", "other"),
            (0.3, 0.2, 0.2, 0.2, 0.1),
        ),
    },
    "ticket": {"priority": (("P1", "P2", "P3", "P4"), (0.05, 0.2, 0.45, 0.3))},
    "service": {"tier": (("critical", "standard"), (0.5, 0.5))},
}
KNOWN_VALUE_WEIGHTS = {"P1": 0.05, "P2": 0.2, "P3": 0.45, "P4": 0.3, "urgent": 0.05}
RESERVED = frozenset({"item", "type", "at", "kind"})  # cannot be attribute columns of a file


# --- working time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Week:
    """Working minutes of a week (Monday first), to place local times in working time."""

    cumulative: np.ndarray  # length WEEK_MINUTES + 1: working minutes before minute i

    @classmethod
    def of(cls, calendar: Calendar | None) -> _Week:
        """Return the week of a calendar (holidays ignored); office hours when there is none."""
        if calendar is None:
            days = [[(8 * HOUR, 17 * HOUR)]] * 5 + [[], []]
        else:
            days = [[(i.start, i.end) for i in day] for day in calendar.hours]
        working = np.zeros(WEEK_MINUTES, dtype=bool)
        for weekday, intervals in enumerate(days):
            for start, end in intervals:
                minutes = np.arange(start // 60, end // 60) + weekday * 1440
                working[minutes % WEEK_MINUTES] = True
        if not working.any():
            return cls.of(None)
        return cls(np.concatenate([[0], np.cumsum(working)]).astype(np.int64))

    @property
    def total(self) -> int:
        return int(self.cumulative[-1])

    @property
    def seconds_per_business_day(self) -> float:
        days = np.diff(self.cumulative[::1440]) > 0
        return self.total * 60 / max(1, int(days.sum()))

    def coordinate(self, local: np.ndarray) -> np.ndarray:
        """Working seconds since the reference Monday; outside working time, the next opening."""
        minutes, seconds = np.divmod(local - MONDAY, 60)
        weeks, position = np.divmod(minutes, WEEK_MINUTES)
        before = self.cumulative[position]
        working = self.cumulative[position + 1] > before
        moment = (weeks * self.total + before) * 60 + np.where(working, seconds, 0)
        return np.asarray(moment, np.int64)

    def instant(self, coordinate: np.ndarray) -> np.ndarray:
        minutes, seconds = np.divmod(coordinate, 60)
        weeks, rest = np.divmod(minutes, self.total)
        position = np.searchsorted(self.cumulative, rest, side="right") - 1
        return np.asarray(MONDAY + (weeks * WEEK_MINUTES + position) * 60 + seconds, np.int64)

    def add(self, local: np.ndarray, working_seconds: np.ndarray | int) -> np.ndarray:
        return self.instant(self.coordinate(local) + working_seconds)


def _week(agreement: Agreement, name: str | None) -> _Week:
    return _Week.of(agreement.calendars.get(name) if name else None)


# --- flows -----------------------------------------------------------------------------------


@dataclass
class _Flow:
    kind: str
    objectives: list[Objective] = field(default_factory=list)

    @property
    def events(self) -> list[str]:
        names: list[str] = []
        for objective in self.objectives:
            for name in _events_of(objective):
                if name not in names:
                    names.append(name)
        return names

    @property
    def is_service(self) -> bool:
        return any(isinstance(o, AvailabilityObjective) for o in self.objectives)


def _events_of(objective: Objective) -> list[str]:
    match objective:
        case CountObjective():
            return [objective.count]
        case ClockObjective():
            spec = objective.clock
            return [e for e in (spec.start, spec.stop, spec.pause, spec.resume) if e]
        case RatioObjective():
            return [objective.of, objective.count]
        case AvailabilityObjective():
            return [objective.down, objective.up]


def _explicit_kind(objective: Objective) -> str | None:
    for test in objective.where:
        if test.attribute == "kind" and test.equals:
            return test.equals[0]
    return None


def _guessed_kind(objectives: list[Objective]) -> str:
    names = {name for o in objectives for name in _events_of(o)}
    if any(isinstance(o, AvailabilityObjective) for o in objectives):
        return "service"
    if names & LEAD_EVENTS:
        return "lead"
    if any("ticket" in name for name in names):
        return "ticket"
    if any("request" in name for name in names):
        return "request"
    return "request" if any(isinstance(o, ClockObjective) for o in objectives) else "lead"


def _flows(agreement: Agreement) -> list[_Flow]:
    """Group objectives by item kind; objectives without a kind join one sharing their events."""
    objectives = list(agreement.objectives.values())
    kinds = {o.id: _explicit_kind(o) for o in objectives}
    changed = True
    while changed:  # spread explicit kinds along shared event names
        changed = False
        for o in objectives:
            if kinds[o.id] is not None:
                continue
            for other in objectives:
                shared = set(_events_of(o)) & set(_events_of(other))
                if kinds[other.id] is not None and shared:
                    kinds[o.id] = kinds[other.id]
                    changed = True
                    break
    flows: dict[str, _Flow] = {}
    for o in objectives:
        kind = kinds[o.id] or _guessed_kind([o])
        flows.setdefault(kind, _Flow(kind)).objectives.append(o)
    return list(flows.values())


def _allocate(flows: list[_Flow], items: int) -> list[int]:
    """Split the items: a few services per availability flow, the rest weighted (leads first)."""
    services = [min(3, items) if f.is_service else 0 for f in flows]
    rest = max(0, items - sum(services))
    weights = np.array([0 if f.is_service else (8 if f.kind == "lead" else 1) for f in flows])
    if weights.sum() == 0:
        return services
    shares = np.floor(rest * weights / weights.sum()).astype(int)
    shares[int(np.argmax(weights))] += rest - int(shares.sum())
    return [s + int(x) for s, x in zip(services, shares, strict=True)]


# --- attributes ------------------------------------------------------------------------------


def _attributes(flow: _Flow, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Default attributes of the kind, and every attribute a `where:` names, matching mostly."""
    tests: dict[str, list[AttributeTest]] = {}
    for objective in flow.objectives:
        for test in objective.where:
            if test.attribute not in RESERVED:
                tests.setdefault(test.attribute, []).append(test)
    values: dict[str, np.ndarray] = {}
    for name, (choices, weights) in DEFAULT_ATTRIBUTES.get(flow.kind, {}).items():
        if name not in tests:
            values[name] = rng.choice(np.array(choices), size=n, p=np.array(weights))
    for name, named in tests.items():
        values[name] = _matching(named, DEFAULT_ATTRIBUTES.get(flow.kind, {}).get(name), n, rng)
    return values


def _matching(
    tests: list[AttributeTest],
    default: tuple[tuple[str, ...], tuple[float, ...]] | None,
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    wanted = list(dict.fromkeys(v for t in tests for v in t.equals))
    if wanted:
        weights = np.array([KNOWN_VALUE_WEIGHTS.get(v, 1.0) for v in wanted])
        matched = rng.choice(np.array(wanted), size=n, p=weights / weights.sum())
        others = [v for v in (default[0] if default else ()) if v not in wanted] or ["other"]
        unmatched = rng.choice(np.array(others), size=n)
        return np.where(rng.random(n) < 0.9, matched, unmatched)
    numbers = np.full(n, np.nan)
    for test in tests:  # numeric comparisons: the last one decides, 85 % satisfy it
        if test.compare is None or test.number is None:
            continue
        width = max(10.0, abs(test.number))
        above = test.compare in (Comparison.AT_LEAST, Comparison.MORE_THAN)
        satisfy = rng.random(n) < 0.85
        low = np.where(satisfy == above, test.number, test.number - width)
        numbers = np.floor(low + rng.random(n) * width)
        strict = test.compare in (Comparison.MORE_THAN, Comparison.LESS_THAN)
        numbers = np.where(satisfy & strict & (numbers == test.number), numbers + 1, numbers)
    return np.where(np.isnan(numbers), "", numbers.astype(np.int64).astype(str))


def _matches(
    tests: tuple[AttributeTest, ...], attributes: dict[str, np.ndarray], n: int
) -> np.ndarray:
    mask = np.ones(n, dtype=bool)
    for test in tests:
        column = attributes.get(test.attribute)
        if test.attribute == "kind" or column is None:
            continue
        if test.equals:
            mask &= np.isin(column, np.array(test.equals))
        elif test.compare is not None and test.number is not None:
            numbers = np.where(column == "", "nan", column).astype(float)
            mask &= _compare(numbers, test.compare, test.number)
    return mask


def _compare(numbers: np.ndarray, op: Comparison, target: float) -> np.ndarray:
    match op:
        case Comparison.AT_LEAST:
            return numbers >= target
        case Comparison.AT_MOST:
            return numbers <= target
        case Comparison.MORE_THAN:
            return numbers > target
        case Comparison.LESS_THAN:
            return numbers < target


# --- funnels ---------------------------------------------------------------------------------


@dataclass
class _Funnel:
    """The events of one flow's items, as local seconds per event name (NONE: no such event)."""

    agreement: Agreement
    flow: _Flow
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

    def snap(self, times: np.ndarray, week: _Week) -> np.ndarray:
        """Move instants into working time (to the next opening, at a random second of it)."""
        placed = week.add(times, self.rng.integers(0, 60, self.n))
        return np.where(times != NONE, placed, NONE)


def _plan(flow: _Flow) -> dict[str, str | None]:
    """Return each event's parent event (None: the item's arrival), without cycles."""
    clocks = [o for o in flow.objectives if isinstance(o, ClockObjective)]
    ratios = [o for o in flow.objectives if isinstance(o, RatioObjective)]
    counted = [o.count for o in flow.objectives if isinstance(o, CountObjective)]
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


def _ratio_rate(objective: RatioObjective) -> float:
    """Aim close to the target, on the good side: most periods meet it, some do not."""
    if objective.target.op.higher_is_better:
        return min(0.99, objective.target.value + 0.03)
    return max(0.005, objective.target.value - 0.025)


def _run(funnel: _Funnel) -> None:
    flow = funnel.flow
    parents = _plan(flow)
    clocks = [o for o in flow.objectives if isinstance(o, ClockObjective)]
    ratios = {o.count: o for o in flow.objectives if isinstance(o, RatioObjective)}
    office = _Week.of(None)
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
            week = _week(funnel.agreement, calendars[0]) if calendars else office
            funnel.times[name] = funnel.snap(funnel.times[name], week)
    _order_stops(funnel, clocks)


def _outcome(
    funnel: _Funnel,
    name: str,
    base: np.ndarray,
    *,
    rate: float,
    delay: tuple[float, float],
    ratios: dict[str, RatioObjective],
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


def _stop_times(funnel: _Funnel, start: np.ndarray, clocks: list[ClockObjective]) -> np.ndarray:
    """Stop about a seventh of the allowance after the start, by the clock the item falls under."""
    stop = np.full(funnel.n, NONE)
    # least specific first: an item measured by a narrower clock (priority P1) takes its delay
    for clock in sorted(clocks, key=lambda c: len(c.where)):
        if clock.calendar is not None:
            week = _week(funnel.agreement, clock.calendar)
            allowance = (
                clock.within.amount * week.seconds_per_business_day
                if clock.within.unit is DurationUnit.BUSINESS_DAYS
                else clock.within.amount
            )
            wait = funnel.delay(max(60.0, allowance / 7), 1.0)
            later = week.add(np.where(start != NONE, start, 0), wait)
        else:
            later = start + funnel.delay(max(60.0, clock.within.amount / 7), 1.0)
        mask = _matches(clock.where, funnel.attributes, funnel.n) | (stop == NONE)
        stop = np.where(mask, later, stop)
    return funnel.follow(start, 0.99, np.where(start != NONE, stop - start, 0))


def _pauses(funnel: _Funnel, clocks: list[ClockObjective]) -> None:
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


def _order_stops(funnel: _Funnel, clocks: list[ClockObjective]) -> None:
    """Two stops of one start (answered, resolved) come in the order of their allowances."""
    by_start: dict[str, list[ClockObjective]] = {}
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


def _rough_seconds(clock: ClockObjective) -> float:
    if clock.within.unit is DurationUnit.BUSINESS_DAYS:
        return clock.within.amount * DAY
    return clock.within.amount * (1 if clock.within.unit is DurationUnit.WALL else 4)


# --- services --------------------------------------------------------------------------------


def _outages(
    flow: _Flow, n: int, begin: int, end: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Failures and recoveries as a renewal process spending about 60 % of the downtime budget."""
    times: dict[str, np.ndarray] = {}
    objectives = [o for o in flow.objectives if isinstance(o, AvailabilityObjective)]
    for pair in dict.fromkeys((o.down, o.up) for o in objectives):
        target = max(o.target.value for o in objectives if (o.down, o.up) == pair)
        unavailable = min(0.5, max(1e-6, 0.6 * (1 - min(target, 1.0))))
        median, sigma = 20 * MINUTE, 1.0  # minutes to hours
        repair_mean = median * math.exp(sigma**2 / 2)
        between = repair_mean * (1 - unavailable) / unavailable
        slots = int(min(5000, math.ceil(2 * (end - begin) / (between + repair_mean)) + 5))
        up_time = rng.exponential(between, (n, slots))
        repair = rng.lognormal(math.log(median), sigma, (n, slots))
        down = begin + np.cumsum(up_time + repair, axis=1) - repair
        down, up = down.astype(np.int64), (down + np.maximum(MINUTE, repair)).astype(np.int64)
        items = np.repeat(np.arange(n), slots)
        times[pair[0]] = np.where(down < end, down, NONE).ravel()
        times[pair[1]] = np.where(down < end, up, NONE).ravel()
        times[f"\x00items:{pair[0]}"] = items
        times[f"\x00items:{pair[1]}"] = items
    return times


# --- assembling ------------------------------------------------------------------------------


def generate_events(
    agreement: Agreement,
    *,
    items: int,
    months: int,
    seed: int,
    start: dt.date | None = None,
) -> pl.DataFrame:
    """Return synthetic events: item, type, at (ISO 8601 with offset), kind, attributes."""
    rng = np.random.default_rng(seed)
    first = start or agreement.effective
    begin, end = _local(first), _local(_add_months(first, months))
    flows = _flows(agreement)
    frames = []
    prefixes: set[str] = set()
    for flow, n in zip(flows, _allocate(flows, items), strict=True):
        if n == 0:
            continue
        attributes = _attributes(flow, n, rng)
        if flow.is_service:
            times = _outages(flow, n, begin, end, rng)
        else:
            calendars = [o.calendar for o in flow.objectives if isinstance(o, ClockObjective)]
            week = _week(agreement, next((c for c in calendars if c), None))
            arrival = _arrivals(flow.kind, n, window=(begin, end), week=week, rng=rng)
            funnel = _Funnel(agreement, flow, rng, arrival, attributes)
            _run(funnel)
            times = funnel.times
        prefix = PREFIXES.get(flow.kind, f"{flow.kind[:1].upper()}-")
        prefix = prefix if prefix not in prefixes else f"{flow.kind}-"
        prefixes.add(prefix)
        frames.append(_frame(flow.kind, prefix, n=n, times=times, attributes=attributes, end=end))
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    events = pl.concat(frames, how="diagonal").sort("\x00t", maintain_order=True)
    at = _instants_text(events["\x00t"].to_numpy(), agreement.timezone)
    names = [c for c in events.columns if c not in (*COLUMNS, "\x00t")]
    return events.with_columns(at=at).select(*COLUMNS, *names)


def _local(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days * DAY


def _add_months(date: dt.date, months: int) -> dt.date:
    year, month = divmod(date.month - 1 + months, 12)
    target_year, target_month = date.year + year, month + 1
    day = min(date.day, _calendar.monthrange(target_year, target_month)[1])
    return dt.date(target_year, target_month, day)


def _arrivals(
    kind: str, n: int, *, window: tuple[int, int], week: _Week, rng: np.random.Generator
) -> np.ndarray:
    """Arrivals over the window, mostly in working hours (web forms also come in at night)."""
    begin, end = window
    low, high = week.coordinate(np.array([begin, end], dtype=np.int64))
    working = week.instant(rng.integers(low, high, n))
    anytime = rng.integers(begin, end, n)
    share = 0.7 if kind == "lead" else 0.85
    return np.where(rng.random(n) < share, working, anytime)


def _frame(
    kind: str,
    prefix: str,
    *,
    n: int,
    times: dict[str, np.ndarray],
    attributes: dict[str, np.ndarray],
    end: int,
) -> pl.DataFrame:
    """One row per event that happened before the end; kind and attributes on each item's first.

    An item's first event is the first emitted: a funnel's root, a service's first failure.
    """
    ids = pl.select(
        pl.lit(prefix) + pl.int_range(1, n + 1).cast(pl.String).str.zfill(len(str(n)))
    ).to_series()
    seen = np.zeros(n, dtype=bool)
    parts = []
    for name, all_moments in times.items():
        if name.startswith("\x00"):
            continue
        rows = np.flatnonzero((all_moments != NONE) & (all_moments < end))
        moments = all_moments[rows]
        repeated = f"\x00items:{name}" in times  # a service fails many times
        owners = times[f"\x00items:{name}"][rows] if repeated else rows
        first = ~seen[owners]
        if repeated:
            once = np.zeros(len(owners), dtype=bool)
            once[np.unique(owners, return_index=True)[1]] = True
            first &= once
        seen[owners[first]] = True
        for chosen, described in ((first, True), (~first, False)):
            part = {
                "item": ids.gather(owners[chosen]),
                "type": pl.repeat(name, int(chosen.sum()), eager=True, dtype=pl.String),
                "\x00t": moments[chosen],
            }
            if described:
                part["kind"] = pl.repeat(kind, int(chosen.sum()), eager=True, dtype=pl.String)
                for attribute, values in attributes.items():
                    column = pl.Series(values[owners[chosen]], dtype=pl.String)
                    part[attribute] = pl.select(pl.when(column != "").then(column)).to_series()
            parts.append(pl.DataFrame(part))
    return pl.concat(parts, how="diagonal")


def _instants_text(local: np.ndarray, timezone: str) -> pl.Series:
    """Write local seconds as ISO 8601 with the zone's offset; a time in a DST gap moves on."""
    zone = ZoneInfo(timezone)
    if len(local) == 0:
        return pl.Series("at", [], dtype=pl.String)
    first_hour = int(local.min()) // HOUR
    hours = np.arange(first_hour, int(local.max()) // HOUR + 2)
    offsets, gaps = [], []
    for hour in hours.tolist():
        naive = dt.datetime(1970, 1, 1) + dt.timedelta(hours=hour)
        aware = naive.replace(tzinfo=zone)
        gaps.append(aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive)
        offsets.append(aware.strftime("%z"))
    index = local // HOUR - first_hour
    local = np.where(np.array(gaps)[index], (local // HOUR + 1) * HOUR, local)
    index = local // HOUR - first_hour
    labels, codes = np.unique(np.array(offsets), return_inverse=True)
    texts = [f"{label[:3]}:{label[3:5]}" for label in labels.tolist()]
    offset = pl.Series(texts, dtype=pl.String).gather(pl.Series(codes[index]))
    stamp = pl.Series(local.astype(np.int64) * 1_000_000).cast(pl.Datetime("us"))
    return (stamp.dt.strftime("%Y-%m-%dT%H:%M:%S") + offset).alias("at")


def write_events(frame: pl.DataFrame, path: Path) -> None:
    """Write events as CSV or JSON Lines, chosen by the file's extension."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        frame.write_ndjson(path)
    elif suffix == ".csv":
        frame.write_csv(path)
    else:
        raise ValueError(f"{path}: write events to a .csv, .jsonl or .ndjson file")
