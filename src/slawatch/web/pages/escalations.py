"""The escalation pages: the list (open first), one escalation's timeline, and a fragment.

The detail page shows the ladder as agreed (who is told at which step, and when) beside what
happened (the steps taken), with forms to acknowledge, snooze and resolve. The fragment lists one
subject's escalations without the layout, for item and objective pages to load with htmx.
Times are shown in the agreement's time zone, as its deadlines are.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.alerts import failing_evaluations as failing
from slawatch.alerts.escalation import EscalationState, ladder_of, next_step_at
from slawatch.alerts.snoozing import SnoozeError, snooze_end, snooze_reason
from slawatch.alerts.tick import HISTORY, ladder_for
from slawatch.alerts.triggers import held_until
from slawatch.engine.instants import from_us, to_us
from slawatch.formatting import status_text
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import (
    SNOOZE_PREFIX,
    Escalation,
    Step,
    acknowledge,
    get_escalation,
    list_escalations,
    resolve,
    snooze,
    steps_of,
)
from slawatch.web.deps import Editor, Now, Reader
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
EscalationId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AgreementFilter = Annotated[str, Query(max_length=100, pattern=r"^[a-z0-9-]*$")]
PAGE_SIZE = 100
FRAGMENT_SIZE = 20
MAX_COMMENT = 2000

TRIGGER_NAMES = {
    "warn": N_("Item at risk"),
    "breach": N_("Item breached"),
    "at_risk": N_("Objective at risk"),
    "period_breached": N_("Objective breached"),
    failing.TRIGGER: N_("Evaluation failing"),
}
STATE_NAMES = {"open": N_("open"), "acknowledged": N_("acknowledged"), "closed": N_("closed")}
STATE_CLASSES = {"open": "breached", "acknowledged": "at_risk", "closed": "met"}
CLOSE_REASONS = {
    "resolved": N_("resolved"),
    "recovered": N_("recovered"),
    "superseded": N_("superseded"),
}
TIER_NAMES = {
    0: N_("no one yet"),
    1: N_("tier 1, employee"),
    2: N_("tier 2, department head"),
    3: N_("tier 3, management"),
}
STEP_TEXTS = {
    "opened": N_("Opened"),
    "acknowledged": N_("Acknowledged"),
    "resolved": N_("Resolved"),
    "recovered": N_("Closed: the subject recovered"),
    "superseded": N_("Closed: superseded by a breach"),
}
SNOOZED = N_("Snoozed")


def state_of(escalation: Escalation) -> Literal["open", "acknowledged", "closed"]:
    if escalation.closed_at is not None:
        return "closed"
    return "acknowledged" if escalation.acknowledged_at is not None else "open"


class View:
    """Turn stored escalations into what the templates show, in the reader's language."""

    def __init__(
        self, t: Translator, agreements: dict[str, StoredAgreement], now: int | None = None
    ) -> None:
        self.t = t
        self.agreements = agreements
        self.now = now  # to tell a running snooze from one that ended

    def when(self, instant: int | None, agreement_id: str) -> str:
        if instant is None:
            return ""
        stored = self.agreements.get(agreement_id)
        zone = stored.agreement.timezone if stored else "UTC"
        return zoned_text(instant, zone, self.t)

    def subject(self, escalation: Escalation) -> dict[str, str]:
        """Name the subject and link to its page: the item, the objective's periods, or the
        agreement whose evaluation fails."""
        if failing.is_failure_escalation(escalation):
            since = self.when(escalation.detail.get("failing_since"), escalation.agreement_id)
            text = self.t.gettext("evaluation failing since %(since)s", since=since)
            return {"text": text, "href": f"/agreements/{escalation.agreement_id}"}
        if escalation.item_id is not None:
            source, external = escalation.item_source or "", escalation.item_external_id or ""
            href = f"/items/{quote(source, safe='')}/{quote(external, safe='')}"
            return {"text": f"{source} / {external}", "href": href}
        href = f"/agreements/{escalation.agreement_id}/objectives/{escalation.objective}"
        text = self.t.gettext("period %(period)s", period=escalation.period or "")
        return {"text": text, "href": href}

    def row(self, escalation: Escalation) -> dict[str, Any]:
        state = state_of(escalation)
        reason = escalation.close_reason
        stored = self.agreements.get(escalation.agreement_id)
        objective = stored.agreement.objectives.get(escalation.objective) if stored else None
        return {
            "id": escalation.id,
            "agreement": escalation.agreement_id,
            "agreement_title": stored.title if stored else escalation.agreement_id,
            "objective": escalation.objective,
            "objective_title": objective.title if objective else (escalation.objective or "–"),
            "subject": self.subject(escalation),
            "trigger": self.t.gettext(TRIGGER_NAMES.get(escalation.trigger, escalation.trigger)),
            "trigger_class": "at_risk" if escalation.trigger in ("warn", "at_risk") else "breached",
            "tier": self.tier_text(escalation, escalation.tier),
            "opened": self.when(escalation.opened_at, escalation.agreement_id),
            "state": state,
            "state_text": self.t.gettext(STATE_NAMES[state]),
            "state_class": STATE_CLASSES[state],
            "reason": self.t.gettext(CLOSE_REASONS.get(reason, reason)) if reason else "",
            "snoozed": self.snoozed(escalation),
            "history": bool(escalation.detail.get(HISTORY)),
        }

    def snoozed(self, escalation: Escalation) -> str:
        """Return until when the escalation is snoozed, or "" when it is not (any longer)."""
        if self.now is None or not escalation.snoozed_at(self.now):
            return ""
        return self.when(escalation.snoozed_until, escalation.agreement_id)

    def tier_text(self, escalation: Escalation, tier: int | None) -> str:
        """Name whom a tier reached: a party's contact, or the admins of a failing evaluation."""
        if failing.is_failure_escalation(escalation) and tier:
            return self.t.gettext("the administrators")
        return self.t.gettext(TIER_NAMES.get(tier or 0, str(tier)))

    def step(self, step: Step, escalation: Escalation) -> dict[str, Any]:
        agreement_id = escalation.agreement_id
        number = step.step_number
        if number is not None:
            text = self.t.gettext(
                "Step %(step)s: %(tier)s notified",
                step=number,
                tier=self.tier_text(escalation, step.tier),
            )
        elif step.action.startswith(SNOOZE_PREFIX):
            text = self.t.gettext(SNOOZED)
        else:
            text = self.t.gettext(STEP_TEXTS.get(step.action, step.action))
        return {
            "at": self.when(step.at, agreement_id),
            "iso": from_us(step.at).isoformat(),
            "text": text,
            "actor": step.actor,
            "comment": step.comment or "",
        }

    def ladder(self, escalation: Escalation, steps: list[Step]) -> list[dict[str, Any]]:
        """Return the agreed ladder: per step the tier, whom it reaches, when, and if taken."""
        if failing.is_failure_escalation(escalation):
            notified = next((s for s in steps if s.step_number == 1), None)
            return [
                {
                    "number": 1,
                    "tier": self.tier_text(escalation, 1),
                    "contact": self.t.gettext("every active user with role admin"),
                    "due": self.when(escalation.opened_at, escalation.agreement_id),
                    "taken": self.when(notified.at, escalation.agreement_id) if notified else "",
                }
            ]
        stored = self.agreements.get(escalation.agreement_id)
        if stored is None:
            return []
        agreement = stored.agreement
        ladder = ladder_for(agreement, escalation.objective)
        party = agreement.parties.get(escalation.party)
        contacts = party.contacts if party else ()
        taken = {s.step_number: s for s in steps if s.step_number is not None}
        rows = []
        hold = held_until(escalation.trigger, escalation.detail, escalation.opened_at)
        snoozed = self.now is not None and escalation.snoozed_at(self.now)
        for index, rung in enumerate(ladder_of(agreement.escalation)):
            state = EscalationState(
                opened_at=escalation.opened_at,
                steps_taken=index,
                held_until=hold,
                history=bool(escalation.detail.get(HISTORY)),
                snoozed_until=escalation.snoozed_until if snoozed else None,
            )
            due = next_step_at(state, ladder.rungs, ladder.clock)
            step = taken.get(index + 1)
            rows.append(
                {
                    "number": index + 1,
                    "tier": self.t.gettext(TIER_NAMES[rung.tier]),
                    "contact": contacts[min(rung.tier, len(contacts)) - 1] if contacts else "",
                    "due": self.when(due, escalation.agreement_id) or self.t.gettext("never"),
                    "taken": self.when(step.at, escalation.agreement_id) if step else "",
                }
            )
        return rows

    def figures(self, escalation: Escalation) -> list[tuple[str, str]]:
        """Return the figures kept at opening, labelled: the clock's or the period's."""
        detail, t, agreement_id = escalation.detail, self.t, escalation.agreement_id
        facts: list[tuple[str, str]] = []
        if failing.is_failure_escalation(escalation):
            for key, label in (
                ("failing_since", N_("Failing since")),
                ("last_success_at", N_("Results from")),
            ):
                if detail.get(key) is not None:
                    facts.append((t.gettext(label), self.when(detail[key], agreement_id)))
            facts.append((t.gettext("Error"), str(detail.get("last_error") or "–")))
        elif escalation.item_id is not None:
            for key, label in (
                ("started_at", N_("Clock started")),
                ("warn_at", N_("Warning point")),
                ("deadline", N_("Deadline")),
            ):
                if detail.get(key) is not None:
                    facts.append((t.gettext(label), self.when(detail[key], agreement_id)))
        elif detail.get("status"):
            facts.append((t.gettext("Status at opening"), status_text(detail["status"], t)))
        return facts


def _agreements(connection: Any) -> dict[str, StoredAgreement]:
    return {stored.id: stored for stored in current_agreements(connection)}


@router.get("/escalations", response_class=HTMLResponse)
def escalations_page(
    request: Request,
    principal: Reader,
    now: Now,
    state: Annotated[Literal["open", "closed", ""], Query()] = "",
    agreement: AgreementFilter = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """List escalations, open ones first, filtered by state and agreement."""
    t = page_translator(request, principal)
    with read_transaction(request.app.state.engine) as connection:
        agreements = _agreements(connection)
        found = list_escalations(
            connection,
            state=state or None,
            agreement_id=agreement or None,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
    view = View(t, agreements, now)
    context = {
        "rows": [view.row(escalation) for escalation in found[:PAGE_SIZE]],
        "state": state,
        "agreement": agreement,
        "agreements": [(a.id, a.title) for a in agreements.values()],
        "page": page,
        "more": len(found) > PAGE_SIZE,
    }
    return render(request, "escalations/list.html", context, principal)


@router.get("/escalations/fragment", response_class=HTMLResponse)
def escalations_fragment(
    request: Request,
    principal: Reader,
    now: Now,
    agreement: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")],
    objective: Annotated[
        str | None, Query(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")
    ] = None,
    item_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    period: Annotated[
        str | None, Query(min_length=1, max_length=20, pattern=r"^[0-9A-Z-]+$")
    ] = None,
) -> HTMLResponse:
    """Return one subject's escalations as an HTML fragment (no layout) to embed."""
    t = page_translator(request, principal)
    with read_transaction(request.app.state.engine) as connection:
        agreements = _agreements(connection)
        found = list_escalations(
            connection,
            agreement_id=agreement,
            objective=objective,
            item_id=item_id,
            subject=f"period:{period}" if period else None,
            limit=FRAGMENT_SIZE,
        )
    view = View(t, agreements, now)
    context = {"rows": [view.row(escalation) for escalation in found], "limit": FRAGMENT_SIZE}
    return render(request, "escalations/fragment.html", context, principal)


def _detail(
    request: Request,
    principal: Principal,
    escalation_id: int,
    *,
    now: int,
    message: str = "",
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    t = page_translator(request, principal)
    with read_transaction(request.app.state.engine) as connection:
        agreements = _agreements(connection)
        escalation = get_escalation(connection, escalation_id)
        steps = steps_of(connection, escalation_id) if escalation else []
    if escalation is None:
        missing = {"escalation_id": escalation_id}
        return render(request, "escalations/missing.html", missing, principal, status_code=404)
    view = View(t, agreements, now)
    aid = escalation.agreement_id
    context = {
        "escalation": escalation,
        "row": view.row(escalation),
        "next_step": view.when(escalation.next_step_at, aid),
        "next_step_iso": (
            from_us(escalation.next_step_at).isoformat() if escalation.next_step_at else ""
        ),
        "acknowledged": view.when(escalation.acknowledged_at, aid),
        "closed": view.when(escalation.closed_at, aid),
        "figures": view.figures(escalation),
        "ladder": view.ladder(escalation, steps),
        "steps": [view.step(step, escalation) for step in steps],
        "message": message,
        "max_comment": MAX_COMMENT,
        "snooze_form": form or {},
        "zone": _zone_of(agreements, aid),
    }
    return render(request, "escalations/detail.html", context, principal, status_code=status_code)


@router.get("/escalations/{escalation_id}", response_class=HTMLResponse)
def escalation_page(
    escalation_id: EscalationId, request: Request, principal: Reader, now: Now
) -> HTMLResponse:
    """Show one escalation: its subject, the ladder, the timeline and what can be done."""
    return _detail(request, principal, escalation_id, now=now)


def _act(
    request: Request, principal: Principal, escalation_id: int, comment: str, what: str, at: int
) -> HTMLResponse | RedirectResponse:
    t = page_translator(request, principal)
    comment = comment.replace("\x00", "").strip()  # PostgreSQL cannot store NUL in text
    if len(comment) > MAX_COMMENT:
        message = t.gettext(
            "The comment is too long: at most %(count)s characters.", count=MAX_COMMENT
        )
        return _detail(request, principal, escalation_id, now=at, message=message, status_code=422)
    action = acknowledge if what == "acknowledge" else resolve
    with transaction(request.app.state.engine) as connection:
        outcome = action(
            connection,
            escalation_id,
            at=at,
            by=principal.name,
            comment=comment or None,
        )
    if outcome == "done":
        target = f"/escalations/{escalation_id}"
        return RedirectResponse(target, status.HTTP_303_SEE_OTHER, headers=NO_STORE)
    return _refused(request, principal, escalation_id, outcome, at)


def _refused(
    request: Request, principal: Principal, escalation_id: int, outcome: str, at: int
) -> HTMLResponse:
    """Show the page again, saying why the action did nothing."""
    if outcome == "missing":
        return _detail(request, principal, escalation_id, now=at)
    t = page_translator(request, principal)
    message = (
        t.gettext("This escalation is already closed.")
        if outcome == "closed"
        else t.gettext("Someone has acknowledged this escalation already.")
    )
    return _detail(request, principal, escalation_id, now=at, message=message, status_code=409)


@router.post(
    "/escalations/{escalation_id}/acknowledge",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def acknowledge_form(
    escalation_id: EscalationId,
    request: Request,
    principal: Editor,
    now: Now,
    comment: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Acknowledge from the page: the ladder stops, the timeline records who and why."""
    return _act(request, principal, escalation_id, comment, "acknowledge", now)


@router.post(
    "/escalations/{escalation_id}/resolve",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def resolve_form(
    escalation_id: EscalationId,
    request: Request,
    principal: Editor,
    now: Now,
    comment: Annotated[str, Form()] = "",
) -> HTMLResponse | RedirectResponse:
    """Resolve from the page: the escalation closes."""
    return _act(request, principal, escalation_id, comment, "resolve", now)


def _zone_of(agreements: dict[str, StoredAgreement], agreement_id: str) -> str:
    stored = agreements.get(agreement_id)
    return stored.agreement.timezone if stored else "UTC"


def _local_instant(text: str, zone: str) -> int | None:
    """Read a datetime-local field (`2026-03-05T08:00`) in the agreement's zone; None if empty."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SnoozeError(
            "until", N_("Write the time as date and time, for example 2026-03-05 08:00.")
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return to_us(moment)


@router.post(
    "/escalations/{escalation_id}/snooze",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def snooze_form(
    escalation_id: EscalationId,
    request: Request,
    principal: Editor,
    now: Now,
    duration: Annotated[str, Form(alias="for", max_length=40)] = "",
    until: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=4 * MAX_COMMENT)] = "",
) -> HTMLResponse | RedirectResponse:
    """Snooze from the page, with a reason: no one is notified until then."""
    engine = request.app.state.engine
    with read_transaction(engine) as connection:
        zone = _zone_of(_agreements(connection), _agreement_of(connection, escalation_id))
    try:
        end = snooze_end(now, until=_local_instant(until, zone), duration=duration)
        why = snooze_reason(reason)
    except SnoozeError as error:
        t = page_translator(request, principal)
        form = {"for": duration, "until": until, "reason": reason, "field": error.field}
        message = error.text(t)
        return _detail(
            request, principal, escalation_id, now=now, message=message, status_code=422, form=form
        )
    with transaction(engine) as connection:
        outcome = snooze(
            connection, escalation_id, at=now, until=end, by=principal.name, reason=why
        )
    if outcome != "done":
        return _refused(request, principal, escalation_id, outcome, now)
    target = f"/escalations/{escalation_id}"
    return RedirectResponse(target, status.HTTP_303_SEE_OTHER, headers=NO_STORE)


def _agreement_of(connection: Any, escalation_id: int) -> str:
    escalation = get_escalation(connection, escalation_id)
    return escalation.agreement_id if escalation else ""
