"""The shared request dependencies: the request's instant."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from slawatch.wall_clock import now_us
from slawatch.web.deps import Now
from tests.web.support import set_now


def _clock_app() -> FastAPI:
    app = FastAPI()

    @app.get("/now")
    def answer(now: Now) -> int:
        return now

    return app


def test_a_handler_reads_the_wall_clock_through_now() -> None:
    before = now_us()
    with TestClient(_clock_app()) as client:
        seen = client.get("/now").json()
    assert before <= seen <= now_us()


def test_a_test_sets_the_instant_every_handler_sees() -> None:
    app = _clock_app()
    set_now(app, 1_780_000_000_000_000)
    with TestClient(app) as client:
        assert client.get("/now").json() == 1_780_000_000_000_000
        set_now(app, 1_780_000_000_000_001)
        assert client.get("/now").json() == 1_780_000_000_000_001
