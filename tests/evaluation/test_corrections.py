"""Approved corrections reach the stored results, the stored item clocks and the credits."""

from __future__ import annotations

from sqlalchemy import Engine, select

from slawatch.engine.corrections import Exclusion
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.correction_preview import preview_correction
from slawatch.evaluation.credits import issue_statements
from slawatch.evaluation.service import refresh_all
from slawatch.store.corrections import CorrectionAction, CorrectionDraft, decide, propose
from slawatch.store.credits import issued_statement
from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import stored_result
from slawatch.store.schema import events, item_clocks
from tests.evaluation.support import AS_OF
from tests.evaluation.test_credits import (
    AGREEMENT,
    ISSUED_AT,
    LATER,
    evaluated_and_stated,
    late_leads_in_april,
)


def _breached_in_april(engine: Engine) -> list[int]:
    c = item_clocks.c
    with read_transaction(engine) as connection:
        rows = connection.execute(
            select(c.item_id).where(
                c.agreement_id == AGREEMENT,
                c.objective == "speed-to-lead",
                c.period == "2026-04",
                c.state == "breached",
            )
        )
        return sorted(rows.scalars())


def _speed(engine: Engine, period: str) -> dict[str, int]:
    with read_transaction(engine) as connection:
        result = stored_result(connection, AGREEMENT, period)
    assert result is not None
    found = result.result("speed-to-lead")
    assert found is not None
    return found.columns()  # type: ignore[no-any-return]


def _exclude(engine: Engine, item: int, *, now: int, applies: bool = True) -> int:
    draft = CorrectionDraft(
        AGREEMENT, CorrectionAction.EXCLUDE, item, "a test lead", objective="speed-to-lead"
    )
    with transaction(engine) as connection:
        return propose(connection, draft, actor="lena@example.com", now=now, applies=applies).id


def test_an_approved_exclusion_changes_the_results_and_drops_the_items_clock(engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine, count=3)
    breached = _breached_in_april(engine)
    before = _speed(engine, "2026-04")
    proposed = _exclude(engine, breached[0], now=LATER, applies=False)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    assert _speed(engine, "2026-04") == before  # proposed only: nothing applies yet
    with transaction(engine) as connection:
        decide(connection, proposed, approved=True, actor="tom@example.com", reason="ok", now=LATER)
    assert AGREEMENT in refresh_all(engine, as_of=AS_OF, issue_credits=False)
    after = _speed(engine, "2026-04")
    assert after["breached"] == before["breached"] - 1 and after["met"] == before["met"]
    assert breached[0] not in _breached_in_april(engine)


def test_a_moved_event_is_measured_at_its_corrected_instant(engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine, count=1)
    late = _breached_in_april(engine)[-1]  # the late lead: stored last
    with read_transaction(engine) as connection:
        event_id, at = connection.execute(
            select(events.c.id, events.c.at).where(events.c.item_id == late)
        ).one()
    draft = CorrectionDraft(
        AGREEMENT,
        CorrectionAction.MOVE,
        late,
        "handed over in May, the CRM back-dated it",
        event_id=event_id,
        event_type="handed_over",
        event_at=at,
        new_at=at + 30 * 86_400_000_000,
    )
    with transaction(engine) as connection:
        propose(connection, draft, actor="lena@example.com", now=LATER, applies=True)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    c = item_clocks.c
    with read_transaction(engine) as connection:
        period = connection.execute(
            select(c.period).where(c.item_id == late, c.objective == "speed-to-lead")
        ).scalar_one()
    assert period == "2026-05"


def test_the_preview_lists_the_closed_periods_a_correction_changes(engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine, count=3)
    breached = _breached_in_april(engine)
    preview = preview_correction(
        engine, EventCache(), AGREEMENT, Exclusion(breached[0], "speed-to-lead"), now=AS_OF
    )
    assert preview.periods == ["2026-04"]
    (change,) = preview.objectives
    assert change.objective == "speed-to-lead" and change.before is not None
    assert preview.document()["changed_periods"] == ["2026-04"]


def test_a_statement_revised_by_a_correction_names_it_as_the_reason(engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine)  # 20 late leads: Sales owes more in April
    issue_statements(engine, AGREEMENT, now=LATER)
    for item in _breached_in_april(engine):
        _exclude(engine, item, now=LATER + 1)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    issue_statements(engine, AGREEMENT, now=LATER + 2)
    with read_transaction(engine) as connection:
        sales = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert sales is not None and sales.issued_at == ISSUED_AT
    assert sales.revised is not None
    assert sales.revision_reason is not None and "correction #" in sales.revision_reason
    assert "a test lead" in sales.revision_reason
