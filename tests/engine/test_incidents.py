"""A declared incident pauses the listed clocks exactly like pause and resume events would.

Two properties on random items: (1) an incident window gives the same clocks as a pause event
at its start and a resume event at its end added to every item (the engine against itself);
(2) with the items' own pauses too, the clocks agree with the slow reference of DESIGN "Clock
semantics", given the union of the item's pauses and the window — on a calendar across the
March DST change, and in wall time.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import ClockSpec, EmergencyPlan
from slawatch.engine.clock import ClockInput
from slawatch.engine.events import EventTable
from slawatch.engine.incidents import IncidentWindow, with_incident_pauses
from slawatch.engine.instants import NO_INSTANT, US, to_us
from slawatch.engine.kinds.clock import ClockObjective, item_clocks
from slawatch.engine.objectives import evaluate
from tests.engine.builders import agreement, hours, instant, office, target
from tests.engine.reference import ReferenceCalendar, reference_clock

HOUR = 3600 * US
DAY = 24 * HOUR
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ITEMS = ("a", "b", "c", "d")
# Around the spring DST change in Berlin (29 March 2026, 02:00 → 03:00).
ORIGIN = to_us(dt.datetime(2026, 3, 26, tzinfo=dt.UTC))
AS_OF = ORIGIN + 8 * DAY
SPEC = ClockSpec(start="handed_over", stop="contacted", pause="on_hold", resume="off_hold")


def plan_of(working: bool, *, pause: tuple[str, ...] = ("speed",)) -> object:
    objective = ClockObjective(
        id="speed",
        owner="marketing",
        title="Speed",
        clock=SPEC,
        within=hours(16, working=working),
        calendar="office" if working else None,
        warn=0.5,
        target=target(">=", 0.9),
    )
    return agreement(
        {"speed": objective},
        calendars={"office": office()},
        emergency=EmergencyPlan(pause=pause),
    )


def events_table(rows: list[tuple[str, str, int]]) -> EventTable:
    events = pl.DataFrame(
        {"item": [r[0] for r in rows], "type": [r[1] for r in rows], "at": [r[2] for r in rows]},
        schema={"item": pl.String, "type": pl.String, "at": pl.Int64},
    )
    items = pl.DataFrame(
        {"item": list(ITEMS), "kind": [None] * len(ITEMS)},
        schema={"item": pl.String, "kind": pl.String},
    )
    return EventTable(events, items)


instants = st.integers(ORIGIN - DAY, AS_OF + DAY).map(lambda t: t - t % (15 * 60 * US))


@st.composite
def scenarios(draw: st.DrawFn, own_pauses: bool) -> dict[str, object]:
    rows: list[tuple[str, str, int]] = []
    for item in draw(st.lists(st.sampled_from(ITEMS), unique=True, min_size=1)):
        start = draw(instants)
        rows.append((item, "handed_over", start))
        if draw(st.booleans()):
            rows.append((item, "contacted", start + draw(st.integers(0, 4 * DAY))))
        if own_pauses and draw(st.booleans()):
            begin = draw(instants)
            rows.append((item, "on_hold", begin))
            if draw(st.booleans()):
                rows.append((item, "off_hold", begin + draw(st.integers(1, 2 * DAY))))
    begin = draw(instants)
    end = None if draw(st.booleans()) else begin + draw(st.integers(1, 3 * DAY))
    return {"rows": rows, "window": IncidentWindow(begin, end), "working": draw(st.booleans())}


def clocks_of(s: dict[str, object], rows: list[tuple[str, str, int]], windows: tuple) -> dict:
    found = item_clocks(
        plan_of(bool(s["working"])), events_table(rows), "speed", as_of=AS_OF, incidents=windows
    )
    c = found.clocks
    return {
        item: (int(c.elapsed[i]), int(c.paused[i]), int(c.deadline[i]), int(c.state[i]))
        for i, item in enumerate(found.items.to_list())
    }


@given(s=scenarios(own_pauses=False))
@PROPERTY
def test_an_incident_window_gives_the_clocks_of_pause_and_resume_events(s):
    window = s["window"]
    rows = list(s["rows"])
    edges = [("on_hold", window.start)]
    if window.end is not None:
        edges.append(("off_hold", window.end))
    with_events = rows + [(item, kind, at) for item in ITEMS for kind, at in edges]
    assert clocks_of(s, rows, (window,)) == clocks_of(s, with_events, ())


@given(s=scenarios(own_pauses=True))
@PROPERTY
def test_an_incident_merges_with_the_items_own_pauses_as_the_reference_says(s):
    window = s["window"]
    working = bool(s["working"])
    got = clocks_of(s, list(s["rows"]), (window,))
    cal = ReferenceCalendar(office() if working else None)
    by_item: dict[str, list[tuple[str, int]]] = {}
    for item, kind, at in s["rows"]:
        if at <= AS_OF:
            by_item.setdefault(item, []).append((kind, at))
    for item, events in by_item.items():
        starts = [at for kind, at in events if kind == "handed_over"]
        if not starts:
            continue
        start = min(starts)
        stops = [at for kind, at in events if kind == "contacted" and at >= start]
        pauses = [(at, _resume(events, at)) for kind, at in events if kind == "on_hold"]
        pauses.append((window.start, NO_INSTANT if window.end is None else window.end))
        pauses = [(p, NO_INSTANT if q > AS_OF else q) for p, q in pauses if p <= AS_OF]
        want = reference_clock(
            cal,
            start,
            min(stops) if stops else NO_INSTANT,
            pauses,
            as_of=AS_OF,
            within=hours(16, working=working),
            warn=0.5,
        )
        assert got[item][:3] == (want.elapsed, want.paused, want.deadline), item


def _resume(events: list[tuple[str, int]], at: int) -> int:
    later = [t for kind, t in events if kind == "off_hold" and t > at]
    return min(later) if later else NO_INSTANT


def test_an_objective_the_plan_does_not_list_is_not_paused():
    rows = [("a", "handed_over", instant("2026-03-30T08:00:00+02:00"))]
    window = IncidentWindow(instant("2026-03-30T09:00:00+02:00"), None)
    as_of = instant("2026-03-30T12:00:00+02:00")
    listed = item_clocks(
        plan_of(False), events_table(rows), "speed", as_of=as_of, incidents=[window]
    )
    other = plan_of(False, pause=())
    unlisted = item_clocks(other, events_table(rows), "speed", as_of=as_of, incidents=[window])
    assert int(listed.clocks.elapsed[0]) == HOUR and int(listed.clocks.state[0]) == 2  # paused
    assert int(unlisted.clocks.elapsed[0]) == 4 * HOUR


def test_an_incident_over_a_weekend_moves_no_working_deadline():
    # Friday 16:00 start, 2 working hours: Monday 09:00. An incident Saturday–Sunday costs
    # no working time, so the deadline stays; one Monday 08:00–08:30 pushes it 30 minutes.
    rows = [("a", "handed_over", instant("2026-04-03T16:00:00+02:00"))]
    objective = ClockObjective(
        id="speed",
        owner="marketing",
        title="Speed",
        clock=SPEC,
        within=hours(2, working=True),
        calendar="office",
        target=target(">=", 0.9),
    )
    plan = agreement(
        {"speed": objective},
        calendars={"office": office()},
        emergency=EmergencyPlan(pause=("speed",)),
    )
    as_of = instant("2026-04-06T08:45:00+02:00")
    weekend = IncidentWindow(
        instant("2026-04-04T10:00:00+02:00"), instant("2026-04-05T10:00:00+02:00")
    )
    monday = IncidentWindow(
        instant("2026-04-06T08:00:00+02:00"), instant("2026-04-06T08:30:00+02:00")
    )
    table = events_table(rows)
    quiet = item_clocks(plan, table, "speed", as_of=as_of, incidents=[weekend])
    pushed = item_clocks(plan, table, "speed", as_of=as_of, incidents=[monday])
    assert int(quiet.clocks.deadline[0]) == instant("2026-04-06T09:00:00+02:00")
    assert int(pushed.clocks.deadline[0]) == instant("2026-04-06T09:30:00+02:00")


def test_an_agreement_without_a_plan_evaluates_the_same_with_or_without_windows():
    rows = [("a", "handed_over", ORIGIN), ("a", "contacted", ORIGIN + 20 * HOUR)]
    plain = agreement(
        {
            "speed": ClockObjective(
                id="speed",
                owner="marketing",
                title="Speed",
                clock=SPEC,
                within=hours(16),
                target=target(">=", 0.9),
            )
        }
    )
    window = (IncidentWindow(ORIGIN + HOUR, ORIGIN + 10 * HOUR),)
    before = evaluate(plain, events_table(rows), as_of=AS_OF).document()
    after = evaluate(plain, events_table(rows), as_of=AS_OF, incidents=window).document()
    assert before == after


def test_windows_that_begin_after_as_of_do_not_exist_yet():
    inputs = ClockInput.without_pauses(np.array([0], dtype=np.int64), np.array([NO_INSTANT]))
    later = with_incident_pauses(inputs, [IncidentWindow(10, 20)], as_of=5)
    running = with_incident_pauses(inputs, [IncidentWindow(1, 20)], as_of=5)
    assert len(later.pause_item) == 0
    assert running.pause_end.tolist() == [NO_INSTANT]  # still open as of 5


def test_the_example_of_the_semantics_page():
    objective = ClockObjective(
        id="speed",
        owner="marketing",
        title="Speed",
        clock=SPEC,
        within=hours(4, working=True),
        calendar="office",
        target=target(">=", 0.9),
    )
    plan = agreement(
        {"speed": objective},
        calendars={"office": office()},
        emergency=EmergencyPlan(pause=("speed",)),
    )
    rows = [
        ("a", "handed_over", instant("2026-04-07T09:00:00+02:00")),
        ("a", "contacted", instant("2026-04-07T15:00:00+02:00")),
        ("b", "handed_over", instant("2026-04-07T10:30:00+02:00")),
    ]
    window = IncidentWindow(
        instant("2026-04-07T10:00:00+02:00"), instant("2026-04-07T11:30:00+02:00")
    )
    as_of = instant("2026-04-07T16:00:00+02:00")
    found = item_clocks(plan, events_table(rows), "speed", as_of=as_of, incidents=[window])
    deadlines = dict(zip(found.items.to_list(), found.clocks.deadline.tolist(), strict=True))
    assert deadlines == {
        "a": instant("2026-04-07T15:30:00+02:00"),
        "b": instant("2026-04-07T16:30:00+02:00"),
    }
    assert int(found.clocks.state[0]) == 0  # a: met at 15:00
