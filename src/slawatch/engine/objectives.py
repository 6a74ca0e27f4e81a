"""Evaluate an agreement's objectives per period, as of an instant.

Pure: the agreement, the event table and `as_of` in, results out. Each objective is measured
over its own periods (`period:`, default month) from the one holding the agreement's
effective date to the one holding `as_of`, or over a single window the caller names.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl

from slawatch.agreements.model import (
    Agreement,
    AvailabilityObjective,
    ClockObjective,
    Comparison,
    CountObjective,
    Objective,
    RatioObjective,
)
from slawatch.engine.availability import AvailabilityMeter, Outages
from slawatch.engine.calendar import WorkingTime, working_calendar
from slawatch.engine.clock import Clocks, ClockState, compute_clocks
from slawatch.engine.events import (
    ClockItems,
    EventTable,
    clock_items,
    first_events,
    has_event,
    outages,
    select_items,
)
from slawatch.engine.instants import US, Instants, from_us, to_us
from slawatch.engine.periods import Period, assign, local_midnight, periods_between
from slawatch.engine.periods import share_of_periods as periods_spanned
from slawatch.engine.status import (
    Status,
    availability_status,
    clock_status,
    count_status,
    ratio_status,
)

Details = dict[str, int | float | None]


@dataclass(frozen=True)
class ObjectiveResult:
    objective: str
    owner: str
    kind: str
    value: float | None
    target: float
    op: Comparison
    status: Status
    details: Details = field(default_factory=dict)


@dataclass(frozen=True)
class PeriodResult:
    period: Period
    objectives: tuple[ObjectiveResult, ...]


@dataclass(frozen=True)
class Evaluation:
    agreement: str
    zone: str
    as_of: int
    periods: tuple[PeriodResult, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemClocks:
    """Every item's clock for one objective: the `clocks` command's table."""

    objective: str
    items: pl.Series
    start: Instants
    stop: Instants
    clocks: Clocks


class Evaluator:
    """Measure one agreement against one event table as of one instant."""

    def __init__(self, agreement: Agreement, table: EventTable, *, as_of: int) -> None:
        self.agreement = agreement
        self.as_of = as_of
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
        return select_items(self.table, objective.where)

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

    def running(self, period: Period) -> bool:
        return period.start <= self.as_of < period.end

    def result(
        self,
        objective: Objective,
        kind: str,
        value: float | None,
        target: float,
        status: Status,
        details: Details,
    ) -> ObjectiveResult:
        return ObjectiveResult(
            objective=objective.id,
            owner=objective.owner,
            kind=kind,
            value=value,
            target=target,
            op=objective.target.op,
            status=status,
            details=details,
        )

    def count(self, objective: CountObjective, periods: list[Period]) -> list[ObjectiveResult]:
        firsts = first_events(self.table.events, objective.count, self.items_of(objective))
        index = self.assign(firsts.get_column("at").to_numpy(), periods)
        counts = np.bincount(index[index >= 0], minlength=len(periods))
        results = []
        for period, value in zip(periods, counts.tolist(), strict=True):
            target = objective.target.value * periods_spanned(period, objective.period, self.zone)
            status = count_status(
                value,
                objective.target.op,
                target,
                gone=self.gone(period),
                running=self.running(period),
            )
            results.append(self.result(objective, "count", value, target, status, {}))
        return results

    def ratio(self, objective: RatioObjective, periods: list[Period]) -> list[ObjectiveResult]:
        items = self.items_of(objective)
        denominators = first_events(self.table.events, objective.of, items)
        counted = denominators.get_column("item").is_in(
            has_event(self.table.events, objective.count).implode()
        )
        index = self.assign(denominators.get_column("at").to_numpy(), periods)
        inside = index >= 0
        of = np.bincount(index[inside], minlength=len(periods))
        hits = np.bincount(index[inside & counted.to_numpy()], minlength=len(periods))
        results = []
        for period, numerator, denominator in zip(periods, hits.tolist(), of.tolist(), strict=True):
            value = numerator / denominator if denominator else None
            target = objective.target.value
            status = ratio_status(value, objective.target.op, target, running=self.running(period))
            details: Details = {"numerator": numerator, "denominator": denominator}
            results.append(self.result(objective, "ratio", value, target, status, details))
        return results

    def item_clocks(self, objective: ClockObjective) -> tuple[ClockItems, Clocks]:
        items = clock_items(self.table, objective.clock, self.items_of(objective))
        clocks = compute_clocks(
            items.inputs,
            as_of=self.as_of,
            within=objective.within,
            calendar=self.calendar(objective.calendar),
            warn=objective.warn,
        )
        return items, clocks

    def clock(self, objective: ClockObjective, periods: list[Period]) -> list[ObjectiveResult]:
        items, clocks = self.item_clocks(objective)
        index = self.assign(items.inputs.start, periods)
        inside = index >= 0
        states = len(ClockState)
        tally = np.bincount(
            index[inside] * states + clocks.state[inside].astype(np.int64),
            minlength=len(periods) * states,
        ).reshape(len(periods), states)
        results = []
        for period, row in zip(periods, tally.tolist(), strict=True):
            counts = {state.name.lower(): row[state] for state in ClockState}
            met, breached = counts["met"], counts["breached"]
            value = met / (met + breached) if met + breached else None
            target = objective.target.value
            status = clock_status(
                met,
                breached,
                counts["at_risk"],
                counts["running"] + counts["paused"],
                objective.target.op,
                target,
                running=self.running(period),
            )
            results.append(self.result(objective, "clock", value, target, status, dict(counts)))
        return results

    def availability(
        self, objective: AvailabilityObjective, periods: list[Period]
    ) -> list[ObjectiveResult]:
        services = (
            self.items_of(objective)
            if objective.where
            else pl.concat(
                [has_event(self.table.events, t) for t in (objective.down, objective.up)]
            ).unique()
        )
        merged = outages(self.table, objective.down, objective.up, services)
        service_index = merged.get_column("item").rank("dense").cast(pl.Int64).to_numpy()
        meter = AvailabilityMeter(
            Outages(
                service=service_index,
                begin=merged.get_column("begin").to_numpy(),
                finish=merged.get_column("finish").to_numpy(),
            ),
            services=len(services),
            calendar=self.calendar(objective.calendar),
            maintenance=[(to_us(w.start), to_us(w.end)) for w in objective.maintenance],
            measured_from=self.measured_from,
            target=objective.target.exact,
        )
        results = []
        for period in periods:
            figures = meter.measure(period, self.as_of)
            status = availability_status(
                figures.availability,
                objective.target.op,
                objective.target.value,
                downtime=figures.downtime_us / US,
                budget=float(figures.error_budget_us) / US,
                gone=self.gone(period),
                running=self.running(period),
            )
            details: Details = {
                "services": figures.services,
                "eligible_seconds": figures.eligible_us // US,
                "downtime_seconds": figures.downtime_us // US,
                "failures": figures.failures,
                "mttr_seconds": _seconds(figures.mttr_us),
                "mttf_seconds": _seconds(figures.mttf_us),
                "mtbf_seconds": _seconds(figures.mtbf_us),
                "error_budget_seconds": math.floor(figures.error_budget_us / US),
                "error_budget_remaining": figures.error_budget_remaining,
            }
            results.append(
                self.result(
                    objective,
                    "availability",
                    figures.availability,
                    objective.target.value,
                    status,
                    details,
                )
            )
        return results

    def measure(
        self, objective: Objective, window: Period | None
    ) -> list[tuple[Period, ObjectiveResult]]:
        periods = self.periods(objective, window)
        if not periods:
            return []
        match objective:
            case CountObjective():
                results = self.count(objective, periods)
            case RatioObjective():
                results = self.ratio(objective, periods)
            case ClockObjective():
                results = self.clock(objective, periods)
            case AvailabilityObjective():
                results = self.availability(objective, periods)
        return list(zip(periods, results, strict=True))


def _seconds(us: int | None) -> int | None:
    """Return whole seconds, rounded down as every shown duration is."""
    return None if us is None else us // US


def evaluate(
    agreement: Agreement,
    table: EventTable,
    *,
    as_of: int,
    window: Period | None = None,
    measured: Callable[[str], None] | None = None,
) -> Evaluation:
    """Measure every objective per period, grouped by period, earliest first.

    `measured` is called with each objective's id once it is done, for progress displays.
    """
    evaluator = Evaluator(agreement, table, as_of=as_of)
    grouped: dict[Period, list[ObjectiveResult]] = defaultdict(list)
    for objective in agreement.objectives.values():
        for period, result in evaluator.measure(objective, window):
            grouped[period].append(result)
        if measured is not None:
            measured(objective.id)
    periods = tuple(PeriodResult(p, tuple(grouped[p])) for p in sorted(grouped))
    return Evaluation(
        agreement=agreement.id,
        zone=agreement.timezone,
        as_of=as_of,
        periods=periods,
        warnings=tuple(dict.fromkeys(evaluator.warnings)),
    )


def item_clocks(
    agreement: Agreement, table: EventTable, objective_id: str, *, as_of: int
) -> ItemClocks:
    """Return every item's clock for one clock objective."""
    objective = agreement.objectives[objective_id]
    if not isinstance(objective, ClockObjective):
        raise ValueError(f"objective {objective_id} is a {objective.kind} objective, not a clock")
    evaluator = Evaluator(agreement, table, as_of=as_of)
    items, clocks = evaluator.item_clocks(objective)
    return ItemClocks(
        objective=objective_id,
        items=items.items,
        start=items.inputs.start,
        stop=items.inputs.stop,
        clocks=clocks,
    )
