"""Storing events: bulk, idempotent, attributes merged by event instant, on both backends."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select

from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventColumns, EventIn, StoreResult, store_events
from slawatch.store.schema import events, items

T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z in µs
HOUR = 3_600_000_000


def event(item: str, type_: str, hours: float, **extra: object) -> EventIn:
    return EventIn(source="crm", item=item, type=type_, at=T0 + int(hours * HOUR), **extra)  # type: ignore[arg-type]


def store(engine: Engine, batch: list[EventIn]) -> StoreResult:
    with transaction(engine) as connection:
        return store_events(connection, batch)


def count(engine: Engine, table: object) -> int:
    with read_transaction(engine) as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def stored_item(engine: Engine, external_id: str) -> tuple[str | None, dict[str, list[object]]]:
    with read_transaction(engine) as connection:
        row = connection.execute(
            select(items.c.kind, items.c.attributes).where(items.c.external_id == external_id)
        ).one()
    return row.kind, row.attributes


def test_a_batch_is_stored_and_counted(engine: Engine) -> None:
    batch = [event(f"lead-{i}", "qualified", i) for i in range(50)]
    assert store(engine, batch) == StoreResult(accepted=50, duplicates=0)
    assert count(engine, events) == 50
    assert count(engine, items) == 50


def test_a_retried_batch_changes_nothing(engine: Engine) -> None:
    batch = [event("lead-1", "qualified", 0, kind="lead", attributes={"region": "EU"})]
    batch.append(event("lead-1", "contacted", 2))
    store(engine, batch)
    before = stored_item(engine, "lead-1")
    assert store(engine, batch) == StoreResult(accepted=0, duplicates=2)
    assert count(engine, events) == 2
    assert stored_item(engine, "lead-1") == before


def test_duplicates_inside_one_batch_count_once(engine: Engine) -> None:
    batch = [event("lead-1", "qualified", 0), event("lead-1", "qualified", 0)]
    batch.append(event("lead-1", "qualified", 1))
    assert store(engine, batch) == StoreResult(accepted=2, duplicates=1)


def test_an_idempotency_key_stores_the_event_once_even_with_another_instant(
    engine: Engine,
) -> None:
    assert store(engine, [event("a", "qualified", 0, idempotency_key="k-1")]).accepted == 1
    again = store(engine, [event("a", "qualified", 5, idempotency_key="k-1")])
    assert again == StoreResult(accepted=0, duplicates=1)
    inside = store(
        engine,
        [event("b", "x", 0, idempotency_key="k-2"), event("b", "y", 0, idempotency_key="k-2")],
    )
    assert inside == StoreResult(accepted=1, duplicates=1)


def test_the_latest_attribute_value_by_event_instant_wins_whatever_the_arrival_order(
    engine: Engine,
) -> None:
    store(engine, [event("lead-1", "accepted", 5, attributes={"stage": "sql"})])
    store(engine, [event("lead-1", "qualified", 1, kind="lead", attributes={"stage": "mql"})])
    kind, attributes = stored_item(engine, "lead-1")
    assert kind == "lead"
    assert attributes["stage"] == ["sql", T0 + 5 * HOUR]


def test_empty_attribute_values_do_not_erase_stored_ones(engine: Engine) -> None:
    store(engine, [event("lead-1", "qualified", 1, attributes={"stage": "mql"})])
    store(engine, [event("lead-1", "contacted", 2, attributes={"stage": ""})])
    assert stored_item(engine, "lead-1")[1]["stage"][0] == "mql"


def test_a_tie_keeps_the_stored_value_but_inside_a_batch_the_later_element_wins(
    engine: Engine,
) -> None:
    batch = [
        event("lead-1", "qualified", 1, attributes={"stage": "a"}),
        event("lead-1", "scored", 1, attributes={"stage": "b"}),
    ]
    store(engine, batch)
    assert stored_item(engine, "lead-1")[1]["stage"][0] == "b"
    store(engine, [event("lead-1", "touched", 1, attributes={"stage": "c"})])
    assert stored_item(engine, "lead-1")[1]["stage"][0] == "b"


def test_the_same_external_id_in_two_sources_is_two_items(engine: Engine) -> None:
    store(engine, [event("x", "qualified", 0)])
    store(engine, [EventIn(source="other", item="x", type="qualified", at=T0)])
    assert count(engine, items) == 2
    assert count(engine, events) == 2


def test_a_batch_of_ten_thousand_events_is_stored_in_one_go(engine: Engine) -> None:
    batch = [event(f"lead-{i % 2500}", f"t{i // 2500}", i % 7) for i in range(10_000)]
    assert store(engine, batch) == StoreResult(accepted=10_000, duplicates=0)
    assert count(engine, items) == 2500


def test_a_batch_half_stored_already_counts_exactly_across_insert_statements(
    engine: Engine,
) -> None:
    # 2,345 rows take three insert statements on SQLite; every third event is stored already.
    batch = [event(f"lead-{i % 700}", f"t{i // 700}", i % 5) for i in range(2_345)]
    store(engine, batch[::3])
    stored_first = len(batch[::3])
    assert store(engine, batch) == StoreResult(
        accepted=2_345 - stored_first, duplicates=stored_first
    )
    assert count(engine, events) == 2_345


def test_events_handed_over_as_columns_are_stored_like_events(engine: Engine) -> None:
    batch = [event("lead-1", "qualified", 0, kind="lead", attributes={"region": "EU"})]
    batch.append(event("lead-1", "qualified", 0))
    with transaction(engine) as connection:
        result = store_events(connection, EventColumns.of(batch))
    assert result == StoreResult(accepted=1, duplicates=1)
    assert stored_item(engine, "lead-1") == ("lead", {"kind": ["lead", T0], "region": ["EU", T0]})


def test_an_empty_batch_stores_nothing(engine: Engine) -> None:
    assert store(engine, []) == StoreResult(accepted=0, duplicates=0)


def test_concurrent_batches_over_the_same_items_in_opposite_orders_do_not_deadlock(
    engine: Engine,
) -> None:
    forward = [event(f"lead-{i}", "qualified", i, attributes={"n": str(i)}) for i in range(300)]
    results: list[StoreResult] = []
    failures: list[BaseException] = []

    def send(batch: list[EventIn]) -> None:
        try:
            for _ in range(3):
                results.append(store(engine, batch))
        except BaseException as error:  # reported below, with the assertion
            failures.append(error)

    threads = [threading.Thread(target=send, args=(batch,)) for batch in (forward, forward[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sum(r.accepted for r in results) == 300
    assert sum(r.accepted + r.duplicates for r in results) == 6 * 300


def test_concurrent_batches_merging_attributes_into_one_item_lose_nothing(engine: Engine) -> None:
    store(engine, [event("lead-1", "created", 0)])
    threads = [
        threading.Thread(
            target=store,
            args=(engine, [event("lead-1", f"t{n}", 1 + n, attributes={f"a{n}": "x"})]),
        )
        for n in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    attributes = stored_item(engine, "lead-1")[1]
    assert sorted(attributes) == [f"a{n}" for n in range(8)]
