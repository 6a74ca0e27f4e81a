"""Web sessions: a signed cookie naming the user, login, and CSRF protection.

The session lives entirely in one cookie (signed, timed, HttpOnly, SameSite=Lax), so servers
stay stateless and any replica can answer. It carries the user's id, a fingerprint of their
password hash (changing the password ends every other session) and the CSRF token; the user
row is read on every request, so a new role applies at once and a deactivated user is out.

CSRF: every state-changing request authenticated by the session cookie must prove it came from
our own pages, by the `csrf_token` form field (checked by `verify_csrf`) or the `X-CSRF-Token`
header. This is enforced where the session becomes a principal, so a route cannot forget it.
Bearer-token requests carry no ambient credential and need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slawatch.config import Settings
from slawatch.store.db import read_transaction
from slawatch.store.users import User, get_user
from slawatch.web.errors import ForbiddenError
from slawatch.web.security import ROLE_PERMISSIONS, Principal

COOKIE = "slawatch_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Session:
    csrf: str
    user_id: int | None = None
    fingerprint: str | None = None

    @classmethod
    def anonymous(cls) -> Session:
        return cls(csrf=secrets.token_urlsafe(32))


def _serializer(request: Request) -> URLSafeTimedSerializer:
    serializer: URLSafeTimedSerializer = request.app.state.session_serializer
    return serializer


def _decode(request: Request) -> Session | None:
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    settings: Settings = request.app.state.settings
    try:
        data = _serializer(request).loads(cookie, max_age=settings.session_max_age)
    except BadData:  # tampered, expired, or signed with an old secret
        return None
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return None
    user_id, fingerprint = data.get("uid"), data.get("pw")
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        user_id, fingerprint = None, None
    return Session(csrf=data["csrf"], user_id=user_id, fingerprint=fingerprint)


def _existing_session(request: Request) -> Session | None:
    session: Session | None = getattr(request.state, "session", None)
    if session is None:
        session = _decode(request)
        request.state.session = session
    return session


def session_of(request: Request) -> Session:
    """Return this request's session, starting an anonymous one (and its cookie) if none."""
    session = _existing_session(request)
    if session is None:
        session = Session.anonymous()
        _save(request, session)
    return session


def _save(request: Request, session: Session) -> None:
    request.state.session = session
    request.state.session_changed = True
    request.state.session_user = None


def start_session(request: Request, user: User) -> None:
    """Log `user` in: a new session with a new CSRF token, so none from before survives."""
    _save(
        request,
        Session(
            csrf=secrets.token_urlsafe(32),
            user_id=user.id,
            fingerprint=user.password_fingerprint,
        ),
    )


def end_session(request: Request) -> None:
    """Log out: the cookie is replaced by an anonymous session."""
    _save(request, Session.anonymous())


def csrf_token(request: Request) -> str:
    """Return the CSRF token for forms on the page being rendered (`<input name=csrf_token>`)."""
    return session_of(request).csrf


def csrf_matches(request: Request, sent: str | None) -> bool:
    """Tell whether `sent` is this session's CSRF token (compared in constant time)."""
    return bool(sent) and hmac.compare_digest(str(sent).encode(), session_of(request).csrf.encode())


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request without this session's CSRF token (form field or header).

    Use it as `dependencies=[Depends(verify_csrf)]` on form routes: route dependencies run
    before `require(...)`, which then accepts the session for the unsafe method.
    """
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if not sent and content_type.startswith(FORM_TYPES):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if not csrf_matches(request, sent):
        raise ForbiddenError(
            "the form's CSRF token is missing or stale; reload the page and submit it again",
        )
    request.state.csrf_verified = True


async def form_csrf(request: Request) -> None:
    """Demand the session's CSRF token on a form post; a Bearer token carries no cookie.

    `verify_csrf` also reads the token from the form field, which the session check alone
    does not, so forms work without JavaScript.
    """
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    await verify_csrf(request)


def _user_of(request: Request, user_id: int) -> User | None:
    user: User | None = getattr(request.state, "session_user", None)
    if user is None:
        with read_transaction(request.app.state.engine) as connection:
            user = get_user(connection, user_id)
        request.state.session_user = user
    return user


def session_principal(request: Request) -> Principal | None:
    """Return the logged-in user as a principal, or None; unsafe methods need the CSRF token."""
    session = _existing_session(request)
    if session is None or session.user_id is None:
        return None
    user = _user_of(request, session.user_id)
    if user is None or not user.active or user.password_fingerprint != session.fingerprint:
        return None
    if request.method not in SAFE_METHODS and not (
        getattr(request.state, "csrf_verified", False)
        or csrf_matches(request, request.headers.get(CSRF_HEADER))
    ):
        raise ForbiddenError(
            f"a {request.method} request authenticated by the session cookie must send the "
            f"session's CSRF token in the {CSRF_HEADER} header (or use an API token)",
        )
    return Principal(
        name=user.email,
        permissions=ROLE_PERMISSIONS.get(user.role, frozenset()),
        via="session",
        user_id=user.id,
    )


class SessionCookies:
    """Write the session cookie on the response when the request started or changed it."""

    def __init__(self, app: ASGIApp, *, serializer: URLSafeTimedSerializer, settings: Settings):
        self.app = app
        self.serializer = serializer
        self.attributes = f"Path=/; Max-Age={settings.session_max_age}; HttpOnly; SameSite=Lax"
        if settings.base_url.lower().startswith("https://"):
            self.attributes += "; Secure"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})

        async def send_with_cookie(message: Message) -> None:
            session = state.get("session")
            if (
                message["type"] == "http.response.start"
                and state.get("session_changed")
                and session is not None
            ):
                payload: dict[str, Any] = {"csrf": session.csrf}
                if session.user_id is not None:
                    payload |= {"uid": session.user_id, "pw": session.fingerprint}
                value = self.serializer.dumps(payload)
                MutableHeaders(scope=message).append(
                    "set-cookie", f"{COOKIE}={value}; {self.attributes}"
                )
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def install_sessions(app: FastAPI) -> None:
    """Add session cookies to the app; the login pages are routes like any other."""
    settings: Settings = app.state.settings
    serializer = URLSafeTimedSerializer(settings.secret_key, salt="slawatch.session")
    app.state.session_serializer = serializer
    app.state.session_principal = session_principal
    app.add_middleware(SessionCookies, serializer=serializer, settings=settings)
