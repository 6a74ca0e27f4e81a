"""The vectorised kernel agrees with the slow reference to the microsecond, on random input.

Calendars are random (several and overnight intervals, holidays, closed dates) in zones chosen
for their DST rules: Berlin and New York (1 h), Lord Howe (30 min), Kolkata (none) and Santiago
(at midnight, so that a local date starts at 01:00).
Instants cluster around the DST changeovers, where the wall-to-UTC mapping is hardest.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import Calendar, Duration, DurationUnit, HolidaySource, Interval
from slawatch.engine.calendar import WorkingCalendar
from slawatch.engine.clock import ClockInput, ClockState, compute_clocks
from slawatch.engine.instants import NO_INSTANT, US, to_us
from tests.engine.reference import ReferenceCalendar, reference_clock

DAY = 86_400 * US
# zone → (holidays, local dates of its DST changes in 2026)
ZONES = {
    "Europe/Berlin": (("DE", "BY"), ("2026-03-29", "2026-10-25")),
    "America/New_York": (("US", "NY"), ("2026-03-08", "2026-11-01")),
    "Australia/Lord_Howe": (("AU", "NSW"), ("2026-04-05", "2026-10-04")),
    "Asia/Kolkata": (("IN", None), ("2026-03-29", "2026-10-25")),
    # Santiago changes at midnight: on 2026-09-06 local midnight itself is in the gap.
    "America/Santiago": (("CL", None), ("2026-04-05", "2026-09-06")),
}
# Bounded so this file runs in ~20 s on two cores; 3,000 examples per property also passed.
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Interval edges on a 30-minute grid over two days (DST changes at 02:00 and 02:30 are on
# it), sometimes an odd second so that nothing lines up by accident.
edges = st.one_of(
    st.integers(0, 96).map(lambda half_hours: half_hours * 1800),
    st.integers(0, 2 * 86_400),
)


@st.composite
def weekdays(draw: st.DrawFn) -> tuple[Interval, ...]:
    points = sorted(set(draw(st.lists(edges, max_size=6))))
    pairs = zip(points[::2], points[1::2], strict=False)
    return tuple(Interval(start=a, end=b) for a, b in pairs if a < 86_400)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[Calendar, int]:
    """Return a random calendar and an instant near one of its zone's DST changes."""
    name = draw(st.sampled_from(sorted(ZONES)))
    (country, subdivision), changes = ZONES[name]
    hours = tuple(draw(weekdays()) for _ in range(7))
    if not any(iv.end > iv.start for day in hours for iv in day):
        hours = ((Interval(start=9 * 3600, end=17 * 3600),), *hours[1:])
    source = None
    if draw(st.booleans()):
        categories = None
        if country == "DE" and draw(st.booleans()):
            categories = ("public", "catholic")
        source = HolidaySource(country=country, subdivision=subdivision, categories=categories)
    change = dt.date.fromisoformat(draw(st.sampled_from(changes)))
    closed = draw(st.sets(st.integers(-6, 6).map(lambda k: change + dt.timedelta(days=k))))
    spec = Calendar(
        id="random", timezone=name, hours=hours, holidays=source, closed=frozenset(closed)
    )
    around = to_us(dt.datetime.combine(change, dt.time(2)).replace(tzinfo=ZoneInfo(name)))
    return spec, around


def offsets(span: int) -> st.SearchStrategy[int]:
    """Return µs offsets up to `span`, often half hours or the ends so that edges coincide."""
    return st.one_of(
        st.sampled_from([0, span]),
        st.integers(0, span),
        st.integers(0, span // (1800 * US)).map(lambda k: k * 1800 * US),
    )


allowances = st.one_of(
    st.builds(
        Duration,
        unit=st.just(DurationUnit.WORKING),
        amount=st.one_of(
            st.just(0), st.integers(1, 30 * 3600), st.integers(0, 30).map((3600).__mul__)
        ),
        text=st.just("h"),
    ),
    st.builds(
        Duration,
        unit=st.just(DurationUnit.BUSINESS_DAYS),
        amount=st.integers(0, 4),
        text=st.just("bd"),
    ),
    st.builds(
        Duration,
        unit=st.just(DurationUnit.WALL),
        amount=st.integers(0, 72 * 3600),
        text=st.just("w"),
    ),
)


@st.composite
def items(draw: st.DrawFn, as_of: int) -> tuple[int, int, list[tuple[int, int]]]:
    start = as_of - draw(offsets(6 * DAY))
    stop = NO_INSTANT
    if draw(st.booleans()):
        stop = start + draw(offsets(as_of - start))
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        p = start - DAY + draw(offsets(as_of - start + DAY))
        q = NO_INSTANT if draw(st.integers(0, 3)) == 0 else p + draw(offsets(as_of - p))
        pauses.append((p, q))
    return start, stop, pauses


@given(data=st.data(), calendar=calendars(), within=allowances)
@PROPERTY
def test_clocks_agree_with_the_reference(data, calendar, within):
    spec, around = calendar
    as_of = around + data.draw(st.integers(-4 * DAY, 8 * DAY), label="as_of")
    batch = data.draw(st.lists(items(as_of), min_size=1, max_size=4), label="items")
    warn = data.draw(st.sampled_from([None, 0.5, 0.75]), label="warn")
    chunk = data.draw(st.sampled_from([1, 2, 1 << 15]), label="chunk")  # chunk edges too
    pauses = [(i, p, q) for i, (_, _, ps) in enumerate(batch) for p, q in ps]
    inputs = ClockInput(
        start=np.array([s for s, _, _ in batch], dtype=np.int64),
        stop=np.array([s for _, s, _ in batch], dtype=np.int64),
        pause_item=np.array([i for i, _, _ in pauses], dtype=np.int64),
        pause_start=np.array([p for _, p, _ in pauses], dtype=np.int64),
        pause_end=np.array([q for _, _, q in pauses], dtype=np.int64),
    )
    cal = WorkingCalendar.from_spec(spec)
    out = compute_clocks(inputs, as_of=as_of, within=within, calendar=cal, warn=warn, chunk=chunk)
    reference = ReferenceCalendar(spec)
    for i, (start, stop, item_pauses) in enumerate(batch):
        expected = reference_clock(
            reference, start, stop, item_pauses, as_of=as_of, within=within, warn=warn
        )
        got = (
            int(out.elapsed[i]),
            int(out.paused[i]),
            int(out.deadline[i]),
            int(out.allowance[i]),
            ClockState(out.state[i]).label,
        )
        assert got == (
            expected.elapsed,
            expected.paused,
            expected.deadline,
            expected.allowance,
            expected.state,
        ), f"item {i}"


@given(data=st.data(), calendar=calendars())
@PROPERTY
def test_working_time_and_intervals_agree_with_the_reference(data, calendar):
    spec, around = calendar
    a = around + data.draw(st.integers(-5 * DAY, 5 * DAY), label="a")
    b = a + data.draw(offsets(9 * DAY), label="length")
    cal = WorkingCalendar.from_spec(spec)
    reference = ReferenceCalendar(spec)
    assert int(cal.working_time(np.array([a]), np.array([b]))[0]) == reference.working_time(a, b)
    clipped = [(max(x, a), min(y, b)) for x, y in reference.intervals(a, b)]
    assert cal.intervals_between(a, b) == [(x, y) for x, y in clipped if y > x]


@given(data=st.data(), calendar=calendars(), days=st.integers(0, 6))
@PROPERTY
def test_business_day_deadlines_and_local_dates_agree_with_the_reference(data, calendar, days):
    spec, around = calendar
    start = around + data.draw(st.integers(-5 * DAY, 5 * DAY), label="start")
    cal = WorkingCalendar.from_spec(spec)
    reference = ReferenceCalendar(spec)
    got = int(cal.business_day_deadline(np.array([start]), days)[0])
    assert got == reference.business_day_deadline(start, days)
    ordinal = int(cal.local_date_ordinal(np.array([start]))[0])
    assert ordinal == reference.local_date(start).toordinal()


@pytest.mark.filterwarnings("ignore:Requested Holidays are available only")  # IN: 2001-2035
@given(calendar=calendars(), year=st.integers(1975, 2095), shift=st.integers(0, 364 * DAY))
@settings(PROPERTY, max_examples=30)
def test_far_years_agree_with_the_reference(calendar, year, shift):
    spec, around = calendar
    cal = WorkingCalendar.from_spec(spec)
    cal.cumulative(np.array([around]))  # the first table is near 2026
    zone = ZoneInfo(spec.timezone)
    a = to_us(dt.datetime(year, 1, 1, tzinfo=zone)) + shift
    b = a + 3 * DAY
    reference = ReferenceCalendar(spec)
    assert int(cal.working_time(np.array([a]), np.array([b]))[0]) == reference.working_time(a, b)
