"""POST /api/v1/events: one event, batches, JSON Lines, every bad element reported."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from slawatch.config import Settings
from slawatch.store.db import read_transaction, transaction
from slawatch.store.schema import events, items
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app


def token(engine: Engine, scope: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=scope, scope=scope, created_by="test")


@pytest.fixture
def ingests(engine: Engine) -> list[int]:
    return []


@pytest.fixture
def client(engine: Engine, ingests: list[int]) -> Iterator[TestClient]:
    app = create_app(Settings(max_batch=100, max_body_bytes=200_000), engine)
    app.state.after_ingest = lambda: ingests.append(1)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'ingest')}"
        yield client


def stored(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def lead(number: int, type_: str = "qualified", **extra: object) -> dict[str, object]:
    return {"item": f"lead-{number}", "type": type_, "at": "2026-03-02T09:00:00+01:00", **extra}


def test_one_event_is_stored_and_acknowledged_with_counts(
    client: TestClient, engine: Engine, ingests: list[int]
) -> None:
    response = client.post("/api/v1/events", json=lead(1))
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicate": 0, "rejected": 0, "errors": []}
    assert stored(engine) == 1
    assert ingests == [1]


def test_a_retried_batch_is_counted_as_duplicates_and_stores_nothing_new(
    client: TestClient, engine: Engine, ingests: list[int]
) -> None:
    batch = [lead(i) for i in range(10)]
    assert client.post("/api/v1/events", json=batch).json()["accepted"] == 10
    again = client.post("/api/v1/events", json=batch).json()
    assert (again["accepted"], again["duplicate"]) == (0, 10)
    assert stored(engine) == 10
    assert ingests == [1]  # nothing new, no re-evaluation


def test_json_lines_are_one_event_per_line(client: TestClient, engine: Engine) -> None:
    body = "\n".join(json.dumps(lead(i)) for i in range(5)) + "\n\n"
    response = client.post(
        "/api/v1/events", content=body, headers={"Content-Type": "application/x-ndjson"}
    )
    assert response.json()["accepted"] == 5


def test_a_line_that_is_not_json_is_rejected_with_its_index_and_the_rest_stored(
    client: TestClient,
) -> None:
    body = json.dumps(lead(1)) + "\n{not json\n" + json.dumps(lead(2))
    response = client.post("/api/v1/events", content=body, headers={"Content-Type": "text/plain"})
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (2, 1)
    assert result["errors"][0]["index"] == 1
    assert "line 2 is not JSON" in result["errors"][0]["reason"]


def test_every_bad_element_is_reported_with_its_index_and_field(
    client: TestClient, engine: Engine
) -> None:
    batch: list[object] = [
        lead(1),
        {"type": "qualified", "at": "2026-03-02T09:00:00Z"},
        lead(3, at="2026-03-02T09:00:00"),
        lead(4, at="next tuesday"),
        "not an object",
        lead(6, attributes={"owner": {"nested": 1}}),
        lead(7, extra=[1, 2]),
        lead(8, type=""),
    ]
    result = client.post("/api/v1/events", json=batch).json()
    assert (result["accepted"], result["duplicate"], result["rejected"]) == (1, 0, 7)
    fields = {e["index"]: e["field"] for e in result["errors"]}
    assert fields == {
        1: "item",
        2: "at",
        3: "at",
        4: None,
        5: "attributes.owner",
        6: "extra",
        7: "type",
    }
    naive = next(e for e in result["errors"] if e["index"] == 2)
    assert "no UTC offset" in naive["reason"] and "2026-03-02T09:00:00Z" in naive["reason"]
    assert stored(engine) == 1


def test_a_batch_with_every_element_rejected_is_answered_422_and_stores_nothing(
    client: TestClient, engine: Engine, ingests: list[int]
) -> None:
    response = client.post("/api/v1/events", json=[{"item": "x"}, 5])
    assert response.status_code == 422
    assert response.json()["rejected"] == 2
    assert stored(engine) == 0
    assert ingests == []


def test_extra_top_level_fields_and_the_attributes_object_become_item_attributes(
    client: TestClient, engine: Engine
) -> None:
    element = lead(1, kind="lead", region="EU", score=42, hot=True, attributes={"owner": "tom"})
    client.post("/api/v1/events", json=element)
    with read_transaction(engine) as connection:
        row = connection.execute(select(items.c.source, items.c.kind, items.c.attributes)).one()
    assert row.source == "default"
    assert row.kind == "lead"
    values = {name: value[0] for name, value in row.attributes.items()}
    assert values == {"kind": "lead", "region": "EU", "score": "42", "hot": "true", "owner": "tom"}


def test_the_idempotency_key_header_stores_a_single_event_once(client: TestClient) -> None:
    first = client.post("/api/v1/events", json=lead(1), headers={"Idempotency-Key": "abc"})
    moved = lead(1, at="2026-03-02T10:00:00+01:00")
    again = client.post("/api/v1/events", json=moved, headers={"Idempotency-Key": "abc"})
    assert first.json()["accepted"] == 1
    assert again.json()["duplicate"] == 1


def test_the_idempotency_key_header_on_a_batch_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/events", json=[lead(1)], headers={"Idempotency-Key": "abc"})
    assert response.status_code == 400
    assert "idempotency_key" in response.json()["detail"]


def test_more_events_than_the_batch_limit_are_refused_with_413(
    client: TestClient, engine: Engine
) -> None:
    response = client.post("/api/v1/events", json=[lead(i) for i in range(101)])
    assert response.status_code == 413
    assert "at most 100" in response.json()["detail"]
    assert stored(engine) == 0


def test_malformed_json_is_answered_400_with_line_and_column(client: TestClient) -> None:
    response = client.post(
        "/api/v1/events", content=b'[\n{"item": 1,,}]', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "line 2, column" in response.json()["detail"]


def test_a_body_over_the_byte_limit_is_refused_with_413(client: TestClient) -> None:
    response = client.post("/api/v1/events", content=b"[" + b" " * 300_000 + b"]")
    assert response.status_code == 413


def test_a_read_token_may_not_ingest(client: TestClient, engine: Engine) -> None:
    headers = {"Authorization": f"Bearer {token(engine, 'read')}"}
    assert client.post("/api/v1/events", json=lead(1), headers=headers).status_code == 403


def test_no_token_is_answered_401(client: TestClient) -> None:
    client.headers.pop("Authorization")
    assert client.post("/api/v1/events", json=lead(1)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        b"1" * 5000,
        b"[" * 100_000 + b"]" * 100_000,
        b'{"item": "a", "type": "t", "at": "2026-03-02T09:00:00Z", "n": ' + b"9" * 5000 + b"}",
        b"\xff\xfe not text",
    ],
    ids=["huge-number", "deep-nesting", "huge-attribute-number", "not-utf8"],
)
def test_unreadable_bodies_are_answered_400_not_500(client: TestClient, body: bytes) -> None:
    response = client.post(
        "/api/v1/events", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


def test_strange_but_valid_json_elements_are_rejected_with_reasons_not_500(
    client: TestClient,
) -> None:
    batch: list[object] = [
        None,
        [],
        lead(1, item="x\u0000y"),
        lead(2, item="x" * 301),
        lead(3, at="2026-03-02"),
        lead(4, at=12345),
        lead(5, item=True),
        lead(6, attributes=[1]),
        lead(7, attributes={"kind": "lead"}),
        lead(8, source=" "),
    ]
    response = client.post("/api/v1/events", json=batch)
    assert response.status_code == 422
    reasons = [e["reason"] for e in response.json()["errors"]]
    assert len(reasons) == len(batch)
    assert "2026-03-02T09:30:00Z" in reasons[4]


def test_a_numeric_item_id_is_taken_as_text(client: TestClient) -> None:
    response = client.post("/api/v1/events", json=lead(1, item=12345))
    assert response.json()["accepted"] == 1


def test_a_body_nested_beyond_the_parsers_depth_is_refused_naming_the_limit(
    client: TestClient, engine: Engine
) -> None:
    deep = "[" * 5_000 + "]" * 5_000
    response = client.post(
        "/api/v1/events", content=deep, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "deeper than 1,024 levels" in response.json()["detail"]
    lines = json.dumps(lead(1)) + "\n" + deep + "\n"
    response = client.post(
        "/api/v1/events", content=lines, headers={"Content-Type": "application/x-ndjson"}
    )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["index"] == 1 and "deeper than 1,024 levels" in error["reason"]
    assert stored(engine) == 1


@pytest.mark.parametrize("plain", [True, False], ids=["column path", "reference path"])
def test_an_instant_past_the_range_after_its_offset_is_rejected_with_its_index(
    client: TestClient, engine: Engine, plain: bool
) -> None:
    extra = {} if plain else {"attributes": {"region": "EU"}}
    batch = [lead(1, **extra), lead(2, at="9999-12-31T23:59:59-01:00", **extra)]
    result = client.post("/api/v1/events", json=batch).json()
    assert (result["accepted"], result["rejected"]) == (1, 1)
    (error,) = result["errors"]
    assert (error["index"], error["field"]) == (1, "at")
    assert "2200-01-02T00:00:00Z" in error["reason"]
    assert stored(engine) == 1


@pytest.mark.parametrize("nested", [False, True], ids=["top level", "attributes object"])
def test_an_event_with_a_thousand_attribute_names_is_rejected_naming_the_limit(
    client: TestClient, engine: Engine, nested: bool
) -> None:
    names = {f"c{n}": "x" for n in range(1_000)}
    element = lead(1, attributes=names) if nested else lead(1, **names)
    response = client.post("/api/v1/events", json=[element, lead(2)])
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["index"] == 0
    assert "at most 100 per event (SLAWATCH_MAX_ATTRIBUTES_PER_EVENT)" in error["reason"]
    assert stored(engine) == 1


@pytest.mark.parametrize("plain", [True, False], ids=["column path", "reference path"])
def test_too_long_an_attribute_name_or_value_is_rejected_naming_the_setting(
    client: TestClient, plain: bool
) -> None:
    long_value = lead(1, region="x" * 1_001) if plain else lead(1, attributes={"r": "x" * 1_001})
    long_name = lead(2, **{"n" * 101: "x"})
    for element, setting in [
        (long_value, "SLAWATCH_MAX_ATTRIBUTE_VALUE"),
        (long_name, "SLAWATCH_MAX_ATTRIBUTE_NAME"),
    ]:
        response = client.post("/api/v1/events", json=[element])
        assert response.status_code == 422
        assert setting in response.json()["errors"][0]["reason"]
