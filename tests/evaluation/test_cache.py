"""The event cache: appending newer events gives what a full load gives, and misses nothing."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, delete, insert, select

from slawatch.engine.events import EventTable
from slawatch.evaluation import cache as cache_module
from slawatch.evaluation.cache import SETTLE_US, EventCache, _insert_sorted
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import load_event_table
from slawatch.store.results import latest_event_id
from slawatch.store.schema import events

T0 = 1_767_225_600_000_000
HOUR = 3_600_000_000


def store(engine: Engine, *batch: EventIn) -> None:
    with transaction(engine) as connection:
        store_events(connection, list(batch))


def canonical(table: EventTable) -> tuple[list[tuple[object, ...]], list[dict[str, object]]]:
    rows = table.events.with_columns(pl.col("type").cast(pl.String)).sort("item", "at", "type")
    items = table.items.select(sorted(table.items.columns)).sort("item")
    return rows.rows(), items.to_dicts()


def full_load(engine: Engine) -> EventTable:
    with read_transaction(engine) as connection:
        return load_event_table(connection).table


def test_appended_events_and_changed_items_match_a_full_load(engine: Engine) -> None:
    cache = EventCache()
    store(engine, EventIn("crm", "a", "qualified", T0, "lead", {"region": "EU"}))
    cache.current(engine)
    store(
        engine,
        EventIn("crm", "a", "contacted", T0 + HOUR, attributes={"region": "US"}),
        EventIn("crm", "b", "qualified", T0 + 2 * HOUR, "lead", {"size": "10"}),
    )
    table, last = cache.current(engine)
    assert canonical(table) == canonical(full_load(engine))
    assert table.items.filter(pl.col("region") == "US").height == 1
    assert table.events.get_column("item").is_sorted()  # grouped by item: the engine's fast path
    assert table.items.get_column("item").is_sorted()
    assert cache.full_loads == 1
    with read_transaction(engine) as connection:
        assert last == latest_event_id(connection)


def test_an_event_that_commits_late_below_the_newest_id_is_read_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [0]
    monkeypatch.setattr(cache_module, "now_us", lambda: clock[0])
    cache = EventCache()
    cache.current(engine)  # t = 0: nothing yet; this load settles later
    store(
        engine,
        EventIn("crm", "a", "qualified", T0, "lead"),
        EventIn("crm", "a", "handed_over", T0 + HOUR),
        EventIn("crm", "a", "contacted", T0 + 2 * HOUR),
    )
    with transaction(engine) as connection:
        middle = (
            connection.execute(select(events).where(events.c.type == "handed_over")).one()._asdict()
        )
        connection.execute(delete(events).where(events.c.id == middle["id"]))
    clock[0] = SETTLE_US
    table, _ = cache.current(engine)  # reads the first and the last: the middle is "in flight"
    assert table.events.height == 2
    with transaction(engine) as connection:
        connection.execute(insert(events).values(**middle))  # its transaction commits now
    clock[0] = SETTLE_US + 1
    table, _ = cache.current(engine)
    assert canonical(table) == canonical(full_load(engine))
    assert cache.full_loads == 1
    clock[0] = 3 * SETTLE_US
    assert cache.current(engine)[0].events.height == 3  # and is not added twice


def test_a_database_that_went_back_in_time_is_loaded_afresh(engine: Engine) -> None:
    cache = EventCache()
    store(engine, EventIn("crm", "a", "qualified", T0), EventIn("crm", "b", "qualified", T0))
    cache.current(engine)
    with transaction(engine) as connection:
        connection.execute(delete(events))
    table, last = cache.current(engine)
    assert table.events.height == 0 and last == 0
    assert cache.full_loads == 2


@pytest.mark.parametrize("seed", range(5))
def test_inserting_keeps_every_row_and_the_item_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    old = pl.DataFrame(
        {"item": np.sort(rng.integers(0, 50, 200)), "at": rng.integers(0, 10**6, 200)}
    )
    new = pl.DataFrame({"item": rng.integers(-5, 60, 30), "at": rng.integers(0, 10**6, 30)})
    merged = _insert_sorted(old, new)
    assert merged.get_column("item").is_sorted()
    assert merged.sort("item", "at").equals(pl.concat([old, new]).sort("item", "at"))


def test_the_cache_says_which_items_changed_since_a_generation(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = EventCache()
    store(engine, EventIn("crm", "a", "qualified", T0, "lead", {"region": "EU"}))
    _, _, first = cache.snapshot(engine)
    assert cache.changed_since(first).to_list() == []  # type: ignore[union-attr]
    assert cache.changed_since(first - 1) is None  # before the full load: not known
    store(
        engine,
        EventIn("crm", "a", "contacted", T0 + HOUR, attributes={"region": "EU"}),  # no change
        EventIn("crm", "b", "qualified", T0 + 2 * HOUR, "lead"),  # new
    )
    _, _, second = cache.snapshot(engine)
    store(engine, EventIn("crm", "a", "won", T0 + 3 * HOUR, attributes={"region": "US"}))
    _, _, third = cache.snapshot(engine)
    assert (second, third) == (first + 1, first + 2)
    ids = {row[0]: row[1] for row in full_load(engine).items.select("item", "region").rows()}
    a, b = sorted(ids)
    assert sorted(cache.changed_since(first).to_list()) == [a, b]  # type: ignore[union-attr]
    assert cache.changed_since(second).to_list() == [a]  # type: ignore[union-attr]
    assert cache.changed_since(third).to_list() == []  # type: ignore[union-attr]
    monkeypatch.setattr(cache, "_changes", type(cache._changes)(cache._changes, maxlen=2))
    store(engine, EventIn("crm", "c", "qualified", T0 + 4 * HOUR, "lead"))
    cache.snapshot(engine)  # the oldest remembered change is forgotten
    assert cache.changed_since(first) is None
    assert cache.changed_since(second) is not None
