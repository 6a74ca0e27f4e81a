"""The bar that explains one item clock: where the time went, in % of the bar's width.

A verdict alone ("breached") leaves a reader asking where the time went. The bar shows it:
working time that counted, working time on hold, nights and weekends, closed days, and where
the deadline and the warning point fall, with a scale of local hours, days or weeks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from slawatch.engine.instants import US, from_us, to_us
from slawatch.engine.segments import SegmentKind, totals
from slawatch.evaluation.item_clock import ItemClock
from slawatch.formatting import clock_state_text, duration_text
from slawatch.i18n import N_, Translator
from slawatch.web.pages.clock_texts import (
    instant_text,
    short_instant_text,
    split_of,
    working_us_text,
)

SEGMENT_NAMES = {
    SegmentKind.WORKING: N_("working time"),
    SegmentKind.PAUSED: N_("working time on hold"),
    SegmentKind.CLOSED: N_("outside working hours"),
    SegmentKind.HOLIDAY: N_("closed day"),
}
MIN_WIDTH = 0.2  # % of the bar: a segment of minutes in a bar of weeks stays visible
MAX_TICKS = 8
MAX_ROWS = 100  # segments listed in the table; a longer clock lists its first and last 50
HOUR = 3600
# Scale steps from an hour to four weeks: the first that needs at most MAX_TICKS ticks.
TICK_STEPS = (1, 2, 3, 6, 12, 24, 48, 7 * 24, 14 * 24, 28 * 24)


def _ticks(a: int, b: int, zone: str, t: Translator) -> list[dict[str, Any]]:
    """Return scale ticks on local hours, midnights or Mondays, at most MAX_TICKS of them."""
    span_hours = (b - a) / US / HOUR
    step = next((s for s in TICK_STEPS if span_hours / s <= MAX_TICKS), TICK_STEPS[-1])
    while span_hours / step > MAX_TICKS:
        step *= 2
    place = ZoneInfo(zone)
    local = from_us(a, place).replace(tzinfo=None)
    if step < 24:
        wall = local.replace(minute=0, second=0, microsecond=0)
        wall -= dt.timedelta(hours=wall.hour % step)
    else:
        wall = dt.datetime.combine(local.date(), dt.time())
        if step >= 7 * 24:
            wall -= dt.timedelta(days=wall.weekday())
    ticks: list[dict[str, Any]] = []
    while True:
        at = to_us(wall.replace(tzinfo=place))
        if at > b:
            break
        if at >= a:
            with_date = step >= 24 or wall.hour < step or not ticks
            ticks.append(
                {
                    "x": _percent(at, a, b),
                    "label": short_instant_text(at, zone, t, date=with_date, time=step < 24),
                }
            )
        wall += dt.timedelta(hours=step)
    return ticks


def _percent(at: int, a: int, b: int) -> float:
    return round(100 * (at - a) / (b - a), 3)


def _anchor(x: float) -> str:
    return "start" if x < 12 else "end" if x > 88 else "middle"


def clock_bar(clock: ItemClock, t: Translator, key: str) -> dict[str, Any]:
    """Return the geometry (in % of the bar's width) and texts of one clock's bar."""
    a = clock.start
    b = max(clock.end, clock.deadline or clock.end, clock.warning or clock.end)
    b = max(b, a + 60 * US)  # a clock stopped at its start still gets a visible minute
    rest = None
    if b > clock.end:
        x = _percent(clock.end, a, b)
        rest = {"x": x, "width": round(100 - x, 3)}
    present = list(dict.fromkeys(s.kind for s in clock.segments))
    listed = clock.segments
    if len(listed) > MAX_ROWS:  # a clock running for months: its first and last segments
        listed = listed[: MAX_ROWS // 2] + listed[-MAX_ROWS // 2 :]
    return {
        "key": key,
        "count": len(clock.segments),
        "left_out": len(clock.segments) - len(listed),
        "half": MAX_ROWS // 2,
        "totals": _totals(clock, present, t),
        "rects": _rects(clock, a, b),
        "rest": rest,
        "pauses": _pauses(clock, a, b),
        "markers": _markers(clock, a, b, t),
        "ticks": _ticks(a, b, clock.zone, t),
        "legend": [
            {"kind": kind.value, "text": t.gettext(SEGMENT_NAMES[kind])} for kind in present
        ],
        "summary": _summary(clock, t),
        "rows": [
            {
                "start": instant_text(s.start, clock.zone, t),
                "end": instant_text(s.end, clock.zone, t),
                "kind": s.kind.value,
                "text": t.gettext(SEGMENT_NAMES[s.kind]),
                "duration": duration_text(s.length / US, t),
            }
            for s in listed
        ],
    }


def _rects(clock: ItemClock, a: int, b: int) -> list[dict[str, Any]]:
    """Return one rectangle per segment, at least MIN_WIDTH wide."""
    rects = []
    for segment in clock.segments:
        x = _percent(segment.start, a, b)
        width = max(_percent(segment.end, a, b) - x, MIN_WIDTH)
        rects.append({"x": x, "width": round(width, 3), "kind": segment.kind.value})
    return rects


def _pauses(clock: ItemClock, a: int, b: int) -> list[dict[str, Any]]:
    return [
        {"x": _percent(p, a, b), "width": max(round(_percent(q, a, b) - _percent(p, a, b), 3), 0.2)}
        for p, q in clock.pauses
    ]


def _markers(clock: ItemClock, a: int, b: int, t: Translator) -> list[dict[str, Any]]:
    """Return the deadline, the warning point and the end (now or the stop), one row each."""
    zone = clock.zone
    markers = []
    if clock.deadline is not None:
        x = _percent(clock.deadline, a, b)
        text = t.gettext("Deadline %(when)s", when=short_instant_text(clock.deadline, zone, t))
        markers.append({"x": x, "y": 14, "anchor": _anchor(x), "text": text, "kind": "deadline"})
    if clock.warning is not None:
        x = _percent(clock.warning, a, b)
        text = t.gettext("Warning %(when)s", when=short_instant_text(clock.warning, zone, t))
        markers.append({"x": x, "y": 30, "anchor": _anchor(x), "text": text, "kind": "warning"})
    x = _percent(clock.end, a, b)
    end_text = (
        t.gettext("Now %(when)s", when=short_instant_text(clock.end, zone, t))
        if clock.stop is None
        else t.gettext("Stopped %(when)s", when=short_instant_text(clock.end, zone, t))
    )
    markers.append({"x": x, "y": 46, "anchor": _anchor(x), "text": end_text, "kind": "end"})
    return markers


def _summary(clock: ItemClock, t: Translator) -> str:
    """Return the bar's text alternative: verdict, time used, allowed and on hold."""
    return t.gettext(
        "%(objective)s: %(verdict)s. %(elapsed)s of working time used of %(allowance)s allowed, "
        "%(paused)s on hold.",
        objective=clock.objective.title,
        verdict=clock_state_text(clock.state, t),
        elapsed=split_of(clock, t).used,
        allowance=split_of(clock, t).allowed,
        paused=working_us_text(clock.paused, t),
    )


def _totals(clock: ItemClock, present: list[SegmentKind], t: Translator) -> list[dict[str, Any]]:
    """Return each kind of time's sum: working time in hours, the rest as durations."""
    sums = totals(clock.segments)
    return [
        {
            "text": t.gettext(SEGMENT_NAMES[kind]),
            "duration": working_us_text(sums[kind], t)
            if kind in (SegmentKind.WORKING, SegmentKind.PAUSED)
            else duration_text(sums[kind] / US, t),
        }
        for kind in present
    ]
