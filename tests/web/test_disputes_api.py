"""/api/v1/agreements/{id}/disputes: open, list, read, comment, decide; refusals are 4xx."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from slawatch.config import Settings
from slawatch.store import users as users_store
from slawatch.store.corrections import CorrectionAction, CorrectionDraft, propose
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import item_detail
from slawatch.store.schema import audit_log, deliveries
from slawatch.store.tokens import create_token
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from slawatch.web.sessions import COOKIE, CSRF_HEADER
from tests.alerts.support import AGREEMENT, HOUR, NOW, add_item, agreement
from tests.web.support import set_now

URL = f"/api/v1/agreements/{AGREEMENT}/disputes"
PASSWORD = "a long password"
FIGURE = {
    "subject": "figure",
    "party": "marketing",
    "objective": "qualified-leads",
    "period": "2026-02",
    "reason": "The trade-fair leads of 12 February are missing.",
    "links": ["https://crm.example.com/lists/7"],
}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def token(engine: Engine, scope: str) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name=scope, scope=scope, created_by="test")


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    agreement(engine)
    add_item(engine, "lead-1")
    with transaction(engine) as connection:
        create_user(connection, "lena.koch@example.com", PASSWORD, "editor")
        create_user(connection, "tom.berg@example.com", PASSWORD, "editor")
        create_user(connection, "viewer@example.com", PASSWORD, "viewer")
    app = create_app(Settings(demo=True), engine)
    set_now(app, NOW)
    return app


@pytest.fixture
def admin(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {token(engine, 'admin')}"
        yield client


def session(app: FastAPI, email: str) -> TestClient:
    client = TestClient(app)
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf is not None and client.cookies.get(COOKIE)
    client.headers[CSRF_HEADER] = csrf.group(1)
    return client


def test_a_dispute_opens_with_its_timeline_deadline_and_audit_entry(
    admin: TestClient, engine: Engine
) -> None:
    answer = admin.post(URL, json=FIGURE)
    assert answer.status_code == 201, answer.text
    dispute = answer.json()
    assert (dispute["status"], dispute["subject"], dispute["period"]) == (
        "open",
        "figure",
        "2026-02",
    )
    assert dispute["timeline"][0]["kind"] == "opened"
    assert dispute["timeline"][0]["links"] == FIGURE["links"]
    assert dispute["deadline"] is not None and dispute["tier"] == 0
    assert admin.get(URL).json()[0]["id"] == dispute["id"]
    assert admin.get(f"{URL}/{dispute['id']}").json()["title"] == FIGURE["reason"]
    with read_transaction(engine) as connection:
        actions = [r.action for r in connection.execute(select(audit_log.c.action))]
    assert "dispute.open" in actions


def test_an_items_verdict_is_disputed_by_source_and_id(admin: TestClient) -> None:
    body = {
        "subject": "item",
        "party": "sales",
        "objective": "speed-to-lead",
        "item": {"source": "crm", "external_id": "lead-1"},
        "reason": "Tom called at 9:05; the CRM logged it late.",
    }
    answer = admin.post(URL, json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["item"]["name"] == "crm/lead-1"


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"party": "finance"}, 422, "is not a party"),
        ({"objective": "nope"}, 422, "is not an objective"),
        ({"period": "2026-13"}, 422, "period"),
        ({"period": "2026-W05"}, 422, "measured per month"),
        ({"period": "2027-01"}, 422, "has not begun"),
        ({"reason": "   "}, 422, "reason"),
        ({"reason": "x" * 4001}, 422, "reason"),
        ({"links": ["ftp://x"]}, 422, "not a web address"),
        ({"links": ["https://x"] * 11}, 422, "links"),
        ({"subject": "statement", "owing_party": "sales"}, 422, "no credit statement"),
        ({"subject": "item", "item": {"source": "crm", "external_id": "nope"}}, 422, "no item"),
        ({"subject": "item"}, 422, "item"),
        ({"subject": "verdict"}, 422, ""),
        ({"reason": "a\x00b"}, 422, ""),
    ],
)
def test_every_bad_input_is_a_4xx_naming_the_field(
    admin: TestClient, change: dict[str, object], status: int, words: str
) -> None:
    answer = admin.post(URL, json=FIGURE | change)
    assert answer.status_code == status, answer.text
    assert words in answer.text


def test_unknown_agreements_and_disputes_are_404(admin: TestClient) -> None:
    assert admin.post("/api/v1/agreements/nope/disputes", json=FIGURE).status_code == 404
    assert admin.get(f"{URL}/99").status_code == 404
    assert admin.post(f"{URL}/99/comments", json={"text": "x"}).status_code == 404


def a_correction(engine: Engine) -> int:
    """Store a lead and an approved exclusion of it; return the correction's number."""
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "L-9", "qualified", 1, "lead")])
        item = item_detail(connection, "default", "L-9")
        assert item is not None
        draft = CorrectionDraft(
            AGREEMENT, CorrectionAction.EXCLUDE, item.id, "a test", objective="conversion"
        )
        return propose(connection, draft, actor="t", now=2, applies=True).id


def test_comments_add_evidence_until_the_decision_and_a_second_decision_is_a_409(
    admin: TestClient, engine: Engine
) -> None:
    number = admin.post(URL, json=FIGURE).json()["id"]
    comment = admin.post(
        f"{URL}/{number}/comments", json={"text": "The list", "links": ["https://x.example"]}
    )
    assert comment.status_code == 201
    unknown = admin.post(
        f"{URL}/{number}/decision",
        json={"decision": "upheld", "reason": "The leads were there.", "correction_id": 17},
    )
    assert unknown.status_code == 422 and "not a correction of" in unknown.text
    fixed = a_correction(engine)
    decided = admin.post(
        f"{URL}/{number}/decision",
        json={
            "decision": "upheld",
            "reason": "The leads were there.",
            "correction_id": f"#{fixed}",
        },
    )
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["status"], body["correction_id"]) == ("upheld", str(fixed))
    assert [e["kind"] for e in body["timeline"]] == ["opened", "comment", "decided"]
    again = admin.post(f"{URL}/{number}/decision", json={"decision": "rejected", "reason": "No"})
    assert again.status_code == 409 and "already upheld" in again.text
    late = admin.post(f"{URL}/{number}/comments", json={"text": "More"})
    assert late.status_code == 409
    assert admin.get(URL, params={"status": "open"}).json() == []
    with read_transaction(engine) as connection:
        queued = list(connection.execute(select(deliveries.c.title)))
    assert any("upheld" in row.title for row in queued)


def test_a_rejection_names_no_correction(admin: TestClient) -> None:
    number = admin.post(URL, json=FIGURE).json()["id"]
    answer = admin.post(
        f"{URL}/{number}/decision",
        json={"decision": "rejected", "reason": "Counted right", "correction_id": "3"},
    )
    assert answer.status_code == 422 and "correction_id" in answer.text


def test_viewers_read_editors_open_and_only_the_other_partys_editor_decides(
    app: FastAPI,
) -> None:
    with session(app, "viewer@example.com") as viewer:
        assert viewer.get(URL).status_code == 200
        assert viewer.post(URL, json=FIGURE).status_code == 403
    with session(app, "lena.koch@example.com") as lena:  # Marketing's contact opens it
        number = lena.post(URL, json=FIGURE).json()["id"]
        own = lena.post(f"{URL}/{number}/decision", json={"decision": "upheld", "reason": "Yes"})
        assert own.status_code == 403 and "opened" in own.text
    with session(app, "tom.berg@example.com") as tom:  # Sales' contact answers it
        answer = tom.post(f"{URL}/{number}/decision", json={"decision": "rejected", "reason": "No"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["decided_by"] == "tom.berg@example.com"


def test_an_editor_who_is_no_contact_of_the_other_party_may_not_decide(
    app: FastAPI, engine: Engine
) -> None:
    with transaction(engine) as connection:
        create_user(connection, "someone@example.com", PASSWORD, "editor")
    with session(app, "lena.koch@example.com") as lena:
        number = lena.post(URL, json=FIGURE).json()["id"]
    with session(app, "someone@example.com") as other:
        answer = other.post(f"{URL}/{number}/decision", json={"decision": "upheld", "reason": "x"})
    assert answer.status_code == 403 and "contact of the other party" in answer.text


def test_a_dispute_opened_later_runs_its_ladder_from_then(app: FastAPI, admin: TestClient) -> None:
    set_now(app, NOW + HOUR)
    dispute = admin.post(URL, json=FIGURE).json()
    assert dispute["opened_at"].startswith("2026-03-04T11:00")
