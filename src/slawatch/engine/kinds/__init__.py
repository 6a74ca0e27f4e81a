"""The objective kinds, by name: the one map the rest of slawatch asks about a kind.

Adding a kind: one module here (model, YAML reading, result, measuring, status, words) entered
in `KINDS`; its tests in tests/engine/kinds/, its words in the catalogues, a docs section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slawatch.agreements.describe import PERIOD_ADVERBS, where_words
from slawatch.agreements.model import Agreement, Objective
from slawatch.engine.kinds.availability import AVAILABILITY
from slawatch.engine.kinds.base import Kind, TimedObjective
from slawatch.engine.kinds.clock import CLOCK
from slawatch.engine.kinds.count import COUNT
from slawatch.engine.kinds.ratio import RATIO
from slawatch.engine.results import ObjectiveResult

KINDS: Mapping[str, Kind] = {kind.name: kind for kind in (COUNT, CLOCK, RATIO, AVAILABILITY)}


def detail_columns() -> tuple[str, ...]:
    """Return every kind's own figure columns, kind by kind: one header for any agreement."""
    return tuple(dict.fromkeys(c for kind in KINDS.values() for c in kind.result.COLUMNS))


def kind_of(name: str) -> Kind:
    """Return the kind of that name (an objective's `kind`, a result's JSON `kind`)."""
    return KINDS[name]


def clocked(objective: Objective) -> TimedObjective | None:
    """Return the objective as one whose items have clocks, or None when its kind has none."""
    if kind_of(objective.kind).item_clocks and isinstance(objective, TimedObjective):
        return objective
    return None


def result_of(document: Mapping[str, Any]) -> ObjectiveResult:
    """Read one objective's result back from its evaluate JSON object."""
    return kind_of(str(document["kind"])).result.from_document(document)


def describe_objective(agreement: Agreement, objective_id: str) -> str:
    """Say in one line what an objective promises, for `slawatch check`.

    e.g. `speed-to-lead (sales): 95% of items from handed_over to contacted within 48h, monthly`
    """
    objective: Objective = agreement.objectives[objective_id]
    what = kind_of(objective.kind).describe(objective)
    if objective.where:
        what += ", where " + where_words(objective.where)
    return f"{objective.id} ({objective.owner}): {what}, {PERIOD_ADVERBS[objective.period]}"
