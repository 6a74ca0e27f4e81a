"""The language switch: store the choice on the user (if logged in) and in a cookie."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import RedirectResponse

from slawatch.i18n import supported
from slawatch.store.db import transaction
from slawatch.store.users import set_language
from slawatch.web import sessions
from slawatch.web.errors import UnprocessableError
from slawatch.web.pages.login import safe_next
from slawatch.web.pages.templating import LANGUAGE_COOKIE, NO_STORE

router = APIRouter(tags=["pages"])
YEAR = 365 * 86_400


@router.post(
    "/language",
    include_in_schema=False,
    dependencies=[Depends(sessions.verify_csrf)],
    responses={303: {"description": "language chosen"}},
)
def choose_language(
    request: Request, language: str = Form(""), next_path: str = Form("/", alias="next")
) -> RedirectResponse:
    """Switch the pages (and, for a user, their messages) to another language."""
    chosen = supported(language)
    if chosen is None:
        raise UnprocessableError(
            f"unknown language {language[:20]!r}; use en or de",
        )
    principal = request.app.state.session_principal(request)
    if principal is not None and principal.user_id is not None:
        with transaction(request.app.state.engine) as connection:
            set_language(connection, principal.user_id, chosen)
    response = RedirectResponse(safe_next(next_path), status.HTTP_303_SEE_OTHER, headers=NO_STORE)
    response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=YEAR, samesite="lax", httponly=True)
    return response
