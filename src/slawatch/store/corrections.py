"""Corrections and exclusions: proposed, decided once, and read back for evaluation and pages.

Both tables are only appended to. A correction row states what is to change and why; its
decision (approved or rejected, by whom, when, why) is a row of its own whose primary key is
the correction's, so of two people deciding at once exactly one succeeds. Under `approval:
none` a correction is approved by its proposer as it is saved. Saving an approved correction
marks the agreement's results as wanted, like a new version or new events do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.engine.corrections import Corrections, EventCorrection, Exclusion
from slawatch.store import audit
from slawatch.store.agreements import _want_results
from slawatch.store.schema import correction_decisions, corrections, events, items

REASON_LIMIT = 2_000  # characters of a reason (proposal or decision)
EVIDENCE_LIMIT = 4_000  # characters of evidence: text and links


class CorrectionAction(StrEnum):
    EXCLUDE = "exclude"  # take the item out of one objective
    MOVE = "move"  # give an event another instant
    RETYPE = "retype"  # give an event another type
    VOID = "void"  # the event did not happen


class CorrectionState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class CorrectionDraft:
    """A correction as someone proposes it, checked by the caller (API, page)."""

    agreement_id: str
    action: CorrectionAction
    item_id: int
    reason: str
    evidence: str = ""
    objective: str | None = None
    event_id: int | None = None
    event_type: str | None = None
    event_at: int | None = None
    new_type: str | None = None
    new_at: int | None = None


@dataclass(frozen=True)
class CorrectionRecord:
    """A stored correction with its item's address and its decision, if any."""

    id: int
    agreement_id: str
    action: CorrectionAction
    item_id: int
    source: str
    external_id: str
    objective: str | None
    event_id: int | None
    event_type: str | None
    event_at: int | None
    new_type: str | None
    new_at: int | None
    reason: str
    evidence: str
    proposed_by: str
    proposed_at: int
    approved: bool | None = None
    decided_by: str | None = None
    decided_at: int | None = None
    decision_reason: str | None = None

    @property
    def state(self) -> CorrectionState:
        if self.approved is None:
            return CorrectionState.PROPOSED
        return CorrectionState.APPROVED if self.approved else CorrectionState.REJECTED

    def engine_form(self) -> EventCorrection | Exclusion:
        """Return the correction as the engine applies it."""
        if self.action is CorrectionAction.EXCLUDE:
            return Exclusion(self.item_id, str(self.objective))
        return EventCorrection(
            self.item_id,
            str(self.event_type),
            int(self.event_at or 0),
            new_type=self.new_type,
            new_at=self.new_at,
            void=self.action is CorrectionAction.VOID,
        )

    def label(self) -> str:
        """Name the correction in a revision's reason and the audit log: `correction #3`."""
        return f"correction #{self.id}"


def _query() -> Select[Any]:
    c, d = corrections.c, correction_decisions.c
    return (
        select(
            corrections,
            items.c.source,
            items.c.external_id,
            d.approved,
            d.decided_by,
            d.decided_at,
            d.reason.label("decision_reason"),
        )
        .join(items, items.c.id == c.item_id)
        .outerjoin(correction_decisions, d.correction_id == c.id)
        .order_by(c.id)
    )


def _record(row: Any) -> CorrectionRecord:
    m = row._mapping
    return CorrectionRecord(
        id=m["id"],
        agreement_id=m["agreement_id"],
        action=CorrectionAction(m["action"]),
        item_id=m["item_id"],
        source=m["source"],
        external_id=m["external_id"],
        objective=m["objective"],
        event_id=m["event_id"],
        event_type=m["event_type"],
        event_at=m["event_at"],
        new_type=m["new_type"],
        new_at=m["new_at"],
        reason=m["reason"],
        evidence=m["evidence"],
        proposed_by=m["proposed_by"],
        proposed_at=m["proposed_at"],
        approved=m["approved"],
        decided_by=m["decided_by"],
        decided_at=m["decided_at"],
        decision_reason=m["decision_reason"],
    )


def correction(connection: Connection, correction_id: int) -> CorrectionRecord | None:
    row = connection.execute(_query().where(corrections.c.id == correction_id)).first()
    return None if row is None else _record(row)


def corrections_of(connection: Connection, agreement_id: str) -> list[CorrectionRecord]:
    """Return an agreement's corrections, oldest first, whatever their state."""
    rows = connection.execute(_query().where(corrections.c.agreement_id == agreement_id))
    return [_record(row) for row in rows]


def corrections_for_item(connection: Connection, item_id: int) -> list[CorrectionRecord]:
    """Return every correction of one item, of any agreement and state, oldest first.

    The item page's story lists them with who proposed and decided them, when and why.
    """
    rows = connection.execute(_query().where(corrections.c.item_id == item_id))
    return [_record(row) for row in rows]


def approved_corrections(connection: Connection, agreement_id: str) -> Corrections:
    """Return the approved corrections of an agreement in the engine's form, in approval order."""
    found = sorted(
        (r for r in corrections_of(connection, agreement_id) if r.approved),
        key=lambda r: (r.decided_at or 0, r.id),
    )
    return as_corrections(found)


def as_corrections(records: Sequence[CorrectionRecord]) -> Corrections:
    forms = [record.engine_form() for record in records]
    return Corrections(
        events=tuple(f for f in forms if isinstance(f, EventCorrection)),
        exclusions=tuple(f for f in forms if isinstance(f, Exclusion)),
    )


def approved_since(connection: Connection, agreement_id: str, since: int) -> list[CorrectionRecord]:
    """Return the corrections approved after `since` (µs): what revises an issued statement."""
    return [
        r
        for r in corrections_of(connection, agreement_id)
        if r.approved and r.decided_at is not None and r.decided_at > since
    ]


def propose(
    connection: Connection,
    draft: CorrectionDraft,
    *,
    actor: str,
    now: int,
    applies: bool,
    changed_periods: Sequence[str] = (),
) -> CorrectionRecord:
    """Store a correction; with `applies` (approval: none) it is approved as it is saved.

    `changed_periods` are the closed periods the proposer was shown it changes (audit log).
    """
    values = {name: getattr(draft, name) for name in CorrectionDraft.__dataclass_fields__}
    values["action"] = draft.action.value
    correction_id = connection.execute(
        insert(corrections)
        .values(**values, proposed_by=actor, proposed_at=now)
        .returning(corrections.c.id)
    ).scalar_one()
    audit.record(
        connection,
        actor=actor,
        action="correction.propose",
        subject=f"agreement:{draft.agreement_id}",
        correction=correction_id,
        kind=draft.action.value,
        item=draft.item_id,
        reason=draft.reason,
    )
    if applies:
        decided = decide(
            connection,
            correction_id,
            approved=True,
            actor=actor,
            reason="applies when saved (corrections: approval: none)",
            now=now,
            changed_periods=changed_periods,
        )
        assert decided is not None
        return decided
    stored = correction(connection, correction_id)
    assert stored is not None
    return stored


def decide(
    connection: Connection,
    correction_id: int,
    *,
    approved: bool,
    actor: str,
    reason: str,
    now: int,
    changed_periods: Sequence[str] = (),
) -> CorrectionRecord | None:
    """Approve or reject a proposed correction; None when it was decided already.

    An approval marks the agreement's results as wanted: the next evaluation applies it.
    """
    before = correction(connection, correction_id)
    if before is None or before.approved is not None:
        return None
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    inserted = connection.execute(
        dialect.insert(correction_decisions)
        .on_conflict_do_nothing()
        .values(
            correction_id=correction_id,
            approved=approved,
            decided_by=actor,
            decided_at=now,
            reason=reason,
        )
        .returning(correction_decisions.c.correction_id)
    ).first()
    if inserted is None:
        return None  # someone else decided it a moment ago
    if approved:
        _want_results(connection, before.agreement_id)
    audit.record(
        connection,
        actor=actor,
        action="correction.approve" if approved else "correction.reject",
        subject=f"agreement:{before.agreement_id}",
        correction=correction_id,
        reason=reason,
        changed_periods=list(changed_periods),
    )
    return correction(connection, correction_id)


def approved_for_item(connection: Connection, item_id: int) -> dict[str, Corrections]:
    """Return the approved corrections of one item, per agreement, in the engine's form."""
    found: dict[str, list[CorrectionRecord]] = {}
    for record in sorted(
        (r for r in corrections_for_item(connection, item_id) if r.approved),
        key=lambda r: (r.decided_at or 0, r.id),
    ):
        found.setdefault(record.agreement_id, []).append(record)
    return {agreement_id: as_corrections(records) for agreement_id, records in found.items()}


def corrections_in_period(
    connection: Connection, agreement_id: str, start: int, end: int
) -> list[CorrectionRecord]:
    """Return the approved corrections that concern the period [start, end), by approval.

    An event correction concerns the periods holding the event's old or new instant; an
    exclusion those in which the item has an event.
    """
    c = corrections.c
    has_event = exists().where(
        events.c.item_id == c.item_id, events.c.at >= start, events.c.at < end
    )
    concerns = or_(
        and_(c.event_at >= start, c.event_at < end),
        and_(c.new_at >= start, c.new_at < end),
        and_(c.action == CorrectionAction.EXCLUDE.value, has_event),
    )
    query = _query().where(
        c.agreement_id == agreement_id, correction_decisions.c.approved.is_(True), concerns
    )
    found = [_record(row) for row in connection.execute(query)]
    return sorted(found, key=lambda r: (r.decided_at or 0, r.id))
