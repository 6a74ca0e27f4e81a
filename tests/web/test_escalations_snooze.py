"""Snoozing an escalation with a reason, through the API and the escalation page."""

# The fixtures come from the API's and the pages' tests, hence the names used twice.
# ruff: noqa: F811

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.store.db import transaction
from slawatch.store.escalations import resolve
from tests.web.test_escalations_api import URL, client, opened  # noqa: F401 - fixtures
from tests.web.test_escalations_pages import app, csrf_of, editor, ids, viewer  # noqa: F401


def breach_of(client: TestClient) -> int:
    (found,) = [e for e in client.get(URL).json() if e["trigger"] == "breach"]
    return int(found["id"])


def test_snoozing_for_a_while_holds_the_escalation_with_its_reason(
    client: TestClient,
    opened: dict[str, int],
) -> None:
    escalation_id = breach_of(client)
    response = client.post(
        f"{URL}/{escalation_id}/snooze", json={"for": "2h", "reason": "customer calls back"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["snooze_reason"] == "customer calls back" and body["snoozed_by"] == "token:admin"
    assert body["steps"][-1]["action"] == "snoozed-1"
    assert body["steps"][-1]["comment"] == "customer calls back"
    until = client.post(
        f"{URL}/{escalation_id}/snooze",
        json={"until": "2099-01-01T00:00:00Z", "reason": "later"},
    )
    assert until.status_code == 422 and "at most 30 days" in until.json()["detail"]


def test_a_snooze_needs_a_reason_and_exactly_one_future_time(
    client: TestClient,
    opened: dict[str, int],
) -> None:
    snooze = f"{URL}/{breach_of(client)}/snooze"
    assert client.post(snooze, json={"for": "2h"}).status_code == 422
    blank = client.post(snooze, json={"for": "2h", "reason": "  "})
    assert blank.status_code == 422 and blank.json()["detail"].startswith("reason:")
    both = client.post(snooze, json={"for": "2h", "until": "2026-03-04T12:00:00Z", "reason": "x"})
    assert both.status_code == 422 and "either" in both.json()["detail"]
    past = client.post(snooze, json={"until": "2026-03-04T09:00:00Z", "reason": "x"})
    assert past.status_code == 422 and past.json()["detail"].startswith("until:")
    naive = client.post(snooze, json={"until": "2026-03-05T09:00:00", "reason": "x"})
    assert naive.status_code == 422 and "zone" in naive.json()["detail"]
    word = client.post(snooze, json={"for": "a while", "reason": "x"})
    assert word.status_code == 422 and "30m, 2h or 1d" in word.json()["detail"]


def test_a_closed_or_unknown_escalation_cannot_be_snoozed(
    client: TestClient,
    engine: Engine,
    opened: dict[str, int],
) -> None:
    escalation_id = breach_of(client)
    with transaction(engine) as connection:
        resolve(connection, escalation_id, at=1, by="tom", comment=None)
    closed = client.post(f"{URL}/{escalation_id}/snooze", json={"for": "1h", "reason": "x"})
    assert closed.status_code == 409 and "already closed" in closed.json()["detail"]
    missing = client.post(f"{URL}/999/snooze", json={"for": "1h", "reason": "x"})
    assert missing.status_code == 404


def test_the_page_snoozes_with_a_reason_and_shows_it_in_both_languages(
    editor: TestClient,
    ids: dict[str, int],
) -> None:
    url = f"/escalations/{ids['warn']}"
    page = editor.get(url).text
    assert f'action="{url}/snooze"' in page and 'name="reason"' in page
    token = csrf_of(page)
    done = editor.post(
        f"{url}/snooze",
        data={"csrf_token": token, "for": "3h", "reason": "waiting for the customer"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = editor.get(url).text
    assert "Snoozed until" in shown and "waiting for the customer" in shown
    german = editor.get(url, headers={"Accept-Language": "de"}).text
    assert "Zurückgestellt bis" in german
    assert (
        "zurückgestellt bis" in editor.get("/escalations", headers={"Accept-Language": "de"}).text
    )


def test_the_page_explains_a_refused_snooze_in_the_readers_language(
    editor: TestClient,
    viewer: TestClient,
    ids: dict[str, int],
) -> None:
    url = f"/escalations/{ids['warn']}"
    token = csrf_of(editor.get(url).text)
    no_reason = editor.post(f"{url}/snooze", data={"csrf_token": token, "for": "3h"})
    assert no_reason.status_code == 422
    assert "a reason is required" in no_reason.text and 'aria-invalid="true"' in no_reason.text
    german = editor.post(
        f"{url}/snooze",
        data={"csrf_token": token, "until": "2026-03-04 09:00", "reason": "x"},
        headers={"Accept-Language": "de"},
    )
    assert german.status_code == 422 and "später" in german.text
    bad = editor.post(f"{url}/snooze", data={"csrf_token": token, "until": "soon", "reason": "x"})
    assert bad.status_code == 422 and "for example 2026-03-05 08:00" in bad.text
    token = csrf_of(viewer.get(url).text)
    refused = viewer.post(f"{url}/snooze", data={"csrf_token": token, "for": "1h", "reason": "x"})
    assert refused.status_code == 403
