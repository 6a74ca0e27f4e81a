"""The availability kind: the share of (working) time services were up, outages merged."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl
from ruamel.yaml.comments import CommentedSeq

from slawatch.agreements._walk import (
    At,
    Map,
    Walk,
    list_items,
    read_event_keys,
    read_instant,
    read_mapping,
    read_sequence,
    same_event,
)
from slawatch.agreements.describe import share_words
from slawatch.agreements.model import Comparison, MaintenanceWindow, Objective
from slawatch.engine.availability import AvailabilityMeter, Outages
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import has_event, outages
from slawatch.engine.instants import US, to_us
from slawatch.engine.kinds.base import N_, Kind, Words
from slawatch.engine.periods import Period
from slawatch.engine.results import Document, ObjectiveResult, share_budget_left
from slawatch.engine.status import Status, forecast, verdict

FIGURES = (  # the JSON's keys, in its order
    "services",
    "eligible_seconds",
    "downtime_seconds",
    "failures",
    "mttr_seconds",
    "mttf_seconds",
    "mtbf_seconds",
    "error_budget_seconds",
    "error_budget_remaining",
)


class AvailabilityObjective(Objective):
    """Measure the share of (working) time services were up, between down and up events."""

    kind: Literal["availability"] = "availability"
    down: str
    up: str
    calendar: str | None = None
    maintenance: tuple[MaintenanceWindow, ...] = ()


@dataclass(frozen=True)
class AvailabilityResult(ObjectiveResult):
    kind = "availability"
    COLUMNS = FIGURES

    services: int = 0
    eligible_seconds: int = 0
    downtime_seconds: int = 0
    failures: int = 0
    mttr_seconds: int | None = None
    mttf_seconds: int | None = None
    mtbf_seconds: int | None = None
    error_budget_seconds: int = 0
    error_budget_remaining: float | None = None

    def figures(self) -> Document:
        return {name: getattr(self, name) for name in FIGURES}

    def budget_left(self) -> float | None:
        """Return the engine's figure: downtime against what the target allows all period."""
        if self.error_budget_remaining is not None:
            return float(self.error_budget_remaining)
        return share_budget_left(self)

    @property
    def parts(self) -> tuple[float, float]:
        eligible = float(self.eligible_seconds)
        return eligible - self.downtime_seconds, eligible

    @classmethod
    def fields_of(cls, document: Mapping[str, Any]) -> dict[str, Any]:
        return {name: document.get(name) for name in FIGURES if name in document}


def availability_status(
    value: float | None,
    op: Comparison,
    target: float,
    *,
    downtime: float,
    budget: float,
    gone: float,
    running: bool,
) -> Status:
    """Judge availability; while running, the error budget burnt against the time gone."""
    if not running:
        return verdict(value, op, target)
    if value is None:
        return Status.NO_DATA
    if op.higher_is_better and budget >= 0 and downtime > budget:
        return Status.BREACHED  # downtime never shrinks: the period's budget is spent
    if op.higher_is_better and budget > 0:
        burn = (downtime / budget) / gone if gone > 0 else 0.0
        return forecast(burn <= 1.0)
    return forecast(op.holds(value, target))


def _seconds(us: int | None) -> int | None:
    """Return whole seconds, rounded down as every shown duration is."""
    return None if us is None else us // US


def _read_availability(walk: Walk, spec: Map, calendar: str | None) -> dict[str, Any] | None:
    availability = read_mapping(
        walk,
        spec.get("availability"),
        spec.value_at("availability"),
        example="write {down: down, up: up}",
        known=("down", "up", "maintenance"),
        required=("down", "up"),
    )
    if availability is None:
        return None
    fields: dict[str, Any] = read_event_keys(walk, availability, ("down", "up"))
    if same_event(fields, "down", "up"):
        walk.problem(
            availability.value_at("up"),
            "up is the same event as down",
            "an outage ends at a different event than it starts",
        )
    if "maintenance" in availability:
        fields["maintenance"] = _maintenance(
            walk, availability.get("maintenance"), availability.value_at("maintenance")
        )
    return fields | {"calendar": calendar}


def _maintenance(walk: Walk, value: Any, at: At) -> tuple[MaintenanceWindow, ...]:
    seq = read_sequence(walk, value, at, what="a list of {start: INSTANT, end: INSTANT} windows")
    windows: list[MaintenanceWindow] = []
    for _, item, item_at in list_items(seq if seq is not None else CommentedSeq(), at):
        window = read_mapping(
            walk, item, item_at, known=("start", "end"), required=("start", "end")
        )
        if window is None or "start" not in window or "end" not in window:
            continue
        start = read_instant(walk, window.get("start"), window.value_at("start"))
        end = read_instant(walk, window.get("end"), window.value_at("end"))
        if start is not None and end is not None:
            if end <= start:
                walk.problem(
                    window.value_at("end"), "the window ends before it starts", "swap start and end"
                )
            else:
                windows.append(MaintenanceWindow(start=start, end=end))
    return tuple(windows)


class AvailabilityKind(Kind):
    def read(self, walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
        return _read_availability(walk, spec, calendar)

    def meter(self, evaluator: Evaluator, objective: AvailabilityObjective) -> AvailabilityMeter:
        """Return the objective's services' merged outages, ready to measure any period."""
        events = evaluator.table.events
        services = (
            evaluator.items_of(objective)
            if objective.where
            else evaluator.without_excluded(
                objective,
                pl.concat([has_event(events, t) for t in (objective.down, objective.up)]).unique(),
            )
        )
        merged = outages(evaluator.table, objective.down, objective.up, services)
        service_index = merged.get_column("item").rank("dense").cast(pl.Int64).to_numpy()
        return AvailabilityMeter(
            Outages(
                service=service_index,
                begin=merged.get_column("begin").to_numpy(),
                finish=merged.get_column("finish").to_numpy(),
            ),
            services=len(services),
            calendar=evaluator.calendar(objective.calendar),
            maintenance=[(to_us(w.start), to_us(w.end)) for w in objective.maintenance],
            measured_from=evaluator.measured_from,
            target=objective.target.exact,
        )

    def measure(
        self, evaluator: Evaluator, objective: AvailabilityObjective, periods: list[Period]
    ) -> list[ObjectiveResult]:
        meter = self.meter(evaluator, objective)
        target, op = objective.target.value, objective.target.op
        results: list[ObjectiveResult] = []
        for period in periods:
            figures = meter.measure(period, evaluator.as_of)
            status = availability_status(
                figures.availability,
                op,
                target,
                downtime=figures.downtime_us / US,
                budget=float(figures.error_budget_us) / US,
                gone=evaluator.gone(period),
                running=evaluator.running(period),
            )
            result = AvailabilityResult(
                objective.id,
                objective.owner,
                figures.availability,
                target,
                op,
                status,
                services=figures.services,
                eligible_seconds=figures.eligible_us // US,
                downtime_seconds=figures.downtime_us // US,
                failures=figures.failures,
                mttr_seconds=_seconds(figures.mttr_us),
                mttf_seconds=_seconds(figures.mttf_us),
                mtbf_seconds=_seconds(figures.mtbf_us),
                error_budget_seconds=math.floor(figures.error_budget_us / US),
                error_budget_remaining=figures.error_budget_remaining,
            )
            results.append(result)
        return results

    def event_roles(self, objective: AvailabilityObjective) -> dict[str, str]:
        return {"down": objective.down, "up": objective.up}

    def describe(self, objective: AvailabilityObjective) -> str:
        what = f"{share_words(objective.target)} available, down from {objective.down}"
        what += f" to {objective.up}"
        if objective.calendar is not None:
            what += f" during calendar {objective.calendar}"
        if objective.maintenance:
            count = len(objective.maintenance)
            what += f", {count} maintenance window{'s' if count > 1 else ''} excluded"
        return what

    def details(self, result: AvailabilityResult, words: Words) -> str:
        text = words.ngettext(
            "%(num)s failure, %(downtime)s down",
            "%(num)s failures, %(downtime)s down",
            result.failures,
            num=words.count(result.failures),
            downtime=words.duration(result.downtime_seconds),
        )
        if result.mttr_seconds is not None:
            text += ", " + words.gettext("MTTR %(mttr)s", mttr=words.duration(result.mttr_seconds))
        return text


# Availability targets live among the nines, where 99.9 % and 99.95 % differ by hours a
# month: two decimals by default.
AVAILABILITY = AvailabilityKind(
    name="availability",
    label=N_("availability"),
    share=True,
    decimals=2,
    result=AvailabilityResult,
    objective=AvailabilityObjective,
    near_full=True,
    keys=("calendar",),
    example="{down: E, up: E}",
)
