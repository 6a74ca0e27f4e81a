"""New agreement: choose a template, answer a form, see the YAML it makes, save it as version 1.

The answers are written into the template's YAML (`agreements.compose`), keeping its comments
and everything the form does not ask (events, escalation, credits). Saving goes through
`store.agreements.save_version`, as the API's PUT and the editor do: author, reason, audit
entry, a re-evaluation. A form with problems comes back as typed with each problem beside its
field (422), never a 500. With JavaScript the YAML preview follows the answers (htmx); without
it, "Preview" shows it.

A contact's language is where slawatch keeps it for messages: a notification route of the
contact's mail through the configured SMTP server (docs/notifications.md). Without SMTP the form
does not ask for it; each user's own language choice applies.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from slawatch.agreements import Agreement
from slawatch.agreements.calendars import DAYS
from slawatch.agreements.compose import TIERS, compose, read_template, template_fields
from slawatch.agreements.describe import template_names, template_text
from slawatch.agreements.versions import RetroactiveVersionError
from slawatch.alerts.channels import mail_url
from slawatch.i18n import Translator
from slawatch.store.agreements import agreement_ids, save_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.routes import create_route, routes_for
from slawatch.wall_clock import now_us
from slawatch.web.deps import Editor, settings_of
from slawatch.web.drafts import Draft, check_draft
from slawatch.web.pages.agreement_form import check_answers, place_problems, sections
from slawatch.web.pages.agreements import TIER_NAMES
from slawatch.web.pages.editor import is_htmx
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
TemplateName = Query(default="")  # any text: an unknown name is the list again, never a 422


class AgreementTaken(Exception):  # noqa: N818 - a signal that rolls the save back
    """Someone stored an agreement with the same id while the form was being answered."""


def _templates() -> list[dict[str, Any]]:
    found = []
    for name in template_names():
        agreement = read_template(template_text(name))
        found.append({"name": name, "title": agreement.title, "objectives": agreement.objectives})
    return found


def _existing(request: Request) -> set[str]:
    with read_transaction(request.app.state.engine) as connection:
        return set(agreement_ids(connection))


def _asks_languages(request: Request) -> bool:
    return bool(settings_of(request).smtp_url)


def _page(
    request: Request,
    principal: Principal,
    template: str,
    answers: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    draft: Draft | None = None,
    general: tuple[Any, ...] = (),
    status_code: int = 200,
    checked: bool = True,
) -> HTMLResponse:
    t = page_translator(request, principal)
    agreement = read_template(template_text(template))
    fields = template_fields(template_text(template))
    context = {
        "template": template,
        "template_title": agreement.title,
        "answers": answers,
        "errors": errors or {},
        "asks_languages": _asks_languages(request),
        **sections(agreement, fields, t),
        **_preview_context(draft, general, errors or {}),
        **({} if checked else {"checked": False}),
        "tier_names": {tier: t.gettext(TIER_NAMES[tier]) for tier in TIERS},
        "day_names": dict(zip(DAYS, _day_names(t), strict=True)),
    }
    return render(request, "agreements/new.html", context, principal, status_code=status_code)


def _day_names(t: Translator) -> list[str]:
    wide = t.locale.days["format"]["wide"]
    return [str(wide[day]) for day in range(7)]


def _preview_context(
    draft: Draft | None, general: tuple[Any, ...], errors: dict[str, str]
) -> dict[str, Any]:
    if draft is None:
        return {"preview": None, "problems": general, "excerpt": [], "checked": False}
    lines = draft.text.splitlines()
    marked = draft.lines
    rows = [
        {"gap": False, "number": n, "text": line, "marked": n in marked}
        for n, line in enumerate(lines, 1)
    ]
    return {"preview": rows, "problems": general, "excerpt": [], "checked": not errors}


@router.get("/agreements/new", response_class=HTMLResponse)
def new_page(request: Request, principal: Editor, template: str = TemplateName) -> HTMLResponse:
    """Show the templates to start from, or the form of the chosen one."""
    if template not in template_names():
        context = {"templates": _templates(), "unknown": template}
        code = status.HTTP_404_NOT_FOUND if template else status.HTTP_200_OK
        return render(request, "agreements/new_template.html", context, principal, status_code=code)
    answers = template_fields(template_text(template))
    # The template's YAML as a start; it is checked once the reader changes an answer.
    shown = Draft(compose(template_text(template), answers), None)
    return _page(request, principal, template, answers, draft=shown, checked=False)


def _answers(form: Any, template: str) -> dict[str, str]:
    """Read the form's answers for the template's fields; any other field is ignored."""
    fields = template_fields(template_text(template))
    answers = {}
    for name in fields:
        value = form.get(name, "")
        answers[name] = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    return answers


def _checked(
    request: Request, principal: Principal, template: str, answers: dict[str, str]
) -> tuple[dict[str, str], Draft | None, tuple[Any, ...], Agreement | None]:
    """Check every answer, then the YAML they make: (errors by field, draft, others, agreement)."""
    t = page_translator(request, principal)
    agreement = read_template(template_text(template))
    errors = check_answers(answers, agreement, _existing(request), t)
    text = compose(template_text(template), answers)
    draft = check_draft(text, answers["id"] or "new", settings_of(request).agreement_limits())
    if errors:  # the YAML's own problems repeat the answers' ones; those are named already
        return errors, Draft(text, None, draft.problems), (), None
    beside, general = place_problems(draft.problems, answers)
    return beside, draft, general, draft.agreement


async def _form(request: Request) -> tuple[str, dict[str, str]] | None:
    form = await request.form()
    template = form.get("template", "")
    if not isinstance(template, str) or template not in template_names():
        return None
    return template, _answers(form, template)


def _unknown_template(request: Request, principal: Principal) -> HTMLResponse:
    context = {"templates": _templates(), "unknown": "?"}
    return render(request, "agreements/new_template.html", context, principal, status_code=422)


@router.post(
    "/agreements/new/preview", response_class=HTMLResponse, dependencies=[Depends(form_csrf)]
)
async def preview(request: Request, principal: Editor) -> HTMLResponse:
    """Show the YAML the answers make, with the problems beside their fields."""
    read = await _form(request)
    if read is None:
        return _unknown_template(request, principal)
    template, answers = read
    errors, draft, general, _ = await run_in_threadpool(
        _checked, request, principal, template, answers
    )
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if errors or general else status.HTTP_200_OK
    if is_htmx(request):
        context = {
            "errors": errors,
            "oob": [n for n in answers if _asks_languages(request) or ".language." not in n],
            **_preview_context(draft, general, errors),
        }
        return render(request, "agreements/_new_preview.html", context, principal)
    return _page(
        request, principal, template, answers,
        errors=errors, draft=draft, general=general, status_code=code,
    )  # fmt: skip


def _language_routes(
    connection: Any, request: Request, agreement: Agreement, answers: dict[str, str], actor: str
) -> None:
    """Keep each contact's chosen language as its mail route (see the module's docstring)."""
    smtp = settings_of(request).smtp_url
    if not smtp:
        return
    now = now_us()
    for party in agreement.parties.values():
        for tier, email in zip(TIERS, party.contacts, strict=False):
            language = answers.get(f"party.{party.id}.language.{tier}", "")
            if language and not routes_for(connection, [email.lower()]):
                create_route(
                    connection,
                    target=email.lower(),
                    url=mail_url(smtp, email),
                    language=language,
                    actor=actor,
                    now=now,
                )


def _save(
    request: Request, principal: Principal, template: str, draft: Draft, answers: dict[str, str]
) -> None:
    """Store the draft as version 1; AgreementTaken (nothing stored) if the id was taken."""
    assert draft.agreement is not None
    reason = answers.get("reason") or f"New agreement from the template {template}"
    with transaction(request.app.state.engine) as connection:
        _agreement, version = save_version(
            connection,
            draft.text,
            author=principal.name,
            reason=reason,
            source=f"{draft.agreement.id}.yaml",
            limits=settings_of(request).agreement_limits(),
        )
        if version != 1:
            raise AgreementTaken(draft.agreement.id)
        _language_routes(connection, request, draft.agreement, answers, principal.name)


@router.post(
    "/agreements/new", response_class=HTMLResponse, response_model=None,
    dependencies=[Depends(form_csrf)],
)  # fmt: skip
async def create(request: Request, principal: Editor) -> Response:
    """Save the answers as version 1 of a new agreement; a form with problems comes back."""
    read = await _form(request)
    if read is None:
        return _unknown_template(request, principal)
    template, answers = read
    form = await request.form()
    reason = form.get("reason", "")
    answers["reason"] = reason.strip()[:2000] if isinstance(reason, str) else ""
    errors, draft, general, agreement = await run_in_threadpool(
        _checked, request, principal, template, answers
    )
    again = {"errors": errors, "draft": draft, "general": general, "status_code": 422}
    if errors or general or agreement is None or draft is None:
        return _page(request, principal, template, answers, **again)  # type: ignore[arg-type]
    try:
        await run_in_threadpool(_save, request, principal, template, draft, answers)
    except (AgreementTaken, RetroactiveVersionError):  # stored meanwhile by someone else
        t = page_translator(request, principal)
        again["errors"] = {
            "id": t.gettext(
                "An agreement “%(id)s” exists already; choose another id, or edit that one.",
                id=agreement.id,
            )
        }
        return _page(request, principal, template, answers, **again)  # type: ignore[arg-type]
    request.app.state.after_ingest()
    return RedirectResponse(
        f"/agreements/{agreement.id}?saved=1", status_code=status.HTTP_303_SEE_OTHER
    )
