"""Stored corrections: appended, decided once, read back in the engine's form and per item."""

from __future__ import annotations

from sqlalchemy import Engine, select

from slawatch.engine.corrections import EventCorrection, Exclusion
from slawatch.store.audit import entries
from slawatch.store.corrections import (
    CorrectionAction,
    CorrectionDraft,
    CorrectionState,
    approved_corrections,
    corrections_for_item,
    corrections_of,
    decide,
    propose,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.schema import evaluation_state, items
from tests.evaluation.support import save_template

AGREEMENT = "marketing-sales"


def _item(engine: Engine) -> int:
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "L-1", "handed_over", 1_000, "lead", {})])
        return int(connection.execute(select(items.c.id)).scalar_one())


def _wanted(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        query = select(evaluation_state.c.wanted).where(
            evaluation_state.c.agreement_id == AGREEMENT
        )
        return int(connection.execute(query).scalar_one())


def test_a_correction_that_applies_when_saved_is_approved_and_wanted(engine: Engine):
    save_template(engine)
    item = _item(engine)
    before = _wanted(engine)
    draft = CorrectionDraft(
        AGREEMENT, CorrectionAction.EXCLUDE, item, "a test lead", "", "speed-to-lead"
    )
    with transaction(engine) as connection:
        saved = propose(connection, draft, actor="lena@example.com", now=5, applies=True)
    assert saved.state is CorrectionState.APPROVED and saved.decided_by == "lena@example.com"
    assert saved.external_id == "L-1" and saved.source == "default"
    assert _wanted(engine) == before + 1
    with read_transaction(engine) as connection:
        assert approved_corrections(connection, AGREEMENT).exclusions == (
            Exclusion(item, "speed-to-lead"),
        )
        assert [c.id for c in corrections_for_item(connection, item)] == [saved.id]
        actions = [e["action"] for e in entries(connection, subject=f"agreement:{AGREEMENT}")]
    assert actions[:2] == ["correction.approve", "correction.propose"]


def test_a_proposal_waits_for_one_decision_and_a_second_one_is_refused(engine: Engine):
    save_template(engine)
    item = _item(engine)
    draft = CorrectionDraft(
        AGREEMENT,
        CorrectionAction.MOVE,
        item,
        "the CRM stamped the import time",
        "ticket CRM-12",
        event_type="handed_over",
        event_at=1_000,
        new_at=500,
    )
    with transaction(engine) as connection:
        saved = propose(connection, draft, actor="lena@example.com", now=5, applies=False)
    assert saved.state is CorrectionState.PROPOSED
    with read_transaction(engine) as connection:
        assert not approved_corrections(connection, AGREEMENT)
    with transaction(engine) as connection:
        approved = decide(
            connection, saved.id, approved=True, actor="tom@example.com", reason="ok", now=9
        )
        again = decide(
            connection, saved.id, approved=False, actor="x@example.com", reason="no", now=10
        )
    assert approved is not None and approved.state is CorrectionState.APPROVED
    assert again is None
    with read_transaction(engine) as connection:
        assert approved_corrections(connection, AGREEMENT).events == (
            EventCorrection(item, "handed_over", 1_000, new_at=500),
        )


def test_a_rejection_records_who_and_why_and_never_applies(engine: Engine):
    save_template(engine)
    item = _item(engine)
    draft = CorrectionDraft(
        AGREEMENT,
        CorrectionAction.VOID,
        item,
        "duplicate",
        event_type="handed_over",
        event_at=1_000,
    )
    with transaction(engine) as connection:
        saved = propose(connection, draft, actor="lena@example.com", now=5, applies=False)
        rejected = decide(
            connection,
            saved.id,
            approved=False,
            actor="tom@example.com",
            reason="it happened",
            now=7,
        )
    assert rejected is not None and rejected.state is CorrectionState.REJECTED
    assert (rejected.decided_by, rejected.decided_at, rejected.decision_reason) == (
        "tom@example.com",
        7,
        "it happened",
    )
    with read_transaction(engine) as connection:
        assert not approved_corrections(connection, AGREEMENT)
        assert [c.state for c in corrections_of(connection, AGREEMENT)] == [
            CorrectionState.REJECTED
        ]
