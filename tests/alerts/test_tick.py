"""The escalation tick on a real store: triggers, ladder, recovery and races, on both backends."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, select

from slawatch.alerts.outbox import LadderStep
from slawatch.alerts.tick import LEASE, EscalationTicker, Tick, TickReport, run_tick
from slawatch.background import Runner
from slawatch.config import Settings
from slawatch.store import audit
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import Escalation, acknowledge, list_escalations, steps_of
from slawatch.store.leases import take_lease
from slawatch.store.schema import escalation_steps, item_clocks
from slawatch.web.app import create_app
from tests.alerts.support import (
    DAY,
    HOUR,
    LOOKBACK,
    NOW,
    RUNNING,
    add_item,
    agreement,
    berlin,
    set_clock,
    set_period,
    watching,
)
from tests.evaluation.support import ROOT


@dataclass
class Notifications:
    """Record what the tick asks to notify, as enqueue_step would receive it."""

    calls: list[tuple[int, int, int, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, connection: Connection, step: LadderStep) -> int:
        assert connection.in_transaction()
        with self.lock:
            self.calls.append((step.escalation_id, step.step_id, step.tier, step.taken_at))
        return 1

    @property
    def tiers(self) -> list[int]:
        return [tier for _, _, tier, _ in self.calls]


@pytest.fixture
def notified() -> Notifications:
    return Notifications()


def tick(engine: Engine, now: int, notify: Notifications | None = None) -> TickReport:
    return run_tick(engine, now=now, owner="test", lookback_us=LOOKBACK, notify=notify)


def escalations(engine: Engine, **filters: object) -> list[Escalation]:
    with read_transaction(engine) as connection:
        return list_escalations(connection, **filters)  # type: ignore[arg-type]


def only(engine: Engine, **filters: object) -> Escalation:
    found = escalations(engine, **filters)
    assert len(found) == 1, found
    return found[0]


def actions(engine: Engine, escalation_id: int) -> list[tuple[str, int | None]]:
    with read_transaction(engine) as connection:
        return [(s.action, s.tier) for s in steps_of(connection, escalation_id)]


@pytest.fixture
def lead(engine: Engine) -> int:
    """An item of an agreement on a store the alerts have watched for a week."""
    agreement(engine)
    watching(engine)
    return add_item(engine, "lead-1")


def test_an_item_at_risk_opens_a_warn_escalation_and_notifies_tier_one_at_once(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "at_risk", since=NOW - 60_000_000)
    report = tick(engine, NOW, notified)
    assert (report.ran, report.opened, report.notified) == (True, 1, 1)
    escalation = only(engine)
    assert (escalation.subject, escalation.trigger, escalation.party) == (
        f"item:{lead}",
        "warn",
        "sales",
    )
    # A warning notifies tier 1 only: it has no next step.
    assert (escalation.opened_at, escalation.tier, escalation.next_step_at) == (NOW, 1, None)
    assert escalation.detail["began_at"] == NOW - 60_000_000
    step_id = actions(engine, escalation.id)
    assert step_id == [("opened", None), ("step-1", 1)]
    assert [(e, tier, now) for e, _, tier, now in notified.calls] == [(escalation.id, 1, NOW)]


def test_the_ladder_climbs_step_by_step_and_each_step_is_taken_once(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW, deadline=NOW)
    for at in (NOW, NOW, NOW + HOUR, NOW + 4 * HOUR - 1, NOW + 4 * HOUR, NOW + 5 * HOUR):
        tick(engine, at, notified)
    assert notified.tiers == [1, 2]
    assert only(engine).next_step_at == NOW + DAY
    tick(engine, NOW + DAY, notified)
    tick(engine, NOW + 3 * DAY, notified)
    assert notified.tiers == [1, 2, 3]
    escalation = only(engine)
    assert (escalation.tier, escalation.next_step_at) == (3, None)
    assert [a for a, _ in actions(engine, escalation.id)] == [
        "opened",
        "step-1",
        "step-2",
        "step-3",
    ]


def test_a_tick_after_a_long_outage_takes_every_step_that_fell_due(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW, deadline=NOW)
    tick(engine, NOW, notified)
    tick(engine, NOW + 2 * DAY, notified)
    assert notified.tiers == [1, 2, 3]


def test_subjects_that_turned_bad_before_the_lookback_open_nothing(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW - LOOKBACK - 1)
    set_period(
        engine,
        "2026-01",
        start=berlin("2026-01-01T00:00:00+01:00"),
        end=berlin("2026-02-01T00:00:00+01:00"),
        as_of=NOW,
        statuses={"qualified-leads": "breached"},
    )
    report = tick(engine, NOW, notified)
    assert (report.opened, notified.calls, escalations(engine)) == (0, [], [])


def test_a_breach_supersedes_the_items_warning_and_starts_its_own_ladder(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "at_risk", since=NOW)
    tick(engine, NOW, notified)
    set_clock(engine, lead, "breached", since=NOW + 12 * HOUR)
    report = tick(engine, NOW + 12 * HOUR, notified)
    assert (report.opened, report.superseded) == (1, 1)
    warn = only(engine, state="closed")
    breach = only(engine, state="open")
    assert (warn.trigger, warn.close_reason, warn.closed_by) == ("warn", "superseded", "slawatch")
    assert (breach.trigger, breach.tier) == ("breach", 1)
    assert [tier for e, _, tier, _ in notified.calls if e == breach.id] == [1]
    assert actions(engine, warn.id)[-1] == ("superseded", 1)


def test_an_item_that_stops_recovers_and_closes_without_another_notification(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW)
    tick(engine, NOW, notified)
    set_clock(engine, lead, "breached", since=NOW, stopped_at=NOW + 5 * HOUR)
    report = tick(engine, NOW + 5 * HOUR, notified)
    assert (report.recovered, notified.tiers) == (1, [1])
    escalation = only(engine)
    assert (escalation.close_reason, escalation.closed_at) == ("recovered", NOW + 5 * HOUR)
    assert actions(engine, escalation.id) == [("opened", None), ("step-1", 1), ("recovered", 1)]


def test_a_clock_whose_row_is_gone_counts_as_recovered(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "at_risk", since=NOW)
    tick(engine, NOW, notified)
    set_clock(engine, lead, "at_risk", since=NOW, objective="request-response")
    with transaction(engine) as connection:
        connection.execute(item_clocks.delete().where(item_clocks.c.objective == "speed-to-lead"))
    tick(engine, NOW + HOUR, notified)
    closed = only(engine, objective="speed-to-lead")
    assert closed.close_reason == "recovered"


def test_a_paused_item_holds_the_ladder_and_catches_up_when_it_runs_again(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW, deadline=NOW)
    tick(engine, NOW, notified)
    set_clock(engine, lead, "paused", since=NOW + HOUR, deadline=NOW)
    tick(engine, NOW + 6 * HOUR, notified)
    assert notified.tiers == [1] and only(engine).is_open
    set_clock(engine, lead, "breached", since=NOW, deadline=NOW)
    tick(engine, NOW + 7 * HOUR, notified)
    assert notified.tiers == [1, 2]


def test_acknowledging_stops_the_ladder_but_recovery_still_closes_it(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW)
    tick(engine, NOW, notified)
    escalation = only(engine)
    with transaction(engine) as connection:
        acknowledge(connection, escalation.id, at=NOW + HOUR, by="tom@example.com", comment="")
    tick(engine, NOW + 2 * DAY, notified)
    assert notified.tiers == [1]
    set_clock(engine, lead, "breached", since=NOW, stopped_at=NOW + 3 * DAY)
    tick(engine, NOW + 3 * DAY, notified)
    assert only(engine).close_reason == "recovered"


def test_a_running_period_at_risk_escalates_and_recovers_when_back_on_track(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    march = RUNNING
    set_period(engine, "2026-03", **march, as_of=NOW, statuses={"qualified-leads": "at_risk"})
    tick(engine, NOW, notified)
    escalation = only(engine)
    assert (escalation.subject, escalation.trigger, escalation.party) == (
        "period:2026-03",
        "at_risk",
        "marketing",
    )
    assert escalation.detail["status"] == "at_risk" and escalation.period == "2026-03"
    set_period(
        engine, "2026-03", **march, as_of=NOW + HOUR, statuses={"qualified-leads": "on_track"}
    )
    tick(engine, NOW + HOUR, notified)
    assert only(engine).close_reason == "recovered"
    set_period(
        engine, "2026-03", **march, as_of=NOW + 2 * HOUR, statuses={"qualified-leads": "at_risk"}
    )
    assert tick(engine, NOW + 2 * HOUR, notified).opened == 0  # one escalation per trigger, ever


def test_a_breached_period_supersedes_its_at_risk_forecast(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    march = RUNNING
    set_period(engine, "2026-03", **march, as_of=NOW, statuses={"qualified-leads": "at_risk"})
    tick(engine, NOW, notified)
    after = march["end"] + HOUR
    set_period(engine, "2026-03", **march, as_of=after, statuses={"qualified-leads": "breached"})
    report = tick(engine, after, notified)
    assert (report.opened, report.superseded) == (1, 1)
    assert only(engine, state="open").trigger == "period_breached"
    assert only(engine, state="closed").close_reason == "superseded"


def test_a_closed_period_that_was_met_or_at_risk_when_it_closed_opens_nothing(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_period(
        engine,
        "2026-02",
        start=berlin("2026-02-01T00:00:00+01:00"),
        end=berlin("2026-03-01T00:00:00+01:00"),
        as_of=NOW,
        statuses={"qualified-leads": "met", "conversion": "no_data"},
    )
    assert tick(engine, NOW, notified).opened == 0


def test_on_a_calendar_the_ladder_waits_for_working_hours(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    friday_evening = berlin("2026-03-06T16:00:00+01:00")  # office closes 14:00 on Fridays
    set_clock(engine, lead, "breached", since=friday_evening, objective="request-resolution")
    report = tick(engine, friday_evening, notified)
    assert (report.opened, notified.tiers) == (1, [])
    monday = berlin("2026-03-09T08:00:00+01:00")
    assert only(engine).next_step_at == monday
    tick(engine, monday - 1, notified)
    tick(engine, monday, notified)
    assert notified.tiers == [1]
    # 4 working hours from the opening: the Monday morning (08:00-12:00), closing time.
    assert only(engine).next_step_at == berlin("2026-03-09T12:00:00+01:00")


def test_an_agreement_without_a_ladder_opens_escalations_but_notifies_no_one(
    engine: Engine, notified: Notifications
) -> None:
    template = (ROOT / "src/slawatch/agreements/templates/marketing-sales.yaml").read_text()
    ladder = template[template.index("escalation:") : template.index("credits:")]
    agreement(engine, replace=(ladder, ""))
    lead = add_item(engine, "lead-1")
    set_clock(engine, lead, "breached", since=NOW)
    report = tick(engine, NOW, notified)
    assert (report.opened, notified.calls, only(engine).next_step_at) == (1, [], None)


def test_a_tick_does_nothing_while_another_replica_holds_the_lease(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    set_clock(engine, lead, "breached", since=NOW)
    with transaction(engine) as connection:
        assert take_lease(connection, LEASE, "other", NOW, NOW + HOUR)
    assert tick(engine, NOW, notified) == TickReport(ran=False)
    assert escalations(engine) == []
    assert tick(engine, NOW + HOUR, notified).opened == 1  # the lease ran out


def test_a_failing_notification_rolls_its_step_back_and_is_retried(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    other = add_item(engine, "lead-2")
    set_clock(engine, lead, "breached", since=NOW)
    set_clock(engine, other, "breached", since=NOW)
    failing = {lead}

    def flaky(connection: Connection, step: LadderStep) -> int:
        escalation = next(e for e in escalations(engine) if e.id == step.escalation_id)
        if escalation.item_id in failing:
            raise RuntimeError("mail server down")
        return notified(connection, step)

    report = tick(engine, NOW, flaky)  # type: ignore[arg-type]
    broken = only(engine, item_id=lead)
    assert report.failed == [broken.id] and report.notified == 1
    assert actions(engine, broken.id) == [("opened", None)]
    failing.clear()
    tick(engine, NOW + 60_000_000, flaky)  # type: ignore[arg-type]
    assert actions(engine, broken.id) == [("opened", None), ("step-1", 1)]


def test_every_step_is_in_the_audit_log(engine: Engine, lead: int) -> None:
    set_clock(engine, lead, "breached", since=NOW)
    tick(engine, NOW)
    escalation = only(engine)
    with read_transaction(engine) as connection:
        logged = audit.entries(connection, subject=f"escalation:{escalation.id}")
    assert sorted((e["action"], e["actor"]) for e in logged) == [
        ("escalation.notified", "slawatch"),
        ("escalation.opened", "slawatch"),
    ]


def test_two_ticks_racing_take_each_step_exactly_once(
    engine: Engine, lead: int, notified: Notifications
) -> None:
    for name in ("lead-2", "lead-3", "lead-4"):
        set_clock(engine, add_item(engine, name), "breached", since=NOW)
    set_clock(engine, lead, "breached", since=NOW, deadline=NOW)
    start = threading.Barrier(2)

    def racer(owner: str, at: int, with_lease: bool) -> None:
        start.wait()
        if with_lease:
            run_tick(engine, now=at, owner=owner, lookback_us=LOOKBACK, notify=notified)
        else:  # as if the lease had run out under a slow tick
            Tick(engine, now=at, notify=notified).run(since_from=at - LOOKBACK)

    for at, with_lease in ((NOW, True), (NOW + 5 * HOUR, False), (NOW + 2 * DAY, False)):
        threads = [threading.Thread(target=racer, args=(f"p{i}", at, with_lease)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        start.reset()
    assert len(escalations(engine)) == 4
    with read_transaction(engine) as connection:
        rows = connection.execute(
            select(escalation_steps.c.escalation_id, escalation_steps.c.action)
        ).all()
    steps = [tuple(row) for row in rows if row.action.startswith("step-")]
    assert len(steps) == len(set(steps)) == 12  # three tiers of four escalations
    assert sorted(step_id for _, step_id, _, _ in notified.calls) == sorted(
        {step_id for _, step_id, _, _ in notified.calls}
    )
    assert len(notified.calls) == 12


def test_the_escalation_ticker_runs_in_the_apps_background_runner(
    engine: Engine, lead: int
) -> None:
    set_clock(engine, lead, "breached", since=NOW)
    notified = Notifications()
    ticker = EscalationTicker(engine, lookback_days=100_000, notify=notified)
    runner = Runner()
    task = runner.every("alerts", 0.05, ticker.tick, job="escalation tick")
    app = create_app(Settings(), engine, runner=runner)
    with TestClient(app):
        deadline = threading.Event()
        for _ in range(200):
            if task.rounds >= 2:
                break
            deadline.wait(0.05)
    assert task.rounds >= 2 and isinstance(task.last["escalation tick"], TickReport)
    assert only(engine).tier == 1 and notified.tiers == [1]
