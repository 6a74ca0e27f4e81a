"""Stored results and the claims on recomputing them, on both backends."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import (
    Claim,
    StoredResult,
    agreements_needing_work,
    claim,
    finish,
    release,
    replace_results,
    stored_result,
    stored_results,
)
from slawatch.wall_clock import now_us
from tests.evaluation.support import save_template

MINUTE = 60_000_000


def take(engine: Engine, owner: str, *, now: int, latest_event: int = 0) -> Claim | None:
    with transaction(engine) as connection:
        return claim(
            connection,
            "marketing-sales",
            owner=owner,
            now=now,
            lease_until=now + MINUTE,
            latest_event=latest_event,
            stale_before=None,
        )


def result(period: str, start: int, version: int = 1) -> StoredResult:
    payload = {"agreement": "marketing-sales", "periods": [{"period": period}]}
    return StoredResult("marketing-sales", period, version, start, start + 1, 5, payload)


def test_of_two_claims_only_the_first_wins(engine: Engine) -> None:
    save_template(engine)
    now = now_us()
    assert take(engine, "a", now=now) is not None
    assert take(engine, "b", now=now) is None


def test_an_expired_lease_is_taken_over(engine: Engine) -> None:
    save_template(engine)
    now = now_us()
    assert take(engine, "a", now=now) is not None
    assert take(engine, "b", now=now + 2 * MINUTE) is not None


def test_finished_work_is_not_claimed_again_until_something_changes(engine: Engine) -> None:
    save_template(engine)
    now = now_us()
    work = take(engine, "a", now=now)
    assert work is not None
    with transaction(engine) as connection:
        assert finish(connection, work, last_event_id=7, computed_at=now)
    assert take(engine, "b", now=now, latest_event=7) is None
    assert take(engine, "b", now=now, latest_event=8) is not None  # a new event


def test_finishing_after_losing_the_lease_records_nothing(engine: Engine) -> None:
    save_template(engine)
    now = now_us()
    lost = take(engine, "a", now=now)
    assert lost is not None
    assert take(engine, "b", now=now + 2 * MINUTE) is not None
    with transaction(engine) as connection:
        assert not finish(connection, lost, last_event_id=0, computed_at=now)


def test_a_released_claim_leaves_the_work_due(engine: Engine) -> None:
    save_template(engine)
    now = now_us()
    work = take(engine, "a", now=now)
    assert work is not None
    with transaction(engine) as connection:
        assert agreements_needing_work(connection, now=now, latest_event=0, stale_before=None) == []
        release(connection, work)
        assert agreements_needing_work(connection, now=now, latest_event=0, stale_before=None) == [
            "marketing-sales"
        ]


def test_results_are_replaced_as_a_whole_and_read_in_period_order(engine: Engine) -> None:
    save_template(engine)
    with transaction(engine) as connection:
        replace_results(
            connection, "marketing-sales", [result("2026-02", 20), result("2026-01", 10)]
        )
    with transaction(engine) as connection:
        replace_results(connection, "marketing-sales", [result("2026-03", 30, version=2)])
    with read_transaction(engine) as connection:
        rows = stored_results(connection, "marketing-sales")
        march = stored_result(connection, "marketing-sales", "2026-03")
        january = stored_result(connection, "marketing-sales", "2026-01")
    assert [row.period for row in rows] == ["2026-03"]
    assert march is not None and march.version == 2
    assert march.payload["periods"] == [{"period": "2026-03"}]
    assert january is None
