"""The disputes' periodic climb: each due step once, with its messages in each recipient's
language, however many workers run it; nothing once decided."""

from __future__ import annotations

import threading

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine

from slawatch.alerts.disputes import climb_disputes, dispute_schedule
from slawatch.alerts.outbox import Outgoing
from slawatch.config import Settings
from slawatch.engine.dispute_ladder import OVERDUE, deadline_of, next_due
from slawatch.store import users as users_store
from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.disputes import NewDispute, decide, get_dispute, open_dispute
from slawatch.store.users import create_user
from tests.alerts.support import AGREEMENT, DAY, NOW, agreement

SETTINGS = Settings(smtp_url="smtp://mail.example.com:25", base_url="https://sla.example.com")


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


@pytest.fixture
def dispute(engine: Engine) -> int:
    """A dispute of February's qualified leads opened by Marketing at NOW; Tom reads German."""
    agreement(engine)
    with transaction(engine) as connection:
        create_user(connection, "tom.berg@example.com", "a long password", "editor", "de")
        stored = get_version(connection, AGREEMENT)
        assert stored is not None
        steps = dispute_schedule(stored.agreement, NOW)
        return open_dispute(
            connection,
            NewDispute(
                agreement_id=AGREEMENT,
                subject="figure",
                disputing_party="marketing",
                reason="The trade-fair leads are missing.",
                opened_by="lena.koch@example.com",
                opened_at=NOW,
                objective="qualified-leads",
                period="2026-02",
                next_step_at=next_due(steps, ()),
            ),
        )


class Outbox:
    """Collect what would be queued (thread-safe), as a test's outbox."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.lock = threading.Lock()

    def __call__(self, connection: Connection, outgoing: Outgoing) -> bool:
        with self.lock:
            self.sent.append(outgoing)
        return True


def climb(engine: Engine, now: int, outbox: Outbox, owner: str = "one") -> int:
    report = climb_disputes(engine, now=now, owner=owner, settings=SETTINGS, enqueue=outbox)
    return report.steps


def test_tier_one_of_both_parties_hears_at_once_each_in_their_language(
    engine: Engine, dispute: int
) -> None:
    outbox = Outbox()
    assert climb(engine, NOW, outbox) == 1
    by_target = {o.recipient.target: o for o in outbox.sent}
    assert set(by_target) == {"lena.koch@example.com", "tom.berg@example.com"}
    english, german = by_target["lena.koch@example.com"], by_target["tom.berg@example.com"]
    assert (
        english.title == f"Dispute #{dispute} undecided: Lead handover between Marketing and Sales"
    )
    assert (
        "Marketing disputes the figure of “Qualified leads per month” for 2026-02" in english.body
    )
    assert "Reason: The trade-fair leads are missing." in english.body
    assert f"https://sla.example.com/agreements/{AGREEMENT}/disputes/{dispute}" in english.body
    assert german.title.startswith(f"Streitfall #{dispute} nicht entschieden")
    assert "Marketing bestreitet die Kennzahl" in german.body
    assert "Begründung: The trade-fair leads are missing." in german.body
    assert all(o.tier == 1 and o.trigger == "dispute" for o in outbox.sent)


def test_a_second_round_at_the_same_time_sends_nothing_and_a_late_one_takes_every_step(
    engine: Engine, dispute: int
) -> None:
    outbox = Outbox()
    climb(engine, NOW, outbox)
    assert climb(engine, NOW, outbox) == 0
    with read_transaction(engine) as connection:
        stored = get_version(connection, AGREEMENT)
    assert stored is not None
    deadline = deadline_of(dispute_schedule(stored.agreement, NOW))
    assert climb(engine, deadline + DAY, outbox) == 3  # tiers 2 and 3, then the deadline
    with read_transaction(engine) as connection:
        found = get_dispute(connection, AGREEMENT, dispute)
    assert found is not None
    assert [(e.kind, e.tier) for e in found.entries] == [
        ("opened", None), ("escalated", 1), ("escalated", 2), ("escalated", 3), ("overdue", 3)
    ]  # fmt: skip
    assert found.next_step_at is None
    overdue = [o for o in outbox.sent if f":{OVERDUE}:" in o.key]
    assert [o.recipient.target for o in overdue] == ["ceo@example.com"]  # once for both parties
    assert "The resolution time has passed without a decision" in overdue[0].body


def test_two_workers_at_once_take_each_step_exactly_once(engine: Engine, dispute: int) -> None:
    outbox = Outbox()
    barrier = threading.Barrier(2)
    taken: list[int] = []

    def worker(owner: str) -> None:
        barrier.wait()
        report = climb_disputes(
            engine, now=NOW, owner=owner, settings=SETTINGS, enqueue=outbox, lease_us=0
        )
        taken.append(report.steps)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(taken) == 1
    assert len(outbox.sent) == 2  # one step, two recipients


def test_a_decided_dispute_climbs_no_further(engine: Engine, dispute: int) -> None:
    outbox = Outbox()
    climb(engine, NOW, outbox)
    with transaction(engine) as connection:
        decide(connection, dispute, upheld=False, reason="Counted right", actor="a", now=NOW)
    assert climb(engine, NOW + 30 * DAY, outbox) == 0
