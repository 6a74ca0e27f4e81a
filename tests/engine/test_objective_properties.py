"""Period results agree with a slow reference of docs/semantics.md, on random events.

Instants cluster where the engine once went wrong: period boundaries, the agreement's
`effective` midnight and the as-of instant itself, each give or take a microsecond, a second or
an hour. The reference applies `effective`, the as-of boundary and "events after as_of do not
exist" on its own (tests/engine/reference_measures.py); each of those three bugs fails here.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import ClockSpec, MaintenanceWindow, PeriodKind
from slawatch.engine.events import EventTable
from slawatch.engine.instants import US, from_us
from slawatch.engine.kinds.availability import AvailabilityObjective
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.kinds.ratio import RatioObjective
from slawatch.engine.objectives import evaluate
from slawatch.engine.status import Status, verdict
from tests.engine.builders import agreement, hours, office, target
from tests.engine.reference_measures import Measures, availability, midnight, periods

HOUR = 3600 * US
DAY = 24 * HOUR
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TYPES = ("qualified", "handed_over", "contacted", "accepted", "down", "up")
ITEMS = ("a", "b", "c", "d", "e")
# Small offsets around an anchor: a microsecond, a second, an hour, a day either side.
NUDGES = st.sampled_from([0, 0, 0, 1, -1, US, -US, HOUR, -HOUR, DAY, -DAY])


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    zone = ZoneInfo(draw(st.sampled_from(["Europe/Berlin", "America/New_York"])))
    kind = draw(st.sampled_from([PeriodKind.DAY, PeriodKind.WEEK, PeriodKind.MONTH]))
    effective = dt.date(2026, 3, 1) + dt.timedelta(days=draw(st.integers(-20, 20)))
    # Anchors: effective's midnight and the period boundaries around it and after it.
    horizon = midnight(effective + dt.timedelta(days=70), zone)
    bounds = [p.start for p in periods(kind, effective - dt.timedelta(days=40), horizon, zone)]
    anchors = [midnight(effective, zone), *bounds[-40:]]
    as_of = draw(st.sampled_from(anchors)) + draw(NUDGES)
    anchors.append(as_of)
    near = st.builds(lambda a, n: a + n, st.sampled_from(anchors), NUDGES)
    anywhere = st.integers(min(anchors) - 10 * DAY, max(anchors) + 5 * DAY)
    events = draw(
        st.lists(
            st.tuples(st.sampled_from(ITEMS), st.sampled_from(TYPES), st.one_of(near, anywhere)),
            max_size=25,
        )
    )
    windows = draw(st.lists(st.tuples(near, st.integers(0, 2 * DAY)), max_size=2))
    return {
        "zone": zone,
        "kind": kind,
        "effective": effective,
        "as_of": as_of,
        "events": events,
        "maintenance": [(a, a + length) for a, length in windows],
        "calendar": draw(st.booleans()),
        "target": draw(st.sampled_from([0.9, 0.99, 0.999, 0.95, 0.5])),
    }


def objectives(s: dict[str, object]) -> dict[str, object]:
    kind = s["kind"]
    zone = s["zone"]
    share = s["target"]
    assert isinstance(kind, PeriodKind) and isinstance(zone, ZoneInfo)
    assert isinstance(share, float)
    maintenance = [
        MaintenanceWindow(start=from_us(a, zone), end=from_us(b, zone))
        for a, b in s["maintenance"]  # type: ignore[attr-defined]
    ]
    common = {"owner": "marketing", "period": kind}
    return {
        "leads": CountObjective(
            id="leads", title="Leads", count="qualified", target=target(">=", 2, False), **common
        ),
        "accepted": RatioObjective(
            id="accepted",
            title="Accepted",
            count="accepted",
            of="handed_over",
            target=target(">=", share),
            **common,
        ),
        "speed": ClockObjective(
            id="speed",
            title="Speed",
            clock=ClockSpec(start="handed_over", stop="contacted"),
            within=hours(30),
            warn=0.5,
            target=target(">=", share),
            **common,
        ),
        "uptime": AvailabilityObjective(
            id="uptime",
            title="Uptime",
            down="down",
            up="up",
            calendar="office" if s["calendar"] else None,
            maintenance=tuple(maintenance),
            target=target(">=", share),
            **common,
        ),
    }


def event_table(events: list[tuple[str, str, int]]) -> EventTable:
    frame = pl.DataFrame(
        {
            "item": [e[0] for e in events],
            "type": [e[1] for e in events],
            "at": [e[2] for e in events],
        },
        schema={"item": pl.String, "type": pl.String, "at": pl.Int64},
    )
    items = pl.DataFrame(
        {"item": list(ITEMS), "kind": [None] * len(ITEMS)},
        schema={"item": pl.String, "kind": pl.String},
    )
    return EventTable(frame, items)


@given(s=scenarios())
@PROPERTY
def test_period_results_agree_with_the_reference(s):
    zone, kind, effective, as_of = s["zone"], s["kind"], s["effective"], s["as_of"]
    events = s["events"]
    defined = objectives(s)
    result = evaluate(
        agreement(
            defined, timezone=zone.key, effective=effective, calendars={"office": office(zone.key)}
        ),
        event_table(events),
        as_of=as_of,
    )
    expected = periods(kind, effective, as_of, zone)
    if as_of < midnight(effective, zone):
        expected = []
    assert [(p.period.start, p.period.end) for p in result.periods] == [
        (p.start, p.end) for p in expected
    ]
    m = Measures(events, effective=effective, as_of=as_of, zone=zone)
    for got_period, period in zip(result.periods, expected, strict=True):
        got = {r.objective: r for r in got_period.objectives}
        closed = period.end <= as_of

        leads = m.count("qualified", period)
        assert got["leads"].value == leads
        if closed:
            assert got["leads"].status is verdict(leads, got["leads"].op, 2)

        numerator, denominator = m.ratio("accepted", "handed_over", period)
        ratio = got["accepted"]
        assert ratio.columns() == {"numerator": numerator, "denominator": denominator}
        assert ratio.value == (numerator / denominator if denominator else None)

        states = m.clock_states(
            "handed_over", "contacted", period, within=defined["speed"].within, warn=0.5
        )
        clock = got["speed"]
        assert clock.columns() == states
        decided = states["met"] + states["breached"]
        assert clock.value == (states["met"] / decided if decided else None)
        if closed:
            assert clock.status is verdict(clock.value, clock.op, clock.target)
        elif decided + states["at_risk"] == 0:
            assert clock.status is (Status.ON_TRACK if any(states.values()) else Status.NO_DATA)

        ref = availability(
            m,
            period,
            down="down",
            up="up",
            target=Fraction(repr(s["target"])),
            calendar=office(zone.key) if s["calendar"] else None,
            maintenance=s["maintenance"],
        )
        uptime = got["uptime"]
        figures = {
            "eligible": uptime.eligible_seconds,
            "downtime": uptime.downtime_seconds,
            "failures": uptime.failures,
            "mttr": uptime.mttr_seconds,
            "mttf": uptime.mttf_seconds,
            "budget": uptime.error_budget_seconds,
        }
        assert figures == {
            "eligible": ref.eligible // US,
            "downtime": ref.downtime // US,
            "failures": ref.failures,
            "mttr": ref.mttr,
            "mttf": ref.mttf,
            "budget": ref.budget,
        }
        exact = Fraction(ref.eligible - ref.downtime, ref.eligible) if ref.eligible else None
        assert uptime.value == (None if exact is None else float(exact))
        if closed:
            assert uptime.status is verdict(uptime.value, uptime.op, uptime.target)
