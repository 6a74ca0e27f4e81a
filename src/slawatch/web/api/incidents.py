"""API routes: an agreement's incidents — declare, list, read, acknowledge and check off steps,
add a note, close with the post-incident note.

Editors declare and close incidents; a step is acknowledged and checked off by its owner
party's people (its contacts, and the directory's persons of that party) or by an admin.
History is sealed: an incident may begin no earlier than the running period of the clocks it
pauses (docs/emergency.md). Doing what someone already did (a second check-off, closing a
closed incident) is a 409 naming who was first.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from slawatch.alerts.incidents import (
    ACKNOWLEDGED,
    CHECKED,
    IncidentRefusedError,
    StepStatus,
    act_on_step,
    add_note,
    close,
    declare_incident,
    earliest_start,
    may_act_on_step,
    step_statuses,
)
from slawatch.engine.instants import from_us, to_us
from slawatch.store.agreements import StoredAgreement, get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.incidents import Incident, get_incident, list_incidents
from slawatch.web.deps import NO_NUL, AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from slawatch.web.security import Permission, Principal

router = APIRouter(tags=["incidents"])
IncidentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the incident's number")]
StepNumber = Annotated[int, Path(ge=1, le=1000, description="the step's number, from 1")]
UTC = dt.UTC


class IncidentIn(BaseModel):
    title: str = Field(min_length=1, max_length=300, pattern=NO_NUL, description="what happened")
    started_at: dt.datetime | None = Field(
        default=None, description="when it began, with an offset; default now"
    )


class CommentIn(BaseModel):
    comment: str = Field(default="", max_length=2000, pattern=NO_NUL)


class NoteIn(BaseModel):
    note: str = Field(max_length=20_000, pattern=NO_NUL, description="the post-incident note")


class StepRead(BaseModel):
    number: int
    do: str
    owner: str
    within: str
    due_at: dt.datetime
    overdue: bool
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    checked_at: dt.datetime | None
    checked_by: str | None
    tier: int = Field(description="the highest escalation tier an overdue step reached")


class TimelineRead(BaseModel):
    at: dt.datetime
    action: str
    step: int
    tier: int
    actor: str
    comment: str | None


class IncidentSummary(BaseModel):
    id: int
    agreement: str
    trigger: str
    title: str
    state: Literal["open", "closed"]
    started_at: dt.datetime
    declared_by: str
    closed_at: dt.datetime | None
    closed_by: str | None
    note: str | None
    paused: list[str] = Field(description="clock objectives paused while it is open")


class IncidentRead(IncidentSummary):
    steps: list[StepRead]
    timeline: list[TimelineRead]


def _at(us: int | None) -> dt.datetime | None:
    return None if us is None else from_us(us, UTC)


def summary(incident: Incident) -> IncidentSummary:
    return IncidentSummary(
        id=incident.id,
        agreement=incident.agreement_id,
        trigger=incident.trigger,
        title=incident.title,
        state="open" if incident.open else "closed",
        started_at=from_us(incident.started_at, UTC),
        declared_by=incident.declared_by,
        closed_at=_at(incident.closed_at),
        closed_by=incident.closed_by,
        note=incident.note,
        paused=list(incident.plan.get("pause", [])),
    )


def _step(status: StepStatus, now: int) -> StepRead:
    ack, checked = status.acknowledged, status.checked
    return StepRead(
        number=status.number,
        do=status.do,
        owner=status.owner,
        within=status.within,
        due_at=from_us(status.due_at, UTC),
        overdue=status.overdue(now),
        acknowledged_at=_at(ack.at if ack else None),
        acknowledged_by=ack.actor if ack else None,
        checked_at=_at(checked.at if checked else None),
        checked_by=checked.actor if checked else None,
        tier=status.tier,
    )


def detail(incident: Incident, now: int) -> dict[str, Any]:
    read = IncidentRead(
        **summary(incident).model_dump(),
        steps=[_step(s, now) for s in step_statuses(incident)],
        timeline=[
            TimelineRead(
                at=from_us(e.at, UTC),
                action=e.action,
                step=e.step,
                tier=e.tier,
                actor=e.actor,
                comment=e.comment,
            )
            for e in incident.timeline
        ],
    )
    return read.model_dump(mode="json")


def stored_agreement(request: Request, agreement_id: str) -> StoredAgreement:
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
    if stored is None:
        raise NotFoundError(f"no agreement {agreement_id!r}")
    return stored


def find_incident(request: Request, agreement_id: str, incident_id: int) -> Incident:
    stored_agreement(request, agreement_id)
    with read_transaction(engine_of(request)) as connection:
        incident = get_incident(connection, agreement_id, incident_id)
    if incident is None:
        raise NotFoundError(f"agreement {agreement_id} has no incident {incident_id}")
    return incident


def refused(error: IncidentRefusedError) -> Exception:
    return ConflictError(str(error)) if error.conflict else UnprocessableError(str(error))


def declare(
    request: Request,
    agreement_id: str,
    title: str,
    started: dt.datetime | None,
    actor: str,
    now: int,
) -> Incident:
    """Declare an incident by hand; refuse a start in the future or before the running period."""
    stored = stored_agreement(request, agreement_id)
    if started is not None and started.tzinfo is None:
        raise UnprocessableError("started_at: give an offset, e.g. 2026-12-07T09:30:00+01:00")
    started_at = now if started is None else to_us(started)
    if started_at > now:
        raise UnprocessableError("started_at: is in the future; declare an incident once it began")
    earliest = earliest_start(stored.agreement, now)
    if started_at < earliest:
        raise UnprocessableError(
            f"started_at: is before {from_us(earliest, UTC).isoformat()}, the start of the running "
            "period of the clocks it pauses; closed periods are sealed, so an incident may begin "
            "no earlier (see docs/emergency.md)"
        )
    try:
        with transaction(engine_of(request)) as connection:
            incident = declare_incident(
                connection,
                stored,
                title=title.strip(),
                started_at=started_at,
                actor=actor,
                now=now,
                settings=settings_of(request),
            )
    except IncidentRefusedError as error:
        raise refused(error) from None
    assert incident is not None  # a declaration by hand has a key of its own
    request.app.state.after_ingest()  # the paused clocks need evaluating
    return incident


def step_action(
    request: Request,
    agreement_id: str,
    incident_id: int,
    number: int,
    action: str,
    principal: Principal,
    now: int,
    comment: str = "",
) -> None:
    """Acknowledge or check off a step as its owner party's user or an admin."""
    incident = find_incident(request, agreement_id, incident_id)
    statuses = step_statuses(incident)
    if not 1 <= number <= len(statuses):
        raise NotFoundError(
            f"incident {incident_id} has {len(statuses)} steps, not a step {number}"
        )
    status = statuses[number - 1]
    stored = stored_agreement(request, agreement_id)
    admin = Permission.ADMIN in principal.permissions
    with transaction(engine_of(request)) as connection:
        if not may_act_on_step(
            connection, stored.agreement, status.owner, principal.name, admin=admin
        ):
            raise ForbiddenError(
                f"step {number} belongs to party {status.owner}: its people or an admin "
                "acknowledge and check it off"
            )
        try:
            act_on_step(
                connection,
                incident,
                status,
                action=action,
                actor=principal.name,
                now=now,
                comment=comment.strip() or None,
            )
        except IncidentRefusedError as error:
            raise refused(error) from None


def close_with_note(
    request: Request, agreement_id: str, incident_id: int, note: str, actor: str, now: int
) -> None:
    incident = find_incident(request, agreement_id, incident_id)
    try:
        with transaction(engine_of(request)) as connection:
            close(connection, incident, note=note, actor=actor, now=now)
    except IncidentRefusedError as error:
        raise refused(error) from None
    request.app.state.after_ingest()  # the paused clocks run again


def note_on(
    request: Request, agreement_id: str, incident_id: int, text: str, actor: str, now: int
) -> None:
    incident = find_incident(request, agreement_id, incident_id)
    if not text.strip():
        raise UnprocessableError("comment: write the note")
    try:
        with transaction(engine_of(request)) as connection:
            add_note(connection, incident, text=text.strip(), actor=actor, now=now)
    except IncidentRefusedError as error:
        raise refused(error) from None


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such agreement, incident or step"},
    409: {"description": "already done (someone was first) or the incident is closed"},
    422: {"description": "invalid input, with what to change"},
}
BASE = "/agreements/{agreement_id}/incidents"


@router.post(BASE, status_code=201, response_model=IncidentRead, responses=ERRORS)
def declare_one(
    agreement_id: AgreementId, body: IncidentIn, request: Request, principal: Editor, now: Now
) -> Any:
    """Declare an incident: the plan's contacts are notified and its listed clocks pause."""
    incident = declare(request, agreement_id, body.title, body.started_at, principal.name, now)
    found = find_incident(request, agreement_id, incident.id)
    return JSONResponse(detail(found, now), status_code=201)


@router.get(BASE, response_model=list[IncidentSummary], responses=ERRORS)
def list_all(agreement_id: AgreementId, request: Request, _principal: Reader) -> Any:
    """List the agreement's incidents, newest first."""
    stored_agreement(request, agreement_id)
    with read_transaction(engine_of(request)) as connection:
        found = list_incidents(connection, agreement_id)
    return JSONResponse([summary(i).model_dump(mode="json") for i in found])


@router.get(BASE + "/{incident_id}", response_model=IncidentRead, responses=ERRORS)
def read_one(
    agreement_id: AgreementId, incident_id: IncidentId, request: Request, _p: Reader, now: Now
) -> Any:
    """Read an incident with its steps and its timeline."""
    return JSONResponse(detail(find_incident(request, agreement_id, incident_id), now))


def _act(
    request: Request,
    agreement_id: str,
    incident_id: int,
    step: int,
    action: str,
    principal: Principal,
    now: int,
    body: CommentIn | None,
) -> Any:
    comment = body.comment if body else ""
    step_action(request, agreement_id, incident_id, step, action, principal, now, comment)
    return JSONResponse(detail(find_incident(request, agreement_id, incident_id), now))


@router.post(
    BASE + "/{incident_id}/steps/{step}/acknowledge",
    response_model=IncidentRead,
    responses={**ERRORS, 403: {"description": "not the step's party and not an admin"}},
)
def acknowledge_step(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    step: StepNumber,
    request: Request,
    principal: Reader,
    now: Now,
    body: CommentIn | None = None,
) -> Any:
    """Acknowledge a step: its owner party is on it."""
    return _act(request, agreement_id, incident_id, step, ACKNOWLEDGED, principal, now, body)


@router.post(
    BASE + "/{incident_id}/steps/{step}/check",
    response_model=IncidentRead,
    responses={**ERRORS, 403: {"description": "not the step's party and not an admin"}},
)
def check_step(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    step: StepNumber,
    request: Request,
    principal: Reader,
    now: Now,
    body: CommentIn | None = None,
) -> Any:
    """Check a step off as done; an overdue step stops escalating."""
    return _act(request, agreement_id, incident_id, step, CHECKED, principal, now, body)


@router.post(BASE + "/{incident_id}/notes", response_model=IncidentRead, responses=ERRORS)
def add_one_note(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    body: CommentIn,
    request: Request,
    principal: Editor,
    now: Now,
) -> Any:
    """Add a note to the incident's timeline while it is open."""
    note_on(request, agreement_id, incident_id, body.comment, principal.name, now)
    return JSONResponse(detail(find_incident(request, agreement_id, incident_id), now))


@router.post(BASE + "/{incident_id}/close", response_model=IncidentRead, responses=ERRORS)
def close_one(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    body: NoteIn,
    request: Request,
    principal: Editor,
    now: Now,
) -> Any:
    """Close the incident with its post-incident note, which the next review shows."""
    close_with_note(request, agreement_id, incident_id, body.note, principal.name, now)
    return JSONResponse(detail(find_incident(request, agreement_id, incident_id), now))
