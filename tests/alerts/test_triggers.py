"""How triggers read stored figures, and how an open escalation's subject is judged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from slawatch.alerts.escalation import NEVER, Condition
from slawatch.alerts.triggers import (
    held_until,
    item_condition,
    period_condition,
    period_trigger_of,
    standing_of,
    status_of,
    too_early,
)
from slawatch.store.clock_states import ClockStanding
from slawatch.store.escalations import Escalation
from slawatch.store.results import StoredResult

HOUR = 3_600_000_000


def clock(state: str, stopped_at: int | None = None) -> ClockStanding:
    return ClockStanding(
        agreement_id="a",
        objective="o",
        item_id=7,
        period="2026-03",
        state=state,
        since=0,
        started_at=0,
        stopped_at=stopped_at,
        deadline=48 * HOUR,
        warn_at=36 * HOUR,
        elapsed_us=0,
    )


def result(status: str, *, running: bool) -> StoredResult:
    objective = {"id": "o", "owner": "p", "kind": "count", "value": 1, "target": 1, "op": ">="}
    objective["status"] = status
    return StoredResult(
        agreement_id="a",
        period="2026-03",
        version=1,
        period_start=0,
        period_end=100 * HOUR,
        as_of=50 * HOUR if running else 200 * HOUR,
        payload={"periods": [{"period": "2026-03", "objectives": [objective]}]},
    )


def escalation(trigger: str, *, item: bool) -> Escalation:
    return Escalation(
        id=1,
        agreement_id="a",
        objective="o",
        subject="item:7" if item else "period:2026-03",
        item_id=7 if item else None,
        item_source=None,
        item_external_id=None,
        period="2026-03",
        trigger=trigger,
        party="sales",
        opened_at=0,
        tier=1,
        steps_taken=1,
        next_step_at=None,
        acknowledged_at=None,
        acknowledged_by=None,
        ack_comment=None,
        closed_at=None,
        closed_by=None,
        close_reason=None,
        detail={},
    )


@pytest.mark.parametrize(
    ("trigger", "state", "condition"),
    [
        ("warn", "at_risk", Condition.BAD),
        ("warn", "breached", Condition.BAD),
        ("warn", "running", Condition.RECOVERED),
        ("warn", "paused", Condition.WAITING),
        ("breach", "breached", Condition.BAD),
        ("breach", "paused", Condition.WAITING),
        ("breach", "at_risk", Condition.RECOVERED),
    ],
)
def test_a_running_item_is_judged_by_its_clock_state(
    trigger: str, state: str, condition: Condition
) -> None:
    assert item_condition(trigger, clock(state)) is condition


def test_a_stopped_or_vanished_clock_has_recovered_even_if_it_stopped_late() -> None:
    assert item_condition("breach", clock("breached", stopped_at=50 * HOUR)) is Condition.RECOVERED
    assert item_condition("warn", None) is Condition.RECOVERED


@pytest.mark.parametrize(
    ("trigger", "status", "condition"),
    [
        ("at_risk", "at_risk", Condition.BAD),
        ("at_risk", "breached", Condition.BAD),
        ("at_risk", "on_track", Condition.RECOVERED),
        ("at_risk", "met", Condition.RECOVERED),
        ("at_risk", None, Condition.RECOVERED),
        ("period_breached", "breached", Condition.BAD),
        ("period_breached", "met", Condition.RECOVERED),
        ("period_breached", "no_data", Condition.RECOVERED),
    ],
)
def test_a_period_objective_is_judged_by_its_stored_status(
    trigger: str, status: str | None, condition: Condition
) -> None:
    assert period_condition(trigger, status) is condition


def test_only_a_running_period_forecasts_at_risk_and_any_period_can_be_breached() -> None:
    assert period_trigger_of(result("at_risk", running=True), "at_risk") == "at_risk"
    assert period_trigger_of(result("at_risk", running=False), "at_risk") is None
    assert period_trigger_of(result("breached", running=True), "breached") == "period_breached"
    assert period_trigger_of(result("breached", running=False), "breached") == "period_breached"
    assert period_trigger_of(result("met", running=False), "met") is None


def test_a_breach_supersedes_a_warning_and_a_breached_period_its_forecast() -> None:
    warn = standing_of(escalation("warn", item=True), clock("breached"), [])
    assert (warn.condition, warn.superseded) == (Condition.BAD, True)
    stopped = standing_of(escalation("warn", item=True), clock("breached", stopped_at=1), [])
    assert (stopped.condition, stopped.superseded) == (Condition.RECOVERED, False)
    forecast = standing_of(
        escalation("at_risk", item=False), None, [result("breached", running=False)]
    )
    assert forecast.superseded
    breach = standing_of(
        escalation("period_breached", item=False), None, [result("breached", running=False)]
    )
    assert (breach.condition, breach.superseded) == (Condition.BAD, False)


def test_a_status_is_looked_up_by_period_and_objective() -> None:
    stored = [result("at_risk", running=True)]
    assert status_of(stored, "2026-03", "o") == "at_risk"
    assert status_of(stored, "2026-02", "o") is None
    assert status_of(stored, "2026-03", "other") is None


@pytest.mark.parametrize(
    ("as_of", "share", "early"),
    [(49 * HOUR, 0.5, True), (50 * HOUR, 0.5, False), (0, 0.0, False), (99 * HOUR, 1.0, True)],
)
def test_a_running_period_is_too_early_to_warn_before_its_share_has_passed(
    as_of: int, share: float, early: bool
) -> None:
    running = replace(result("at_risk", running=True), as_of=as_of)
    assert too_early(running, share) is early
    assert too_early(result("breached", running=False), 1.0) is False  # a closed period


def test_warnings_are_held_at_tier_one_and_breaches_are_not() -> None:
    during = {"period_end": 100 * HOUR}
    assert held_until("warn", {}, 0) == NEVER
    assert held_until("at_risk", during, 10 * HOUR) == 100 * HOUR
    assert held_until("period_breached", during, 10 * HOUR) == 100 * HOUR
    assert held_until("period_breached", during, 120 * HOUR) is None  # opened once closed
    assert held_until("breach", during, 10 * HOUR) is None
    assert held_until("evaluation_failing", {}, 0) is None
