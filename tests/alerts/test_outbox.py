"""Queueing a message: once per key, and kept failed when it has nowhere to go."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.alerts.notify import enqueue_step
from slawatch.alerts.outbox import NO_ROUTE, LadderStep, Outgoing, about, enqueue
from slawatch.alerts.preferences import REVIEW_REMINDER, Choices
from slawatch.alerts.recipients import Recipient
from slawatch.engine.instants import US
from slawatch.store.db import read_transaction, transaction
from slawatch.store.notices import held_notices
from slawatch.store.preferences import save_choices
from tests.alerts.test_notify import HOOK, NOW, escalation, item_escalation, queued, settings
from tests.evaluation.support import save_template


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


EVENING = NOW + 9 * 3600 * US  # 2026-03-04 20:00 in Berlin, after the office closed
NEXT_MORNING = NOW + 21 * 3600 * US  # 2026-03-05 08:00 in Berlin, the office opens


def step_at(engine: Engine, escalation_id: int, tier: int, at: int) -> int:
    with transaction(engine) as connection:
        taken = LadderStep(escalation_id, tier, tier, taken_at=at)
        return enqueue_step(connection, taken, settings=settings(smtp_url="mailto://smtp.x.io"))


def test_a_warning_waits_for_the_digest_and_a_breach_goes_at_once(engine: Engine):
    save_template(engine)
    warned = item_escalation(engine, trigger="warn")
    assert step_at(engine, warned, 1, NOW) == 1
    assert queued(engine) == []  # held for the recipient's digest
    with read_transaction(engine) as connection:
        (held,) = held_notices(connection, now=NOW + 30 * 60 * US)
    assert (held.recipient, held.trigger, held.mode) == ("tom.berg@example.com", "warn", "digest")


def test_quiet_hours_hold_a_tier_one_message_but_not_a_tier_two_breach(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        save_choices(
            connection,
            "tom.berg@example.com",
            Choices(modes={"warn": "now"}, quiet_hours="marketing-sales/office"),
            actor="t",
            now=NOW,
        )
    warned = item_escalation(engine, trigger="warn")
    step_at(engine, warned, 1, EVENING)
    (warning,) = queued(engine)
    assert (warning.created_at, warning.next_attempt_at) == (EVENING, NEXT_MORNING)
    with transaction(engine) as connection:
        breached = escalation(connection, trigger="breach", subject="item:99")
    step_at(engine, breached, 2, EVENING)
    head = next(d for d in queued(engine) if d.escalation_id == breached)
    assert (head.recipient, head.next_attempt_at) == ("head.sales@example.com", EVENING)


def test_a_contact_who_turned_a_trigger_off_gets_nothing(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        save_choices(
            connection, "tom.berg@example.com", Choices(modes={"breach": "off"}), actor="t", now=NOW
        )
    breached = item_escalation(engine, trigger="breach")
    assert step_at(engine, breached, 1, NOW) == 0
    assert step_at(engine, breached, 2, NOW + 1) == 1  # tier 2 cannot be turned off
    assert [d.recipient for d in queued(engine)] == ["head.sales@example.com"]


def test_by_default_quiet_hours_follow_the_calendar_of_the_objective(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        warned = escalation(
            connection,
            trigger="warn",
            objective="request-resolution",  # measured on calendar `office`
            party="marketing",
            subject="item:98",
        )
    step_at(engine, warned, 1, EVENING)
    with read_transaction(engine) as connection:
        assert held_notices(connection, now=NEXT_MORNING - 1) == []
        (held,) = held_notices(connection, now=NEXT_MORNING)
    assert (held.recipient, held.release_at) == ("lena.koch@example.com", NEXT_MORNING)


def test_an_overdue_review_reminder_follows_the_review_reminder_choice(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        save_choices(
            connection, "a@x.io", Choices(modes={REVIEW_REMINDER: "off"}), actor="t", now=NOW
        )
        due = reminder("review:marketing-sales:2026-04-01:a@x.io", "a@x.io", HOOK)
        overdue = reminder("review-overdue:marketing-sales:2026-01-01:a@x.io", "a@x.io", HOOK)
        assert about(connection, overdue).trigger == REVIEW_REMINDER
        assert about(connection, overdue).agreement is not None
        assert not enqueue(connection, due)
        assert not enqueue(connection, overdue)
    assert queued(engine) == []
