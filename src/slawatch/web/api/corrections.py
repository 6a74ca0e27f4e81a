"""API routes: an agreement's corrections and exclusions — list, propose, approve, reject.

A correction never edits an event: it is a record of its own, applied by evaluation once
approved (at once under the agreement's default `corrections: {approval: none}`). One that
changes a closed period is refused with 409 and the periods it changes, old beside new, until
the request repeats it with `confirm_closed_periods: true`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from anyio import to_thread
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from slawatch.engine.instants import from_us
from slawatch.store.agreements import StoredAgreement, all_versions
from slawatch.store.corrections import (
    EVIDENCE_LIMIT,
    REASON_LIMIT,
    CorrectionRecord,
    correction,
    corrections_of,
)
from slawatch.store.db import read_transaction
from slawatch.web.corrections import (
    CorrectionRequest,
    Unconfirmed,
    check_request,
    decide_correction,
    decision_refusal,
    save_correction,
)
from slawatch.web.deps import NO_NUL, AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.drafts import event_cache
from slawatch.web.errors import ConflictError, ForbiddenError, NotFoundError

router = APIRouter(tags=["corrections"])
CorrectionId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the correction's number")]
Short = Annotated[str, Field(max_length=300, pattern=NO_NUL)]


class CorrectionIn(BaseModel):
    action: Literal["exclude", "move", "retype", "void"] = Field(
        description="exclude the item from an objective, or move, retype or void an event"
    )
    item: Short = Field(description="the item's id")
    source: Short = Field(default="default", description="the item's source")
    objective: Short | None = Field(default=None, description="exclude: the objective's id")
    event_type: Short | None = Field(default=None, description="move, retype, void: its type")
    event_at: Short | None = Field(default=None, description="its instant, ISO 8601")
    new_type: Short | None = Field(default=None, description="retype: the right type")
    new_at: Short | None = Field(default=None, description="move: the right instant, ISO 8601")
    reason: str = Field(min_length=1, max_length=REASON_LIMIT, pattern=NO_NUL)
    evidence: str = Field(default="", max_length=EVIDENCE_LIMIT, pattern=NO_NUL)
    confirm_closed_periods: bool = Field(
        default=False, description="apply even though it changes closed periods (seen first)"
    )


class DecisionIn(BaseModel):
    reason: str = Field(default="", max_length=REASON_LIMIT, pattern=NO_NUL)
    confirm_closed_periods: bool = False


class CorrectionRead(BaseModel):
    id: int
    agreement: str
    action: str
    state: str = Field(description="proposed, approved or rejected")
    item: str
    source: str
    objective: str | None
    event_type: str | None
    event_at: dt.datetime | None
    new_type: str | None
    new_at: dt.datetime | None
    reason: str
    evidence: str
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None


def _instant(us: int | None, zone: ZoneInfo) -> dt.datetime | None:
    return None if us is None else from_us(us, zone)


def correction_read(record: CorrectionRecord, zone: ZoneInfo) -> CorrectionRead:
    return CorrectionRead(
        id=record.id,
        agreement=record.agreement_id,
        action=record.action.value,
        state=record.state.value,
        item=record.external_id,
        source=record.source,
        objective=record.objective,
        event_type=record.event_type,
        event_at=_instant(record.event_at, zone),
        new_type=record.new_type,
        new_at=_instant(record.new_at, zone),
        reason=record.reason,
        evidence=record.evidence,
        proposed_by=record.proposed_by,
        proposed_at=from_us(record.proposed_at, zone),
        decided_by=record.decided_by,
        decided_at=_instant(record.decided_at, zone),
        decision_reason=record.decision_reason,
    )


def _versions(request: Request, agreement_id: str) -> list[StoredAgreement]:
    with read_transaction(engine_of(request)) as connection:
        versions = all_versions(connection, agreement_id)
    if not versions:
        raise NotFoundError(f"no agreement {agreement_id!r}")
    return versions


def _unconfirmed(unconfirmed: Unconfirmed) -> JSONResponse:
    body = {"detail": unconfirmed.message(), "changes": unconfirmed.preview.document()}
    return JSONResponse(body, status_code=409)


@router.get(
    "/agreements/{agreement_id}/corrections",
    response_model=list[CorrectionRead],
    responses={404: {"description": "no such agreement"}},
)
def list_corrections(agreement_id: AgreementId, request: Request, _principal: Reader) -> Any:
    """List the agreement's corrections and exclusions, oldest first, with their state."""
    zone = ZoneInfo(_versions(request, agreement_id)[-1].agreement.timezone)
    with read_transaction(engine_of(request)) as connection:
        records = corrections_of(connection, agreement_id)
    return [correction_read(record, zone) for record in records]


@router.post(
    "/agreements/{agreement_id}/corrections",
    status_code=201,
    response_model=CorrectionRead,
    responses={
        404: {"description": "no such agreement, item or event"},
        409: {"description": "it changes closed periods: listed under `changes`, not applied"},
        422: {"description": "a field is missing, malformed or over its limit"},
    },
)
async def create_correction(
    agreement_id: AgreementId, body: CorrectionIn, request: Request, principal: Editor, now: Now
) -> Any:
    """Propose a correction; under `approval: none` it applies as it is saved."""
    engine, cache = engine_of(request), event_cache(request.app)
    sent = CorrectionRequest(**body.model_dump(exclude={"confirm_closed_periods"}))

    def save() -> CorrectionRecord | Unconfirmed:
        versions = _versions(request, agreement_id)
        with read_transaction(engine) as connection:
            draft = check_request(connection, versions, sent)
        return save_correction(
            engine,
            cache,
            versions,
            draft,
            actor=principal.name,
            now=now,
            confirmed=body.confirm_closed_periods,
            settings=settings_of(request),
        )

    saved = await to_thread.run_sync(save)
    if isinstance(saved, Unconfirmed):
        return _unconfirmed(saved)
    if saved.approved:
        request.app.state.after_ingest()
    zone = ZoneInfo(_versions(request, agreement_id)[-1].agreement.timezone)
    return JSONResponse(correction_read(saved, zone).model_dump(mode="json"), status_code=201)


async def _decide(
    request: Request,
    agreement_id: str,
    correction_id: int,
    body: DecisionIn,
    principal: Any,
    now: int,
    *,
    approve: bool,
) -> Any:
    engine, cache = engine_of(request), event_cache(request.app)
    versions = _versions(request, agreement_id)
    with read_transaction(engine) as connection:
        record = correction(connection, correction_id)
    if record is None or record.agreement_id != agreement_id:
        raise NotFoundError(f"no correction #{correction_id} of {agreement_id}")
    if (refusal := decision_refusal(record, versions[-1].agreement, principal)) is not None:
        raise (ConflictError if record.approved is not None else ForbiddenError)(refusal)
    reason = body.reason.strip() or ("approved" if approve else "")
    if not reason:
        raise ConflictError("reason: a rejection needs a reason; say why it is rejected")
    decided = await to_thread.run_sync(
        lambda: decide_correction(
            engine,
            cache,
            record,
            approve=approve,
            reason=reason,
            actor=principal.name,
            now=now,
            confirmed=body.confirm_closed_periods,
        )
    )
    if isinstance(decided, Unconfirmed):
        return _unconfirmed(decided)
    if decided is None:
        raise ConflictError(f"correction #{correction_id} was decided meanwhile")
    if approve:
        request.app.state.after_ingest()
    zone = ZoneInfo(versions[-1].agreement.timezone)
    return correction_read(decided, zone).model_dump(mode="json")


DECISION_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "the proposer, or an editor of the proposer's own party"},
    404: {"description": "no such agreement or correction"},
    409: {"description": "decided already, or closed periods change and are not confirmed"},
}


@router.post(
    "/agreements/{agreement_id}/corrections/{correction_id}/approve",
    response_model=CorrectionRead,
    responses=DECISION_RESPONSES,
)
async def approve_correction(
    agreement_id: AgreementId,
    correction_id: CorrectionId,
    body: DecisionIn,
    request: Request,
    principal: Editor,
    now: Now,
) -> Any:
    """Approve a proposed correction: the next evaluation applies it."""
    return await _decide(request, agreement_id, correction_id, body, principal, now, approve=True)


@router.post(
    "/agreements/{agreement_id}/corrections/{correction_id}/reject",
    response_model=CorrectionRead,
    responses=DECISION_RESPONSES,
)
async def reject_correction(
    agreement_id: AgreementId,
    correction_id: CorrectionId,
    body: DecisionIn,
    request: Request,
    principal: Editor,
    now: Now,
) -> Any:
    """Reject a proposed correction, saying why; it never applies."""
    return await _decide(request, agreement_id, correction_id, body, principal, now, approve=False)
