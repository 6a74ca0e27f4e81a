"""Compare an objective's period with its own history: the previous period, trailing averages.

The stored `evaluate` results of an objective's periods set the current period beside the
previous one, the trailing 3 and 12 periods and the same period a year earlier. Averages over
several periods are pooled where the parts are known, so a quiet month weighs less than a busy
one: each kind's result gives its parts (`ObjectiveResult.parts`: ratios Σ numerator /
Σ denominator, clocks Σ met / Σ (met + breached), availability 1 − Σ downtime / Σ eligible
time). Counts (and anything without its parts) take the plain mean of the periods' values.
Everything here is pure: no database, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from slawatch.engine.periods import earlier_label, year_ago_label
from slawatch.engine.results import ObjectiveResult

Method = Literal["pooled", "mean"]


@dataclass(frozen=True)
class Average:
    """A figure from earlier periods: its value, how it was made and from which periods."""

    value: float | None
    method: Method
    labels: tuple[str, ...]  # the periods asked for
    periods: int  # how many of them had a value


@dataclass(frozen=True)
class Comparison:
    """One period of an objective beside its previous period, trailing averages, a year ago."""

    period: str
    kind: str
    value: float | None
    previous: Average
    trailing_3: Average
    trailing_12: Average
    year_ago: Average

    @property
    def change(self) -> float | None:
        """The difference to the previous period (a share's in fractions: 0.021 = 2.1 pp)."""
        if self.value is None or self.previous.value is None:
            return None
        return self.value - self.previous.value


def average(objectives: Sequence[ObjectiveResult], labels: tuple[str, ...] = ()) -> Average:
    """Average periods of one objective: pooled if every period carries its parts, else mean."""
    values = [o.value for o in objectives if o.value is not None and math.isfinite(o.value)]
    parts = [o.parts for o in objectives]
    if objectives and all(p is not None for p in parts):
        hits = sum(p[0] for p in parts if p is not None)
        base = sum(p[1] for p in parts if p is not None)
        value = hits / base if base > 0 else None
        return Average(value, "pooled", labels, len(values))
    value = sum(values) / len(values) if values else None
    return Average(value, "mean", labels, len(values))


def objective_history(
    periods: Iterable[tuple[str, Sequence[ObjectiveResult]]], objective_id: str
) -> list[tuple[str, ObjectiveResult]]:
    """Pick one objective out of stored periods: (label, the period's results)."""
    return [
        (label, result)
        for label, results in periods
        for result in results
        if result.objective == objective_id
    ]


def compare(history: Sequence[tuple[str, ObjectiveResult]]) -> Comparison:
    """Compare the last period of `history` ((label, result), any order) with the rest.

    Earlier periods are found by their labels, so a missing period counts as no data rather
    than shifting the window.
    """
    if not history:
        raise ValueError("compare needs at least the period to compare")
    by_label = dict(history)
    label, current = history[-1]

    def over(labels: tuple[str, ...]) -> Average:
        return average([by_label[x] for x in labels if x in by_label], labels)

    earlier = tuple(earlier_label(label, steps) for steps in range(1, 13))
    ago = year_ago_label(label)
    value = current.value
    return Comparison(
        period=label,
        kind=current.kind,
        value=value if value is not None and math.isfinite(value) else None,
        previous=over(earlier[:1]),
        trailing_3=over(earlier[:3]),
        trailing_12=over(earlier),
        year_ago=over((ago,) if ago is not None else ()),
    )


def improved(objective: ObjectiveResult, change: float | None) -> bool | None:
    """Tell whether a change is for the better (by the target's direction); None if no change."""
    if change is None or change == 0:
        return None
    return (change > 0) == objective.op.higher_is_better
