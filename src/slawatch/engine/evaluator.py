"""Measure what every objective kind shares: its periods, its items, time gone in a period.

The kinds (`engine/kinds/`) measure their own figures with it; the Evaluator keeps what is
common to all of them, and the working calendars they are measured on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl

from slawatch.agreements.model import Agreement, Objective
from slawatch.engine.calendar import WorkingTime, working_calendar
from slawatch.engine.corrections import excluded_items
from slawatch.engine.events import EventTable, select_items
from slawatch.engine.incidents import IncidentWindow
from slawatch.engine.instants import Instants, from_us
from slawatch.engine.periods import Period, assign, local_midnight, periods_between

# Called with a ratio objective, its periods and its items: (item, period index, hit).
RatioItems = Callable[[Objective, list[Period], pl.DataFrame], None]


class Evaluator:
    """Measure one agreement against one event table as of one instant.

    `ratio_items`, if given, receives the items behind each ratio's figures as they are
    measured, so a caller can split the figures without measuring them a second way.
    """

    def __init__(
        self,
        agreement: Agreement,
        table: EventTable,
        *,
        as_of: int,
        ratio_items: RatioItems | None = None,
        incidents: Sequence[IncidentWindow] = (),
    ) -> None:
        self.agreement = agreement
        self.ratio_items = ratio_items
        self.as_of = as_of
        self.incidents = tuple(incidents)
        self.zone = ZoneInfo(agreement.timezone)
        self.table = table.until(as_of).encoded()
        self.measured_from = local_midnight(agreement.effective, self.zone)
        self.warnings: list[str] = []
        self._calendars: dict[str | None, WorkingTime] = {}

    def calendar(self, name: str | None) -> WorkingTime:
        if name not in self._calendars:
            spec = None if name is None else self.agreement.calendars[name]
            self._calendars[name] = working_calendar(spec)
        return self._calendars[name]

    def periods(self, objective: Objective, window: Period | None) -> list[Period]:
        # Events at `as_of` exist, so a period that begins exactly at `as_of` has begun (its
        # first instant) and is reported as running; one that begins later has not.
        if window is not None:
            return [window] if window.start <= self.as_of else []
        if self.as_of < self.measured_from:
            return []
        today = from_us(self.as_of, self.zone).date()
        periods = periods_between(objective.period, self.agreement.effective, today, self.zone)
        return [period for period in periods if period.start <= self.as_of]

    def assign(self, instants: Instants, periods: list[Period]) -> npt.NDArray[np.int64]:
        """Return each instant's period index; -1 outside them or before `effective`.

        The first period can begin before the agreement took effect (a month holding a
        mid-month `effective` date); what starts before `effective` is not measured.
        """
        index = assign(instants, periods)
        index[instants < self.measured_from] = -1
        return index

    def items_of(self, objective: Objective) -> pl.Series:
        items = self.table.items
        carried = {c for c in items.columns if items.get_column(c).null_count() < items.height}
        for attribute in dict.fromkeys(
            t.attribute for t in objective.where if t.attribute not in carried
        ):
            self.warnings.append(
                f"objective {objective.id}: no item has the attribute {attribute!r} "
                "that its `where:` names, so it measures no items"
            )
        return self.without_excluded(objective, select_items(self.table, objective.where))

    def without_excluded(self, objective: Objective, items: pl.Series) -> pl.Series:
        """Return `items` less those an exclusion or the standing `exclude:` takes out."""
        standing = () if self.agreement.exclude is None else self.agreement.exclude.where
        excluded = excluded_items(self.table, objective.id, standing)
        if excluded is None:
            return items
        return items.filter(~items.cast(excluded.dtype).is_in(excluded.implode()))

    def gone(self, period: Period) -> float:
        """Return the share of the period's measured time already passed.

        Measured time starts at `effective` in a first period that begins earlier: nothing
        before it can count, so a pace or a budget burn is judged from there.
        """
        start = max(period.start, self.measured_from)
        if period.end <= start:
            return 1.0
        passed = min(self.as_of, period.end) - start
        return max(0.0, min(1.0, passed / (period.end - start)))

    def incidents_pausing(self, objective: Objective) -> tuple[IncidentWindow, ...]:
        """Return the declared incidents that pause this objective's clocks (`pause:`)."""
        plan = self.agreement.emergency
        if plan is None or objective.id not in plan.pause:
            return ()
        return self.incidents

    def running(self, period: Period) -> bool:
        return period.start <= self.as_of < period.end
