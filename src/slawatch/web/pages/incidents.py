"""The incident pages: an agreement's incidents, declaring one, and one incident's checklist.

The incident page shows the plan's steps as a checklist (who acknowledged and checked off
each, and when; which are overdue and how far their ladder climbed), the timeline, and the
close form, which needs the post-incident note. Every agreement page shows a banner while an
incident is open, and the reviews page the notes of incidents closed since the last review:
both through template globals registered here, so those pages need one include each.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.alerts.incidents import ACKNOWLEDGED, CHECKED, StepStatus, step_statuses
from slawatch.engine.instants import from_us
from slawatch.engine.periods import local_midnight
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction
from slawatch.store.incidents import Incident, closed_since, list_incidents, open_incidents
from slawatch.store.reviews import list_reviews
from slawatch.web.api.incidents import (
    IncidentId,
    StepNumber,
    close_with_note,
    declare,
    find_incident,
    note_on,
    step_action,
    stored_agreement,
)
from slawatch.web.deps import NO_NUL, AgreementId, Editor, Now, Reader
from slawatch.web.errors import ClientError, NotFoundError
from slawatch.web.pages.agreements import missing_page, no_agreement
from slawatch.web.pages.templating import NO_STORE, environment, page_translator, render
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

log = logging.getLogger("slawatch.web")
router = APIRouter(tags=["pages"], include_in_schema=False)
ACTIONS = {"acknowledge": ACKNOWLEDGED, "check": CHECKED}
ACTION_WORDS = {
    "opened": N_("Opened"),
    "notified": N_("Contacts notified"),
    "acknowledged": N_("Step acknowledged"),
    "checked": N_("Step checked off"),
    "escalated": N_("Overdue step escalated"),
    "note": N_("Note"),
    "closed": N_("Closed"),
}
TRIGGER_WORDS = {
    "declared": N_("Declared"),
    "service-down": N_("Service down"),
    "feed-silent": N_("Feed silent"),
}


def _when(us: int, zone: str, t: Translator) -> str:
    return t.datetime(from_us(us), zone)


def _row(incident: Incident, zone: str, t: Translator) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "open": incident.open,
        "trigger": t.gettext(TRIGGER_WORDS.get(incident.trigger, incident.trigger)),
        "started": _when(incident.started_at, zone, t),
        "closed": _when(incident.closed_at, zone, t) if incident.closed_at else None,
        "note": incident.note,
    }


def _step_row(step: StepStatus, zone: str, t: Translator, now: int) -> dict[str, Any]:
    ack, checked = step.acknowledged, step.checked
    return {
        "number": step.number,
        "do": step.do,
        "owner": step.owner,
        "within": step.within,
        "due": _when(step.due_at, zone, t),
        "overdue": step.overdue(now),
        "tier": step.tier,
        "acknowledged": (ack.actor, _when(ack.at, zone, t)) if ack else None,
        "checked": (checked.actor, _when(checked.at, zone, t)) if checked else None,
    }


# ---------------------------------------------------------------- template globals


def open_incident_banner(request: Request, agreement_id: str) -> list[dict[str, Any]]:
    """Return the agreement's open incidents for the banner of its pages; none on a failure."""
    try:
        with read_transaction(request.app.state.engine) as connection:
            found = open_incidents(connection, agreement_id)
    except Exception:  # a banner must never break the page it sits on
        log.exception("%s: could not read open incidents for the banner", agreement_id)
        return []
    return [{"id": i.id, "title": i.title} for i in found]


def incidents_for_review(request: Request, agreement_id: str) -> list[dict[str, Any]]:
    """Return the incidents closed since the day of the last review, with their notes.

    From that day's midnight on: an incident closed on the day of a review shows on it too.
    """
    try:
        with read_transaction(request.app.state.engine) as connection:
            stored = get_version(connection, agreement_id)
            held = [r.held_on for r in list_reviews(connection, agreement_id)]
            since = 0
            if held and stored is not None:  # from the day of the last review on
                since = local_midnight(max(held), ZoneInfo(stored.agreement.timezone))
            found = closed_since(connection, agreement_id, since)
    except Exception:
        log.exception("%s: could not read the incidents for the review", agreement_id)
        return []
    return [{"id": i.id, "title": i.title, "note": i.note or ""} for i in found]


environment.globals["open_incident_banner"] = open_incident_banner
environment.globals["incidents_for_review"] = incidents_for_review


# ---------------------------------------------------------------- pages


def _list_page(
    request: Request,
    principal: Principal,
    agreement_id: str,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
        found = list_incidents(connection, agreement_id) if stored else []
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    t = page_translator(request, principal)
    agreement = stored.agreement
    context = {
        "agreement_id": agreement_id,
        "title": agreement.title,
        "has_plan": agreement.emergency is not None,
        "incidents": [_row(i, agreement.timezone, t) for i in found],
        "error": error,
        "form": form or {},
        "here": "incidents",
    }
    return render(request, "incidents/list.html", context, principal, status_code=code)


@router.get("/agreements/{agreement_id}/incidents", response_class=HTMLResponse)
def incidents_page(agreement_id: AgreementId, request: Request, principal: Reader) -> HTMLResponse:
    """List the agreement's incidents; editors declare one here."""
    return _list_page(request, principal, agreement_id)


@router.post(
    "/agreements/{agreement_id}/incidents",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def declare_from_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    title: Annotated[str, Form(max_length=300, pattern=NO_NUL)] = "",
) -> HTMLResponse | RedirectResponse:
    """Declare an incident now, from the form."""
    t = page_translator(request, principal)
    if not title.strip():
        message = t.gettext("Say what happened: the incident needs a title.")
        return _list_page(request, principal, agreement_id, error=message, code=422)
    try:
        incident = declare(request, agreement_id, title, None, principal.name, now)
    except ClientError as error:
        return _list_page(
            request, principal, agreement_id, error=str(error.detail), code=error.status_code
        )
    return RedirectResponse(
        f"/agreements/{agreement_id}/incidents/{incident.id}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )


def _incident_page(
    request: Request,
    principal: Principal,
    agreement_id: str,
    incident_id: int,
    now: int,
    *,
    error: str | None = None,
    code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    t = page_translator(request, principal)
    try:
        incident = find_incident(request, agreement_id, incident_id)
    except NotFoundError:
        message = t.gettext("There is no incident %(id)s.", id=incident_id)
        return missing_page(request, principal, message, agreement_id=agreement_id)
    agreement = stored_agreement(request, agreement_id).agreement
    zone = agreement.timezone
    parties = {p.id: p.name for p in agreement.parties.values()}
    objectives = {o.id: o.title for o in agreement.objectives.values()}
    context = {
        "agreement_id": agreement_id,
        "title": agreement.title,
        "incident": _row(incident, zone, t),
        "paused": [objectives.get(o, o) for o in incident.plan.get("pause", [])],
        "steps": [_step_row(s, zone, t, now) for s in step_statuses(incident)],
        "parties": parties,
        "timeline": [
            {
                "at": _when(e.at, zone, t),
                "what": t.gettext(ACTION_WORDS.get(e.action, e.action)),
                "step": e.step,
                "tier": e.tier if e.action == "escalated" else 0,
                "actor": e.actor,
                "comment": e.comment,
            }
            for e in incident.timeline
        ],
        "declared_by": incident.declared_by,
        "closed_by": incident.closed_by,
        "error": error,
        "here": "incidents",
    }
    return render(request, "incidents/incident.html", context, principal, status_code=code)


@router.get("/agreements/{agreement_id}/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    request: Request,
    principal: Reader,
    now: Now,
) -> HTMLResponse:
    """Show one incident: its steps as a checklist, its timeline and the close form."""
    return _incident_page(request, principal, agreement_id, incident_id, now)


def _back(agreement_id: str, incident_id: int) -> RedirectResponse:
    return RedirectResponse(
        f"/agreements/{agreement_id}/incidents/{incident_id}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )


@router.post(
    "/agreements/{agreement_id}/incidents/{incident_id}/steps/{step}/{action}",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def step_from_page(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    step: StepNumber,
    action: str,
    request: Request,
    principal: Reader,
    now: Now,
) -> HTMLResponse | RedirectResponse:
    """Acknowledge or check off a step from the checklist."""
    if action not in ACTIONS:
        return _incident_page(
            request, principal, agreement_id, incident_id, now, error=action, code=404
        )
    try:
        step_action(request, agreement_id, incident_id, step, ACTIONS[action], principal, now)
    except ClientError as error:
        return _incident_page(
            request, principal, agreement_id, incident_id, now, error=str(error.detail),
            code=error.status_code,
        )  # fmt: skip
    return _back(agreement_id, incident_id)


@router.post(
    "/agreements/{agreement_id}/incidents/{incident_id}/{what}",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def note_or_close_from_page(
    agreement_id: AgreementId,
    incident_id: IncidentId,
    what: str,
    request: Request,
    principal: Editor,
    now: Now,
    note: Annotated[str, Form(max_length=20_000, pattern=NO_NUL)] = "",
) -> HTMLResponse | RedirectResponse:
    """Add a note to the timeline, or close the incident with its post-incident note."""
    t = page_translator(request, principal)
    try:
        if what == "close":
            if not note.strip():
                raise ClientError(t.gettext("Write the post-incident note to close the incident."))
            close_with_note(request, agreement_id, incident_id, note, principal.name, now)
        elif what == "notes":
            note_on(request, agreement_id, incident_id, note, principal.name, now)
        else:
            raise NotFoundError(what)
    except ClientError as error:
        return _incident_page(
            request, principal, agreement_id, incident_id, now, error=str(error.detail),
            code=error.status_code if error.status_code != 400 else 422,
        )  # fmt: skip
    return _back(agreement_id, incident_id)
