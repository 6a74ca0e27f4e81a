"""Evaluate an agreement's objectives per period, as of an instant.

Pure: the agreement, the event table and `as_of` in, results out. Each objective is measured
over its own periods (`period:`, default month) from the one holding the agreement's
effective date to the one holding `as_of`, or over a single window the caller names; its
kind (`engine/kinds/`) measures it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from slawatch.agreements.model import Agreement, Objective
from slawatch.engine.evaluator import Evaluator, RatioItems
from slawatch.engine.events import EventTable
from slawatch.engine.incidents import IncidentWindow
from slawatch.engine.kinds import kind_of
from slawatch.engine.periods import Period
from slawatch.engine.results import Evaluation, ObjectiveResult, PeriodResult


def measure(
    evaluator: Evaluator, objective: Objective, window: Period | None
) -> list[tuple[Period, ObjectiveResult]]:
    """Return the objective's result in each of its periods so far (or in `window`)."""
    periods = evaluator.periods(objective, window)
    if not periods:
        return []
    results = kind_of(objective.kind).measure(evaluator, objective, periods)
    return list(zip(periods, results, strict=True))


def evaluate(
    agreement: Agreement,
    table: EventTable,
    *,
    as_of: int,
    window: Period | None = None,
    measured: Callable[[str], None] | None = None,
    ratio_items: RatioItems | None = None,
    incidents: Sequence[IncidentWindow] = (),
) -> Evaluation:
    """Measure every objective per period, grouped by period, earliest first.

    `measured` is called with each objective's id once it is done, for progress displays;
    `ratio_items` with the items behind each ratio objective's figures (`Evaluator`).
    `incidents` are the agreement's declared incidents; they pause the clocks its emergency
    plan lists under `pause:` (engine/incidents.py).
    """
    evaluator = Evaluator(
        agreement, table, as_of=as_of, ratio_items=ratio_items, incidents=incidents
    )
    grouped: dict[Period, list[ObjectiveResult]] = defaultdict(list)
    for objective in agreement.objectives.values():
        for period, result in measure(evaluator, objective, window):
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
