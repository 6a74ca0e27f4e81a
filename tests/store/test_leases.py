"""Named leases: one holder at a time, taken over when expired, on both backends."""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from slawatch.store.db import read_transaction, transaction
from slawatch.store.leases import lease_holder, release_lease, take_lease

MINUTE = 60_000_000


def take(engine: Engine, owner: str, now: int, until: int, name: str = "alerts") -> bool:
    with transaction(engine) as connection:
        return take_lease(connection, name, owner, now, until)


def holder(engine: Engine, now: int, name: str = "alerts") -> str | None:
    with read_transaction(engine) as connection:
        return lease_holder(connection, name, now)


def test_the_first_taker_gets_a_new_lease_and_others_are_refused(engine: Engine) -> None:
    assert take(engine, "a", 0, MINUTE)
    assert not take(engine, "b", 1, MINUTE + 1)
    assert holder(engine, 1) == "a"


def test_the_holder_may_renew_its_own_lease(engine: Engine) -> None:
    assert take(engine, "a", 0, MINUTE)
    assert take(engine, "a", MINUTE // 2, 2 * MINUTE)
    assert not take(engine, "b", MINUTE + 1, 3 * MINUTE)


def test_an_expired_lease_is_taken_over_from_the_instant_it_ends(engine: Engine) -> None:
    assert take(engine, "a", 0, MINUTE)
    assert not take(engine, "b", MINUTE - 1, 2 * MINUTE)
    assert take(engine, "b", MINUTE, 2 * MINUTE)
    assert holder(engine, MINUTE) == "b"


def test_a_released_lease_is_free_at_once_and_only_its_holder_releases_it(
    engine: Engine,
) -> None:
    assert take(engine, "a", 0, MINUTE)
    with transaction(engine) as connection:
        assert not release_lease(connection, "alerts", "b")
        assert release_lease(connection, "alerts", "a")
    assert holder(engine, 1) is None
    assert take(engine, "b", 1, MINUTE)


def test_leases_of_different_names_are_independent(engine: Engine) -> None:
    assert take(engine, "a", 0, MINUTE, name="alerts")
    assert take(engine, "b", 0, MINUTE, name="statements")
    assert (holder(engine, 1, "alerts"), holder(engine, 1, "statements")) == ("a", "b")


def test_of_many_racing_takers_exactly_one_gets_the_lease(engine: Engine) -> None:
    winners: list[str] = []
    start = threading.Barrier(6)

    def race(owner: str) -> None:
        start.wait()
        if take(engine, owner, 0, MINUTE):
            winners.append(owner)

    threads = [threading.Thread(target=race, args=(f"p{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1
    assert holder(engine, 1) == winners[0]
