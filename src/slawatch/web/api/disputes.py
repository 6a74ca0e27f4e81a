"""API routes: disputes of an agreement's verdicts, figures and credit statements.

Viewers read; editors open disputes and comment; an admin, or an editor who is a contact of
the other party, decides (`web/dispute_actions.py`). Every change lands on the dispute's
append-only timeline and in the audit log; the ladder is climbed by the background job.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from slawatch.alerts.disputes import dispute_schedule
from slawatch.engine.dispute_ladder import deadline_of
from slawatch.engine.instants import from_us
from slawatch.store.db import read_transaction, transaction
from slawatch.store.disputes import Dispute, DisputeEntry, list_disputes
from slawatch.web.deps import NO_NUL, AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.dispute_actions import (
    MAX_CORRECTION_ID,
    MAX_LINK,
    MAX_LINKS,
    MAX_TEXT,
    DisputeRequest,
    agreement_of,
    comment_checked,
    decide_checked,
    existing,
    open_checked,
)

router = APIRouter(tags=["disputes"])
DisputeId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the dispute's number")]
Links = Annotated[
    list[Annotated[str, Field(max_length=MAX_LINK)]],
    Field(max_length=MAX_LINKS, description="evidence: web addresses (http or https)"),
]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, pattern=NO_NUL)]
CorrectionId = Annotated[str, Field(max_length=MAX_CORRECTION_ID, pattern=NO_NUL)]
ShortId = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]


class ItemIn(BaseModel):
    source: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
    external_id: Annotated[str, Field(min_length=1, max_length=300, pattern=NO_NUL)]


class DisputeCreate(BaseModel):
    subject: Literal["item", "figure", "statement"] = Field(
        description="item: an item's verdict (objective + item); figure: a period's figure "
        "(objective + period); statement: a credit statement (period + owing_party)"
    )
    party: ShortId = Field(description="the disputing party's id")
    reason: Text
    links: Links = []
    objective: ShortId | None = None
    item: ItemIn | None = None
    period: Annotated[str, Field(max_length=40, pattern=NO_NUL)] | None = None
    owing_party: ShortId | None = Field(None, description="the statement's party")


class CommentCreate(BaseModel):
    text: Text
    links: Links = []


class DecisionCreate(BaseModel):
    decision: Literal["upheld", "rejected"]
    reason: Text
    correction_id: (
        Annotated[str, Field(max_length=MAX_CORRECTION_ID, pattern=NO_NUL)] | int | None
    ) = Field(None, description="an upheld decision may name the correction it applies")


class EntryRead(BaseModel):
    at: dt.datetime
    kind: str = Field(description="opened, comment, escalated (to `tier`), overdue, decided")
    actor: str
    text: str | None
    links: list[str]
    tier: int | None


class ItemRead(BaseModel):
    id: int
    name: str = Field(description="source/external id")


class DisputeRead(BaseModel):
    id: int
    agreement: str
    subject: str
    party: str = Field(description="the disputing party")
    objective: str | None
    item: ItemRead | None
    period: str | None
    owing_party: str | None
    title: str
    status: Literal["open", "upheld", "rejected"]
    opened_by: str
    opened_at: dt.datetime
    deadline: dt.datetime | None = Field(description="decide by then (the resolution time)")
    tier: int = Field(description="the highest tier notified so far; 0 before the first step")
    next_step_at: dt.datetime | None
    decided_at: dt.datetime | None
    decided_by: str | None
    decision_reason: str | None
    correction_id: str | None
    timeline: list[EntryRead]


def _at(us: int | None) -> dt.datetime | None:
    return None if us is None else from_us(us, dt.UTC)


def _entry(entry: DisputeEntry) -> EntryRead:
    return EntryRead(
        at=from_us(entry.at, dt.UTC),
        kind=entry.kind,
        actor=entry.actor,
        text=entry.text,
        links=list(entry.links),
        tier=entry.tier,
    )


def dispute_read(dispute: Dispute, deadline: int | None) -> dict[str, Any]:
    item = None
    if dispute.item_id is not None:
        item = ItemRead(id=dispute.item_id, name=dispute.item or "")
    return {
        "id": dispute.id,
        "agreement": dispute.agreement_id,
        "subject": dispute.subject,
        "party": dispute.disputing_party,
        "objective": dispute.objective,
        "item": item,
        "period": dispute.period,
        "owing_party": dispute.party if dispute.subject == "statement" else None,
        "title": dispute.title,
        "status": dispute.status,
        "opened_by": dispute.opened_by,
        "opened_at": _at(dispute.opened_at),
        "deadline": _at(deadline),
        "tier": dispute.tier,
        "next_step_at": _at(dispute.next_step_at),
        "decided_at": _at(dispute.decided_at),
        "decided_by": dispute.decided_by,
        "decision_reason": dispute.decision_reason,
        "correction_id": dispute.correction_id,
        "timeline": [_entry(e) for e in dispute.entries],
    }


def _read(connection: Any, dispute: Dispute) -> dict[str, Any]:
    agreement = agreement_of(connection, dispute.agreement_id).agreement
    return dispute_read(dispute, deadline_of(dispute_schedule(agreement, dispute.opened_at)))


RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such agreement or dispute"},
    422: {"description": "a field is missing or wrong; the message names it and the fix"},
}


@router.post(
    "/agreements/{agreement_id}/disputes",
    response_model=DisputeRead,
    status_code=201,
    responses=RESPONSES,
)
def create_dispute(
    agreement_id: AgreementId, body: DisputeCreate, request: Request, principal: Editor, now: Now
) -> Any:
    """Open a dispute with its reason and evidence; its ladder starts at once."""
    asked = DisputeRequest(
        subject=body.subject,
        party=body.party,
        reason=body.reason,
        objective=body.objective,
        item_source=body.item.source if body.item else None,
        item_external_id=body.item.external_id if body.item else None,
        period=body.period,
        owing_party=body.owing_party,
        links=tuple(body.links),
    )
    with transaction(engine_of(request)) as connection:
        dispute = open_checked(connection, agreement_id, asked, actor=principal.name, now=now)
        return _read(connection, dispute)


@router.get(
    "/agreements/{agreement_id}/disputes", response_model=list[DisputeRead], responses=RESPONSES
)
def list_agreement_disputes(
    agreement_id: AgreementId,
    request: Request,
    _: Reader,
    status: Literal["open", "decided", "upheld", "rejected"] | None = None,
    objective: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    """List an agreement's disputes, newest first, each with its timeline."""
    with read_transaction(engine_of(request)) as connection:
        agreement = agreement_of(connection, agreement_id).agreement
        found = list_disputes(
            connection, agreement_id, status=status, objective=objective, limit=limit
        )
        return [
            dispute_read(d, deadline_of(dispute_schedule(agreement, d.opened_at))) for d in found
        ]


@router.get(
    "/agreements/{agreement_id}/disputes/{dispute_id}",
    response_model=DisputeRead,
    responses=RESPONSES,
)
def get_one(agreement_id: AgreementId, dispute_id: DisputeId, request: Request, _: Reader) -> Any:
    """Read one dispute with its timeline."""
    with read_transaction(engine_of(request)) as connection:
        return _read(connection, existing(connection, agreement_id, dispute_id))


@router.post(
    "/agreements/{agreement_id}/disputes/{dispute_id}/comments",
    response_model=DisputeRead,
    status_code=201,
    responses=RESPONSES | {409: {"description": "the dispute is decided"}},
)
def comment(
    agreement_id: AgreementId,
    dispute_id: DisputeId,
    body: CommentCreate,
    request: Request,
    principal: Editor,
    now: Now,
) -> Any:
    """Add a comment or evidence to an open dispute's timeline."""
    with transaction(engine_of(request)) as connection:
        dispute = comment_checked(
            connection, agreement_id, dispute_id, text=body.text, links=body.links,
            actor=principal.name, now=now,
        )  # fmt: skip
        return _read(connection, dispute)


@router.post(
    "/agreements/{agreement_id}/disputes/{dispute_id}/decision",
    response_model=DisputeRead,
    responses=RESPONSES
    | {
        403: {"description": "not an admin, nor an editor who is a contact of the other party"},
        409: {"description": "the dispute is decided already"},
    },
)
def decide_dispute(
    agreement_id: AgreementId,
    dispute_id: DisputeId,
    body: DecisionCreate,
    request: Request,
    principal: Editor,
    now: Now,
) -> Any:
    """Decide a dispute: upheld (naming the correction it applies, if any) or rejected, and why."""
    correction = None if body.correction_id is None else str(body.correction_id)
    with transaction(engine_of(request)) as connection:
        dispute = decide_checked(
            connection, agreement_id, dispute_id, decision=body.decision, reason=body.reason,
            correction_id=correction, principal=principal, now=now,
            settings=settings_of(request),
        )  # fmt: skip
        return _read(connection, dispute)
