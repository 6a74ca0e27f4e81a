"""Refusals that carry their status, answered by the app's one handler."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.web.app import create_app
from slawatch.web.errors import (
    BadRequestError,
    ClientError,
    ConflictError,
    ContentTooLargeError,
    ForbiddenError,
    NotFoundError,
    UnauthorizedError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)

REFUSALS: list[tuple[type[ClientError], int]] = [
    (BadRequestError, 400),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (ContentTooLargeError, 413),
    (UnsupportedMediaTypeError, 415),
    (UnprocessableError, 422),
]


def _refusing_app(engine: Engine, error: ClientError) -> FastAPI:
    app = create_app(Settings(demo=True), engine)

    @app.get("/api/v1/refuse")
    @app.get("/refuse")
    def refuse() -> None:
        raise error

    return app


@pytest.mark.parametrize(("kind", "code"), REFUSALS)
def test_each_refusal_is_answered_with_its_status_and_message(
    engine: Engine, kind: type[ClientError], code: int
) -> None:
    with TestClient(_refusing_app(engine, kind("what was wrong; how to fix it"))) as client:
        answer = client.get("/api/v1/refuse")
    assert answer.status_code == code
    assert answer.json() == {"detail": "what was wrong; how to fix it"}


def test_an_unauthorized_api_call_is_told_to_send_a_bearer_token(engine: Engine) -> None:
    with TestClient(_refusing_app(engine, UnauthorizedError("log in"))) as client:
        answer = client.get("/api/v1/refuse", headers={"Accept": "text/html"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.json() == {"detail": "log in"}


def test_a_browser_without_a_session_is_sent_to_the_login_form(engine: Engine) -> None:
    with TestClient(_refusing_app(engine, UnauthorizedError("log in"))) as client:
        answer = client.get("/refuse?x=1", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/refuse%3Fx%3D1"


def test_a_refusal_keeps_the_headers_it_was_given(engine: Engine) -> None:
    error = ConflictError("busy", headers={"Retry-After": "5"})
    with TestClient(_refusing_app(engine, error)) as client:
        answer = client.get("/api/v1/refuse")
    assert answer.status_code == 409
    assert answer.headers["Retry-After"] == "5"
