"""Render pages: one Jinja environment with gettext, locale formats and the reader's language.

The language is the user's stored choice, then the `slawatch_lang` cookie (set by the switch
for visitors without an account, such as the login page), then the browser's Accept-Language.
Jinja's gettext callables read the language from a context variable set per render, so one
environment serves every request and thread.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from slawatch.formatting import duration_units, overrun_text
from slawatch.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    LANGUAGES,
    Translator,
    negotiate,
    supported,
    translations,
    translator,
)
from slawatch.web.security import Permission, Principal
from slawatch.web.sessions import csrf_token

LANGUAGE_COOKIE = "slawatch_lang"
NO_STORE = {"Cache-Control": "no-store"}
_language: ContextVar[str] = ContextVar("slawatch_language", default=DEFAULT_LANGUAGE)

environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(default=True),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=environment)


def _gettext(message: str) -> str:
    return translations(_language.get()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


environment.install_gettext_callables(  # type: ignore[attr-defined]
    _gettext, _ngettext, newstyle=True
)


def _chart(config: dict[str, Any]) -> Markup:
    """Serialise a Chart.js config for a `data-chart` attribute (escaped for HTML)."""
    return Markup.escape(json.dumps(config, separators=(",", ":")))


environment.filters["chart"] = _chart


def language_of(request: Request, principal: Principal | None = None) -> str:
    """Return the reader's language: their setting, the cookie, then the browser."""
    user = getattr(request.state, "session_user", None)
    if principal is not None and principal.via == "session" and user is not None:
        chosen = supported(user.language)
        if chosen:
            return chosen
    return supported(request.cookies.get(LANGUAGE_COOKIE)) or negotiate(
        request.headers.get("accept-language")
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    principal: Principal | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page in the reader's language, with what every page's layout needs."""
    language = language_of(request, principal)
    t = translator(language)
    token = _language.set(language)
    try:
        page = {
            "request": request,
            "t": t,
            "language": language,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            "principal": principal,
            "user": principal.name if principal else None,
            "can_edit": principal is not None and Permission.EDIT in principal.permissions,
            "is_admin": principal is not None and Permission.ADMIN in principal.permissions,
            "csrf_token": csrf_token(request),
            "path": request.url.path,
            "duration_units": ",".join(duration_units(t)),  # for the live countdowns
            "overrun_words": overrun_text("%s", t),
            **context,
        }
        body = environment.get_template(name).render(page)
    finally:
        _language.reset(token)
    return HTMLResponse(body, status_code=status_code, headers=NO_STORE)


def page_translator(request: Request, principal: Principal | None = None) -> Translator:
    """Return the Translator for building a page's data (numbers, durations) in Python."""
    return translator(language_of(request, principal))
