"""The ratio kind: the share of items with one event that also have another, per period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from slawatch.agreements._walk import At, Map, Walk, read_event_keys, read_mapping, same_event
from slawatch.agreements.describe import share_words
from slawatch.agreements.model import Comparison, Objective
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import first_events, has_event
from slawatch.engine.kinds.base import N_, Kind, Words
from slawatch.engine.periods import Period
from slawatch.engine.results import Document, ObjectiveResult, share_budget_left
from slawatch.engine.status import Status, forecast, verdict


class RatioObjective(Objective):
    """Share the items with one event (`of`) that also have another (`count`)."""

    kind: Literal["ratio"] = "ratio"
    count: str
    of: str


@dataclass(frozen=True)
class RatioResult(ObjectiveResult):
    kind = "ratio"
    COLUMNS = ("numerator", "denominator")

    numerator: int = 0
    denominator: int = 0

    def figures(self) -> Document:
        return {"numerator": self.numerator, "denominator": self.denominator}

    def budget_left(self) -> float | None:
        return share_budget_left(self)

    @property
    def parts(self) -> tuple[float, float]:
        return float(self.numerator), float(self.denominator)

    @classmethod
    def fields_of(cls, document: Mapping[str, Any]) -> dict[str, Any]:
        return {name: int(document.get(name, 0)) for name in cls.COLUMNS}


def ratio_status(value: float | None, op: Comparison, target: float, *, running: bool) -> Status:
    """Judge a share as it stands: a ratio has no pace to extrapolate."""
    if not running:
        return verdict(value, op, target)
    if value is None:
        return Status.NO_DATA
    return forecast(op.holds(value, target))


def _read_ratio(walk: Walk, spec: Map) -> dict[str, Any] | None:
    ratio = read_mapping(
        walk,
        spec.get("ratio"),
        spec.value_at("ratio"),
        example="write {count: accepted, of: handed_over}",
        known=("count", "of"),
        required=("count", "of"),
    )
    if ratio is None:
        return None
    events = read_event_keys(walk, ratio, ("count", "of"))
    if same_event(events, "count", "of"):
        walk.problem(
            ratio.value_at("count"),
            "counts the same event it divides by",
            "a ratio of an event to itself is always 100 %; count a different event",
        )
    return events


class RatioKind(Kind):
    def read(self, walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
        return _read_ratio(walk, spec)

    def measure(
        self, evaluator: Evaluator, objective: RatioObjective, periods: list[Period]
    ) -> list[ObjectiveResult]:
        events = evaluator.table.events
        denominators = first_events(events, objective.of, evaluator.items_of(objective))
        counted = denominators.get_column("item").is_in(
            has_event(events, objective.count).implode()
        )
        index = evaluator.assign(denominators.get_column("at").to_numpy(), periods)
        inside = index >= 0
        if evaluator.ratio_items is not None:
            items = denominators.select(
                "item", pl.Series("period", index), counted.alias("hit")
            ).filter(pl.Series(inside))
            evaluator.ratio_items(objective, periods, items)
        of = np.bincount(index[inside], minlength=len(periods))
        hits = np.bincount(index[inside & counted.to_numpy()], minlength=len(periods))
        results: list[ObjectiveResult] = []
        target, op = objective.target.value, objective.target.op
        for period, numerator, denominator in zip(periods, hits.tolist(), of.tolist(), strict=True):
            value = numerator / denominator if denominator else None
            status = ratio_status(value, op, target, running=evaluator.running(period))
            results.append(
                RatioResult(
                    objective.id, objective.owner, value, target, op, status, numerator, denominator
                )
            )
        return results

    def event_roles(self, objective: RatioObjective) -> dict[str, str]:
        return {"count": objective.count, "of": objective.of}

    def referenced_events(self, objective: RatioObjective) -> dict[str, str]:
        return self.event_roles(objective)

    def describe(self, objective: RatioObjective) -> str:
        share = share_words(objective.target)
        return f"{share} of items with {objective.of} also {objective.count}"

    def details(self, result: RatioResult, words: Words) -> str:
        return words.gettext(
            "%(numerator)s of %(denominator)s",
            numerator=words.count(result.numerator),
            denominator=words.count(result.denominator),
        )


RATIO = RatioKind(
    name="ratio",
    label=N_("rate"),
    share=True,
    decimals=1,
    result=RatioResult,
    objective=RatioObjective,
    example="{count: E, of: E}",
)
