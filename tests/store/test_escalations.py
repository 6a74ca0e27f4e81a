"""Escalations in the store: each opens once, each step once, each close once; both backends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from slawatch.store import audit
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import (
    NewEscalation,
    acknowledge,
    close_escalation,
    get_escalation,
    list_escalations,
    lock_escalation,
    open_escalation,
    opened_triggers,
    resolve,
    steps_of,
    take_ladder_step,
)
from tests.alerts.support import AGREEMENT, HOUR, NOW, add_item, agreement


def new(
    subject: str = "item:1",
    trigger: str = "warn",
    *,
    item_id: int | None = None,
    period: str | None = "2026-03",
    objective: str = "speed-to-lead",
    opened_at: int = NOW,
) -> NewEscalation:
    return NewEscalation(
        agreement_id=AGREEMENT,
        objective=objective,
        subject=subject,
        trigger=trigger,
        party="sales",
        opened_at=opened_at,
        next_step_at=opened_at,
        detail={"state": "at_risk"},
        item_id=item_id,
        period=period,
    )


@pytest.fixture
def item(engine: Engine) -> int:
    agreement(engine)
    return add_item(engine, "lead-1")


def open_one(engine: Engine, escalation: NewEscalation) -> int | None:
    with transaction(engine) as connection:
        return open_escalation(connection, escalation)


def test_a_trigger_opens_one_escalation_with_its_opened_step(engine: Engine, item: int) -> None:
    first = open_one(engine, new(f"item:{item}", item_id=item))
    assert first is not None
    assert open_one(engine, new(f"item:{item}", item_id=item)) is None
    with read_transaction(engine) as connection:
        escalation = get_escalation(connection, first)
        steps = steps_of(connection, first)
    assert escalation is not None and escalation.is_open
    assert (escalation.tier, escalation.steps_taken, escalation.party) == (0, 0, "sales")
    assert (escalation.item_source, escalation.item_external_id) == ("crm", "lead-1")
    assert [(s.action, s.actor, s.at) for s in steps] == [("opened", "slawatch", NOW)]


def test_another_trigger_of_the_same_subject_opens_its_own_escalation(
    engine: Engine, item: int
) -> None:
    assert open_one(engine, new(f"item:{item}", "warn", item_id=item)) is not None
    assert open_one(engine, new(f"item:{item}", "breach", item_id=item)) is not None


def test_of_racing_openers_exactly_one_opens_the_escalation(engine: Engine, item: int) -> None:
    opened: list[int] = []
    start = threading.Barrier(5)

    def race() -> None:
        start.wait()
        escalation_id = open_one(engine, new(f"item:{item}", item_id=item))
        if escalation_id is not None:
            opened.append(escalation_id)

    threads = [threading.Thread(target=race) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 1
    with read_transaction(engine) as connection:
        assert len(steps_of(connection, opened[0])) == 1


def test_a_ladder_step_is_taken_once_and_raises_the_tier(engine: Engine, item: int) -> None:
    escalation_id = open_one(engine, new(f"item:{item}", item_id=item))
    assert escalation_id is not None
    with transaction(engine) as connection:
        assert take_ladder_step(connection, escalation_id, step=1, tier=1, at=NOW) is not None
        assert take_ladder_step(connection, escalation_id, step=1, tier=1, at=NOW + 1) is None
        assert take_ladder_step(connection, escalation_id, step=2, tier=2, at=NOW + HOUR)
        assert take_ladder_step(connection, escalation_id, step=3, tier=2, at=NOW + 2 * HOUR)
    with read_transaction(engine) as connection:
        escalation = get_escalation(connection, escalation_id)
        steps = steps_of(connection, escalation_id)
        logged = audit.entries(connection, subject=f"escalation:{escalation_id}")
    assert escalation is not None
    assert (escalation.tier, escalation.steps_taken) == (2, 3)
    assert [(s.action, s.tier, s.step_number) for s in steps] == [
        ("opened", None, None),
        ("step-1", 1, 1),
        ("step-2", 2, 2),
        ("step-3", 2, 3),
    ]
    assert sorted(e["action"] for e in logged) == [
        "escalation.notified",
        "escalation.notified",
        "escalation.notified",
        "escalation.opened",
    ]


def test_acknowledging_twice_or_after_closing_says_why_it_cannot(engine: Engine, item: int) -> None:
    escalation_id = open_one(engine, new(f"item:{item}", item_id=item))
    assert escalation_id is not None
    with transaction(engine) as connection:
        ok = acknowledge(
            connection, escalation_id, at=NOW + 1, by="tom@example.com", comment="on it"
        )
        again = acknowledge(connection, escalation_id, at=NOW + 2, by="x@example.com", comment="")
        missing = acknowledge(connection, escalation_id + 100, at=NOW, by="x", comment=None)
    assert (ok, again, missing) == ("done", "acknowledged", "missing")
    with read_transaction(engine) as connection:
        escalation = get_escalation(connection, escalation_id)
    assert escalation is not None
    assert (escalation.acknowledged_by, escalation.ack_comment) == ("tom@example.com", "on it")
    assert escalation.next_step_at is None
    with transaction(engine) as connection:
        assert resolve(connection, escalation_id, at=NOW + 3, by="tom", comment="done") == "done"
        assert resolve(connection, escalation_id, at=NOW + 4, by="tom", comment="") == "closed"
        assert resolve(connection, escalation_id + 100, at=NOW, by="x", comment=None) == "missing"
    other = open_one(engine, new("item:99", item_id=None, objective="request-response"))
    assert other is not None
    with transaction(engine) as connection:
        assert resolve(connection, other, at=NOW, by="tom", comment=None) == "done"
        assert acknowledge(connection, other, at=NOW, by="tom", comment=None) == "closed"


def test_closing_records_the_reason_and_happens_once(engine: Engine, item: int) -> None:
    escalation_id = open_one(engine, new(f"item:{item}", item_id=item))
    assert escalation_id is not None
    with transaction(engine) as connection:
        assert close_escalation(
            connection, escalation_id, at=NOW + 5, by="slawatch", reason="recovered"
        )
        assert not close_escalation(
            connection, escalation_id, at=NOW + 6, by="slawatch", reason="recovered"
        )
    with read_transaction(engine) as connection:
        escalation = get_escalation(connection, escalation_id)
        steps = steps_of(connection, escalation_id)
    assert escalation is not None and not escalation.is_open
    assert (escalation.closed_at, escalation.close_reason) == (NOW + 5, "recovered")
    assert [s.action for s in steps] == ["opened", "recovered"]


def test_lists_filter_by_state_agreement_objective_subject_and_item(
    engine: Engine, item: int
) -> None:
    other_item = add_item(engine, "lead-2", source="web")
    warn = open_one(engine, new(f"item:{item}", item_id=item, opened_at=NOW))
    breach = open_one(
        engine, new(f"item:{other_item}", "breach", item_id=other_item, opened_at=NOW + 1)
    )
    period = open_one(
        engine,
        new("period:2026-03", "at_risk", objective="qualified-leads", opened_at=NOW + 2),
    )
    assert warn and breach and period
    with transaction(engine) as connection:
        close_escalation(connection, breach, at=NOW + 3, by="slawatch", reason="recovered")

    def ids(**filters: object) -> list[int]:
        with read_transaction(engine) as connection:
            return [e.id for e in list_escalations(connection, **filters)]  # type: ignore[arg-type]

    assert ids() == [period, warn, breach]  # open first, newest first
    assert ids(state="open") == [period, warn]
    assert ids(state="closed") == [breach]
    assert ids(objective="qualified-leads") == [period]
    assert ids(subject="period:2026-03") == [period]
    assert ids(item_source="web", item_external_id="lead-2") == [breach]
    assert ids(item_id=item) == [warn]
    assert ids(agreement_id="other") == []
    assert ids(limit=1, offset=1) == [warn]
    with read_transaction(engine) as connection:
        assert opened_triggers(connection, AGREEMENT) == {
            ("qualified-leads", "period:2026-03", "at_risk")
        }


def test_a_locked_read_returns_the_escalation_or_none(engine: Engine, item: int) -> None:
    escalation_id = open_one(engine, new(f"item:{item}", item_id=item))
    assert escalation_id is not None
    with transaction(engine) as connection:
        locked = lock_escalation(connection, escalation_id)
        assert locked is not None and locked.id == escalation_id
        assert lock_escalation(connection, escalation_id + 1) is None
