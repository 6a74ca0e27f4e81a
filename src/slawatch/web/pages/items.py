"""The item page: attributes, the event timeline, and every clock as a bar that explains itself.

A verdict alone ("breached") leaves a reader asking where the time went. The bar shows it:
working time that counted, working time on hold, nights and weekends, closed days, and where
the deadline and the warning point fall. One item's clocks are computed on the request, as
GET /api/v1/items/… does: that is one item with a handful of events, not an evaluation.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from slawatch.agreements.model import Calendar, DurationUnit
from slawatch.engine.calendar import AlwaysOpen, WorkingCalendar, WorkingTime
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import EventTable, clock_items
from slawatch.engine.instants import US, from_us, to_us
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.segments import (
    Segment,
    SegmentKind,
    Span,
    clock_segments,
    merged,
    totals,
)
from slawatch.evaluation.clocks import item_clock_frame
from slawatch.formatting import (
    ClockSplit,
    clock_split,
    clock_state_text,
    duration_text,
    share_text,
    working_text,
)
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import StoredAgreement, versions_by_agreement
from slawatch.store.db import read_transaction
from slawatch.store.items import ItemDetail, item_detail, item_table
from slawatch.wall_clock import now_us
from slawatch.web.deps import ITEM_PATH, engine_of, item_address
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.security import Permission, Principal, require

router = APIRouter(tags=["pages"], include_in_schema=False)
reader = require(Permission.READ)

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


@dataclass(frozen=True)
class ItemClock:
    """One item's clock for one objective, with the segments that explain it (µs)."""

    stored: StoredAgreement
    objective: ClockObjective
    start: int
    stop: int | None
    end: int  # the stop, or as_of while running
    elapsed: int
    paused: int
    allowance: int
    deadline: int | None  # None while suspended by an open pause
    warning: int | None
    state: str
    segments: list[Segment]
    pauses: list[Span]  # merged, clipped to [start, end)

    @property
    def zone(self) -> str:
        return self.stored.agreement.timezone


class _SharedCalendars(Evaluator):
    """An evaluator whose working calendars live on between requests.

    Expanding a calendar costs tens of milliseconds (three years of dates through zoneinfo),
    far more than one item's clocks; the tables grow on demand, so callers hold
    `_CALENDAR_LOCK` while they use them.
    """

    def calendar(self, name: str | None) -> WorkingTime:
        if name is None:
            return AlwaysOpen()
        return _shared_calendar(self.agreement.calendars[name])


@lru_cache(maxsize=32)
def _shared_calendar(spec: Calendar) -> WorkingCalendar:
    return WorkingCalendar(spec)


_CALENDAR_LOCK = threading.Lock()


def measure_item(
    detail: ItemDetail, versions: dict[str, list[StoredAgreement]], as_of: int
) -> list[ItemClock]:
    """Return the item's clock for every clock objective that has started for it.

    The figures are the rows of `item_clock_frame`, the computation the stored clocks, the
    item API and `slawatch clocks` share, with the version in force for each clock's period;
    this page only adds the segments that explain them.
    """
    table = item_table(detail)
    clocks = []
    for every in versions.values():
        by_number = {stored.version: stored for stored in every}
        with _CALENDAR_LOCK:
            rows = item_clock_frame(every, table, as_of=as_of, evaluator=_SharedCalendars)
            for row in rows.iter_rows(named=True):
                stored = by_number[row["version"]]
                objective = stored.agreement.objectives[row["objective"]]
                assert isinstance(objective, ClockObjective)
                clocks.append(_item_clock(stored, objective, table, row, as_of))
    return clocks


def _item_clock(
    version: StoredAgreement,
    objective: ClockObjective,
    table: EventTable,
    row: dict[str, Any],
    as_of: int,
) -> ItemClock:
    """Return one measured clock with its segments: working, paused and closed time."""
    evaluator = _SharedCalendars(version.agreement, table, as_of=as_of)
    inputs = clock_items(evaluator.table, objective.clock, evaluator.items_of(objective)).inputs
    calendar: WorkingTime = (
        AlwaysOpen()
        if objective.within.unit is DurationUnit.WALL
        else evaluator.calendar(objective.calendar)
    )
    start: int = row["started_at"]
    stop: int | None = row["stopped_at"]
    end = as_of if stop is None else stop
    pauses = list(zip(inputs.pause_start.tolist(), inputs.pause_end.tolist(), strict=True))
    return ItemClock(
        stored=version,
        objective=objective,
        start=start,
        stop=stop,
        end=end,
        elapsed=row["elapsed_us"],
        paused=row["paused_us"],
        allowance=row["allowance_us"],
        deadline=row["deadline"],
        warning=row["warn_at"],
        state=row["state"],
        segments=clock_segments(calendar, start, end, pauses),
        pauses=merged((max(p, start), min(q, end)) for p, q in pauses),
    )


# -- formatting ------------------------------------------------------------------------------


def _when(us: int, zone: str, t: Translator) -> str:
    return t.datetime(from_us(us), zone)


def _short(us: int, zone: str, t: Translator, *, date: bool = True, time: bool = True) -> str:
    moment = from_us(us, ZoneInfo(zone))
    parts = []
    if date:
        parts.append(format_skeleton("MMMEd", moment, locale=t.locale))
    if time:
        parts.append(format_skeleton("Hm", moment, locale=t.locale))
    return " ".join(parts)


def _seconds(us: int) -> float:
    return us / US


def _working(us: int, t: Translator) -> str:
    """Format working time in hours and minutes ('28 h 15 min'): its days are not days."""
    return working_text(us / US, t)


def _split(clock: ItemClock, t: Translator) -> ClockSplit:
    """Return used, allowed and left or overrun, rounded alike so that they add up as shown."""
    over = clock.state == "breached" or clock.elapsed > clock.allowance
    return clock_split(clock.elapsed / US, clock.allowance / US, t, over=over)


def _facts(clock: ItemClock, t: Translator) -> list[dict[str, Any]]:
    """Return the clock's numbers as (label, text) rows, in the order a reader asks."""
    zone = clock.zone
    split = _split(clock, t)
    rows: list[dict[str, Any]] = [
        {"label": t.gettext("Started"), "text": _when(clock.start, zone, t)},
        {
            "label": t.gettext("Stopped"),
            "text": _when(clock.stop, zone, t) if clock.stop is not None else t.gettext("not yet"),
        },
        {"label": t.gettext("Working time used"), "text": split.used},
        {
            "label": t.gettext("Allowed"),
            "text": t.gettext(
                "%(allowance)s of working time (%(within)s)",
                allowance=split.allowed,
                within=clock.objective.within.text,
            )
            if clock.objective.within.unit is not DurationUnit.WALL
            else split.allowed,
        },
    ]
    if split.overrun is not None:
        late = clock.end - clock.deadline if clock.deadline is not None else None
        rows.append(
            {
                "label": t.gettext("Overrun"),
                "text": t.gettext(
                    "%(late)s past the deadline (%(over)s of working time)",
                    late=duration_text(_seconds(late), t),
                    over=split.overrun,
                )
                if late is not None and late > 0
                else t.gettext("%(over)s of working time", over=split.overrun),
            }
        )
    else:
        label = t.gettext("Allowance unused") if clock.stop is not None else t.gettext("Time left")
        rows.append({"label": label, "text": split.left})
    rows.append({"label": t.gettext("Paused"), "text": _working(clock.paused, t)})
    if clock.deadline is None:
        deadline = t.gettext("suspended while the clock is on hold")
    else:
        deadline = _when(clock.deadline, zone, t)
    rows.append({"label": t.gettext("Deadline"), "text": deadline})
    if clock.stop is None and clock.deadline is not None and clock.deadline > clock.end:
        rows.append(
            {
                "label": t.gettext("Due in"),
                "text": duration_text(_seconds(clock.deadline - clock.end), t),
                "countdown": from_us(clock.deadline).isoformat(),
            }
        )
    if clock.objective.warn is not None:
        rows.append(
            {
                "label": t.gettext("Warning point"),
                "text": t.gettext(
                    "%(when)s (at %(share)s of the allowance)",
                    when=_when(clock.warning, zone, t) if clock.warning is not None else "–",
                    share=share_text(clock.objective.warn, t, digits=0),
                ),
            }
        )
    return rows


# -- the bar ---------------------------------------------------------------------------------


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
                    "label": _short(at, zone, t, date=with_date, time=step < 24),
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
    zone = clock.zone
    a = clock.start
    b = max(clock.end, clock.deadline or clock.end, clock.warning or clock.end)
    b = max(b, a + 60 * US)  # a clock stopped at its start still gets a visible minute
    rects = []
    for segment in clock.segments:
        x = _percent(segment.start, a, b)
        width = max(_percent(segment.end, a, b) - x, MIN_WIDTH)
        rects.append({"x": x, "width": round(width, 3), "kind": segment.kind.value})
    rest = None
    if b > clock.end:
        x = _percent(clock.end, a, b)
        rest = {"x": x, "width": round(100 - x, 3)}
    pauses = [
        {"x": _percent(p, a, b), "width": max(round(_percent(q, a, b) - _percent(p, a, b), 3), 0.2)}
        for p, q in clock.pauses
    ]
    markers = []
    if clock.deadline is not None:
        x = _percent(clock.deadline, a, b)
        text = t.gettext("Deadline %(when)s", when=_short(clock.deadline, zone, t))
        markers.append({"x": x, "y": 14, "anchor": _anchor(x), "text": text, "kind": "deadline"})
    if clock.warning is not None:
        x = _percent(clock.warning, a, b)
        text = t.gettext("Warning %(when)s", when=_short(clock.warning, zone, t))
        markers.append({"x": x, "y": 30, "anchor": _anchor(x), "text": text, "kind": "warning"})
    x = _percent(clock.end, a, b)
    end_text = (
        t.gettext("Now %(when)s", when=_short(clock.end, zone, t))
        if clock.stop is None
        else t.gettext("Stopped %(when)s", when=_short(clock.end, zone, t))
    )
    markers.append({"x": x, "y": 46, "anchor": _anchor(x), "text": end_text, "kind": "end"})
    present = list(dict.fromkeys(s.kind for s in clock.segments))
    legend = [{"kind": kind.value, "text": t.gettext(SEGMENT_NAMES[kind])} for kind in present]
    summary = t.gettext(
        "%(objective)s: %(verdict)s. %(elapsed)s of working time used of %(allowance)s allowed, "
        "%(paused)s on hold.",
        objective=clock.objective.title,
        verdict=clock_state_text(clock.state, t),
        elapsed=_split(clock, t).used,
        allowance=_split(clock, t).allowed,
        paused=_working(clock.paused, t),
    )
    listed = clock.segments
    if len(listed) > MAX_ROWS:  # a clock running for months: its first and last segments
        listed = listed[: MAX_ROWS // 2] + listed[-MAX_ROWS // 2 :]
    rows = [
        {
            "start": _when(s.start, zone, t),
            "end": _when(s.end, zone, t),
            "kind": s.kind.value,
            "text": t.gettext(SEGMENT_NAMES[s.kind]),
            "duration": duration_text(_seconds(s.length), t),
        }
        for s in listed
    ]
    sums = totals(clock.segments)
    return {
        "key": key,
        "count": len(clock.segments),
        "left_out": len(clock.segments) - len(listed),
        "half": MAX_ROWS // 2,
        "totals": [
            {
                "text": t.gettext(SEGMENT_NAMES[kind]),
                "duration": _working(sums[kind], t)
                if kind in (SegmentKind.WORKING, SegmentKind.PAUSED)
                else duration_text(_seconds(sums[kind]), t),
            }
            for kind in present
        ],
        "rects": rects,
        "rest": rest,
        "pauses": pauses,
        "markers": markers,
        "ticks": _ticks(a, b, zone, t),
        "legend": legend,
        "summary": summary,
        "rows": rows,
    }


def clock_view(clock: ItemClock, t: Translator, key: str) -> dict[str, Any]:
    return {
        "agreement": clock.stored.id,
        "agreement_title": clock.stored.agreement.title,
        "version": clock.stored.version,
        "objective": clock.objective.id,
        "title": clock.objective.title,
        "state": clock.state,
        "verdict": clock_state_text(clock.state, t),
        "facts": _facts(clock, t),
        "bar": clock_bar(clock, t, key),
    }


# -- the route -------------------------------------------------------------------------------


def _timeline_zone(
    detail: ItemDetail, versions: dict[str, list[StoredAgreement]], clocks: list[ItemClock]
) -> str:
    """Return the zone to show the events in: the first clock's agreement, else the source's."""
    if clocks:
        return clocks[0].zone
    same = versions.get(detail.source)
    return same[-1].agreement.timezone if same else "UTC"


@router.get(ITEM_PATH, response_class=HTMLResponse)
def item_page(
    source: str, external_id: str, request: Request, principal: Principal = Depends(reader)
) -> HTMLResponse:
    """Show one item: attributes, events in time order and an explained bar per clock."""
    source, external_id = item_address(request, source, external_id)
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        # PostgreSQL refuses NUL in text; no stored id can contain one.
        unstorable = "\x00" in source or "\x00" in external_id
        detail = None if unstorable else item_detail(connection, source, external_id)
        versions = versions_by_agreement(connection) if detail is not None else {}
    if detail is None:
        missing = {"source": source, "external_id": external_id}
        return render(request, "items/missing.html", missing, principal, status_code=404)
    as_of = now_us()
    clocks = measure_item(detail, versions, as_of)
    zone = _timeline_zone(detail, versions, clocks)
    events = [
        {
            "at": _when(e.at, zone, t),
            "iso": from_us(e.at).isoformat(),
            "type": e.type,
            "received": _when(e.received_at, zone, t),
        }
        for e in detail.events
    ]
    context: dict[str, Any] = {
        "item": detail,
        "zone": zone,
        "as_of": _when(as_of, zone, t),
        "events": events,
        "clocks": [clock_view(c, t, f"clock-{i}") for i, c in enumerate(clocks)],
    }
    return render(request, "items/item.html", context, principal)
