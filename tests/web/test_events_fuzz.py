"""Fuzzing POST /api/v1/events: whatever a client sends, a 2xx or 4xx with a message, quickly.

Hypothesis builds batches with huge attribute sets, instants at and past the ends of the
range with extreme offsets, long and unicode strings and values of the wrong type. None may
cause a 500, and each must be answered within the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app

offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda minutes: f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02}:{abs(minutes) % 60:02}"
)
instants = st.one_of(
    st.builds(
        lambda moment, offset: moment.isoformat() + offset,
        st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
        offsets,
    ),
    st.sampled_from(
        [
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+14:00",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999Z",
            "2200-01-02T00:00:00Z",
            "2200-01-02T00:00:00.000001Z",
            "2026-01-01T00:00:00+23:59",
            "2026-01-01",
            "",
        ]
    ),
    st.text(max_size=40),
)
odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),  # what JSON can carry
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
texts = st.one_of(st.text(max_size=30), st.text(min_size=900, max_size=1_200), st.just("x" * 5_000))
values = st.one_of(texts, odd)
names = st.one_of(st.text(min_size=1, max_size=20), st.text(min_size=95, max_size=130))


@st.composite
def elements(draw: st.DrawFn) -> Any:
    element: dict[str, Any] = {
        "item": draw(st.one_of(st.text(min_size=1, max_size=10), odd, st.just("i" * 400))),
        "type": draw(st.one_of(st.sampled_from(["qualified", "contacted"]), texts, odd)),
        "at": draw(st.one_of(instants, odd)),
    }
    width = draw(st.sampled_from([0, 1, 5, 99, 100, 101, 1_500]))
    if width:
        plain = draw(st.booleans())
        generated = {f"a{n}": "v" for n in range(width)} if plain else {}
        generated |= draw(st.dictionaries(names, values, max_size=min(width, 8)))
        if draw(st.booleans()):
            element["attributes"] = generated
        else:
            element.update(generated)
    return draw(st.one_of(st.just(element), odd, st.just([element])))


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(max_batch=50, max_body_bytes=2_000_000), engine)
    app.state.after_ingest = lambda: None
    with transaction(engine) as connection:
        key = create_token(connection, name="fuzz", scope="ingest", created_by="test")
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


@settings(
    max_examples=20,
    deadline=dt.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(elements(), min_size=1, max_size=6), same_shape=st.booleans())
def test_no_batch_causes_a_server_error(
    client: TestClient, batch: list[Any], same_shape: bool
) -> None:
    if same_shape and all(isinstance(e, dict) for e in batch):
        batch = [dict(batch[0], item=f"L-{n}") for n in range(len(batch))]  # the column path
    response = client.post("/api/v1/events", json=batch)
    assert response.status_code in (200, 400, 413, 422), response.text
    body = response.json()
    if response.status_code in (200, 422):
        assert body["accepted"] + body["duplicate"] + body["rejected"] == len(batch)
        assert all(error["reason"] for error in body["errors"])
    else:
        assert body["detail"]
