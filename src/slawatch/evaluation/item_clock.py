"""One item's clocks with the segments that explain them, computed on request for its page.

One item's clocks are computed on the request, as GET /api/v1/items/… does: that is one item
with a handful of events, not an evaluation. The figures are `item_clock_frame`'s rows; this
module adds the segments (working, on hold, closed time) a bar needs to explain them.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from slawatch.agreements.model import Calendar, DurationUnit
from slawatch.engine.calendar import AlwaysOpen, WorkingCalendar, WorkingTime
from slawatch.engine.corrections import NO_CORRECTIONS, Corrections, corrected
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import EventTable, clock_items
from slawatch.engine.incidents import IncidentWindow
from slawatch.engine.kinds import clocked
from slawatch.engine.kinds.base import TimedObjective
from slawatch.engine.segments import Segment, Span, clock_segments, merged
from slawatch.evaluation.clocks import item_clock_frame
from slawatch.store.agreements import StoredAgreement
from slawatch.store.items import ItemDetail, item_table


@dataclass(frozen=True)
class ItemClock:
    """One item's clock for one objective, with the segments that explain it (µs)."""

    stored: StoredAgreement
    objective: TimedObjective
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
    detail: ItemDetail,
    versions: dict[str, list[StoredAgreement]],
    as_of: int,
    *,
    corrections: Mapping[str, Corrections] | None = None,
    incidents: Mapping[str, Sequence[IncidentWindow]] | None = None,
) -> list[ItemClock]:
    """Return the item's clock for every clock objective that has started for it.

    The figures are the rows of `item_clock_frame`, the computation the stored clocks, the
    item API and `slawatch clocks` share, with the version in force for each clock's period;
    this module only adds the segments that explain them. `corrections` are the approved
    corrections of the item per agreement id, and `incidents` the declared incidents' windows
    per agreement id, applied as the background evaluator applies them.
    """
    plain = item_table(detail)
    clocks = []
    for agreement_id, every in versions.items():
        table = corrected(plain, (corrections or {}).get(agreement_id, NO_CORRECTIONS))
        by_number = {stored.version: stored for stored in every}
        windows = (incidents or {}).get(agreement_id, ())
        with _CALENDAR_LOCK:
            rows = item_clock_frame(
                every, table, as_of=as_of, evaluator=_SharedCalendars, incidents=windows
            )
            for row in rows.iter_rows(named=True):
                stored = by_number[row["version"]]
                objective = clocked(stored.agreement.objectives[row["objective"]])
                assert objective is not None
                clocks.append(_item_clock(stored, objective, table, row, as_of))
    return clocks


def _item_clock(
    version: StoredAgreement,
    objective: TimedObjective,
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
