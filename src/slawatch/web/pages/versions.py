"""An agreement's history: its versions, the difference between any two, and "what if".

The diff marks each added and removed line by a class (`add`, `del`) and by a sign (+, −),
so it reads without colour. "What if" measures the latest periods under a draft next to the
versions in force before anything is saved (see `web.drafts`); it is the one evaluation a
page runs, on an explicit POST, one at a time per process.
"""

from __future__ import annotations

import difflib
import threading
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from slawatch.engine.results import ObjectiveResult
from slawatch.formatting import status_text, value_text
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, get_version, list_versions
from slawatch.store.db import read_transaction
from slawatch.web.deps import AgreementId, Editor, Now, Reader, settings_of
from slawatch.web.drafts import WhatIf, check_draft, event_cache, what_if
from slawatch.web.pages.agreements import load_agreement, missing_page, no_agreement
from slawatch.web.pages.editor import MAX_YAML, is_htmx, problems_context
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
CONTEXT_LINES = 3
VersionNumber = Annotated[int, Query(ge=1, le=2_000_000_000)]
_evaluating = threading.Lock()  # one what-if at a time: each may take seconds of CPU


def diff_lines(old: str, new: str, context: int = CONTEXT_LINES) -> list[dict[str, Any]]:
    """Return a unified diff as rows: old and new line numbers, sign, text and class.

    Unchanged lines far from any change are left out; a `gap` row stands for them.
    """
    before, after = old.splitlines(), new.splitlines()
    rows: list[dict[str, Any]] = []
    if before == after:
        return rows
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    end = (0, 0)
    for group in matcher.get_grouped_opcodes(context):
        if group[0][1] > end[0] or group[0][3] > end[1]:
            rows.append({"kind": "gap"})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    {"kind": "same", "old": i + 1, "new": j + 1, "sign": " ", "text": before[i]}
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            rows += [
                {"kind": "del", "old": i + 1, "new": None, "sign": "−", "text": before[i]}
                for i in range(i1, i2)
            ]
            rows += [
                {"kind": "add", "old": None, "new": j + 1, "sign": "+", "text": after[j]}
                for j in range(j1, j2)
            ]
        end = (group[-1][2], group[-1][4])
    if rows and (end[0] < len(before) or end[1] < len(after)):
        rows.append({"kind": "gap"})
    return rows


def _history(
    request: Request, agreement_id: str, t: Translator
) -> tuple[StoredAgreement | None, list[dict[str, Any]]]:
    with read_transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
        versions = list_versions(connection, agreement_id)
    if stored is None:
        return None, []
    zone = ZoneInfo(stored.agreement.timezone)
    return stored, [
        {
            "version": v.version,
            "effective": t.date(v.effective),
            "author": v.author,
            "saved": zoned_text(v.created_at, zone.key, t),
            "reason": v.reason,
            "retroactive": v.retroactive and v.version != versions[0].version,
        }
        for v in reversed(versions)
    ]


def _versions_page(
    request: Request,
    principal: Principal,
    stored: StoredAgreement,
    history: list[dict[str, Any]],
    *,
    draft: str | None = None,
    result: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    latest = history[0]["version"]
    context = {
        "stored": stored,
        "agreement": stored.agreement,
        "history": history,
        "a": history[1]["version"] if len(history) > 1 else latest,
        "b": latest,
        "draft": stored.yaml if draft is None else draft,
        "result": result,
    }
    return render(request, "agreements/versions.html", context, principal, status_code=status_code)


@router.get("/agreements/{agreement_id}/versions", response_class=HTMLResponse)
def versions_page(agreement_id: AgreementId, request: Request, principal: Reader) -> HTMLResponse:
    """Show the versions, newest first, with a form to compare two and one to try a draft."""
    t = page_translator(request, principal)
    stored, history = _history(request, agreement_id, t)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    return _versions_page(request, principal, stored, history)


@router.get("/agreements/{agreement_id}/versions/diff", response_class=HTMLResponse)
def diff_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    a: VersionNumber,
    b: VersionNumber,
) -> HTMLResponse:
    """Show what changed from version `a` to version `b`."""
    with read_transaction(request.app.state.engine) as connection:
        old = get_version(connection, agreement_id, a)
        new = get_version(connection, agreement_id, b)
        count = len(list_versions(connection, agreement_id))
    if count == 0:
        return no_agreement(request, principal, agreement_id)
    if old is None or new is None:
        t = page_translator(request, principal)
        message = t.gettext(
            "The agreement has versions 1 to %(last)s; there is no version %(version)s.",
            last=count,
            version=a if old is None else b,
        )
        return missing_page(request, principal, message, agreement_id=agreement_id)
    rows = diff_lines(old.yaml, new.yaml)
    context = {
        "agreement": new.agreement,
        "old": old,
        "new": new,
        "rows": rows,
        "added": sum(1 for row in rows if row["kind"] == "add"),
        "removed": sum(1 for row in rows if row["kind"] == "del"),
    }
    return render(request, "agreements/diff.html", context, principal)


def _side(figure: ObjectiveResult | None, t: Translator) -> dict[str, str] | None:
    if figure is None:
        return None
    return {
        "value": value_text(figure, figure.value, t),
        "status": figure.status.value,
        "status_text": status_text(figure.status.value, t),
    }


def result_context(result: WhatIf, zone: ZoneInfo, t: Translator) -> dict[str, Any]:
    """Return the what-if tables as the template shows them."""
    return {
        "as_of": zoned_text(result.as_of, zone.key, t),
        "warnings": result.warnings,
        "objectives": [
            {
                "id": objective.objective,
                "title": objective.title,
                "periods": [
                    {
                        "period": row.period,
                        "version": row.version,
                        "in_force": _side(row.in_force, t),
                        "draft": _side(row.draft, t),
                        "changes": row.status_changes,
                    }
                    for row in objective.periods
                ],
            }
            for objective in result.objectives
        ],
    }


@router.post(
    "/agreements/{agreement_id}/what-if",
    response_class=HTMLResponse,
    dependencies=[Depends(form_csrf)],
)
def what_if_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Editor,
    now: Now,
    yaml: Annotated[str, Form(max_length=MAX_YAML)] = "",
) -> HTMLResponse:
    """Measure the latest periods under a draft next to the version in force; saves nothing."""
    stored = load_agreement(request, agreement_id)
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    t = page_translator(request, principal)
    draft = check_draft(yaml, agreement_id, settings_of(request).agreement_limits())
    result: dict[str, Any] = problems_context(draft)
    if draft.agreement is not None:
        engine = request.app.state.engine
        with _evaluating:
            compared = what_if(
                engine, event_cache(request.app), agreement_id, draft.agreement, as_of=now
            )
        result |= result_context(compared, ZoneInfo(stored.agreement.timezone), t)
    if is_htmx(request):
        return render(request, "agreements/_what_if.html", {"result": result}, principal)
    _stored, history = _history(request, agreement_id, t)
    return _versions_page(
        request,
        principal,
        stored,
        history,
        draft=draft.text,
        result=result,
        status_code=422 if draft.problems else 200,
    )
