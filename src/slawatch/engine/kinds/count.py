"""The count kind: how many items reached an event in a period, against a (pro-rata) target."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from slawatch.agreements._walk import At, Map, Walk, read_event
from slawatch.agreements.describe import count_words
from slawatch.agreements.model import Comparison, Objective
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import first_events
from slawatch.engine.kinds.base import N_, Kind
from slawatch.engine.periods import Period
from slawatch.engine.periods import share_of_periods as periods_spanned
from slawatch.engine.results import Document, ObjectiveResult
from slawatch.engine.status import Status, forecast, verdict


class CountObjective(Objective):
    """Count the items that reach an event in each period."""

    kind: Literal["count"] = "count"
    count: str  # event type


@dataclass(frozen=True)
class CountResult(ObjectiveResult):
    """A count; a running period also carries its forecast, the count its pace reaches."""

    kind = "count"
    forecast: float | None = None  # the running period's count at its end, at today's pace

    def document(self) -> Document:
        document = super().document()
        document["value"] = None if self.value is None else whole(self.value)
        document["target"] = whole(self.target)
        return document

    def figures(self) -> Document:
        # Only a running period has a forecast: a closed period's JSON stays as it was.
        return {} if self.forecast is None else {"forecast": round(self.forecast, 1)}

    @classmethod
    def fields_of(cls, document: Mapping[str, Any]) -> dict[str, Any]:
        found = document.get("forecast")
        return {"forecast": None if found is None else float(found)}


def whole(value: float) -> int | float:
    """Return a whole count as an int (50, not 50.0); a pro-rata target stays a float."""
    return int(value) if float(value).is_integer() else value


def count_forecast(value: int, *, gone: float, running: bool) -> float | None:
    """Return the count a running period reaches at its end if the pace so far holds.

    The pace is linear in the period's time: 18 items after 7 of 31 days forecast 79.7.
    None for a closed period, and at a period's first instant, where there is no pace yet.
    """
    if not running or gone <= 0:
        return None
    return value / gone


def count_status(
    value: int, op: Comparison, target: float, *, gone: float, running: bool
) -> Status:
    """Judge a count; `gone` is the share of the period's time already passed."""
    if not running:
        return verdict(value, op, target)
    # A count only grows: reaching an at-least target, or overshooting an at-most one, is final.
    if op.higher_is_better and op.holds(value, target):
        return Status.MET
    if not op.higher_is_better and not op.holds(value, target):
        return Status.BREACHED
    pace = count_forecast(value, gone=gone, running=running)
    if pace is None:
        return Status.ON_TRACK  # the period's first instant: no pace to extrapolate yet
    return forecast(op.holds(pace, target))


class CountKind(Kind):
    def measure(
        self, evaluator: Evaluator, objective: CountObjective, periods: list[Period]
    ) -> list[ObjectiveResult]:
        table = evaluator.table
        firsts = first_events(table.events, objective.count, evaluator.items_of(objective))
        index = evaluator.assign(firsts.get_column("at").to_numpy(), periods)
        counts = np.bincount(index[index >= 0], minlength=len(periods))
        results: list[ObjectiveResult] = []
        for period, value in zip(periods, counts.tolist(), strict=True):
            spanned = periods_spanned(period, objective.period, evaluator.zone)
            target = objective.target.value * spanned
            gone, running = evaluator.gone(period), evaluator.running(period)
            op = objective.target.op
            status = count_status(value, op, target, gone=gone, running=running)
            pace = count_forecast(value, gone=gone, running=running)
            results.append(
                CountResult(objective.id, objective.owner, value, target, op, status, pace)
            )
        return results

    def read(self, walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
        return {"count": read_event(walk, spec.get("count"), spec.value_at("count"))}

    def event_roles(self, objective: CountObjective) -> dict[str, str]:
        return {"count": objective.count}

    def describe(self, objective: CountObjective) -> str:
        return f"{count_words(objective.target)} items with {objective.count}"


COUNT = CountKind(
    name="count",
    label=N_("count"),
    share=False,
    decimals=1,
    result=CountResult,
    objective=CountObjective,
)
