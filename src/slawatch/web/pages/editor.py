"""The YAML editor: check a draft, see each problem at its line, save it as a new version.

Saving goes through `store.agreements.save_version`, as the API's PUT does (it records the
audit entry and asks for a re-evaluation). A draft with problems is never saved: the editor
comes back with the text as typed and every problem listed at its line (422), never a 500.
The forms work without JavaScript; with it, "Check" swaps in the problem list (htmx) and a
click on a problem selects its line in the text.

History is sealed: a version is in force from the day it is saved unless an admin saves it as
retroactive, with a reason, after the page has listed every closed period it changes.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from slawatch.agreements import Agreement, Limits
from slawatch.agreements.versions import InForce, RetroactiveVersionError
from slawatch.evaluation.retroactive import VersionPreview, preview_version
from slawatch.store.agreements import StoredAgreement, in_force_of, save_day, save_version
from slawatch.store.db import transaction
from slawatch.web.api.agreements import EARLIEST, LATEST
from slawatch.web.deps import AgreementId, Editor, Now, settings_of
from slawatch.web.drafts import Draft, DraftProblem, check_draft, event_cache
from slawatch.web.pages.agreements import load_agreement, no_agreement
from slawatch.web.pages.retroactive import fingerprint, only_admins, preview_view, refusal
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.security import Permission, Principal
from slawatch.web.sessions import form_csrf

MAX_YAML = 1_000_000  # characters of YAML a form may send


router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(form_csrf)])
YamlText = Annotated[str, Form(max_length=MAX_YAML)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def excerpt(text: str, marked: frozenset[int], context: int = 1) -> list[dict[str, Any]]:
    """Return the lines with problems and `context` lines around them, with their numbers.

    A row with `gap` set stands for the lines left out between two excerpts.
    """
    lines = text.splitlines() or [""]
    shown = sorted(
        {n for line in marked for n in range(line - context, line + context + 1)}
        & set(range(1, len(lines) + 1))
    )
    rows: list[dict[str, Any]] = []
    for number in shown:
        if rows and number != rows[-1]["number"] + 1:
            rows.append({"gap": True, "number": number - 1})
        rows.append(
            {"gap": False, "number": number, "text": lines[number - 1], "marked": number in marked}
        )
    return rows


def problems_context(draft: Draft) -> dict[str, Any]:
    return {
        "problems": draft.problems,
        "excerpt": excerpt(draft.text, draft.lines),
        "checked": True,
    }


def editor_page(
    request: Request,
    principal: Principal,
    stored: StoredAgreement,
    *,
    text: str,
    effective: str = "",
    reason: str = "",
    retroactive: bool = False,
    problems: tuple[DraftProblem, ...] = (),
    checked: bool = False,
    status_code: int = 200,
    preview: dict[str, Any] | None = None,
    confirm: str = "",
    what_if: dict[str, Any] | None = None,
) -> HTMLResponse:
    """Render the editor with the draft as typed, its problems, and any preview or what-if."""
    draft = Draft(text, None, problems)
    context = {
        "stored": stored,
        "agreement": stored.agreement,
        "text": text,
        "rows": max(20, text.count("\n") + 3),
        "line_count": text.count("\n") + 1,
        "marked": draft.lines,
        "effective": effective,
        "reason": reason,
        "retroactive": retroactive,
        "may_reach_back": Permission.ADMIN in principal.permissions,
        **problems_context(draft),
        "checked": checked,
        "preview": preview,
        "confirm": confirm,
        "result": what_if,
    }
    return render(request, "agreements/editor.html", context, principal, status_code=status_code)


@router.get("/agreements/{agreement_id}/edit", response_class=HTMLResponse)
def edit_page(agreement_id: AgreementId, request: Request, principal: Editor) -> HTMLResponse:
    """Show the current version's YAML in the editor."""
    stored = load_agreement(request, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    return editor_page(request, principal, stored, text=stored.yaml)


@router.post("/agreements/{agreement_id}/check", response_class=HTMLResponse)
def check(
    agreement_id: AgreementId, request: Request, principal: Editor, yaml: YamlText = ""
) -> HTMLResponse:
    """Check a draft: the problem list alone for htmx, else the editor with it."""
    stored = load_agreement(request, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    draft = check_draft(yaml, agreement_id, settings_of(request).agreement_limits())
    if is_htmx(request):
        return render(request, "agreements/_problems.html", problems_context(draft), principal)
    return editor_page(
        request,
        principal,
        stored,
        text=draft.text,
        problems=draft.problems,
        checked=True,
        status_code=draft.status_code,
    )


def _effective(text: str, request: Request, principal: Principal) -> tuple[dt.date | None, str]:
    """Read the effective date field: (date or None for the YAML's own, error message)."""
    if not text.strip():
        return None, ""
    t = page_translator(request, principal)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None, t.gettext("%(date)s is not a date; write it as 2026-04-01.", date=text[:20])
    if not EARLIEST <= day <= LATEST:
        return None, t.gettext(
            "%(date)s is out of range; give a date from %(first)s to %(last)s.",
            date=day.isoformat(),
            first=EARLIEST.isoformat(),
            last=LATEST.isoformat(),
        )
    return day, ""


def _in_force(
    agreement: Agreement,
    stored: StoredAgreement,
    *,
    day: dt.date | None,
    retroactive: bool,
    reason: str,
    request: Request,
    principal: Principal,
    now: int,
) -> tuple[InForce | None, DraftProblem | None]:
    """Decide from when the draft would be in force, or the problem that refuses it."""
    t = page_translator(request, principal)
    if retroactive and Permission.ADMIN not in principal.permissions:
        return None, DraftProblem(None, "retroactive", only_admins(t), None, None)
    try:
        decided = in_force_of(
            agreement, stored, effective=day, retroactive=retroactive, reason=reason, now=now
        )
    except RetroactiveVersionError as error:
        field, message = refusal(error, save_day(agreement, now), t)
        return None, DraftProblem(None, field, message, None, None)
    return decided, None


def _preview(
    request: Request, agreement: Agreement, text: str, decided: InForce, now: int
) -> VersionPreview:
    engine = request.app.state.engine
    return preview_version(engine, event_cache(request.app), agreement, text, decided, now=now)


def _problems_of(
    request: Request,
    principal: Principal,
    stored: StoredAgreement,
    draft: Draft,
    *,
    effective: str,
    reason: str,
    reaching_back: bool,
    now: int,
) -> tuple[dt.date | None, InForce | None, tuple[DraftProblem, ...]]:
    """Check the draft, its in-force date and the retroactive choice: (day, decision, problems)."""
    day, date_error = _effective(effective, request, principal)
    problems = draft.problems
    if date_error:
        problems += (DraftProblem(None, "effective", date_error, None, None),)
    decided: InForce | None = None
    if not problems and draft.agreement is not None:
        decided, refused = _in_force(
            draft.agreement,
            stored,
            day=day,
            retroactive=reaching_back,
            reason=reason,
            request=request,
            principal=principal,
            now=now,
        )
        problems += () if refused is None else (refused,)
    return day, decided, problems


def _refusal_status(
    draft: Draft, problems: tuple[DraftProblem, ...], principal: Principal, reaching_back: bool
) -> int:
    """Return 413 for YAML too large, 403 when only reaching back is wrong, else 422."""
    if draft.limit == "size":
        return status.HTTP_413_CONTENT_TOO_LARGE
    forbidden = reaching_back and Permission.ADMIN not in principal.permissions
    if forbidden and len(problems) == 1:
        return status.HTTP_403_FORBIDDEN
    return status.HTTP_422_UNPROCESSABLE_CONTENT


def _save_version(
    request: Request,
    agreement_id: str,
    text: str,
    *,
    author: str,
    reason: str,
    day: dt.date | None,
    decided: InForce,
    limits: Limits,
    preview: VersionPreview | None,
) -> int:
    """Save the draft as the next version; RetroactiveVersionError if the day turned meanwhile."""
    with transaction(request.app.state.engine) as connection:
        _agreement, version = save_version(
            connection,
            text,
            author=author,
            reason=reason,
            effective=day,
            retroactive=decided.retroactive,
            source=f"{agreement_id}.yaml",
            limits=limits,
            audit_detail=None if preview is None else preview.audit_detail(),
        )
    return version


@router.post("/agreements/{agreement_id}/edit", response_class=HTMLResponse, response_model=None)
def save(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    yaml: YamlText = "",
    effective: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    retroactive: Annotated[str, Form(max_length=10)] = "",
    confirm: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Save a valid draft as the next version; a draft with problems comes back (422).

    A retroactive draft first comes back with the closed periods it changes; saving it takes
    a second post that confirms exactly what was shown.
    """
    stored = load_agreement(request, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    limits = settings_of(request).agreement_limits()
    draft = check_draft(yaml, agreement_id, limits)
    reaching_back = retroactive.strip() != ""
    # The editor again, with the draft and the form as typed.
    again = functools.partial(
        editor_page, request, principal, stored, text=draft.text, effective=effective, reason=reason
    )
    day, decided, problems = _problems_of(
        request,
        principal,
        stored,
        draft,
        effective=effective,
        reason=reason,
        reaching_back=reaching_back,
        now=now,
    )
    if problems or decided is None or draft.agreement is None:
        code = _refusal_status(draft, problems, principal, reaching_back)
        return again(retroactive=reaching_back, problems=problems, checked=True, status_code=code)
    preview: VersionPreview | None = None
    if decided.retroactive:
        preview = _preview(request, draft.agreement, draft.text, decided, now)
        shown = fingerprint(draft.text, decided.effective, reason)
        if confirm != shown:
            titles = {o.id: o.title for o in draft.agreement.objectives.values()}
            view = preview_view(preview, titles, page_translator(request, principal))
            return again(retroactive=True, preview=view, confirm=shown)
    try:
        version = _save_version(
            request,
            agreement_id,
            draft.text,
            author=principal.name,
            reason=reason,
            day=day,
            decided=decided,
            limits=limits,
            preview=preview,
        )
    except RetroactiveVersionError as error:  # the day turned since the check at `now`
        # Only a date that was today can turn past, so the store's today is the day after it.
        t = page_translator(request, principal)
        field, message = refusal(error, error.effective + dt.timedelta(days=1), t)
        problem = DraftProblem(None, field, message, None, None)
        return again(retroactive=reaching_back, problems=(problem,), checked=True, status_code=422)
    request.app.state.after_ingest()
    return RedirectResponse(
        f"/agreements/{agreement_id}?saved={version}", status_code=status.HTTP_303_SEE_OTHER
    )
