"""Evaluation health: an episode opens with the first failure and ends with a success."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.store.db import read_transaction, transaction
from slawatch.store.health import (
    MAX_ERROR,
    error_text,
    failing_agreements,
    health_of,
    record_failure,
    record_success,
)
from tests.evaluation.support import save_template

T = 1_780_000_000_000_000


def test_an_episode_keeps_its_first_failure_and_counts_the_attempts(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        record_failure(connection, "marketing-sales", at=T, error="first", wanted=1)
        record_failure(connection, "marketing-sales", at=T + 60, error="second", wanted=1)
    with read_transaction(engine) as connection:
        health = health_of(connection, "marketing-sales")
        assert set(failing_agreements(connection)) == {"marketing-sales"}
    assert health is not None
    assert (health.failing_since, health.last_attempt_at) == (T, T + 60)
    assert (health.failed_attempts, health.last_error) == (2, "second")


def test_a_success_ends_the_episode_and_the_next_failure_starts_a_new_one(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        assert not record_success(connection, "marketing-sales", at=T)  # nothing to end
        record_failure(connection, "marketing-sales", at=T, error="broken", wanted=1)
        assert record_success(connection, "marketing-sales", at=T + 10)
        assert not record_success(connection, "marketing-sales", at=T + 20)
    with read_transaction(engine) as connection:
        ended = health_of(connection, "marketing-sales")
        assert failing_agreements(connection) == {}
    assert ended is not None and not ended.failing and ended.recovered_at == T + 10
    with transaction(engine) as connection:
        record_failure(connection, "marketing-sales", at=T + 30, error="again", wanted=2)
    with read_transaction(engine) as connection:
        again = health_of(connection, "marketing-sales")
    assert again is not None and (again.failing_since, again.failed_attempts) == (T + 30, 1)


def test_an_agreement_that_never_failed_is_healthy(engine: Engine):
    save_template(engine)
    with read_transaction(engine) as connection:
        health = health_of(connection, "marketing-sales")
        assert health_of(connection, "no-such-agreement") is None
    assert health is not None and not health.failing and health.failed_attempts == 0


def test_an_error_text_names_the_exception_without_nul_and_within_its_bound():
    assert error_text(OverflowError("date value out of range")) == (
        "OverflowError: date value out of range"
    )
    assert error_text(KeyError()) == "KeyError"
    assert "\x00" not in error_text(ValueError("a\x00b"))
    assert len(error_text(ValueError("x" * 10_000))) == MAX_ERROR
