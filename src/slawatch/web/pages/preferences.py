"""The "My alerts" page: how the signed-in person gets each kind of alert.

Per trigger: at once, in a digest, or off; the working hours that hold non-urgent messages
back; the daily summary. Breaches at tier 2 or 3 always go at once, and the page says so.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.alerts.preferences import (
    DEFAULT_MODES,
    EVALUATION_FAILING,
    MODE_LABELS,
    MODES,
    QUIET_NEVER,
    QUIET_OBJECTIVE,
    TRIGGER_LABELS,
    TRIGGERS,
    Choices,
    PreferenceError,
    checked_modes,
    checked_quiet_hours,
)
from slawatch.alerts.quiet_hours import calendar_names
from slawatch.store.db import read_transaction, transaction
from slawatch.store.preferences import choices_of, save_choices
from slawatch.web.deps import NO_NUL, Now, Reader, engine_of, settings_of
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.security import Permission, Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
FormText = Annotated[str, Form(max_length=220, pattern=NO_NUL)]


def _context(
    request: Request, principal: Principal, choices: Choices | None, calendars: list[str]
) -> dict[str, Any]:
    t = page_translator(request, principal)
    shown = choices or Choices()
    return {
        "person": principal.via == "session",
        "rows": [
            {
                "trigger": trigger,
                "label": t.gettext(TRIGGER_LABELS[trigger]),
                "mode": shown.mode_for(trigger),
                "default": t.gettext(MODE_LABELS[DEFAULT_MODES[trigger]]),
                "breach": trigger in ("breach", "period_breached"),
            }
            for trigger in TRIGGERS
            if trigger != EVALUATION_FAILING or Permission.ADMIN in principal.permissions
        ],
        "modes": [(mode, t.gettext(MODE_LABELS[mode])) for mode in MODES],
        "quiet_hours": shown.quiet_hours,
        "quiet_choices": [QUIET_OBJECTIVE, QUIET_NEVER, *calendars],
        "daily_summary": shown.daily_summary,
        "digest_minutes": settings_of(request).digest_minutes,
        "saved": request.query_params.get("saved") == "1",
    }


@router.get("/preferences", response_class=HTMLResponse)
def preferences_page(request: Request, principal: Reader) -> HTMLResponse:
    """Show how the signed-in person gets each kind of alert."""
    with read_transaction(engine_of(request)) as connection:
        calendars = sorted(calendar_names(connection))
        choices = choices_of(connection, principal.name) if principal.via == "session" else None
    context = _context(request, principal, choices, calendars)
    return render(request, "preferences/page.html", context, principal)


@router.post(
    "/preferences",
    dependencies=[Depends(form_csrf)],
    response_class=HTMLResponse,
    response_model=None,
    responses={303: {"description": "saved"}, 422: {"description": "a choice was refused"}},
)
async def save_preferences(
    request: Request,
    principal: Reader,
    now: Now,
    quiet_hours: FormText = QUIET_OBJECTIVE,
    daily_summary: FormText = "",
) -> HTMLResponse | RedirectResponse:
    """Save the form: a mode per trigger, the quiet hours and the daily summary."""
    form = await request.form()
    modes = {
        trigger: str(form.get(f"mode_{trigger}") or DEFAULT_MODES[trigger])[:20]
        for trigger in TRIGGERS
    }
    return _save(request, principal, now, modes, quiet_hours.strip(), daily_summary == "on")


def _save(
    request: Request,
    principal: Principal,
    now: int,
    modes: dict[str, str],
    quiet_hours: str,
    daily_summary: bool,
) -> HTMLResponse | RedirectResponse:
    t = page_translator(request, principal)
    engine = engine_of(request)
    with read_transaction(engine) as connection:
        calendars = calendar_names(connection)
    error = None
    if principal.via != "session":
        error = t.gettext("Alert preferences belong to a person: sign in to choose yours.")
    else:
        try:
            choices = Choices(
                modes={t_: m for t_, m in checked_modes(modes).items() if m != DEFAULT_MODES[t_]},
                quiet_hours=checked_quiet_hours(quiet_hours, calendars),
                daily_summary=daily_summary,
            )
        except PreferenceError as refused:
            error = t.gettext("This choice cannot be saved: %(reason)s", reason=str(refused))
    if error is not None:
        context = _context(request, principal, None, sorted(calendars)) | {"error": error}
        return render(request, "preferences/page.html", context, principal, status_code=422)
    with transaction(engine) as connection:
        save_choices(connection, principal.name, choices, actor=principal.name, now=now)
    return RedirectResponse("/preferences?saved=1", status.HTTP_303_SEE_OTHER, headers=NO_STORE)
