"""The admin deliveries page: what became of every message, failures highlighted, resendable."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.alerts.delivery import send_due
from slawatch.alerts.outbox import Outgoing, enqueue
from slawatch.alerts.recipients import Recipient
from slawatch.config import Settings
from slawatch.i18n import translator
from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.deliveries import Delivery
from slawatch.store.users import create_user
from slawatch.wall_clock import now_us
from slawatch.web.app import create_app
from slawatch.web.pages import deliveries
from slawatch.web.pages.zones import zoned_text
from tests.alerts.test_notify import NOW, queued
from tests.alerts.webhook_sink import WebhookSink
from tests.evaluation.support import save_template
from tests.web.test_home import log_in
from tests.web.test_metrics import with_router

PASSWORD = "a long password"
PAGE = "/admin/deliveries"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def new_app(engine: Engine) -> FastAPI:
    return with_router(create_app(Settings(secret_key="k" * 40), engine), deliveries.router)


def browser(engine: Engine, role: str = "admin", language: str | None = None) -> TestClient:
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    client = TestClient(new_app(engine))
    log_in(client, email, PASSWORD)
    return client


@pytest.fixture
def webhooks() -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        yield sink


def queue(engine: Engine, key: str, url: str) -> None:
    with transaction(engine) as connection:
        enqueue(
            connection,
            Outgoing(
                key,
                Recipient(f"{key}@example.com", url, "en"),
                f"Message {key}",
                "b",
                queued_at=NOW,
            ),
        )


@pytest.fixture
def outcomes(engine: Engine, webhooks: WebhookSink) -> dict[str, Delivery]:
    """One delivery sent, one failed at a webhook that answers 404, one with nowhere to go."""
    webhooks.answer("/gone", [404])
    queue(engine, "fine", webhooks.url("/fine"))
    queue(engine, "gone", webhooks.url("/gone").replace("json://", "json://user:s3cret@"))
    queue(engine, "nowhere", "")
    send_due(engine, now=NOW, owner="test")
    return {d.recipient.split("@")[0]: d for d in queued(engine)}


def row_of(page: str, delivery: Delivery) -> str:
    match = re.search(rf'<tr id="delivery-{delivery.id}".*?</tr>', page, re.S)
    assert match is not None
    return match.group(0)


def test_failed_deliveries_are_highlighted_with_their_last_error(
    engine: Engine, outcomes: dict[str, Delivery]
):
    page = browser(engine).get(PAGE)
    assert page.status_code == 200
    gone, nowhere, fine = (row_of(page.text, outcomes[k]) for k in ("gone", "nowhere", "fine"))
    assert 'class="failed"' in gone and "error=404" in gone and "error-text" in gone
    assert "s3cret" not in page.text  # the channel is shown with its secrets masked
    assert 'class="failed"' in nowhere and "no route and no SLAWATCH_SMTP_URL" in nowhere
    assert 'class="sent"' in fine and "Send again" not in fine
    assert "Send again" in gone and "Send again" not in nowhere  # nowhere to send it again
    assert "Failed deliveries: 2. Their last error says why." in page.text
    assert "failed (2)" in page.text and "sent (1)" in page.text and "All (3)" in page.text


def test_the_page_lists_one_status_when_asked(engine: Engine, outcomes: dict[str, Delivery]):
    client = browser(engine)
    failed = client.get(PAGE, params={"status": "failed"}).text
    assert "Message gone" in failed and "Message nowhere" in failed
    assert "Message fine" not in failed
    assert "Message fine" in client.get(PAGE, params={"status": "unknown"}).text


def test_an_admin_sends_a_failed_delivery_again(
    engine: Engine, outcomes: dict[str, Delivery], webhooks: WebhookSink
):
    client = browser(engine)
    page = client.get(PAGE).text
    form = re.search(r'name="csrf_token" value="([^"]+)"', row_of(page, outcomes["gone"]))
    assert form is not None
    action = f"{PAGE}/{outcomes['gone'].id}/retry"
    answered = client.post(action, data={"csrf_token": form.group(1)}, follow_redirects=False)
    assert answered.status_code == 303 and answered.headers["location"] == PAGE
    assert client.post(action, data={"csrf_token": "forged"}).status_code == 403
    assert client.post(action, data={"csrf_token": form.group(1)}).status_code == 409  # pending
    report = send_due(engine, now=now_us(), owner="test")  # queued again at the real now
    assert report.sent == [outcomes["gone"].id]
    assert len(webhooks.calls_to("/gone")) == 2


def test_only_admins_see_deliveries(engine: Engine):
    assert browser(engine, "viewer").get(PAGE).status_code == 403
    anonymous = TestClient(new_app(engine)).get(
        PAGE, headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_the_page_speaks_the_admins_language(engine: Engine, outcomes: dict[str, Delivery]):
    page = browser(engine, language="de").get(PAGE).text
    assert "Fehlgeschlagene Zustellungen: 2" in page
    assert "fehlgeschlagen (2)" in page and "Erneut senden" in page


def test_an_empty_page_says_where_messages_come_from(engine: Engine):
    assert "No deliveries yet" in browser(engine).get(PAGE).text


def test_times_are_in_the_agreements_zone_with_the_zone_shown(
    engine: Engine, outcomes: dict[str, Delivery]
):
    save_template(engine)  # marketing-sales, in Europe/Berlin
    page = browser(engine).get(PAGE).text
    created = zoned_text(outcomes["fine"].created_at, "Europe/Berlin", translator("en"))
    assert created.endswith(("CET", "CEST"))
    assert f"<td>{created}</td>" in row_of(page, outcomes["fine"])
    assert "Times in Europe/Berlin." in page


def test_without_agreements_times_are_in_utc_and_say_so(
    engine: Engine, outcomes: dict[str, Delivery]
):
    page = browser(engine).get(PAGE).text
    assert re.search(r"<td>[^<]+ UTC</td>", row_of(page, outcomes["fine"]))
    assert "Times in UTC." in page
