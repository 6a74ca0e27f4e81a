"""The editor's "What if": measure the YAML being edited, not the stored version, before saving.

The draft in the editor's text area is measured exactly as the versions page's what-if measures
a pasted draft (`web.drafts.what_if`, one at a time per process, the same lock). With htmx the
answer appears under the editor; without JavaScript the editor comes back with the draft as
typed and the answer below it, so nothing typed is lost on the way to a save.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from slawatch.web.deps import AgreementId, Editor, Now, settings_of
from slawatch.web.drafts import check_draft, event_cache, what_if
from slawatch.web.pages.agreements import load_agreement, no_agreement
from slawatch.web.pages.editor import MAX_YAML, editor_page, is_htmx, problems_context
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.pages.versions import _evaluating as one_at_a_time
from slawatch.web.pages.versions import result_context
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(form_csrf)])


@router.post("/agreements/{agreement_id}/edit/what-if", response_class=HTMLResponse)
def editor_what_if(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    yaml: Annotated[str, Form(max_length=MAX_YAML)] = "",
    effective: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    """Measure the latest periods under the editor's draft next to the version in force."""
    stored = load_agreement(request, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    draft = check_draft(yaml, agreement_id, settings_of(request).agreement_limits())
    result: dict[str, Any] = problems_context(draft)
    if draft.agreement is not None:
        with one_at_a_time:
            compared = what_if(
                request.app.state.engine,
                event_cache(request.app),
                agreement_id,
                draft.agreement,
                as_of=now,
            )
        zone = ZoneInfo(stored.agreement.timezone)
        result |= result_context(compared, zone, page_translator(request, principal))
    if is_htmx(request):
        return render(request, "agreements/_what_if.html", {"result": result}, principal)
    return editor_page(
        request,
        principal,
        stored,
        text=draft.text,
        effective=effective,
        reason=reason,
        problems=draft.problems,
        checked=True,
        status_code=draft.status_code,
        what_if=result if draft.agreement is not None else None,
    )
