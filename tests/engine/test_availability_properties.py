"""Availability figures agree with a minute-by-minute reference, on random outages.

Several services fail and recover at random, with repeated `down`s, `up`s without a `down`,
outages that overlap, touch, cross period boundaries and run past the as-of instant, under
maintenance windows and calendars with hours, public holidays and closed dates, in zones with
1 h and 30 min DST changes. Instants cluster on the edges where the kernel clips: period
boundaries, `effective`, the as-of instant, maintenance edges and the DST changeover. Every
instant is on a whole minute, so the reference (tests/engine/reference_availability.py) counts
minutes exactly; the kernel is read through `evaluate`, as the CLI and the pages read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import (
    AttributeTest,
    Calendar,
    Interval,
    MaintenanceWindow,
    PeriodKind,
)
from slawatch.engine.events import EventTable
from slawatch.engine.instants import US, from_us
from slawatch.engine.kinds.availability import AvailabilityObjective
from slawatch.engine.objectives import evaluate
from slawatch.engine.periods import Period
from slawatch.engine.results import ObjectiveResult
from tests.engine.builders import agreement, target
from tests.engine.reference import calendar_spec
from tests.engine.reference_availability import MINUTE, AvailabilityReference, Event, RefFigures
from tests.engine.reference_measures import midnight, periods

HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Bounded so that this module runs in ~15 s on two cores; 1,500 examples per property passed.
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# zone → (public holidays, the local date of its spring DST change in 2026)
ZONES = {
    "Europe/Berlin": ("DE-BY", dt.date(2026, 3, 29)),
    "America/New_York": ("US-NY", dt.date(2026, 3, 8)),
    "Australia/Lord_Howe": ("AU-NSW", dt.date(2026, 4, 5)),  # a 30-minute change
    "Asia/Kolkata": ("IN", dt.date(2026, 3, 29)),  # none
}
ITEMS = ("a", "b", "c", "d")
GOLD = ("a", "b", "d")  # the services of an objective with `where: tier: gold`
TYPES = ("down", "down", "up", "up", "note")
TARGETS = (0.5, 0.9, 0.95, 0.99, 0.999, 1.0)
# Minutes either side of an anchor: none, one, an hour, a day.
# A service's failures in a row: (up, down) minutes; 0 makes outages touch or a down and an
# up coincide.
runs = st.lists(
    st.tuples(st.sampled_from([0, 1, 60]) | st.integers(0, 2880), st.integers(0, 1440)), max_size=4
)
NUDGES = st.sampled_from([0, 0, 0, 1, -1, 60, -60, 1440, -1440]).map(lambda n: n * MINUTE)


@dataclass(frozen=True)
class Scenario:
    zone: ZoneInfo
    kind: PeriodKind
    effective: dt.date
    as_of: int
    events: list[Event]
    maintenance: list[tuple[int, int]]
    calendar: Calendar | None
    gold_only: bool
    target: float

    @property
    def measured_from(self) -> int:
        return midnight(self.effective, self.zone)


@st.composite
def working_hours(draw: st.DrawFn) -> tuple[tuple[Interval, ...], ...]:
    """Return a week of hours on a quarter-hour grid, some overnight, some days closed."""
    week = []
    for _ in range(7):
        points = sorted(set(draw(st.lists(st.integers(0, 160), max_size=4))))
        pairs = zip(points[::2], points[1::2], strict=False)
        week.append(tuple(Interval(start=a * 900, end=b * 900) for a, b in pairs if a < 96))
    if not any(week):
        week[0] = (Interval(start=9 * 3600, end=17 * 3600),)
    return tuple(week)


@st.composite
def calendars(draw: st.DrawFn, zone: str, around: dt.date) -> Calendar | None:
    """Return no calendar, or one in the agreement's zone or, now and then, in another."""
    if draw(st.booleans()):
        return None
    zone = draw(st.sampled_from([zone, zone, *sorted(ZONES)]))
    holidays = ZONES[zone][0] if draw(st.booleans()) else None
    closed = draw(st.lists(st.integers(-10, 20), max_size=2))
    spec = calendar_spec(
        zone,
        public_holidays=holidays,
        closed=tuple((around + dt.timedelta(days=n)).isoformat() for n in closed),
    )
    return spec.model_copy(update={"hours": draw(working_hours())})


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone_name = draw(st.sampled_from(sorted(ZONES)))
    zone = ZoneInfo(zone_name)
    change = ZONES[zone_name][1]
    kind = draw(st.sampled_from([PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH]))
    effective = change + dt.timedelta(days=draw(st.integers(-8, 4)))
    start = midnight(effective, zone)
    later = 35 if kind is PeriodKind.MONTH else 12
    bounds = [p.start for p in periods(kind, effective, start + later * DAY, zone)]
    changeover = midnight(change, zone) + 2 * HOUR
    anchors = [start, changeover, *bounds]
    as_of = draw(
        st.one_of(
            st.builds(lambda a, n: a + n, st.sampled_from(anchors), NUDGES),
            st.integers(-1440, later * 1440).map(lambda n: start + n * MINUTE),
        )
    )
    as_of = max(as_of, start - DAY)
    anchors.append(as_of)
    windows = draw(
        st.lists(st.tuples(st.sampled_from(anchors), NUDGES, st.integers(0, 3 * 1440)), max_size=3)
    )
    maintenance = [(a + n, a + n + length * MINUTE) for a, n, length in windows]
    anchors.extend(edge for window in maintenance for edge in window)
    near = st.builds(lambda a, n: a + n, st.sampled_from(anchors), NUDGES)
    anywhere = st.integers(-5 * 1440, (as_of - start) // MINUTE + 1440).map(
        lambda n: start + n * MINUTE
    )
    events = draw(
        st.lists(
            st.tuples(st.sampled_from(ITEMS), st.sampled_from(TYPES), st.one_of(near, anywhere)),
            max_size=16,
        )
    )
    for item, at, gaps in draw(st.lists(st.tuples(st.sampled_from(ITEMS), near, runs), max_size=3)):
        events += _failures(item, at, gaps)
    # Every item exists from before the first outage, so that `where:` selects all of them.
    events += [(item, "created", start - 6 * DAY) for item in ITEMS]
    return Scenario(
        zone=zone,
        kind=kind,
        effective=effective,
        as_of=as_of,
        events=events,
        maintenance=maintenance,
        calendar=draw(calendars(zone_name, effective)),
        gold_only=draw(st.booleans()),
        target=draw(st.sampled_from(TARGETS)),
    )


def _failures(item: str, at: int, runs: list[tuple[int, int]]) -> list[Event]:
    """Return a service's failures and recoveries, (up, down) minutes after the one before."""
    events = []
    for up, down in runs:
        at += up * MINUTE
        events.append((item, "down", at))
        at += down * MINUTE
        events.append((item, "up", at))
    return events


def event_table(events: list[Event]) -> EventTable:
    frame = pl.DataFrame(
        {
            "item": [e[0] for e in events],
            "type": [e[1] for e in events],
            "at": [e[2] for e in events],
        },
        schema={"item": pl.String, "type": pl.String, "at": pl.Int64},
    )
    items = pl.DataFrame(
        {
            "item": list(ITEMS),
            "kind": [None] * len(ITEMS),
            "tier": ["gold" if item in GOLD else "silver" for item in ITEMS],
        },
        schema={"item": pl.String, "kind": pl.String, "tier": pl.String},
    )
    return EventTable(frame, items)


def measure(s: Scenario, window: Period | None = None) -> list[tuple[Period, ObjectiveResult]]:
    """Return the kernel's availability results per period, through `evaluate`."""
    uptime = AvailabilityObjective(
        id="uptime",
        title="Uptime",
        owner="marketing",
        period=s.kind,
        down="down",
        up="up",
        calendar=None if s.calendar is None else "hours",
        maintenance=tuple(
            MaintenanceWindow(start=from_us(a, s.zone), end=from_us(b, s.zone))
            for a, b in s.maintenance
        ),
        where=(AttributeTest(attribute="tier", equals=("gold",)),) if s.gold_only else (),
        target=target(">=", s.target),
    )
    calendars = {} if s.calendar is None else {"hours": s.calendar}
    contract = agreement(
        {"uptime": uptime}, timezone=s.zone.key, effective=s.effective, calendars=calendars
    )
    result = evaluate(contract, event_table(s.events), as_of=s.as_of, window=window)
    return [(p.period, r) for p in result.periods for r in p.objectives]


def reference(s: Scenario, span: tuple[int, int]) -> AvailabilityReference:
    existing = [e for e in s.events if e[2] <= s.as_of]
    services = (
        list(GOLD)
        if s.gold_only
        else sorted({item for item, kind, _ in existing if kind in ("down", "up")})
    )
    return AvailabilityReference(
        s.events,
        services=services,
        down="down",
        up="up",
        as_of=s.as_of,
        measured_from=s.measured_from,
        calendar=s.calendar,
        maintenance=s.maintenance,
        target=Fraction(repr(s.target)),
        span=span,
    )


def shown(ref: RefFigures) -> dict[str, object]:
    """Return the figures as the evaluate JSON shows them: whole seconds, rounded down."""

    def seconds(us: int | None) -> int | None:
        return None if us is None else us // US

    remaining = ref.error_budget_remaining
    availability = ref.availability
    return {
        "value": None if availability is None else float(availability),
        "services": ref.services,
        "eligible_seconds": ref.eligible_us // US,
        "downtime_seconds": ref.downtime_us // US,
        "failures": ref.failures,
        "mttr_seconds": seconds(ref.mttr_us),
        "mttf_seconds": seconds(ref.mttf_us),
        "mtbf_seconds": seconds(ref.mtbf_us),
        "error_budget_seconds": ref.error_budget_us // US,
        "error_budget_remaining": None if remaining is None else float(remaining),
    }


def kernel(result: ObjectiveResult) -> dict[str, object]:
    return {"value": result.value, **result.columns()}


@given(s=scenarios())
@PROPERTY
def test_every_period_agrees_with_the_minute_by_minute_reference(s):
    got = measure(s)
    expected = periods(s.kind, s.effective, s.as_of, s.zone)
    if s.as_of < s.measured_from:
        expected = []
    assert [(p.start, p.end) for p, _ in got] == [(p.start, p.end) for p in expected]
    if not got:
        return
    ref = reference(s, (expected[0].start, expected[-1].end))
    for period, result in got:
        assert kernel(result) == shown(ref.figures(period.start, period.end)), period.label


@given(s=scenarios(), data=st.data())
@PROPERTY
def test_any_window_agrees_with_the_minute_by_minute_reference(s, data):
    """A window the caller names cuts outages anywhere, not only at period boundaries."""
    edges = st.integers(-2 * 1440, 14 * 1440).map(lambda n: s.measured_from + n * MINUTE)
    a, b = sorted(data.draw(st.tuples(edges, edges)))
    b = max(b, a + MINUTE)
    day = from_us(a, s.zone).date()
    window = Period(start=a, end=b, kind=PeriodKind.DAY, label="window", first=day, after=day)
    got = measure(s, window)
    if a > s.as_of:
        assert got == []
        return
    [(period, result)] = got
    assert (period.start, period.end) == (a, b)
    assert kernel(result) == shown(reference(s, (a, b)).figures(a, b))
