"""What saving a version would change: every closed period whose figures move, old beside new.

History is sealed, so a version saved the ordinary way changes no closed period. A retroactive
version does, and that is shown before it is saved (on the editor page and by the API's dry
run) and recorded in the audit log. Both sides are evaluated now, on the same events, exactly
as the background evaluator does: each period with the version governing it, without and with
the new version. Comparing with fresh figures rather than stored ones keeps an evaluator that
is behind from passing its own lag off as the version's doing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from slawatch.agreements import Agreement
from slawatch.agreements.versions import InForce
from slawatch.engine.events import EventTable
from slawatch.engine.instants import from_us
from slawatch.engine.results import ObjectiveResult
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.credits import period_order, period_statements
from slawatch.evaluation.service import evaluate_history
from slawatch.store.agreements import StoredAgreement, all_versions
from slawatch.store.db import read_transaction
from slawatch.store.results import StoredResult


@dataclass(frozen=True)
class ObjectiveChange:
    """One objective of one closed period: its figures now and with the new version."""

    period: str
    objective: str
    before: ObjectiveResult | None
    after: ObjectiveResult | None


@dataclass(frozen=True)
class CreditChange:
    """What one party owes for one closed period, now and with the new version."""

    period: str
    party: str
    currency: str
    before: str | None  # Decimal text, "500.00"; None when no statement is owed
    after: str | None


def changed_periods(
    objectives: Iterable[ObjectiveChange], credits: Iterable[CreditChange]
) -> list[str]:
    """Return the labels of the periods some change touches, in period order."""
    labels = {c.period for c in objectives} | {c.period for c in credits}
    return sorted(labels, key=period_order)


def changes_document(
    objectives: Iterable[ObjectiveChange], credits: Iterable[CreditChange]
) -> dict[str, Any]:
    """Return the changed periods, objectives and credits as a preview serves them."""
    objectives, credits = list(objectives), list(credits)
    return {
        "changed_periods": changed_periods(objectives, credits),
        "objectives": [
            {
                "period": c.period,
                "objective": c.objective,
                "before": None if c.before is None else c.before.document(),
                "after": None if c.after is None else c.after.document(),
            }
            for c in objectives
        ],
        "credits": [
            {
                "period": c.period,
                "party": c.party,
                "currency": c.currency,
                "before": c.before,
                "after": c.after,
            }
            for c in credits
        ],
    }


@dataclass(frozen=True)
class VersionPreview:
    """The closed periods a new version would change; empty for a sealed (ordinary) save."""

    agreement_id: str
    version: int  # the number the new version would get
    effective: dt.date
    retroactive: bool
    as_of: int
    zone: str
    objectives: tuple[ObjectiveChange, ...]
    credits: tuple[CreditChange, ...]

    @property
    def periods(self) -> list[str]:
        return changed_periods(self.objectives, self.credits)

    def document(self) -> dict[str, Any]:
        """Return the preview as the API serves it."""
        return {
            "agreement": self.agreement_id,
            "version": self.version,
            "effective": self.effective.isoformat(),
            "retroactive": self.retroactive,
            "as_of": from_us(self.as_of, ZoneInfo(self.zone)).isoformat(),
            **changes_document(self.objectives, self.credits),
        }

    def audit_detail(self) -> dict[str, Any]:
        """Return what the audit entry of the save keeps: the periods and how many changed."""
        return {
            "changed_periods": self.periods,
            "changed_objectives": len(self.objectives),
            "changed_credits": len(self.credits),
        }


def _closed(rows: Iterable[StoredResult], as_of: int) -> dict[str, StoredResult]:
    return {row.period: row for row in rows if row.period_end <= as_of}


def _objectives(row: StoredResult | None) -> dict[str, ObjectiveResult]:
    if row is None:
        return {}
    return {objective.objective: objective for objective in row.objectives}


def _credits(
    agreements: Mapping[int, Agreement], row: StoredResult | None
) -> dict[str, dict[str, Any]]:
    if row is None or row.version not in agreements:
        return {}
    return {d["party"]: d for d in period_statements(agreements[row.version], row)}


def _owed(document: Mapping[str, Any] | None) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    if document is None:
        return None, ()
    lines = tuple(sorted((line["objective"], line["amount"]) for line in document["lines"]))
    return str(document["total"]), lines


def compare_versions(
    versions: list[StoredAgreement], candidate: StoredAgreement, table: EventTable, *, as_of: int
) -> tuple[tuple[ObjectiveChange, ...], tuple[CreditChange, ...]]:
    """List the closed periods whose value, status or credit `candidate` would change."""
    return compare_results(
        evaluate_history(versions, table, as_of=as_of),
        evaluate_history([*versions, candidate], table, as_of=as_of),
        {v.version: v.agreement for v in [*versions, candidate]},
        as_of=as_of,
    )


def compare_results(
    before_rows: Iterable[StoredResult],
    after_rows: Iterable[StoredResult],
    agreements: Mapping[int, Agreement],
    *,
    as_of: int,
    figures: Callable[[ObjectiveResult], Any] = lambda result: (result.value, result.status),
) -> tuple[tuple[ObjectiveChange, ...], tuple[CreditChange, ...]]:
    """List the closed periods whose `figures` (value and status) or credit differ."""
    before = _closed(before_rows, as_of)
    after = _closed(after_rows, as_of)
    objectives: list[ObjectiveChange] = []
    credits: list[CreditChange] = []
    for label in sorted(before.keys() | after.keys(), key=period_order):
        old, new = _objectives(before.get(label)), _objectives(after.get(label))
        for objective in sorted(old.keys() | new.keys()):
            was, now = old.get(objective), new.get(objective)
            if was is None or now is None or figures(was) != figures(now):
                objectives.append(ObjectiveChange(label, objective, was, now))
        owed = _credits(agreements, before.get(label))
        owing = _credits(agreements, after.get(label))
        for party in sorted(owed.keys() | owing.keys()):
            was_owed, now_owed = owed.get(party), owing.get(party)
            if _owed(was_owed) != _owed(now_owed):
                currency = str((now_owed or was_owed or {}).get("currency", ""))
                credits.append(
                    CreditChange(label, party, currency, _owed(was_owed)[0], _owed(now_owed)[0])
                )
    return tuple(objectives), tuple(credits)


def preview_version(
    engine: Engine,
    cache: EventCache,
    agreement: Agreement,
    yaml_text: str,
    in_force: InForce,
    *,
    now: int,
) -> VersionPreview:
    """Show what saving `agreement` now, in force as decided, would change; it blocks.

    Run it in a worker thread: it evaluates the agreement's history twice.
    """
    table, _last_event = cache.current(engine)
    with read_transaction(engine) as connection:
        versions = all_versions(connection, agreement.id)
    number = max((v.version for v in versions), default=0) + 1
    candidate = StoredAgreement(
        id=agreement.id,
        version=number,
        effective=in_force.effective,
        agreement=agreement,
        yaml=yaml_text,
        title=agreement.title,
        author="",
        reason="",
        created_at=now,
        retroactive=in_force.retroactive,
    )
    objectives, credits = (
        compare_versions(versions, candidate, table, as_of=now) if versions else ((), ())
    )
    return VersionPreview(
        agreement_id=agreement.id,
        version=number,
        effective=in_force.effective,
        retroactive=in_force.retroactive,
        as_of=now,
        zone=agreement.timezone,
        objectives=objectives,
        credits=credits,
    )
