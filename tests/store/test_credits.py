"""Stored credit statements: issued once, revisions kept beside them, accepted only as seen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Engine

from slawatch.store.audit import entries
from slawatch.store.credits import (
    accept_revision,
    issue_statement,
    issued_statement,
    issued_statements,
    set_revision,
)
from slawatch.store.db import read_transaction, transaction
from tests.evaluation.support import save_template

AGREEMENT = "marketing-sales"


def document(total: str, version: int = 1) -> dict[str, Any]:
    return {"party": "sales", "version": version, "currency": "EUR", "total": total, "lines": []}


def issue(engine: Engine, period: str, party: str = "sales", total: str = "500.00") -> bool:
    with transaction(engine) as connection:
        return issue_statement(
            connection,
            agreement_id=AGREEMENT,
            period=period,
            party=party,
            version=1,
            amount=Decimal(total),
            currency="EUR",
            statement=document(total),
            now=100,
        )


def test_a_statement_is_issued_once_and_a_second_issue_is_ignored(engine: Engine):
    save_template(engine)
    assert issue(engine, "2026-04") is True
    assert issue(engine, "2026-04", total="999.00") is False
    with read_transaction(engine) as connection:
        stored = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert stored is not None and stored.amount == Decimal("500.00")
    assert stored.statement == document("500.00") and not stored.changed_after_issue


def test_statements_are_listed_by_period_and_party_and_filtered_by_period(engine: Engine):
    save_template(engine)
    issue(engine, "2026-05", "sales")
    issue(engine, "2026-04", "sales")
    issue(engine, "2026-04", "marketing", "0.00")
    with read_transaction(engine) as connection:
        every = issued_statements(connection, AGREEMENT)
        april = issued_statements(connection, AGREEMENT, "2026-04")
        missing = issued_statement(connection, AGREEMENT, "2026-06", "sales")
    assert [(s.period, s.party) for s in every] == [
        ("2026-04", "marketing"),
        ("2026-04", "sales"),
        ("2026-05", "sales"),
    ]
    assert [s.party for s in april] == ["marketing", "sales"] and missing is None


def test_a_revision_is_kept_beside_the_issued_statement_and_can_be_cleared(engine: Engine):
    save_template(engine)
    issue(engine, "2026-04")
    with transaction(engine) as connection:
        set_revision(connection, AGREEMENT, "2026-04", "sales", revised=document("1000.00"), now=7)
        flagged = issued_statement(connection, AGREEMENT, "2026-04", "sales")
        set_revision(connection, AGREEMENT, "2026-04", "sales", revised=None, now=8)
        cleared = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert flagged is not None and flagged.changed_after_issue and flagged.revised_at == 7
    assert flagged.amount == Decimal("500.00")
    assert cleared is not None and cleared.revised is None and cleared.revised_at is None


def accept(engine: Engine, seen: int) -> Any:
    with transaction(engine) as connection:
        return accept_revision(
            connection,
            AGREEMENT,
            "2026-04",
            "sales",
            seen_revised_at=seen,
            version=2,
            amount=Decimal("1000.00"),
            currency="EUR",
            actor="admin@example.com",
            now=50,
        )


def test_only_the_revision_that_was_seen_can_be_accepted(engine: Engine):
    save_template(engine)
    issue(engine, "2026-04")
    assert accept(engine, 7) is None  # nothing to accept yet
    with transaction(engine) as connection:
        set_revision(
            connection, AGREEMENT, "2026-04", "sales", revised=document("1000.00", 2), now=7
        )
    assert accept(engine, 6) is None  # recomputed since the admin looked
    accepted = accept(engine, 7)
    assert accepted is not None and accepted.amount == Decimal("1000.00")
    assert (accepted.version, accepted.issued_at, accepted.revised) == (2, 50, None)
    assert accepted.statement == document("1000.00", 2)
    assert accept(engine, 7) is None  # accepted once
    with read_transaction(engine) as connection:
        (entry,) = entries(connection, subject=f"agreement:{AGREEMENT}", limit=1)
    assert entry["action"] == "credits.accept_revision"
    assert entry["detail"]["replaced_statement"] == document("500.00")
    assert entry["detail"]["replaced_issued_at"] == 100
