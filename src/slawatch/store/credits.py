"""Issued service-credit statements: one row per agreement, closed period and owing party.

A statement is issued once and never overwritten by the evaluator: when the numbers of a
stated period change later, the recomputed statement is kept beside it (`revised`) until an
admin accepts it. Amounts are Decimal text ("500.00"), so money never passes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store import audit
from slawatch.store.schema import credit_statements


@dataclass(frozen=True)
class IssuedStatement:
    """A stored statement: the issued document, and the recomputed one if the numbers moved."""

    agreement_id: str
    period: str
    party: str
    version: int
    issued_at: int  # µs since the epoch
    amount: Decimal
    currency: str
    statement: dict[str, Any]
    revised: dict[str, Any] | None = None
    revised_at: int | None = None
    revision_reason: str | None = None  # what moved the figures, when known (a correction)

    @property
    def changed_after_issue(self) -> bool:
        return self.revised is not None


def _issued(row: Any) -> IssuedStatement:
    return IssuedStatement(
        agreement_id=row.agreement_id,
        period=row.period,
        party=row.party,
        version=row.version,
        issued_at=row.issued_at,
        amount=Decimal(row.amount),
        currency=row.currency,
        statement=row.statement,
        revised=row.revised,
        revised_at=row.revised_at,
        revision_reason=row.revision_reason,
    )


def issued_statements(
    connection: Connection, agreement_id: str, period: str | None = None
) -> list[IssuedStatement]:
    """Return an agreement's statements (of one period if given), by period label and party."""
    c = credit_statements.c
    query = select(credit_statements).where(c.agreement_id == agreement_id)
    if period is not None:
        query = query.where(c.period == period)
    return [_issued(row) for row in connection.execute(query.order_by(c.period, c.party))]


def issued_statement(
    connection: Connection, agreement_id: str, period: str, party: str
) -> IssuedStatement | None:
    c = credit_statements.c
    row = connection.execute(
        select(credit_statements).where(
            c.agreement_id == agreement_id, c.period == period, c.party == party
        )
    ).first()
    return None if row is None else _issued(row)


def _insert_ignoring_conflict(connection: Connection) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(credit_statements).on_conflict_do_nothing()
    return statement


def issue_statement(
    connection: Connection,
    *,
    agreement_id: str,
    period: str,
    party: str,
    version: int,
    amount: Decimal,
    currency: str,
    statement: dict[str, Any],
    now: int,
) -> bool:
    """Store a statement as issued; False if that period and party were issued already.

    The insert ignores a conflict, so two replicas issuing the same period at once leave one
    row, and the one that lost the race learns so from the missing RETURNING row.
    """
    inserted = connection.execute(
        _insert_ignoring_conflict(connection)
        .values(
            agreement_id=agreement_id,
            period=period,
            party=party,
            version=version,
            issued_at=now,
            amount=str(amount),
            currency=currency,
            statement=statement,
        )
        .returning(credit_statements.c.party)
    ).first()
    return inserted is not None


def set_revision(
    connection: Connection,
    agreement_id: str,
    period: str,
    party: str,
    *,
    revised: dict[str, Any] | None,
    now: int,
    reason: str | None = None,
) -> None:
    """Keep a recomputed statement beside the issued one, or clear it (None) when they agree.

    `reason` names what moved the figures (the corrections approved since the statement was
    issued); it goes with the revision and is cleared with it.
    """
    c = credit_statements.c
    connection.execute(
        update(credit_statements)
        .where(c.agreement_id == agreement_id, c.period == period, c.party == party)
        .values(
            revised=revised,
            revised_at=None if revised is None else now,
            revision_reason=None if revised is None else reason,
        )
    )


def accept_revision(
    connection: Connection,
    agreement_id: str,
    period: str,
    party: str,
    *,
    seen_revised_at: int,
    version: int,
    amount: Decimal,
    currency: str,
    actor: str,
    now: int,
) -> IssuedStatement | None:
    """Issue the pending revision in place of the statement; None if it changed meanwhile.

    `seen_revised_at` is the revision the admin looked at: a revision recomputed since then
    (or already accepted by someone else) matches nothing, so nobody accepts numbers unseen.
    The replaced statement goes to the audit log, the only place it survives.
    """
    before = issued_statement(connection, agreement_id, period, party)
    if before is None or before.revised is None or before.revised_at != seen_revised_at:
        return None
    c = credit_statements.c
    changed = connection.execute(
        update(credit_statements)
        .where(
            c.agreement_id == agreement_id,
            c.period == period,
            c.party == party,
            c.revised_at == seen_revised_at,
        )
        .values(
            statement=before.revised,
            version=version,
            amount=str(amount),
            currency=currency,
            issued_at=now,
            revised=None,
            revised_at=None,
            revision_reason=None,
        )
        .returning(c.party)
    ).first()
    if changed is None:
        return None
    audit.record(
        connection,
        actor=actor,
        action="credits.accept_revision",
        subject=f"agreement:{agreement_id}",
        period=period,
        party=party,
        replaced_statement=before.statement,
        replaced_amount=str(before.amount),
        replaced_issued_at=before.issued_at,
        replaced_version=before.version,
        revision_reason=before.revision_reason,
    )
    return issued_statement(connection, agreement_id, period, party)
