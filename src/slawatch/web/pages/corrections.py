"""Pages: an agreement's corrections and exclusions, proposing one, approving or rejecting it.

The forms post here from this page and from an item's page; a correction that changes a
closed period is shown as a diff of those periods first and applies only once confirmed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from slawatch.engine.results import ObjectiveResult
from slawatch.formatting import details_text, status_text, value_text
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, all_versions
from slawatch.store.corrections import (
    EVIDENCE_LIMIT,
    REASON_LIMIT,
    CorrectionAction,
    CorrectionRecord,
    correction,
    corrections_of,
)
from slawatch.store.db import read_transaction
from slawatch.web.corrections import (
    CorrectionRequest,
    Unconfirmed,
    applies_when_saved,
    check_request,
    decide_correction,
    decision_refusal,
    save_correction,
)
from slawatch.web.deps import AgreementId, Editor, Now, Reader, engine_of, settings_of
from slawatch.web.drafts import event_cache
from slawatch.web.errors import ClientError
from slawatch.web.pages.agreements import no_agreement
from slawatch.web.pages.credits import money
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Permission, Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
Text = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=EVIDENCE_LIMIT)]
Reason = Annotated[str, Form(max_length=REASON_LIMIT)]
CorrectionId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DONE = ("saved", "approved", "rejected", "stale")


def action_text(record: CorrectionRecord, zone: str, t: Translator) -> str:
    """Say what a correction does, in the reader's language."""
    if record.action is CorrectionAction.EXCLUDE:
        return t.gettext("Exclude from %(objective)s", objective=record.objective)
    event = f"{record.event_type} · {zoned_text(int(record.event_at or 0), zone, t)}"
    if record.action is CorrectionAction.MOVE:
        moved = zoned_text(int(record.new_at or 0), zone, t)
        return t.gettext("Move %(event)s to %(when)s", event=event, when=moved)
    if record.action is CorrectionAction.RETYPE:
        return t.gettext("Retype %(event)s as %(type)s", event=event, type=record.new_type)
    return t.gettext("Void %(event)s", event=event)


def state_text(record: CorrectionRecord, t: Translator) -> str:
    return {
        "proposed": t.gettext("proposed"),
        "approved": t.gettext("approved"),
        "rejected": t.gettext("rejected"),
    }[record.state.value]


def correction_view(
    record: CorrectionRecord, stored: StoredAgreement, principal: Principal, t: Translator
) -> dict[str, Any]:
    zone = stored.agreement.timezone
    may_decide = (
        Permission.EDIT in principal.permissions
        and decision_refusal(record, stored.agreement, principal) is None
    )
    return {
        "id": record.id,
        "what": action_text(record, zone, t),
        "item": record.external_id,
        "item_url": f"/items/{quote(record.source, safe='')}/{quote(record.external_id, safe='')}",
        "state": record.state.value,
        "state_text": state_text(record, t),
        "proposed_by": record.proposed_by,
        "proposed_at": zoned_text(record.proposed_at, zone, t),
        "reason": record.reason,
        "evidence": record.evidence,
        "decided_by": record.decided_by,
        "decided_at": None if record.decided_at is None else zoned_text(record.decided_at, zone, t),
        "decision_reason": record.decision_reason,
        "may_decide": may_decide,
    }


def _side(result: ObjectiveResult | None, t: Translator) -> str:
    if result is None:
        return t.gettext("not measured")
    shown = f"{value_text(result, result.value, t)} · {status_text(result.status.value, t)}"
    return f"{shown} ({details_text(result, t)})"


def preview_view(unconfirmed: Unconfirmed, t: Translator) -> dict[str, Any]:
    preview = unconfirmed.preview
    return {
        "periods": ", ".join(preview.periods),
        "objectives": [
            {
                "period": c.period,
                "objective": c.objective,
                "before": _side(c.before, t),
                "after": _side(c.after, t),
            }
            for c in preview.objectives
        ],
        "credits": [
            {
                "period": c.period,
                "party": c.party,
                "before": "–" if c.before is None else money(c.before, c.currency, t),
                "after": "–" if c.after is None else money(c.after, c.currency, t),
            }
            for c in preview.credits
        ],
    }


def _page(
    request: Request,
    principal: Principal,
    versions: list[StoredAgreement],
    *,
    done: str | None = None,
    error: str | None = None,
    preview: dict[str, Any] | None = None,
    repeat: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    stored = versions[-1]
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        records = corrections_of(connection, stored.id)
    context = {
        "agreement_id": stored.id,
        "title": stored.agreement.title,
        "here": "corrections",
        "approval": stored.agreement.corrections.approval.value,
        "corrections": [correction_view(r, stored, principal, t) for r in reversed(records)],
        "done": done if done in DONE else None,
        "error": error,
        "preview": preview,
        "repeat": repeat or {},
        "zone": stored.agreement.timezone,
    }
    return render(request, "corrections/list.html", context, principal, status_code=status_code)


def _versions(request: Request, agreement_id: str) -> list[StoredAgreement]:
    with read_transaction(engine_of(request)) as connection:
        return all_versions(connection, agreement_id)


@router.get("/agreements/{agreement_id}/corrections", response_class=HTMLResponse)
def corrections_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """List the agreement's corrections, newest first, with state, who, when and why."""
    versions = _versions(request, agreement_id)
    if not versions:
        return no_agreement(request, principal, agreement_id)
    return _page(request, principal, versions, done=done)


def _back(agreement_id: str, done: str, back: str) -> RedirectResponse:
    # Only our own pages: a form must not send the reader elsewhere.
    target = back if back.startswith(("/items/", "/agreements/")) and "//" not in back else ""
    target = target or f"/agreements/{agreement_id}/corrections"
    joiner = "&" if "?" in target else "?"
    return RedirectResponse(
        f"{target}{joiner}done={done}", status.HTTP_303_SEE_OTHER, headers=NO_STORE
    )


@router.post(
    "/agreements/{agreement_id}/corrections",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
)
async def propose_from_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    action: Annotated[str, Form(max_length=20)],
    item: Text,
    reason: Reason = "",
    source: Text = "default",
    evidence: Long = "",
    objective: Text = "",
    event: Text = "",
    new_type: Text = "",
    new_at: Text = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
    back: Text = "",
) -> Response:
    """Propose a correction from a form; show the closed periods it changes before it applies."""
    versions = _versions(request, agreement_id)
    if not versions:
        return no_agreement(request, principal, agreement_id)
    event_type, _, event_at = event.partition("@")
    sent = CorrectionRequest(
        action=action,
        item=item,
        reason=reason,
        source=source or "default",
        evidence=evidence,
        objective=objective or None,
        event_type=event_type or None,
        event_at=event_at or None,
        new_type=new_type or None,
        new_at=new_at or None,
    )
    engine, cache = engine_of(request), event_cache(request.app)
    t = page_translator(request, principal)

    def save() -> CorrectionRecord | Unconfirmed:
        with read_transaction(engine) as connection:
            draft = check_request(connection, versions, sent)
        return save_correction(
            engine,
            cache,
            versions,
            draft,
            actor=principal.name,
            now=now,
            confirmed=bool(confirm),
            settings=settings_of(request),
        )

    try:
        saved = await to_thread.run_sync(save)
    except ClientError as error:
        message = t.gettext("The correction was not saved: %(reason)s", reason=error.detail)
        return _page(request, principal, versions, error=message, status_code=error.status_code)
    if isinstance(saved, Unconfirmed):
        repeat = {
            "action": action, "item": item, "reason": reason, "source": source,
            "evidence": evidence, "objective": objective, "event": event,
            "new_type": new_type, "new_at": new_at, "back": back,
        }  # fmt: skip
        view = preview_view(saved, t)
        return _page(request, principal, versions, preview=view, repeat=repeat)
    if saved.approved:
        request.app.state.after_ingest()
    return _back(agreement_id, "saved", back)


async def _decide_from_page(
    request: Request,
    agreement_id: str,
    correction_id: int,
    principal: Principal,
    now: int,
    *,
    approve: bool,
    reason: str,
    confirm: bool,
) -> Response:
    versions = _versions(request, agreement_id)
    if not versions:
        return no_agreement(request, principal, agreement_id)
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        record = correction(connection, correction_id)
    if record is None or record.agreement_id != agreement_id:
        message = t.gettext("There is no correction #%(id)s.", id=correction_id)
        return _page(request, principal, versions, error=message, status_code=404)
    refusal = decision_refusal(record, versions[-1].agreement, principal)
    if refusal is None and not approve and not reason.strip():
        refusal = t.gettext("A rejection needs a reason: say why the correction is wrong.")
    if refusal is not None:
        message = t.gettext("Not decided: %(reason)s", reason=refusal)
        return _page(request, principal, versions, error=message, status_code=409)
    engine, cache = engine_of(request), event_cache(request.app)
    decided = await to_thread.run_sync(
        lambda: decide_correction(
            engine,
            cache,
            record,
            approve=approve,
            reason=reason.strip() or "approved",
            actor=principal.name,
            now=now,
            confirmed=confirm,
        )
    )
    if isinstance(decided, Unconfirmed):
        repeat = {"decide": str(correction_id), "reason": reason}
        view = preview_view(decided, t)
        return _page(request, principal, versions, preview=view, repeat=repeat)
    if decided is None:
        return _back(agreement_id, "stale", "")
    if approve:
        request.app.state.after_ingest()
    return _back(agreement_id, "approved" if approve else "rejected", "")


@router.post(
    "/agreements/{agreement_id}/corrections/{correction_id}/approve",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
)
async def approve_from_page(
    agreement_id: AgreementId,
    correction_id: CorrectionId,
    request: Request,
    principal: Editor,
    now: Now,
    reason: Reason = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Approve a proposed correction; closed periods it changes are shown first."""
    return await _decide_from_page(
        request, agreement_id, correction_id, principal, now,
        approve=True, reason=reason, confirm=bool(confirm),
    )  # fmt: skip


@router.post(
    "/agreements/{agreement_id}/corrections/{correction_id}/reject",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
)
async def reject_from_page(
    agreement_id: AgreementId,
    correction_id: CorrectionId,
    request: Request,
    principal: Editor,
    now: Now,
    reason: Reason = "",
) -> Response:
    """Reject a proposed correction, saying why."""
    return await _decide_from_page(
        request, agreement_id, correction_id, principal, now,
        approve=False, reason=reason, confirm=False,
    )  # fmt: skip


def item_targets(versions: dict[str, list[StoredAgreement]]) -> list[dict[str, Any]]:
    """Return, per agreement, what an item's page offers to correct: its objectives."""
    return [
        {
            "agreement": every[-1].id,
            "title": every[-1].agreement.title,
            "objectives": [(o.id, o.title) for o in every[-1].agreement.objectives.values()],
            "applies": applies_when_saved(every[-1].agreement),
        }
        for every in versions.values()
        if every
    ]
