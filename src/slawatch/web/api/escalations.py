"""API routes: escalations, their timelines, acknowledging, snoozing and resolving them.

Escalations are opened, climbed and closed by the background tick; people acknowledge one
(which stops its ladder) or resolve it (which closes it). Both are one-time: a second
acknowledgement, or acting on a closed escalation, is a 409 that says who got there first.
Snoozing holds an open escalation's notifications until a time, with a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel, Field

from slawatch.alerts.snoozing import MAX_REASON, SnoozeError, snooze_end, snooze_reason
from slawatch.engine.instants import from_us, to_us
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import (
    Escalation,
    Outcome,
    Step,
    acknowledge,
    get_escalation,
    list_escalations,
    resolve,
    snooze,
    steps_of,
)
from slawatch.web.deps import NO_NUL, Editor, Now, Reader, engine_of
from slawatch.web.errors import ConflictError, NotFoundError, UnprocessableError
from slawatch.web.security import Principal

router = APIRouter(tags=["escalations"])
EscalationId = Annotated[
    int, Path(ge=1, le=2**63 - 1, description="the escalation's number, e.g. 42")
]
Id = Annotated[str | None, Query(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")]
# PostgreSQL refuses NUL in text: refuse it here, as a 422, rather than fail in the query.
Text = Annotated[str | None, Query(min_length=1, max_length=300, pattern=NO_NUL)]


class ItemRef(BaseModel):
    id: int
    source: str | None
    external_id: str | None


class StepRead(BaseModel):
    at: dt.datetime
    action: str = Field(
        description="opened, step-N (ladder step N notified `tier`), snoozed-N (the N-th "
        "snooze; its reason in `comment`), acknowledged, resolved, recovered or superseded"
    )
    tier: int | None
    actor: str
    comment: str | None


class EscalationRead(BaseModel):
    id: int
    agreement: str
    objective: str = Field(description='the objective; "" for a failing evaluation')
    subject: str = Field(
        description='"item:<item id>", "period:<label>", or "evaluation:<failing since µs>"'
    )
    trigger: str = Field(
        description="warn, breach, at_risk, period_breached, or evaluation_failing (to admins)"
    )
    party: str = Field(description='the owning party; "admins" for a failing evaluation')
    item: ItemRef | None
    period: str | None
    state: Literal["open", "acknowledged", "closed"]
    tier: int = Field(description="the highest tier notified so far; 0 before the first")
    opened_at: dt.datetime
    next_step_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    ack_comment: str | None
    closed_at: dt.datetime | None
    closed_by: str | None
    close_reason: str | None
    detail: dict[str, Any] = Field(
        description="the figures at opening; `history: true` when the subject turned bad "
        "before slawatch watched the database (listed, never notified)"
    )
    snoozed_until: dt.datetime | None = Field(
        None, description="no one is notified before this instant; null when not snoozed"
    )
    snoozed_by: str | None = None
    snooze_reason: str | None = None


class EscalationDetail(EscalationRead):
    steps: list[StepRead]


class CommentIn(BaseModel):
    comment: str = Field(
        "", max_length=2000, pattern=NO_NUL, description="what is being done, or was done"
    )


class SnoozeIn(BaseModel):
    until: dt.datetime | None = Field(
        None, description="snooze until this instant (with a zone), e.g. 2026-03-05T08:00:00Z"
    )
    for_: str | None = Field(
        None,
        alias="for",
        max_length=40,
        pattern=NO_NUL,
        description="or snooze for this long from now: 30m, 2h, 1d (at most 30 days)",
    )
    reason: str = Field(
        max_length=MAX_REASON, pattern=NO_NUL, description="why the escalation may wait; required"
    )


def _instant(us: int | None) -> dt.datetime | None:
    return None if us is None else from_us(us, dt.UTC)


def state_of(escalation: Escalation) -> Literal["open", "acknowledged", "closed"]:
    if escalation.closed_at is not None:
        return "closed"
    return "acknowledged" if escalation.acknowledged_at is not None else "open"


def _read(escalation: Escalation) -> dict[str, Any]:
    item = None
    if escalation.item_id is not None:
        item = ItemRef(
            id=escalation.item_id,
            source=escalation.item_source,
            external_id=escalation.item_external_id,
        )
    return {
        "id": escalation.id,
        "agreement": escalation.agreement_id,
        "objective": escalation.objective,
        "subject": escalation.subject,
        "trigger": escalation.trigger,
        "party": escalation.party,
        "item": item,
        "period": escalation.period,
        "state": state_of(escalation),
        "tier": escalation.tier,
        "opened_at": _instant(escalation.opened_at),
        "next_step_at": _instant(escalation.next_step_at),
        "acknowledged_at": _instant(escalation.acknowledged_at),
        "acknowledged_by": escalation.acknowledged_by,
        "ack_comment": escalation.ack_comment,
        "closed_at": _instant(escalation.closed_at),
        "closed_by": escalation.closed_by,
        "close_reason": escalation.close_reason,
        "detail": escalation.detail,
        "snoozed_until": _instant(escalation.snoozed_until),
        "snoozed_by": escalation.snoozed_by if escalation.snoozed_until else None,
        "snooze_reason": escalation.snooze_reason if escalation.snoozed_until else None,
    }


def _step(step: Step) -> StepRead:
    return StepRead(
        at=from_us(step.at, dt.UTC),
        action=step.action,
        tier=step.tier,
        actor=step.actor,
        comment=step.comment,
    )


def not_found(escalation_id: int) -> NotFoundError:
    return NotFoundError(f"no escalation {escalation_id}; GET /api/v1/escalations lists them")


def refusal(
    escalation_id: int, outcome: Outcome, current: Escalation | None
) -> NotFoundError | ConflictError:
    """Explain why acknowledging or resolving did nothing: missing, or someone was first."""
    if outcome == "missing" or current is None:
        return not_found(escalation_id)
    if outcome == "closed":
        when = _instant(current.closed_at)
        return ConflictError(
            f"escalation {escalation_id} is already closed ({current.close_reason}, by "
            f"{current.closed_by} at {when:%Y-%m-%d %H:%M} UTC)",
        )
    when = _instant(current.acknowledged_at)
    return ConflictError(
        f"escalation {escalation_id} is already acknowledged by {current.acknowledged_by} "
        f"at {when:%Y-%m-%d %H:%M} UTC",
    )


@router.get("/escalations", response_model=list[EscalationRead])
def list_all(
    request: Request,
    _principal: Reader,
    state: Annotated[Literal["open", "closed"] | None, Query(description="open or closed")] = None,
    agreement: Id = None,
    objective: Id = None,
    source: Annotated[Text, Query(description="the item's source, with `item`")] = None,
    item: Annotated[Text, Query(description="the item's external id")] = None,
    period: Annotated[str | None, Query(min_length=1, max_length=20, pattern=NO_NUL)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[dict[str, Any]]:
    """List escalations, open ones first and newest first, filtered by any of the parameters."""
    with read_transaction(engine_of(request)) as connection:
        found = list_escalations(
            connection,
            state=state,
            agreement_id=agreement,
            objective=objective,
            item_source=source,
            item_external_id=item,
            period=period,
            limit=limit,
            offset=offset,
        )
    return [_read(escalation) for escalation in found]


def _detail(request: Request, escalation_id: int) -> dict[str, Any]:
    with read_transaction(engine_of(request)) as connection:
        escalation = get_escalation(connection, escalation_id)
        steps = steps_of(connection, escalation_id) if escalation else []
    if escalation is None:
        raise not_found(escalation_id)
    return _read(escalation) | {"steps": [_step(step) for step in steps]}


@router.get(
    "/escalations/{escalation_id}",
    response_model=EscalationDetail,
    responses={404: {"description": "no such escalation"}},
)
def read_one(escalation_id: EscalationId, request: Request, _principal: Reader) -> Any:
    """Read an escalation with its timeline: every notification, acknowledgement and close."""
    return _detail(request, escalation_id)


def act(
    request: Request, escalation_id: int, principal: Principal, comment: str, what: str, at: int
) -> None:
    """Acknowledge or resolve as `principal`; raise the 404 or 409 that explains a refusal."""
    action = acknowledge if what == "acknowledge" else resolve
    with transaction(engine_of(request)) as connection:
        outcome = action(
            connection, escalation_id, at=at, by=principal.name, comment=comment or None
        )
        current = None if outcome == "done" else get_escalation(connection, escalation_id)
    if outcome != "done":
        raise refusal(escalation_id, outcome, current)


_REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such escalation"},
    409: {"description": "already acknowledged or closed"},
}


@router.post(
    "/escalations/{escalation_id}/acknowledge",
    response_model=EscalationDetail,
    responses=_REFUSALS,
)
def acknowledge_one(
    escalation_id: EscalationId,
    request: Request,
    principal: Editor,
    now: Now,
    body: Annotated[CommentIn | None, Body()] = None,
) -> Any:
    """Acknowledge an escalation: someone is on it, so the ladder notifies no higher tier."""
    act(request, escalation_id, principal, body.comment if body else "", "acknowledge", now)
    return _detail(request, escalation_id)


@router.post(
    "/escalations/{escalation_id}/resolve",
    response_model=EscalationDetail,
    responses=_REFUSALS,
)
def resolve_one(
    escalation_id: EscalationId,
    request: Request,
    principal: Editor,
    now: Now,
    body: Annotated[CommentIn | None, Body()] = None,
) -> Any:
    """Resolve an escalation by hand: it closes, whatever its subject's state."""
    act(request, escalation_id, principal, body.comment if body else "", "resolve", now)
    return _detail(request, escalation_id)


@router.post(
    "/escalations/{escalation_id}/snooze",
    response_model=EscalationDetail,
    responses={
        404: {"description": "no such escalation"},
        409: {"description": "already closed"},
        422: {"description": "no reason, no time, or a time in the past or too far ahead"},
    },
)
def snooze_one(
    escalation_id: EscalationId,
    request: Request,
    principal: Editor,
    now: Now,
    body: Annotated[SnoozeIn, Body()],
) -> Any:
    """Snooze an escalation until a time or for a while, with a reason: its ladder notifies
    no one meanwhile and resumes afterwards, taking the steps that fell due."""
    if body.until is not None and body.until.tzinfo is None:
        raise UnprocessableError("until: give the time with its zone, e.g. 2026-03-05T08:00:00Z")
    try:
        until = snooze_end(
            now, until=None if body.until is None else to_us(body.until), duration=body.for_
        )
        reason = snooze_reason(body.reason)
    except SnoozeError as error:
        raise UnprocessableError(error.text()) from None
    with transaction(engine_of(request)) as connection:
        outcome = snooze(
            connection, escalation_id, at=now, until=until, by=principal.name, reason=reason
        )
        current = None if outcome == "done" else get_escalation(connection, escalation_id)
    if outcome != "done":
        raise refusal(escalation_id, outcome, current)
    return _detail(request, escalation_id)
