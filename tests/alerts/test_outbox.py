"""Queueing a message: once per key, and kept failed when it has nowhere to go."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.alerts.outbox import NO_ROUTE, Outgoing, enqueue
from slawatch.alerts.recipients import Recipient
from slawatch.store.db import transaction
from tests.alerts.test_notify import HOOK, NOW, queued


def reminder(key: str, recipient: str, url: str) -> Outgoing:
    return Outgoing(key, Recipient(recipient, url, "en"), "Review due", "b", queued_at=NOW)


def test_enqueue_adds_a_reminder_once_and_keeps_one_without_a_url_as_failed(engine: Engine):
    with transaction(engine) as connection:
        assert enqueue(connection, reminder("review:1", "a@x.io", HOOK))
        assert not enqueue(connection, reminder("review:1", "a@x.io", HOOK))
        assert enqueue(connection, reminder("review:2", "b@x.io", ""))
    sent, nowhere = queued(engine)
    assert (sent.status, sent.escalation_id) == ("pending", None)
    assert (nowhere.status, nowhere.last_error) == ("failed", NO_ROUTE)
    assert (sent.recipient, sent.url, sent.language, sent.title) == (
        "a@x.io",
        HOOK,
        "en",
        "Review due",
    )
