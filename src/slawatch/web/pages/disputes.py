"""The dispute pages: an agreement's disputes with the form to open one, and one dispute with
its timeline and the forms to comment and decide.

Open disputes also show on the overview, agreement, objective and item pages through the
partial `disputes/_open.html`, which asks the template global `open_disputes` (registered
here) for the disputes in its `dispute_scope`; those pages need no code of their own for it.
Times are shown in the agreement's time zone, as its deadlines are.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.alerts.disputes import dispute_schedule
from slawatch.engine.dispute_ladder import deadline_of
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.disputes import Dispute, DisputeEntry, list_disputes
from slawatch.web.deps import AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.dispute_actions import (
    DisputeRequest,
    agreement_of,
    comment_checked,
    decide_checked,
    existing,
    may_decide,
    open_checked,
)
from slawatch.web.errors import ClientError
from slawatch.web.pages.templating import NO_STORE, environment, page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
DisputeId = Annotated[int, Path(ge=1, le=2**63 - 1)]
FormText = Annotated[str, Form(max_length=5_000)]
SHOWN = 20  # open disputes listed on the overview, agreement, objective and item pages

STATUS_NAMES = {"open": N_("open"), "upheld": N_("upheld"), "rejected": N_("rejected")}
ENTRY_NAMES = {
    "opened": N_("Opened"),
    "comment": N_("Comment"),
    "escalated": N_("Escalated"),
    "overdue": N_("Resolution time passed"),
    "decided": N_("Decided"),
}


def about_text(dispute: Dispute, agreement: Agreement | None, t: Translator) -> str:
    """Say what a dispute contests, in the reader's language."""
    objectives = agreement.objectives if agreement else {}
    parties = agreement.parties if agreement else {}
    objective = objectives.get(dispute.objective or "")
    party = parties.get(dispute.party or "")
    named = {
        "objective": objective.title if objective else (dispute.objective or ""),
        "item": dispute.item or "",
        "period": dispute.period or "",
        "party": party.name if party else (dispute.party or ""),
    }
    if dispute.subject == "item":
        return t.gettext("the verdict on item %(item)s for “%(objective)s”", **named)
    if dispute.subject == "figure":
        return t.gettext("the figure of “%(objective)s” for %(period)s", **named)
    return t.gettext("the credit statement of %(party)s for %(period)s", **named)


def _entry_view(entry: DisputeEntry, zone: str, t: Translator) -> dict[str, Any]:
    kind = t.gettext(ENTRY_NAMES.get(entry.kind, entry.kind))
    if entry.kind == "escalated" and entry.tier:
        kind = t.gettext("Escalated to tier %(tier)s", tier=entry.tier)
    return {
        "kind": entry.kind,
        "label": kind,
        "at": zoned_text(entry.at, zone, t),
        "actor": entry.actor,
        "text": entry.text,
        "links": entry.links,
    }


def dispute_view(dispute: Dispute, agreement: Agreement | None, t: Translator) -> dict[str, Any]:
    """Everything a page shows of one dispute, in the reader's language and the agreement's zone."""
    zone = agreement.timezone if agreement else "UTC"
    disputing = agreement.parties.get(dispute.disputing_party) if agreement else None
    deadline = None
    if agreement is not None:
        deadline = zoned_text(deadline_of(dispute_schedule(agreement, dispute.opened_at)), zone, t)
    return {
        "id": dispute.id,
        "agreement": dispute.agreement_id,
        "agreement_title": agreement.title if agreement else dispute.agreement_id,
        "link": f"/agreements/{dispute.agreement_id}/disputes/{dispute.id}",
        "title": dispute.title,
        "about": about_text(dispute, agreement, t),
        "party": disputing.name if disputing else dispute.disputing_party,
        "status": dispute.status,
        "status_text": t.gettext(STATUS_NAMES.get(dispute.status, dispute.status)),
        "is_open": dispute.is_open,
        "opened_by": dispute.opened_by,
        "opened_at": zoned_text(dispute.opened_at, zone, t),
        "deadline": deadline,
        "tier": dispute.tier,
        "decided_by": dispute.decided_by,
        "decided_at": zoned_text(dispute.decided_at, zone, t) if dispute.decided_at else None,
        "decision_reason": dispute.decision_reason,
        "correction_id": dispute.correction_id,
        "item": dispute.item,
        "entries": [_entry_view(e, zone, t) for e in dispute.entries],
    }


def open_disputes(
    request: Request,
    t: Translator,
    agreement_id: str | None = None,
    objective: str | None = None,
    item_id: int | None = None,
) -> list[dict[str, Any]]:
    """Return the open disputes in a scope, for the `disputes/_open.html` partial."""
    with read_transaction(engine_of(request)) as connection:
        found = list_disputes(
            connection, agreement_id, status="open", objective=objective, item_id=item_id,
            limit=SHOWN,
        )  # fmt: skip
        agreements = {s.id: s.agreement for s in current_agreements(connection)} if found else {}
    return [dispute_view(d, agreements.get(d.agreement_id), t) for d in found]


environment.globals["open_disputes"] = open_disputes


def _form_context(agreement: Agreement) -> dict[str, Any]:
    return {
        "parties": [(p.id, p.name) for p in agreement.parties.values()],
        "objectives": [(o.id, o.title) for o in agreement.objectives.values()],
    }


def _list_page(
    request: Request,
    principal: Principal,
    connection: Connection,
    agreement_id: str,
    *,
    error: ClientError | None = None,
    asked: dict[str, str] | None = None,
) -> HTMLResponse:
    agreement = agreement_of(connection, agreement_id).agreement
    t = page_translator(request, principal)
    found = list_disputes(connection, agreement_id, limit=500)
    views = [dispute_view(d, agreement, t) for d in found]
    context = {
        "agreement": agreement,
        "agreement_id": agreement_id,
        "here": "disputes",
        "open": [v for v in views if v["is_open"]],
        "decided": [v for v in views if not v["is_open"]],
        "error": error.detail if error else None,
        "asked": asked or {},
        **_form_context(agreement),
    }
    code = error.status_code if error else 200
    return render(request, "disputes/list.html", context, principal, status_code=code)


@router.get("/agreements/{agreement_id}/disputes", response_class=HTMLResponse)
def disputes_page(agreement_id: AgreementId, request: Request, principal: Reader) -> HTMLResponse:
    """List an agreement's disputes, open ones first, with the form to open one."""
    with read_transaction(engine_of(request)) as connection:
        return _list_page(request, principal, connection, agreement_id)


@router.post(
    "/agreements/{agreement_id}/disputes",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def open_from_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    subject: Annotated[str, Form(max_length=20)] = "",
    party: Annotated[str, Form(max_length=100)] = "",
    objective: Annotated[str, Form(max_length=100)] = "",
    item_source: Annotated[str, Form(max_length=100)] = "",
    item_id: Annotated[str, Form(max_length=300)] = "",
    period: Annotated[str, Form(max_length=40)] = "",
    owing_party: Annotated[str, Form(max_length=100)] = "",
    reason: FormText = "",
    links: FormText = "",
) -> HTMLResponse | RedirectResponse:
    """Open a dispute from the form, and show it; a refusal shows the form again, filled in."""
    asked = DisputeRequest(
        subject=subject,
        party=party,
        reason=reason,
        objective=objective or None,
        item_source=item_source.strip() or None,
        item_external_id=item_id.strip() or None,
        period=period.strip() or None,
        owing_party=owing_party or None,
        links=tuple(links.split()),
    )
    try:
        with transaction(engine_of(request)) as connection:
            dispute = open_checked(connection, agreement_id, asked, actor=principal.name, now=now)
    except ClientError as error:
        filled = {
            "subject": subject, "party": party, "objective": objective, "item_source": item_source,
            "item_id": item_id, "period": period, "owing_party": owing_party, "reason": reason,
            "links": links,
        }  # fmt: skip
        with read_transaction(engine_of(request)) as connection:
            return _list_page(
                request, principal, connection, agreement_id, error=error, asked=filled
            )
    return RedirectResponse(
        f"/agreements/{agreement_id}/disputes/{dispute.id}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )


def _detail_page(
    request: Request,
    principal: Principal,
    connection: Connection,
    agreement_id: str,
    dispute_id: int,
    *,
    error: ClientError | None = None,
) -> HTMLResponse:
    agreement = agreement_of(connection, agreement_id).agreement
    dispute = existing(connection, agreement_id, dispute_id)
    t = page_translator(request, principal)
    context = {
        "agreement": agreement,
        "agreement_id": agreement_id,
        "here": "disputes",
        "dispute": dispute_view(dispute, agreement, t),
        "may_decide": dispute.is_open and may_decide(principal, agreement, dispute) is None,
        "why_not": may_decide(principal, agreement, dispute) if dispute.is_open else None,
        "error": error.detail if error else None,
    }
    code = error.status_code if error else 200
    return render(request, "disputes/detail.html", context, principal, status_code=code)


@router.get("/agreements/{agreement_id}/disputes/{dispute_id}", response_class=HTMLResponse)
def dispute_page(
    agreement_id: AgreementId, dispute_id: DisputeId, request: Request, principal: Reader
) -> HTMLResponse:
    """Show one dispute: what it contests, its timeline, and the forms to comment and decide."""
    with read_transaction(engine_of(request)) as connection:
        return _detail_page(request, principal, connection, agreement_id, dispute_id)


def _after(
    request: Request, principal: Principal, agreement_id: str, dispute_id: int, act: Any
) -> HTMLResponse | RedirectResponse:
    try:
        with transaction(engine_of(request)) as connection:
            act(connection)
    except ClientError as error:
        with read_transaction(engine_of(request)) as connection:
            return _detail_page(
                request, principal, connection, agreement_id, dispute_id, error=error
            )
    return RedirectResponse(
        f"/agreements/{agreement_id}/disputes/{dispute_id}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )


@router.post(
    "/agreements/{agreement_id}/disputes/{dispute_id}/comments",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def comment_from_page(
    agreement_id: AgreementId,
    dispute_id: DisputeId,
    request: Request,
    principal: Editor,
    now: Now,
    text: FormText = "",
    links: FormText = "",
) -> HTMLResponse | RedirectResponse:
    """Add a comment or evidence to the dispute's timeline."""
    return _after(
        request, principal, agreement_id, dispute_id,
        lambda connection: comment_checked(
            connection, agreement_id, dispute_id, text=text, links=links.split(),
            actor=principal.name, now=now,
        ),
    )  # fmt: skip


@router.post(
    "/agreements/{agreement_id}/disputes/{dispute_id}/decision",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
)
def decide_from_page(
    agreement_id: AgreementId,
    dispute_id: DisputeId,
    request: Request,
    principal: Editor,
    now: Now,
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: FormText = "",
    correction_id: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse | RedirectResponse:
    """Decide the dispute: upheld or rejected, and why."""
    return _after(
        request, principal, agreement_id, dispute_id,
        lambda connection: decide_checked(
            connection, agreement_id, dispute_id, decision=decision, reason=reason,
            correction_id=correction_id, principal=principal, now=now,
            settings=settings_of(request),
        ),
    )  # fmt: skip
