"""API routes: the service-credit statements issued for an agreement's closed periods.

Statements are read as issued; a statement whose period's numbers changed after issue carries
the recomputed one under `revised`, with `changed_after_issue: true` and the differences, until
an admin accepts it. Money is decimal text ("500.00"), never a binary float.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from slawatch.engine.instants import from_us
from slawatch.engine.periods import PeriodLabelError, parse_label
from slawatch.evaluation.credits import accept_revision, period_order, statement_differences
from slawatch.store.agreements import StoredAgreement, all_versions
from slawatch.store.credits import IssuedStatement, issued_statement, issued_statements
from slawatch.store.db import read_transaction, transaction
from slawatch.web.deps import NO_NUL, Admin, AgreementId, Now, Reader, engine_of
from slawatch.web.dispute_actions import refuse_if_disputed, statement_holds
from slawatch.web.errors import ConflictError, NotFoundError, UnprocessableError

router = APIRouter(tags=["credits"])
PeriodLabel = Annotated[
    str, Path(min_length=1, max_length=20, description="2026-10, 2026-W41, 2026-Q4, …")
]
# PostgreSQL refuses NUL in text: refuse it here, as a 422, rather than fail in the query.
PartyId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=NO_NUL, description="the owing party's id")
]


class CreditLineRead(BaseModel):
    objective: str
    kind: str | None = Field(description="count, clock, ratio or availability")
    op: str | None = Field(description="the target's comparison, e.g. >=")
    value: float | None = Field(description="shares as 0..1; null when there was no data")
    target: float
    tier: int | None = Field(description="1-based tier reached; null when none")
    threshold: float | None
    credit_share: float = Field(description="fraction of the fee owed for this objective")
    amount: str = Field(description="decimal text in the currency, e.g. 500.00")


class DifferenceRead(BaseModel):
    objective: str | None = Field(description="the line's objective; null for the statement")
    field: str = Field(description="total, fee, version, currency; value, tier, amount, …")
    issued: Any
    revised: Any


class RevisionRead(BaseModel):
    revision: int = Field(description="pass as ?revision= to accept exactly this revision")
    revised_at: dt.datetime
    version: int
    currency: str
    fee: str
    total: str
    lines: list[CreditLineRead]
    differences: list[DifferenceRead]
    reason: str | None = Field(
        default=None, description="the corrections approved since issue that revise it, if any"
    )


class StatementRead(BaseModel):
    agreement: str
    period: str
    party: str
    party_name: str
    version: int = Field(description="the agreement version that measured the period")
    issued_at: dt.datetime
    currency: str
    fee: str
    total: str = Field(description="what the party owes for the period, capped at the fee")
    lines: list[CreditLineRead]
    changed_after_issue: bool = Field(
        description="the period's numbers changed after issue; `revised` holds the new statement"
    )
    revised: RevisionRead | None
    disputed: bool = Field(
        False, description="an open dispute holds the statement: it is not settled until decided"
    )
    disputes: list[int] = Field([], description="the open disputes holding it")


class PeriodCreditsRead(BaseModel):
    agreement: str
    period: str
    totals: dict[str, str] = Field(
        description="what all parties owe for the period together, by currency"
    )
    changed_after_issue: bool
    statements: list[StatementRead]


def _instant(us: int) -> dt.datetime:
    return from_us(us, ZoneInfo("UTC"))


def _lines(document: dict[str, Any]) -> list[CreditLineRead]:
    return [
        CreditLineRead(
            objective=line["objective"],
            kind=line.get("kind"),
            op=line.get("op"),
            value=line.get("value"),
            target=line["target"],
            tier=line.get("tier"),
            threshold=line.get("threshold"),
            credit_share=line.get("credit_share", 0.0),
            amount=line["amount"],
        )
        for line in document.get("lines", [])
    ]


def _party_names(versions: list[StoredAgreement]) -> dict[tuple[int, str], str]:
    return {
        (stored.version, party.id): party.name
        for stored in versions
        for party in stored.agreement.parties.values()
    }


def statement_read(
    stored: IssuedStatement,
    names: dict[tuple[int, str], str],
    held: dict[tuple[str, str], list[int]] | None = None,
) -> StatementRead:
    """Describe a stored statement, its revision, what the revision changes, its disputes."""
    disputes = (held or {}).get((stored.period, stored.party), [])
    document = stored.statement
    revised = None
    if stored.revised is not None and stored.revised_at is not None:
        revised = RevisionRead(
            revision=stored.revised_at,
            revised_at=_instant(stored.revised_at),
            version=stored.revised["version"],
            currency=stored.revised["currency"],
            fee=stored.revised["fee"],
            total=stored.revised["total"],
            lines=_lines(stored.revised),
            differences=[
                DifferenceRead(**found) for found in statement_differences(document, stored.revised)
            ],
            reason=stored.revision_reason,
        )
    return StatementRead(
        agreement=stored.agreement_id,
        period=stored.period,
        party=stored.party,
        party_name=names.get((stored.version, stored.party), stored.party),
        version=stored.version,
        issued_at=_instant(stored.issued_at),
        currency=stored.currency,
        fee=document.get("fee", ""),
        total=str(stored.amount),
        lines=_lines(document),
        changed_after_issue=stored.changed_after_issue,
        revised=revised,
        disputed=bool(disputes),
        disputes=disputes,
    )


def _versions(connection: Connection, agreement_id: str) -> list[StoredAgreement]:
    versions = all_versions(connection, agreement_id)
    if not versions:
        raise NotFoundError(f"no agreement {agreement_id!r}")
    return versions


def _label(period: str, versions: list[StoredAgreement]) -> str:
    try:
        return parse_label(period, ZoneInfo(versions[-1].agreement.timezone)).label
    except PeriodLabelError as error:
        raise UnprocessableError(str(error)) from None


def _sorted(statements: list[IssuedStatement]) -> list[IssuedStatement]:
    return sorted(statements, key=lambda s: (period_order(s.period), s.party))


@router.get(
    "/agreements/{agreement_id}/credits",
    response_model=list[StatementRead],
    responses={404: {"description": "no such agreement"}, 422: {"description": "bad period"}},
)
def list_credits(
    agreement_id: AgreementId,
    request: Request,
    _principal: Reader,
    period: Annotated[
        str | None, Query(min_length=1, max_length=20, description="only this period")
    ] = None,
) -> Any:
    """List the issued credit statements, earliest period first, then by party."""
    with read_transaction(engine_of(request)) as connection:
        versions = _versions(connection, agreement_id)
        label = None if period is None else _label(period, versions)
        stored = issued_statements(connection, agreement_id, label)
        held = statement_holds(connection, versions[-1].agreement)
    names = _party_names(versions)
    return [statement_read(s, names, held) for s in _sorted(stored)]


def _none_issued(
    connection: Connection, agreement_id: str, label: str, versions: list[StoredAgreement]
) -> NotFoundError:
    if all(stored.agreement.credits is None for stored in versions):
        return NotFoundError(
            f"agreement {agreement_id!r} has no `credits:` section, so nothing is owed"
        )
    periods = sorted(
        {s.period for s in issued_statements(connection, agreement_id)}, key=period_order
    )
    message = (
        f"no credit statements for period {label}; a period's statements are issued once it "
        "has closed and its results are stored"
    )
    if periods:
        message += f"; statements exist for {periods[0]} to {periods[-1]} ({len(periods)} periods)"
    return NotFoundError(message)


@router.get(
    "/agreements/{agreement_id}/credits/{period}",
    response_model=PeriodCreditsRead,
    responses={
        404: {"description": "no such agreement, or no statements for the period"},
        422: {"description": "not a period label"},
    },
)
def read_period_credits(
    agreement_id: AgreementId, period: PeriodLabel, request: Request, _principal: Reader
) -> Any:
    """Return each party's statement for one period, with revisions and their differences."""
    with read_transaction(engine_of(request)) as connection:
        versions = _versions(connection, agreement_id)
        label = _label(period, versions)
        stored = issued_statements(connection, agreement_id, label)
        if not stored:
            raise _none_issued(connection, agreement_id, label, versions)
        held = statement_holds(connection, versions[-1].agreement)
    names = _party_names(versions)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for statement in stored:
        totals[statement.currency] += statement.amount
    return PeriodCreditsRead(
        agreement=agreement_id,
        period=label,
        totals={currency: str(amount) for currency, amount in sorted(totals.items())},
        changed_after_issue=any(s.changed_after_issue for s in stored),
        statements=[statement_read(s, names, held) for s in stored],
    )


@router.post(
    "/agreements/{agreement_id}/credits/{period}/{party}/accept-revision",
    response_model=StatementRead,
    responses={
        404: {"description": "no such agreement or statement"},
        409: {"description": "no pending revision, not the one given, or disputed"},
        422: {"description": "not a period label"},
    },
)
def accept_credit_revision(
    agreement_id: AgreementId,
    period: PeriodLabel,
    party: PartyId,
    request: Request,
    principal: Admin,
    now: Now,
    revision: Annotated[
        int | None,
        Query(ge=0, le=2**63 - 1, description="the `revision` read from the statement"),
    ] = None,
) -> Any:
    """Issue the pending revision in place of the statement; the old one goes to the audit log."""
    with transaction(engine_of(request)) as connection:
        versions = _versions(connection, agreement_id)
        label = _label(period, versions)
        stored = issued_statement(connection, agreement_id, label, party)
        if stored is None:
            raise NotFoundError(f"no credit statement for {party!r} in period {label}")
        if stored.revised_at is None:
            raise ConflictError(
                f"the statement of {party!r} for {label} has no pending revision to accept"
            )
        refuse_if_disputed(connection, versions[-1].agreement, label, party)
        seen = stored.revised_at if revision is None else revision
        accepted = accept_revision(
            connection,
            agreement_id,
            label,
            party,
            seen_revised_at=seen,
            actor=principal.name,
            now=now,
        )
        if accepted is None:
            raise ConflictError(
                f"revision {seen} is not the pending one ({stored.revised_at}); "
                "read the statement again and accept what it shows",
            )
    return statement_read(accepted, _party_names(versions))
