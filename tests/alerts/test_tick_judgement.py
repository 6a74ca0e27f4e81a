"""The tick's judgement: history stays quiet, one ladder per item, warnings stay at tier 1,
running periods warn late, snoozes hold the ladder (issue 12), on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from slawatch.store import audit
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import NewEscalation, open_escalation, snooze, watching_since
from slawatch.store.schema import alert_watch
from tests.alerts.support import (
    DAY,
    HOUR,
    NOW,
    RUNNING,
    add_item,
    agreement,
    berlin,
    set_clock,
    set_period,
    watching,
)
from tests.alerts.test_tick import Notifications, actions, escalations, only, tick

NOVEMBER = {"start": berlin("2026-02-01T00:00:00+01:00"), "end": NOW - 3 * DAY}


@pytest.fixture
def notified() -> Notifications:
    return Notifications()


def test_a_first_start_lists_what_turned_bad_before_and_sends_nothing_about_it(
    engine: Engine, notified: Notifications
) -> None:
    agreement(engine)
    old, new = add_item(engine, "lead-old"), add_item(engine, "lead-new")
    set_clock(engine, old, "breached", since=NOW - DAY)
    set_period(engine, "2026-02", **NOVEMBER, as_of=NOW, statuses={"conversion": "breached"})
    report = tick(engine, NOW, notified)
    assert (report.opened, notified.calls) == (2, [])
    for escalation in escalations(engine):
        assert escalation.detail["history"] is True and escalation.next_step_at is None
    tick(engine, NOW + 2 * DAY, notified)
    assert notified.calls == []
    set_clock(engine, new, "breached", since=NOW + 2 * DAY + HOUR)  # after the start: news
    tick(engine, NOW + 2 * DAY + HOUR, notified)
    assert notified.tiers == [1]


def test_watching_begins_at_the_first_tick_or_at_an_upgraded_stores_first_escalation(
    engine: Engine,
) -> None:
    agreement(engine)
    with transaction(engine) as connection:
        opened = NewEscalation(
            agreement_id="marketing-sales",
            objective="conversion",
            subject="period:2026-01",
            trigger="period_breached",
            party="sales",
            opened_at=NOW - 30 * DAY,
            next_step_at=None,
            detail={},
            period="2026-01",
        )
        open_escalation(connection, opened)
        assert watching_since(connection, NOW) == NOW - 30 * DAY
        assert watching_since(connection, NOW + DAY) == NOW - 30 * DAY
    with read_transaction(engine) as connection:
        assert connection.execute(select(alert_watch.c.since)).scalar_one() == NOW - 30 * DAY


def test_a_breach_replaces_the_warning_in_one_tick_and_the_warning_never_climbed(
    engine: Engine, notified: Notifications
) -> None:
    agreement(engine)
    watching(engine)
    lead = add_item(engine, "lead-1")
    set_clock(engine, lead, "at_risk", since=NOW, deadline=NOW + 2 * DAY)
    tick(engine, NOW, notified)
    tick(engine, NOW + DAY, notified)
    assert notified.tiers == [1]  # the warning: tier 1 only, however long it lasts
    set_clock(engine, lead, "breached", since=NOW + 2 * DAY, deadline=NOW + 2 * DAY)
    tick(engine, NOW + 2 * DAY, notified)
    assert [e.trigger for e in escalations(engine, state="open")] == ["breach"]
    warn = only(engine, state="closed")
    assert (warn.tier, warn.close_reason) == (1, "superseded")
    tick(engine, NOW + 3 * DAY, notified)
    assert notified.tiers == [1, 1, 2, 3]  # the warning's tier 1, then the breach's ladder


def test_a_running_period_warns_only_after_its_share_has_passed(
    engine: Engine, notified: Notifications
) -> None:
    agreement(engine)
    watching(engine)
    early = {"start": NOW - 3 * DAY, "end": NOW + 27 * DAY}  # day 3 of 30: too early
    set_period(engine, "2026-03", **early, as_of=NOW, statuses={"qualified-leads": "at_risk"})
    set_period(engine, "2026-04", **early, as_of=NOW, statuses={"conversion": "breached"})
    assert tick(engine, NOW, notified).opened == 0
    set_period(engine, "2026-03", **RUNNING, as_of=NOW, statuses={"qualified-leads": "at_risk"})
    assert tick(engine, NOW, notified).opened == 1


def test_a_running_periods_early_breach_stays_at_tier_one_until_the_period_ends(
    engine: Engine, notified: Notifications
) -> None:
    agreement(engine)
    watching(engine)
    set_period(engine, "2026-03", **RUNNING, as_of=NOW, statuses={"conversion": "breached"})
    tick(engine, NOW, notified)
    end = RUNNING["end"]
    assert only(engine).next_step_at == end + 4 * HOUR
    tick(engine, end - 1, notified)
    assert notified.tiers == [1]
    set_period(engine, "2026-03", **RUNNING, as_of=end, statuses={"conversion": "breached"})
    tick(engine, end + 4 * HOUR, notified)
    assert notified.tiers == [1, 2]


def test_a_snoozed_escalation_notifies_no_one_until_the_snooze_ends(
    engine: Engine, notified: Notifications
) -> None:
    agreement(engine)
    watching(engine)
    set_clock(engine, add_item(engine, "lead-1"), "breached", since=NOW, deadline=NOW)
    tick(engine, NOW, notified)
    escalation = only(engine)
    with transaction(engine) as connection:
        outcome = snooze(
            connection,
            escalation.id,
            at=NOW + HOUR,
            until=NOW + 6 * HOUR,
            by="tom@example.com",
            reason="customer on holiday until noon",
        )
    assert outcome == "done"
    tick(engine, NOW + 5 * HOUR, notified)
    assert notified.tiers == [1] and only(engine).next_step_at == NOW + 6 * HOUR
    tick(engine, NOW + 6 * HOUR, notified)
    assert notified.tiers == [1, 2]
    assert ("snoozed-1", 1) in actions(engine, escalation.id)
    with read_transaction(engine) as connection:
        logged = audit.entries(connection, subject=f"escalation:{escalation.id}")
    assert "escalation.snoozed" in [entry["action"] for entry in logged]
