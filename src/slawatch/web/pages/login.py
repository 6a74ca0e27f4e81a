"""The login page, logging in and logging out.

A wrong email and a wrong password get the same answer (401 and the form again), so the page
does not tell who has an account. After logging in the browser goes to `next`, but only when it
is a path on this site: an absolute URL there would make the login page an open redirect.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.i18n import N_
from slawatch.store.db import read_transaction, transaction
from slawatch.store.users import MAX_PASSWORD_LENGTH, authenticate, rehash_if_needed
from slawatch.web import sessions
from slawatch.web.pages.templating import render

log = logging.getLogger("slawatch.web.login")
router = APIRouter(tags=["login"])
NO_STORE = {"Cache-Control": "no-store"}


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else "/"."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(character) < 32 for character in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _form(
    request: Request, *, next_path: str, email: str = "", message: str = "", code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        {"next": next_path, "email": email, "message": message},
        status_code=code,
    )


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """Show the login form."""
    return _form(request, next_path=safe_next(next))


@router.post(
    "/login",
    response_class=HTMLResponse,
    response_model=None,
    include_in_schema=False,
    responses={303: {"description": "logged in"}, 401: {"description": "wrong credentials"}},
)
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next_path: str = Form("/", alias="next"),
) -> HTMLResponse | RedirectResponse:
    """Check the email and password; start a session and go on to `next`."""
    next_path = safe_next(next_path)
    if not sessions.csrf_matches(request, csrf_token or request.headers.get(sessions.CSRF_HEADER)):
        return _form(
            request,
            next_path=next_path,
            email=email,
            message=N_("The form had expired. Please enter your password again."),
            code=status.HTTP_403_FORBIDDEN,
        )
    user = None
    if email and password and len(password) <= MAX_PASSWORD_LENGTH:
        engine = request.app.state.engine
        # Read only while hashing: anyone may post this form, and no one should be able to
        # hold the database's write lock with it.
        with read_transaction(engine) as connection:
            user = authenticate(connection, email, password, rehash=False)
        if user is not None:
            with transaction(engine) as connection:
                rehash_if_needed(connection, user.id, password)
    if user is None:
        log.info("failed login for %r", email[:320])
        return _form(
            request,
            next_path=next_path,
            email=email,
            message=N_("The email or the password is wrong."),
            code=status.HTTP_401_UNAUTHORIZED,
        )
    sessions.start_session(request, user)
    log.info("%s logged in", user.email)
    return RedirectResponse(next_path, status.HTTP_303_SEE_OTHER, headers=NO_STORE)


@router.post(
    "/logout",
    include_in_schema=False,
    dependencies=[Depends(sessions.verify_csrf)],
    responses={303: {"description": "logged out"}},
)
def logout(request: Request) -> RedirectResponse:
    """End the session and go to the login page."""
    sessions.end_session(request)
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER, headers=NO_STORE)
