"""Agreement YAML over a limit, on the API and the pages: a 4xx naming the limit, never a 500.

And reading YAML never holds the event loop: /health answers while a refusal is in progress.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.config import Settings
from slawatch.store.agreements import list_versions
from slawatch.store.db import read_transaction
from slawatch.web.api import reviews
from slawatch.web.app import create_app
from slawatch.web.pages import editor as editor_pages
from tests.evaluation.support import save_template
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    page_app,
)
from tests.web.test_agreements_api import token
from tests.web.test_credits_api import included

URL = "/api/v1/agreements/marketing-sales"
YAML = {"Content-Type": "application/yaml"}
TEXT = template_text("marketing-sales")


def bomb(levels: int = 12) -> str:
    """An agreement whose aliases expand to 9 ** levels values; no field names them."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return TEXT + "\n".join(lines) + "\n"


DEEP = TEXT + "deep: " + "[" * 500 + "]" * 500 + "\n"
BIG = TEXT + "# " + "x" * 300_000 + "\n"


def app_with(engine: Engine, settings: Settings | None = None) -> FastAPI:
    app = create_app(settings or Settings(), engine)
    return included(app, reviews.router, "/api/v1")


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(app_with(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def versions(engine: Engine) -> list[int]:
    with read_transaction(engine) as connection:
        return [v.version for v in list_versions(connection, "marketing-sales")]


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("text", "status", "limit", "setting"),
    [
        (bomb(), 422, "nodes", "SLAWATCH_MAX_AGREEMENT_NODES"),
        (DEEP, 422, "depth", "SLAWATCH_MAX_AGREEMENT_DEPTH"),
        (BIG, 413, "size", "SLAWATCH_MAX_AGREEMENT_BYTES"),
    ],
    ids=["aliases", "depth", "size"],
)
def test_a_put_over_a_limit_is_refused_naming_the_limit_and_its_setting(
    client: TestClient, engine: Engine, text: str, status: int, limit: str, setting: str
) -> None:
    answer = client.put(URL, content=text.encode(), headers=YAML)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["limit"] == limit
    assert setting in body["detail"]
    assert body["problems"][0]["hint"].endswith(setting)
    assert versions(engine) == []


def test_a_put_with_an_effective_date_out_of_range_is_refused(
    client: TestClient, engine: Engine
) -> None:
    text = TEXT.replace("effective: 2026-01-01", "effective: 0001-01-01")
    answer = client.put(URL, content=text.encode(), headers=YAML)
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert (problem["field"], problem["message"]) == ("effective", "0001-01-01 is out of range")
    assert "1970-01-01 to 2199-12-31" in problem["hint"]
    assert versions(engine) == []


def test_the_limits_are_the_settings(engine: Engine) -> None:
    lowered = Settings(max_agreement_bytes=1_000)
    with TestClient(app_with(engine, lowered)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        refused = client.put(URL, content=TEXT.encode(), headers=YAML)
        assert refused.status_code == 413
        assert "over the limit of 1,000 bytes" in refused.json()["detail"]
    raised = Settings(max_agreement_bytes=512 * 1024)
    with TestClient(app_with(engine, raised)) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        saved = client.put(URL, content=BIG.encode(), headers=YAML)
        assert saved.status_code == 201, saved.text
    assert versions(engine) == [1]


def test_a_review_with_yaml_over_a_limit_is_refused(client: TestClient, engine: Engine) -> None:
    save_template(engine)
    review = {
        "held_on": "2026-07-01",
        "participants": ["head.sales@example.com"],
        "effective": "2026-08-01",
    }
    for text, status in ((bomb(), 422), (BIG, 413)):
        answer = client.post(f"{URL}/reviews", json=review | {"yaml": text})
        assert answer.status_code == status, answer.text
        assert "limit" in answer.json()
    assert versions(engine) == [1]


# ---------------------------------------------------------------- the pages


@pytest.fixture
def editor(engine: Engine) -> Iterator[TestClient]:
    save_template(engine)
    app = page_app(engine)
    with browser(app, engine, "editor") as client:
        yield client


@pytest.mark.parametrize(
    ("text", "status", "shown"),
    [
        (bomb(), 422, "with its aliases written out"),
        (DEEP, 422, "values nest more than 32 levels deep here"),
        (BIG, 413, "over the limit of 262,144 bytes"),
    ],
    ids=["aliases", "depth", "size"],
)
def test_the_editor_shows_a_refusal_as_a_problem(
    editor: TestClient, engine: Engine, text: str, status: int, shown: str
) -> None:
    for path in ("check", "edit"):
        page = editor.post(
            f"/agreements/marketing-sales/{path}", data={"yaml": text, "csrf_token": editor.csrf}
        )
        assert page.status_code == status, page.text[:500]
        assert shown in page.text
    what_if = editor.post(
        "/agreements/marketing-sales/what-if", data={"yaml": bomb(), "csrf_token": editor.csrf}
    )
    assert what_if.status_code == 422
    assert "with its aliases written out" in what_if.text
    assert versions(engine) == [1]
    assert len(BIG) < editor_pages.MAX_YAML  # the form takes it: the limit refuses it


# ---------------------------------------------------------------- the event loop


def slow_refusal() -> str:
    """YAML that takes ruamel a second or more to read, refused for its node count."""
    return "agreement: marketing-sales\nvalues: [" + ",".join(["1"] * 110_000) + "]\n"


def test_health_answers_while_a_refusal_is_being_read(engine: Engine) -> None:
    app = app_with(engine)
    bearer = {"Authorization": f"Bearer {token(engine, 'admin')}"}
    text = slow_refusal().encode()

    async def scenario() -> tuple[float, float, float, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            started = time.perf_counter()
            put = asyncio.create_task(
                http.put(URL, content=text, headers=YAML | bearer, timeout=120)
            )
            await asyncio.sleep(0.2)  # the PUT is being read by now
            asked = time.perf_counter()
            health = await http.get("/health")
            answered = time.perf_counter()
            assert health.status_code == 200
            refused = await put
            return (
                answered - asked,
                answered - started,
                time.perf_counter() - started,
                (refused.status_code),
            )

    # A thread of its own: an earlier test (the browser's sync API) may leave this thread's
    # event loop running, and asyncio.run needs one that is not.
    with ThreadPoolExecutor(1) as pool:
        health_took, health_done, put_done, status = pool.submit(asyncio.run, scenario()).result()
    assert status == 422
    assert health_done < put_done, "health waited for the YAML"
    assert health_took < 1.0
