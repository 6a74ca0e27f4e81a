"""A failing evaluation reaches the admins as an escalation; one agreement's failure in the
tick, the reminders or the sending never holds back another's."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, ClassVar

import pytest
from sqlalchemy import Connection, Engine

from slawatch.alerts import delivery as delivery_module
from slawatch.alerts import tick as tick_module
from slawatch.alerts.channels import Transport, TransportError
from slawatch.alerts.delivery import send_due
from slawatch.alerts.failing_evaluations import (
    FailureFacts,
    enqueue_failure_step,
    failure_message,
    failure_subject,
)
from slawatch.alerts.outbox import Outgoing, enqueue
from slawatch.alerts.recipients import Recipient
from slawatch.alerts.reviews import send_review_reminders
from slawatch.alerts.tick import run_tick
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import get_delivery, list_deliveries
from slawatch.store.escalations import list_escalations, steps_of
from slawatch.store.health import Health, health_of
from slawatch.store.users import create_user
from tests.alerts.support import AGREEMENT, DAY, NOW, agreement, set_period
from tests.evaluation.support import (
    AS_OF,
    BROKEN,
    break_evaluations,
    save_template,
    store_example_events,
)

MINUTE = 60_000_000
INTERVAL = 5 * MINUTE  # SLAWATCH_EVALUATION_INTERVAL of these tests
SMTP = "mailto://user:secret@smtp.example.com:587?from=slawatch@example.com"


def tick(engine: Engine, now: int) -> tick_module.TickReport:
    return run_tick(
        engine,
        now=now,
        owner="replica-a",
        lookback_us=7 * DAY,
        notify_admins=functools.partial(enqueue_failure_step, settings=Settings(smtp_url=SMTP)),
        evaluation_interval_us=INTERVAL,
    )


def health(engine: Engine) -> Health:
    with read_transaction(engine) as connection:
        found = health_of(connection, AGREEMENT)
    assert found is not None
    return found


@pytest.fixture
def broken(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Health:
    """marketing-sales evaluated once, then broken by a new version; an admin and an editor."""
    break_evaluations(monkeypatch)
    save_template(engine)
    store_example_events(engine)
    with transaction(engine) as connection:
        create_user(connection, "admin@example.com", "a long password", "admin", "de")
        create_user(connection, "editor@example.com", "a long password", "editor")
    refresh_all(engine, as_of=AS_OF)
    save_template(engine, reason=BROKEN)
    refresh_all(engine, as_of=AS_OF)
    return health(engine)


def test_admins_are_escalated_to_once_results_are_two_intervals_old(engine: Engine, broken: Health):
    assert broken.failing and broken.last_success_at is not None
    assert tick(engine, broken.last_success_at + 2 * INTERVAL - 1).opened == 0
    report = tick(engine, broken.last_success_at + 2 * INTERVAL)
    assert (report.opened, report.notified) == (1, 1)
    with read_transaction(engine) as connection:
        (escalation,) = list_escalations(connection)
        (message,) = list_deliveries(connection)
    assert escalation.trigger == "evaluation_failing" and escalation.party == "admins"
    assert escalation.subject == failure_subject(broken.failing_since or 0)
    assert escalation.detail["last_error"] == "OverflowError: date value out of range"
    assert message.recipient == "admin@example.com" and message.language == "de"
    assert message.escalation_id == escalation.id and message.url.endswith("to=admin@example.com")
    assert message.title == "Auswertung schlägt fehl: Lead handover between Marketing and Sales"
    assert "OverflowError: date value out of range" in message.body
    assert f"/escalations/{escalation.id}" in message.body


def test_the_admins_are_told_once_per_failure_episode(engine: Engine, broken: Health):
    assert broken.last_success_at is not None
    for n in range(2, 6):
        tick(engine, broken.last_success_at + n * INTERVAL)
    with read_transaction(engine) as connection:
        assert len(list_escalations(connection)) == 1
        assert len(list_deliveries(connection)) == 1


def test_the_escalation_closes_itself_when_a_corrected_version_recovers_the_agreement(
    engine: Engine, broken: Health
):
    assert broken.last_success_at is not None
    tick(engine, broken.last_success_at + 2 * INTERVAL)
    save_template(engine, reason="corrected")
    assert refresh_all(engine, as_of=AS_OF) == [AGREEMENT]
    assert tick(engine, broken.last_success_at + 3 * INTERVAL).recovered == 1
    with read_transaction(engine) as connection:
        (escalation,) = list_escalations(connection)
        actions = [step.action for step in steps_of(connection, escalation.id)]
    assert (escalation.close_reason, escalation.closed_by) == ("recovered", "slawatch")
    assert actions == ["opened", "step-1", "recovered"]
    # A later episode is news again: a new escalation, and a new message.
    save_template(engine, reason=BROKEN)
    refresh_all(engine, as_of=AS_OF)
    again = health(engine)
    assert again.last_success_at is not None
    assert tick(engine, again.last_success_at + 2 * INTERVAL).opened == 1
    with read_transaction(engine) as connection:
        assert len(list_escalations(connection, state="open")) == 1
        assert len(list_deliveries(connection)) == 2


def test_the_message_says_since_when_and_why_in_english_too():
    facts = FailureFacts(
        agreement_title="Lead handover",
        zone="Europe/Berlin",
        failing_since=to_us(dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC)),
        last_success_at=to_us(dt.datetime(2026, 3, 4, 9, 58, tzinfo=dt.UTC)),
        error="OverflowError: date value out of range",
        link="https://sla.example.com/escalations/7",
    )
    message = failure_message(facts, "en")
    assert message.title == "Evaluation failing: Lead handover"
    assert message.body.splitlines()[:2] == [
        "The results of the agreement Lead handover are from Mar 4, 2026, 10:58:00\u202fAM: "
        "its evaluation has been failing since Mar 4, 2026, 11:00:00\u202fAM.",
        "Error: OverflowError: date value out of range",
    ]
    never = failure_message(FailureFacts(**{**facts.__dict__, "last_success_at": None}), "en").body
    assert never.startswith("The agreement Lead handover has no results")


def test_one_agreements_broken_figures_do_not_stop_anothers_escalations(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    save_template(engine, "it-service")
    agreement(engine)
    set_period(
        engine,
        "2026-03",
        start=NOW - 20 * DAY,  # past objective_warnings_after (50 %): it may warn
        end=NOW + 10 * DAY,
        as_of=NOW,
        statuses={"qualified-leads": "breached"},
    )
    real = tick_module.period_triggers

    def period_triggers(connection: Connection, stored: Any, *args: Any, **kwargs: Any) -> Any:
        if stored.id == "it-service":
            raise KeyError("periods")
        return real(connection, stored, *args, **kwargs)

    monkeypatch.setattr(tick_module, "period_triggers", period_triggers)
    report = run_tick(engine, now=NOW, owner="replica-a", lookback_us=7 * DAY)
    assert report.failed_agreements == ["it-service"]
    assert report.opened == 1
    with read_transaction(engine) as connection:
        (escalation,) = list_escalations(connection)
    assert (escalation.agreement_id, escalation.trigger) == (AGREEMENT, "period_breached")


class Recorded(Transport):
    sent: ClassVar[list[str]] = []

    def notify(self, title: str, body: str) -> None:
        if "nul" in self.url:
            raise TransportError("refused\x00 by the server", permanent=False)
        Recorded.sent.append(title)


def test_a_message_that_cannot_be_sent_or_recorded_does_not_hold_back_the_others(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    def transport_for(url: str) -> Transport:
        if "broken" in url:
            raise ValueError("Invalid IPv6 URL")
        return Recorded(url)

    monkeypatch.setattr(delivery_module, "transport_for", transport_for)
    Recorded.sent = []
    with transaction(engine) as connection:
        for name in ("broken", "nul", "fine"):
            enqueue(
                connection,
                Outgoing(
                    name,
                    Recipient(f"{name}@example.com", f"json://{name}.example.com", "en"),
                    name,
                    name,
                    queued_at=NOW,
                ),
            )
    report = send_due(engine, now=NOW, owner="replica-a")
    assert Recorded.sent == ["fine"]
    assert len(report.sent) == 1 and len(report.retried) == 2
    with read_transaction(engine) as connection:
        failed = [get_delivery(connection, n) for n in report.retried]
    errors = sorted(d.last_error or "" for d in failed if d is not None)
    assert errors == ["ValueError: Invalid IPv6 URL", "refused by the server"]


def test_one_agreements_failing_reminders_do_not_hold_back_anothers(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    save_template(engine, "it-service")
    save_template(engine)
    queued: list[str] = []

    def outbox(connection: Connection, outgoing: Outgoing) -> bool:
        if outgoing.key.startswith("review:it-service:"):
            raise RuntimeError("no route for you")
        queued.append(outgoing.key)
        return True

    march = to_us(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))
    assert send_review_reminders(engine, now=march, enqueue=outbox) == 2
    assert all(key.startswith("review:marketing-sales:2026-04-01:") for key in queued)


def test_escalations_of_an_agreement_whose_figures_cannot_be_read_stay_open(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    agreement(engine)
    set_period(
        engine,
        "2026-03",
        start=NOW - 20 * DAY,  # past objective_warnings_after (50 %): it may warn
        end=NOW + 10 * DAY,
        as_of=NOW,
        statuses={"qualified-leads": "breached"},
    )
    assert run_tick(engine, now=NOW, owner="replica-a", lookback_us=7 * DAY).opened == 1

    def stored_results(connection: Connection, agreement_id: str) -> Any:
        raise RuntimeError("payload unreadable")

    monkeypatch.setattr(tick_module, "stored_results", stored_results)
    report = run_tick(engine, now=NOW + DAY, owner="replica-a", lookback_us=7 * DAY)
    assert report.failed_agreements == [AGREEMENT] and report.recovered == 0
    with read_transaction(engine) as connection:
        (escalation,) = list_escalations(connection)
    assert escalation.closed_at is None
