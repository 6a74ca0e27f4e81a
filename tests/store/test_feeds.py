"""Reading the latest event of each expected type, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, text

from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import queue_delivery
from slawatch.store.events import EventIn, store_events
from slawatch.store.feeds import event_before, last_seen, latest_event, queued_any

T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in µs
HOUR = 3_600_000_000


def store(engine: Engine, *rows: tuple[str, str, int]) -> None:
    batch = [EventIn(source="crm", item=item, type=type_, at=T0 + hours * HOUR)
             for item, type_, hours in rows]  # fmt: skip
    with transaction(engine) as connection:
        store_events(connection, batch)


def test_the_latest_event_per_type_up_to_as_of(engine: Engine) -> None:
    store(
        engine,
        ("lead-1", "handed_over", 1),
        ("lead-2", "handed_over", 5),
        ("lead-3", "handed_over", 9),
        ("lead-1", "qualified", 0),
    )
    with read_transaction(engine) as connection:
        seen = last_seen(connection, ["handed_over", "qualified", "contacted"], as_of=T0 + 5 * HOUR)
        assert seen == {"handed_over": T0 + 5 * HOUR, "qualified": T0, "contacted": None}
        assert latest_event(connection, "handed_over", at_or_before=T0 + 100 * HOUR) == (
            T0 + 9 * HOUR
        )
        assert event_before(connection, "handed_over", before=T0 + 5 * HOUR) == T0 + HOUR
        assert event_before(connection, "handed_over", before=T0 + HOUR) is None


def test_the_read_uses_the_type_and_instant_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's plan depends on its statistics; SQLite's is fixed
    with read_transaction(engine) as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT max(at) FROM events "
                "WHERE type = 'handed_over' AND at <= 5"
            )
        ).fetchall()
    assert "ix_events_type_at" in " ".join(str(row) for row in plan)


def test_a_message_is_found_by_its_exact_key(engine: Engine) -> None:
    with transaction(engine) as connection:
        queue_delivery(
            connection,
            dedup_key="feed-silent:feeds:handed_over:100:lena@example.com",
            recipient="lena@example.com",
            url="mailto://x",
            language="en",
            title="t",
            body="b",
            now=0,
        )
    with read_transaction(engine) as connection:
        assert queued_any(connection, ["x", "feed-silent:feeds:handed_over:100:lena@example.com"])
        assert not queued_any(connection, ["feed-silent:feeds:handed_over:100:tom@example.com"])
        assert not queued_any(connection, [])
