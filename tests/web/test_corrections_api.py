"""/api/v1/agreements/{id}/corrections: propose, list, approve, reject; every bad input a 4xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.agreements.parse import parse_agreement
from slawatch.config import Settings
from slawatch.evaluation.service import refresh_all
from slawatch.store.agreements import save_version
from slawatch.store.audit import entries
from slawatch.store.corrections import CorrectionAction, CorrectionRecord
from slawatch.store.db import read_transaction, transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app
from slawatch.web.corrections import decision_refusal
from slawatch.web.security import ROLE_PERMISSIONS, Principal
from tests.evaluation.support import AS_OF
from tests.evaluation.test_credits import (
    AGREEMENT,
    credited_yaml,
    evaluated_and_stated,
    late_leads_in_april,
)
from tests.web.support import set_now

URL = f"/api/v1/agreements/{AGREEMENT}/corrections"
LATE = {"item": "late-0", "source": "default"}


def _token(engine: Engine, name: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=name, scope="admin", created_by="test")


@pytest.fixture
def evaluations() -> list[int]:
    return []


@pytest.fixture
def app(engine: Engine, evaluations: list[int]) -> FastAPI:
    evaluated_and_stated(engine)
    late_leads_in_april(engine, count=3)
    app = create_app(Settings(), engine)
    app.state.after_ingest = lambda: evaluations.append(1)
    set_now(app, AS_OF)
    return app


@pytest.fixture
def client(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {_token(engine, 'lena')}"
        yield client


def _other_party(engine: Engine) -> None:
    with transaction(engine) as connection:
        save_version(
            connection,
            credited_yaml() + "\ncorrections:\n  approval: other-party\n",
            author="lena@example.com",
            reason="corrections need the other party",
        )


def test_an_exclusion_that_changes_no_closed_period_applies_at_once(
    client: TestClient, evaluations: list[int]
):
    body = {**LATE, "action": "exclude", "objective": "request-response", "reason": "a test lead"}
    created = client.post(URL, json=body)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["state"] == "approved" and answer["decided_by"] == "token:lena"
    assert answer["item"] == "late-0" and answer["objective"] == "request-response"
    assert evaluations == [1]
    (listed,) = client.get(URL).json()
    assert listed["id"] == answer["id"] and listed["reason"] == "a test lead"


def test_a_change_to_a_closed_period_is_shown_first_and_applies_once_confirmed(
    client: TestClient, engine: Engine
):
    body = {**LATE, "action": "exclude", "objective": "speed-to-lead", "reason": "a test lead"}
    refused = client.post(URL, json=body)
    assert refused.status_code == 409
    assert "2026-04" in refused.json()["detail"]
    changes = refused.json()["changes"]
    assert changes["changed_periods"] == ["2026-04"]
    assert changes["objectives"][0]["objective"] == "speed-to-lead"
    assert client.get(URL).json() == []
    confirmed = client.post(URL, json={**body, "confirm_closed_periods": True})
    assert confirmed.status_code == 201, confirmed.text
    with read_transaction(engine) as connection:
        logged = [
            e
            for e in entries(connection, subject=f"agreement:{AGREEMENT}")
            if e["action"] == "correction.approve"
        ]
    assert logged[0]["detail"]["changed_periods"] == ["2026-04"]
    refresh_all(engine, as_of=AS_OF)
    report = client.get(f"/api/v1/agreements/{AGREEMENT}/report", params={"period": "2026-04"})
    assert report.status_code == 200


def test_an_event_is_moved_retyped_or_voided_by_its_type_and_instant(client: TestClient):
    event = {**LATE, "event_type": "handed_over", "event_at": "2026-04-15T09:00:00Z"}
    moved = client.post(
        URL,
        json={**event, "action": "move", "new_at": "2026-05-02T09:00:00+02:00",
              "reason": "stamped late", "confirm_closed_periods": True},
    )  # fmt: skip
    assert moved.status_code == 201, moved.text
    assert moved.json()["new_at"].startswith("2026-05-02T09:00:00+02:00")


AT = "2026-04-15T09:00:00Z"
HANDED = {"event_type": "handed_over", "event_at": AT}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"action": "erase", "reason": "x"}, 422, "action"),
        ({"action": "exclude", "objective": "speed-to-lead"}, 422, "reason"),
        ({"action": "exclude", "objective": "speed-to-lead", "reason": " "}, 422, "reason"),
        ({"action": "exclude", "objective": "nope", "reason": "x"}, 422, "objective"),
        ({"action": "exclude", "reason": "x"}, 422, "objective"),
        ({"action": "exclude", "reason": "x" * 2001, "objective": "speed-to-lead"}, 422, "reason"),
        ({"action": "void", "reason": "x", "event_type": "handed_over"}, 422, "event_at"),
        ({"action": "void", "reason": "x", **HANDED, "event_at": "soon"}, 422, "event_at"),
        ({"action": "void", "reason": "x", **HANDED, "event_type": "contacted"}, 404, "contacted"),
        ({"action": "move", "reason": "x", **HANDED}, 422, "new_at"),
        ({"action": "retype", "reason": "x", **HANDED, "new_type": "handed_over"}, 422, "new_type"),
    ],
)  # fmt: skip
def test_every_bad_input_is_refused_with_what_to_fix(
    client: TestClient, body: dict[str, str], status: int, words: str
):
    answer = client.post(URL, json={**LATE, **body})
    assert answer.status_code == status, answer.text
    assert words in str(answer.json()["detail"])


def test_an_unknown_item_or_agreement_is_not_found(client: TestClient):
    body = {"action": "exclude", "objective": "speed-to-lead", "reason": "x", "item": "nobody"}
    assert client.post(URL, json=body).status_code == 404
    assert client.get("/api/v1/agreements/nothing-here/corrections").status_code == 404


def test_under_other_party_approval_the_proposer_waits_for_someone_else(
    client: TestClient, engine: Engine
):
    _other_party(engine)
    body = {**LATE, "action": "exclude", "objective": "request-response", "reason": "test lead"}
    proposed = client.post(URL, json=body).json()
    assert proposed["state"] == "proposed" and proposed["decided_by"] is None
    mine = client.post(f"{URL}/{proposed['id']}/approve", json={})
    assert mine.status_code == 403 and "proposer" in mine.json()["detail"]
    other = {"Authorization": f"Bearer {_token(engine, 'tom')}"}
    no_reason = client.post(f"{URL}/{proposed['id']}/reject", json={}, headers=other)
    assert no_reason.status_code == 409 and "reason" in no_reason.json()["detail"]
    approved = client.post(f"{URL}/{proposed['id']}/approve", json={}, headers=other)
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved" and approved.json()["decided_by"] == "token:tom"
    again = client.post(f"{URL}/{proposed['id']}/reject", json={"reason": "no"}, headers=other)
    assert again.status_code == 409
    assert client.post(f"{URL}/999/approve", json={}).status_code == 404


def test_a_rejection_records_who_and_why(client: TestClient, engine: Engine):
    _other_party(engine)
    body = {**LATE, "action": "exclude", "objective": "speed-to-lead", "reason": "test lead"}
    proposed = client.post(URL, json=body).json()
    other = {"Authorization": f"Bearer {_token(engine, 'tom')}"}
    rejected = client.post(
        f"{URL}/{proposed['id']}/reject", json={"reason": "a real lead"}, headers=other
    )
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["decision_reason"] == "a real lead"


def _record(proposed_by: str) -> CorrectionRecord:
    return CorrectionRecord(
        1, AGREEMENT, CorrectionAction.EXCLUDE, 1, "default", "L-1", "speed-to-lead",
        None, None, None, None, None, "why", "", proposed_by, 0,
    )  # fmt: skip


def test_an_editor_of_the_other_party_may_decide_one_of_the_same_party_may_not():
    agreement = parse_agreement(credited_yaml())
    editor = ROLE_PERMISSIONS["editor"]
    lena = _record("lena.koch@example.com")  # Marketing
    tom = Principal("tom.berg@example.com", editor, "session")  # Sales
    head = Principal("head.marketing@example.com", editor, "session")  # Marketing
    stranger = Principal("someone@example.com", editor, "session")
    admin = Principal("admin@example.com", ROLE_PERMISSIONS["admin"], "session")
    assert decision_refusal(lena, agreement, tom) is None
    assert decision_refusal(lena, agreement, admin) is None
    assert decision_refusal(lena, agreement, head) is not None
    assert decision_refusal(lena, agreement, stranger) is not None
    assert "proposer" in str(
        decision_refusal(lena, agreement, Principal("lena.koch@example.com", editor, "session"))
    )


def test_the_items_clocks_follow_its_approved_exclusion(client: TestClient):
    item = "/api/v1/items/default/late-0"
    before = {c["objective"] for c in client.get(item).json()["clocks"]}
    assert "speed-to-lead" in before
    body = {**LATE, "action": "exclude", "objective": "speed-to-lead", "reason": "a test lead"}
    assert client.post(URL, json={**body, "confirm_closed_periods": True}).status_code == 201
    after = {c["objective"] for c in client.get(item).json()["clocks"]}
    assert after == before - {"speed-to-lead"}
