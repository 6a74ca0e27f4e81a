"""Item clocks as the triggers read them: the state rule in SQL and in Python; both backends."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, insert

from slawatch.engine.clock_states import state_at
from slawatch.store.clock_states import (
    ClockStanding,
    as_of_now,
    clocks_of,
    clocks_turned_bad,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import NewEscalation, get_escalation, open_escalation
from slawatch.store.schema import item_clocks
from tests.alerts.support import AGREEMENT, HOUR, NOW, add_item, agreement, set_clock


@pytest.fixture
def item(engine: Engine) -> int:
    agreement(engine)
    return add_item(engine, "lead-1")


def open_one(engine: Engine, item: int) -> int | None:
    with transaction(engine) as connection:
        return open_escalation(
            connection,
            NewEscalation(
                agreement_id=AGREEMENT,
                objective="speed-to-lead",
                subject=f"item:{item}",
                trigger="warn",
                party="sales",
                opened_at=NOW,
                next_step_at=NOW,
                detail={"state": "at_risk"},
                item_id=item,
                period="2026-03",
            ),
        )


def test_clocks_turned_bad_are_recent_running_and_not_yet_escalated(
    engine: Engine, item: int
) -> None:
    old, stopped, fresh = (add_item(engine, name) for name in ("old", "stopped", "fresh"))
    set_clock(engine, item, "at_risk", since=NOW - HOUR)
    set_clock(engine, old, "at_risk", since=NOW - 30 * 24 * HOUR)
    set_clock(engine, stopped, "breached", since=NOW - HOUR, stopped_at=NOW - HOUR)
    set_clock(engine, fresh, "breached", since=NOW - HOUR)
    with read_transaction(engine) as connection:
        at_risk = clocks_turned_bad(
            connection, state="at_risk", trigger="warn", since_from=NOW - 7 * 24 * HOUR, now=NOW
        )
        breached = clocks_turned_bad(
            connection,
            state="breached",
            trigger="breach",
            since_from=NOW - 7 * 24 * HOUR,
            now=NOW,
        )
    assert [c.item_id for c in at_risk] == [item]
    assert [c.item_id for c in breached] == [fresh]
    escalation_id = open_one(engine, item)
    with read_transaction(engine) as connection:
        then = NOW - 30 * 24 * HOUR + HOUR  # when `old` was at risk, before its deadline
        unescalated = clocks_turned_bad(
            connection, state="at_risk", trigger="warn", since_from=0, now=then
        )
        assert [c.item_id for c in unescalated] == [old]
        escalation = get_escalation(connection, escalation_id or 0)
        assert escalation is not None
        found = clocks_of(connection, [escalation])
    assert list(found) == [(AGREEMENT, "speed-to-lead", item)]
    assert found[(AGREEMENT, "speed-to-lead", item)].state == "at_risk"


def test_a_running_clock_past_its_deadline_is_breached_before_it_is_evaluated_again(
    engine: Engine, item: int
) -> None:
    set_clock(engine, item, "running", since=NOW - 40 * HOUR)  # deadline NOW - 28 h, not stored
    with read_transaction(engine) as connection:
        breached = clocks_turned_bad(
            connection, state="breached", trigger="breach", since_from=NOW - 48 * HOUR, now=NOW
        )
        at_risk = clocks_turned_bad(
            connection, state="at_risk", trigger="warn", since_from=NOW - 48 * HOUR, now=NOW
        )
    assert [(c.item_id, c.state, c.since) for c in breached] == [
        (item, "breached", c_deadline(NOW - 40 * HOUR))
    ]
    assert at_risk == []


def test_a_running_clock_past_its_warning_point_is_at_risk_since_that_point() -> None:
    clock = ClockStanding(
        agreement_id=AGREEMENT,
        objective="speed-to-lead",
        item_id=1,
        period="2026-03",
        state="running",
        since=0,
        started_at=0,
        stopped_at=None,
        deadline=48 * HOUR,
        warn_at=36 * HOUR,
        elapsed_us=0,
    )
    assert as_of_now(clock, 35 * HOUR) == clock
    assert (as_of_now(clock, 37 * HOUR).state, as_of_now(clock, 37 * HOUR).since) == (
        "at_risk",
        36 * HOUR,
    )
    assert (as_of_now(clock, 48 * HOUR).state, as_of_now(clock, 48 * HOUR).since) == (
        "breached",
        48 * HOUR,
    )
    stopped = replace(clock, stopped_at=HOUR, state="met")
    assert as_of_now(stopped, 100 * HOUR) == stopped


def c_deadline(since: int) -> int:
    """The deadline `set_clock` gives a clock: 48 h after a start 36 h before `since`."""
    return since - 36 * HOUR + 48 * HOUR


STATES = ["met", "breached", "paused", "at_risk", "running"]
instants = st.integers(0, 20) | st.none()
clocks = st.fixed_dictionaries(
    {
        "state": st.sampled_from(STATES),
        "since": st.integers(0, 20),
        "stopped_at": st.none() | st.integers(0, 20),
        "deadline": instants,
        "warn_at": instants,
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(clocks, min_size=1, max_size=10),
    now=st.integers(0, 20),
    since_from=st.integers(0, 20),
)
def test_the_clocks_the_query_selects_are_those_the_state_rule_puts_in_that_state(
    engine: Engine, rows: list[dict[str, int | str | None]], now: int, since_from: int
) -> None:
    with transaction(engine) as connection:
        connection.execute(delete(item_clocks))
        connection.execute(
            insert(item_clocks),
            [
                {
                    **row,
                    "agreement_id": AGREEMENT,
                    "objective": "speed-to-lead",
                    "item_id": item_id,
                    "period": "2026-03",
                    "started_at": 0,
                    "elapsed_us": 0,
                    "paused_us": 0,
                    "as_of": 0,
                }
                for item_id, row in enumerate(rows, start=1)
            ],
        )
    for state in STATES:
        expected = []
        for item_id, row in enumerate(rows, start=1):
            turned = state_at(
                str(row["state"]),
                int(row["since"] or 0),
                stopped_at=row["stopped_at"],  # type: ignore[arg-type]
                deadline=row["deadline"],  # type: ignore[arg-type]
                warn_at=row["warn_at"],  # type: ignore[arg-type]
                now=now,
            )
            if row["stopped_at"] is None and turned[0] == state and turned[1] >= since_from:
                expected.append((item_id, *turned))
        with read_transaction(engine) as connection:
            found = clocks_turned_bad(
                connection, state=state, trigger="warn", since_from=since_from, now=now
            )
        assert sorted((c.item_id, c.state, c.since) for c in found) == sorted(expected), state
