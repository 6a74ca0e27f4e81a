"""Each agreement is evaluated on its own: one failure is recorded and the others go on."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.service import Recomputer, refresh_all
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.health import health_of
from slawatch.store.results import evaluation_states, stored_results
from tests.evaluation.support import (
    AS_OF,
    BROKEN,
    break_evaluations,
    save_template,
    store_example_events,
)


@pytest.fixture
def three(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Three agreements; the middle one (it-service) cannot be evaluated."""
    break_evaluations(monkeypatch)
    save_template(engine, "hr-requests")
    save_template(engine, "it-service", reason=BROKEN)
    save_template(engine)
    store_example_events(engine)
    return engine


def test_one_failing_agreement_among_three_leaves_the_others_evaluated(three: Engine):
    assert refresh_all(three, as_of=AS_OF) == ["hr-requests", "marketing-sales"]
    with read_transaction(three) as connection:
        assert stored_results(connection, "hr-requests")
        assert stored_results(connection, "marketing-sales")
        assert stored_results(connection, "it-service") == []
        failing = health_of(connection, "it-service")
        healthy = health_of(connection, "marketing-sales")
        states = {row["agreement_id"]: row for row in evaluation_states(connection)}
    assert failing is not None and failing.failing
    assert failing.last_error == "OverflowError: date value out of range"
    assert failing.failed_attempts == 1 and failing.last_success_at is None
    assert failing.last_attempt_at == failing.failing_since
    assert healthy is not None and not healthy.failing and healthy.last_success_at is not None
    # The lease is given back at once, and the change stays wanted: nothing is stuck.
    assert states["it-service"]["lease_owner"] is None
    assert states["it-service"]["done"] < states["it-service"]["wanted"]


def test_a_failing_agreement_is_tried_again_on_every_refresh(three: Engine):
    refresh_all(three, as_of=AS_OF)
    with read_transaction(three) as connection:
        first = health_of(connection, "it-service")
    assert refresh_all(three, as_of=AS_OF) == []
    with read_transaction(three) as connection:
        second = health_of(connection, "it-service")
    assert first is not None and second is not None
    assert second.failed_attempts == 2
    assert second.failing_since == first.failing_since
    assert second.last_attempt_at is not None and first.last_attempt_at is not None
    assert second.last_attempt_at >= first.last_attempt_at


def test_a_corrected_version_recovers_the_agreement_without_a_restart(three: Engine):
    recomputer = Recomputer(three, "one-process", EventCache())  # one process, one cache
    assert recomputer.refresh(as_of=AS_OF) == ["hr-requests", "marketing-sales"]
    save_template(three, "it-service", reason="corrected")
    assert recomputer.refresh(as_of=AS_OF) == ["it-service"]
    with read_transaction(three) as connection:
        health = health_of(connection, "it-service")
        assert stored_results(connection, "it-service")
    assert health is not None and not health.failing
    assert health.recovered_at is not None and health.last_success_at is not None
    assert health.last_error == "OverflowError: date value out of range"  # kept for the record


def test_an_agreement_that_breaks_later_keeps_its_last_results(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    break_evaluations(monkeypatch)
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    with read_transaction(engine) as connection:
        before = stored_results(connection, "marketing-sales")
    save_template(engine, reason=BROKEN)
    assert refresh_all(engine, as_of=AS_OF) == []
    with read_transaction(engine) as connection:
        assert stored_results(connection, "marketing-sales") == before
        health = health_of(connection, "marketing-sales")
    assert health is not None and health.failing
    assert health.last_success_at == max(row["computed_at"] for row in evaluation_states_of(engine))


def evaluation_states_of(engine: Engine) -> list[dict[str, int]]:
    with read_transaction(engine) as connection:
        return evaluation_states(connection)


def test_a_failing_agreement_waits_for_its_retry_time_unless_a_new_version_arrives(
    three: Engine,
):
    recomputer = Recomputer(three, "scheduler", EventCache())
    recomputer.refresh(as_of=AS_OF, retry_after=600)
    with transaction(three) as connection:
        store_events(connection, [EventIn("default", "late", "qualified", AS_OF - 1, "lead")])
    # New events make the healthy agreements due; the failing one waits for its retry time.
    assert recomputer.refresh(as_of=AS_OF, retry_after=600) == ["hr-requests", "marketing-sales"]
    with read_transaction(three) as connection:
        health = health_of(connection, "it-service")
    assert health is not None and health.failed_attempts == 1
    save_template(three, "it-service", reason="corrected")
    assert recomputer.refresh(as_of=AS_OF, retry_after=600) == ["it-service"]
