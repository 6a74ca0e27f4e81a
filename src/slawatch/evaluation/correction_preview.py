"""What applying a correction would change in closed periods, shown before it applies.

History is sealed: a correction that changes a closed period applies only when whoever makes
it apply (the proposer under `approval: none`, the approver otherwise) has seen the closed
periods it changes, old beside new, and confirmed. Both sides are evaluated now, on the same
events, exactly as the background evaluator does: with the approved corrections, and with
them and this one (the same comparison as a retroactive version's, `evaluation/retroactive.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from slawatch.engine.corrections import Corrections, EventCorrection, Exclusion, corrected
from slawatch.engine.results import ObjectiveResult
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.retroactive import (
    CreditChange,
    ObjectiveChange,
    changed_periods,
    changes_document,
    compare_results,
)
from slawatch.evaluation.service import evaluate_history
from slawatch.store.agreements import all_versions
from slawatch.store.corrections import approved_corrections
from slawatch.store.db import read_transaction


@dataclass(frozen=True)
class CorrectionPreview:
    """The closed periods one correction would change; empty when it changes none."""

    agreement_id: str
    as_of: int
    objectives: tuple[ObjectiveChange, ...]
    credits: tuple[CreditChange, ...]

    @property
    def periods(self) -> list[str]:
        return changed_periods(self.objectives, self.credits)

    def document(self) -> dict[str, Any]:
        """Return the preview as the API serves it (the shape of a version's preview)."""
        return changes_document(self.objectives, self.credits)


def _figures(result: ObjectiveResult) -> tuple[Any, ...]:
    return (result.value, result.status, result.columns())


def with_one_more(approved: Corrections, added: EventCorrection | Exclusion) -> Corrections:
    if isinstance(added, Exclusion):
        return Corrections(approved.events, (*approved.exclusions, added))
    return Corrections((*approved.events, added), approved.exclusions)


def preview_correction(
    engine: Engine,
    cache: EventCache,
    agreement_id: str,
    added: EventCorrection | Exclusion,
    *,
    now: int,
) -> CorrectionPreview:
    """Show the closed periods `added` would change on top of the approved corrections.

    It blocks (the agreement's history is evaluated twice): run it in a worker thread.
    """
    table, _last_event = cache.current(engine)
    with read_transaction(engine) as connection:
        versions = all_versions(connection, agreement_id)
        approved = approved_corrections(connection, agreement_id)
    if not versions:
        return CorrectionPreview(agreement_id, now, (), ())
    before = evaluate_history(versions, corrected(table, approved), as_of=now)
    after_table = corrected(table, with_one_more(approved, added))
    after = evaluate_history(versions, after_table, as_of=now)
    agreements = {v.version: v.agreement for v in versions}
    # Unlike a version, a correction often moves a count without moving the share (one met
    # lead fewer of 120 met is still 100 %): that is a change to the closed period too.
    objectives, credits = compare_results(before, after, agreements, as_of=now, figures=_figures)
    return CorrectionPreview(agreement_id, now, objectives, credits)
