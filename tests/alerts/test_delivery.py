"""Sending end to end: real SMTP and webhook servers receive what the queue holds, once.

Time is driven by the `now` argument: a retry is due when `now` passes its backoff.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from slawatch.alerts import delivery as delivery_module
from slawatch.alerts.channels import mail_url
from slawatch.alerts.delivery import BACKOFF_SECONDS, MAX_ATTEMPTS, SendReport, send_due
from slawatch.alerts.outbox import Outgoing, enqueue
from slawatch.alerts.recipients import Recipient
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import Delivery, claim_delivery, list_deliveries
from tests.alerts.mail_sink import MailSink
from tests.alerts.test_notify import BASE_URL, NOW, item_escalation, queued, route, step
from tests.alerts.webhook_sink import WebhookSink
from tests.evaluation.support import save_template

SECOND = 1_000_000


class Stopwatch:
    """The sender's monotonic clock, moved by the test: `step` nanoseconds per reading."""

    def __init__(self, step: int = 0) -> None:
        self.ns = 0
        self.step = step

    def monotonic_ns(self) -> int:
        self.ns += self.step
        return self.ns


@pytest.fixture(autouse=True)
def stopwatch(monkeypatch: pytest.MonkeyPatch) -> Stopwatch:
    """Stop the sender's clock: a round takes no time, so its instants are exactly `now`."""
    watch = Stopwatch()
    monkeypatch.setattr(delivery_module, "time", watch)
    return watch


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as sink:
        yield sink


@pytest.fixture
def webhooks() -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        yield sink


def only(engine: Engine) -> Delivery:
    (delivery,) = queued(engine)
    return delivery


def queue_mail(engine: Engine, sink: MailSink, count: int) -> None:
    with transaction(engine) as connection:
        for n in range(count):
            enqueue(
                connection,
                Outgoing(
                    f"test:{n}",
                    Recipient(
                        f"person{n}@example.com",
                        mail_url(sink.smtp_url, f"person{n}@example.com"),
                        "en",
                    ),
                    f"Message {n}",
                    f"Body {n}",
                    queued_at=NOW,
                ),
            )


def test_a_step_is_mailed_once_with_its_subject_numbers_and_link(engine: Engine, mail: MailSink):
    save_template(engine)
    escalation_id = item_escalation(engine)
    step(engine, escalation_id, smtp_url=mail.smtp_url)
    report = send_due(engine, now=NOW, owner="replica-a")
    assert len(report.sent) == 1 and report.attempted == 1
    assert send_due(engine, now=NOW + 3600 * SECOND, owner="replica-a").attempted == 0
    (message,) = mail.messages
    assert message["To"] == "tom.berg@example.com"
    assert message["Subject"] == "Breached: First contact within 48 hours (item crm/L-7), tier 1"
    text = mail.text(message)
    assert "Elapsed: 50 h of 48 h allowed" in text
    assert "Deadline: Mar 4, 2026, 9:00:00\u202fAM (Europe/Berlin)" in text
    assert f"{BASE_URL}/escalations/{escalation_id}" in text
    sent = only(engine)
    assert (sent.status, sent.attempts, sent.lease_owner) == ("sent", 1, None)
    assert sent.sent_at == NOW


def test_a_german_route_gets_german_text_at_its_webhook(engine: Engine, webhooks: WebhookSink):
    save_template(engine)
    escalation_id = item_escalation(engine, trigger="breach")
    route(engine, "marketing-sales:sales", webhooks.url("/sales"), "de")
    step(engine, escalation_id, tier=2)
    assert len(send_due(engine, now=NOW, owner="a").sent) == 1
    (call,) = webhooks.calls_to("/sales")
    assert call.document["title"] == (
        "Verletzt: First contact within 48 hours (Vorgang crm/L-7), Stufe 2"
    )
    assert "Verstrichen: 50 Std. (erlaubt: 48 Std.)" in call.document["message"]
    assert "Frist: 04.03.2026, 09:00:00 (Europe/Berlin)" in call.document["message"]


def test_a_failing_webhook_is_retried_with_backoff_until_it_answers(
    engine: Engine, webhooks: WebhookSink
):
    save_template(engine)
    escalation_id = item_escalation(engine)
    route(engine, "tom.berg@example.com", webhooks.url("/flaky"))
    step(engine, escalation_id)
    webhooks.answer("/flaky", [500, 502, 200])

    assert len(send_due(engine, now=NOW, owner="a").retried) == 1
    first = only(engine)
    assert (first.status, first.attempts) == ("pending", 1)
    assert "error=500" in (first.last_error or "")
    assert first.next_attempt_at == NOW + 30 * SECOND

    assert send_due(engine, now=first.next_attempt_at - SECOND, owner="a").attempted == 0
    assert len(send_due(engine, now=first.next_attempt_at, owner="a").retried) == 1
    second = only(engine)
    assert second.attempts == 2 and "error=502" in (second.last_error or "")
    assert second.next_attempt_at - first.next_attempt_at == 120 * SECOND

    assert send_due(engine, now=second.next_attempt_at - SECOND, owner="a").attempted == 0
    assert len(send_due(engine, now=second.next_attempt_at, owner="a").sent) == 1
    assert (only(engine).status, only(engine).attempts) == ("sent", 3)
    assert len(webhooks.calls_to("/flaky")) == 3


def test_time_spent_sending_is_added_to_the_rounds_instant(
    engine: Engine, webhooks: WebhookSink, stopwatch: Stopwatch
):
    queue_hook(engine, webhooks.url("/slow"))
    webhooks.answer("/slow", [500])
    stopwatch.step = 10_000_000_000  # every reading of the clock: ten seconds later
    assert len(send_due(engine, now=NOW, owner="a").retried) == 1
    # Started, claimed at +10 s, recorded at +20 s: the retry is due 30 s after that.
    assert only(engine).next_attempt_at == NOW + 50 * SECOND


def queue_hook(engine: Engine, url: str) -> None:
    with transaction(engine) as connection:
        enqueue(connection, Outgoing("k", Recipient("ops", url, "en"), "t", "b", queued_at=NOW))


def test_a_permanently_failing_webhook_is_failed_after_one_attempt(
    engine: Engine, webhooks: WebhookSink
):
    queue_hook(engine, webhooks.url("/gone"))
    webhooks.answer("/gone", [404])
    assert len(send_due(engine, now=NOW, owner="a").failed) == 1
    failed = only(engine)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "error=404" in (failed.last_error or "")
    assert send_due(engine, now=NOW + 86_400 * SECOND, owner="a").attempted == 0


def test_a_delivery_is_given_up_after_its_sixth_attempt(engine: Engine, webhooks: WebhookSink):
    queue_hook(engine, webhooks.url("/down"))
    webhooks.answer("/down", [503] * 10)
    waits = []
    now = NOW
    for _ in range(MAX_ATTEMPTS):
        report = send_due(engine, now=now, owner="a")
        assert report.attempted == 1
        waits.append(only(engine).next_attempt_at - now)
        now = only(engine).next_attempt_at
    given_up = only(engine)
    assert (given_up.status, given_up.attempts) == ("failed", MAX_ATTEMPTS)
    assert "error=503" in (given_up.last_error or "")
    assert [w // SECOND for w in waits[:-1]] == list(BACKOFF_SECONDS)
    assert len(webhooks.calls_to("/down")) == MAX_ATTEMPTS == 6


def test_a_row_another_sender_holds_waits_until_its_lease_runs_out(engine: Engine, mail: MailSink):
    queue_mail(engine, mail, 1)
    delivery_id = only(engine).id
    with transaction(engine) as connection:
        lease_until = NOW + 300 * SECOND
        assert claim_delivery(
            connection, delivery_id, owner="dead", now=NOW, lease_until=lease_until
        )
    assert send_due(engine, now=NOW + 299 * SECOND, owner="a").attempted == 0
    assert mail.messages == []
    assert len(send_due(engine, now=NOW + 301 * SECOND, owner="a").sent) == 1
    assert len(mail.messages) == 1


def test_two_threads_sending_at_once_deliver_each_message_once(engine: Engine, mail: MailSink):
    queue_mail(engine, mail, 30)
    start = threading.Barrier(2)
    reports: dict[str, SendReport] = {}

    def sender(owner: str) -> None:
        start.wait()
        reports[owner] = send_due(engine, now=NOW, owner=owner)

    threads = [threading.Thread(target=sender, args=(owner,)) for owner in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(mail.messages) == 30
    assert sorted(m["Subject"] for m in mail.messages) == sorted(f"Message {n}" for n in range(30))
    sent_by_a, sent_by_b = set(reports["a"].sent), set(reports["b"].sent)
    assert not sent_by_a & sent_by_b and len(sent_by_a | sent_by_b) == 30
    with read_transaction(engine) as connection:
        assert {d.status for d in list_deliveries(connection)} == {"sent"}


SENDER = """
import json, sys
from slawatch.alerts.delivery import send_due
from slawatch.store.db import make_engine
engine = make_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
report = send_due(engine, now=int(sys.argv[2]), owner=sys.argv[3])
print(json.dumps(report.sent), flush=True)
"""


def test_two_processes_sending_at_once_deliver_each_message_once(
    engine: Engine, database_url: str, mail: MailSink
):
    queue_mail(engine, mail, 40)
    senders = [
        subprocess.Popen(
            [sys.executable, "-c", SENDER, database_url, str(NOW), owner],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for owner in ("process-a", "process-b")
    ]
    try:
        for sender in senders:  # both have imported everything: start them together
            assert sender.stdout is not None and sender.stdout.readline().strip() == "ready"
        for sender in senders:
            assert sender.stdin is not None
            sender.stdin.write("go\n")
            sender.stdin.flush()
        sent = [json.loads(sender.communicate(timeout=120)[0]) for sender in senders]
    finally:
        for sender in senders:
            if sender.poll() is None:
                sender.kill()
    assert all(sender.returncode == 0 for sender in senders)
    assert len(mail.messages) == 40
    assert not set(sent[0]) & set(sent[1]) and len(sent[0]) + len(sent[1]) == 40
