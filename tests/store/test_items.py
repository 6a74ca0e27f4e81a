"""Loading events into the engine's columns in bulk, and reading one item, on both backends."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine

import slawatch.store.items as store_items
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import item_detail, load_event_table

T0 = 1_767_225_600_000_000
HOUR = 3_600_000_000


def store(engine: Engine, batch: list[EventIn]) -> None:
    with transaction(engine) as connection:
        store_events(connection, batch)


def test_every_event_and_item_is_loaded_with_the_engine_columns(engine: Engine) -> None:
    store(
        engine,
        [
            EventIn("crm", "a", "qualified", T0, kind="lead", attributes={"region": "EU"}),
            EventIn("crm", "a", "contacted", T0 + HOUR),
            EventIn("crm", "b", "qualified", T0 + 2 * HOUR, attributes={"size": "10"}),
            EventIn("crm", "c", 'odd, "type"', T0 + 3 * HOUR),
        ],
    )
    with read_transaction(engine) as connection:
        loaded = load_event_table(connection)
    table = loaded.table
    assert table.events.schema == pl.Schema({"item": pl.Int64, "type": pl.String, "at": pl.Int64})
    assert table.events.height == 4
    assert sorted(table.events.get_column("type")) == [
        "contacted",
        'odd, "type"',
        "qualified",
        "qualified",
    ]
    assert table.items.columns == ["item", "kind", "region", "size"]
    assert table.items.height == 3
    rows = {row["item"]: row for row in table.items.iter_rows(named=True)}
    first = table.events.filter(pl.col("type") == "contacted").get_column("item")[0]
    assert rows[first] == {"item": first, "kind": "lead", "region": "EU", "size": None}
    assert loaded.last_event_id > 0


def test_loading_after_an_event_id_returns_only_newer_events_and_their_items(
    engine: Engine,
) -> None:
    store(engine, [EventIn("crm", f"old-{i}", "qualified", T0 + i) for i in range(5)])
    with read_transaction(engine) as connection:
        first = load_event_table(connection)
    store(engine, [EventIn("crm", "new", "qualified", T0, attributes={"stage": "mql"})])
    with read_transaction(engine) as connection:
        newer = load_event_table(connection, after_id=first.last_event_id)
        nothing = load_event_table(connection, after_id=newer.last_event_id)
    assert newer.table.events.height == 1
    assert newer.table.items.get_column("stage").to_list() == ["mql"]
    assert newer.last_event_id > first.last_event_id
    assert nothing.table.events.height == 0
    assert nothing.table.items.height == 0
    assert nothing.last_event_id == newer.last_event_id


def test_an_empty_store_loads_empty_tables(engine: Engine) -> None:
    with read_transaction(engine) as connection:
        loaded = load_event_table(connection)
    assert loaded.table.events.height == 0
    assert loaded.table.items.columns == ["item", "kind"]
    assert loaded.last_event_id == 0


def test_item_detail_lists_attributes_and_events_by_instant(engine: Engine) -> None:
    store(engine, [EventIn("crm", "a", "contacted", T0 + HOUR, attributes={"owner": "tom"})])
    store(engine, [EventIn("crm", "a", "qualified", T0, kind="lead")])
    with read_transaction(engine) as connection:
        detail = item_detail(connection, "crm", "a")
        missing = item_detail(connection, "crm", "zzz")
    assert missing is None
    assert detail is not None
    assert (detail.kind, detail.attributes) == ("lead", {"owner": "tom"})
    assert [(e.type, e.at) for e in detail.events] == [
        ("qualified", T0),
        ("contacted", T0 + HOUR),
    ]


def test_loading_in_many_chunks_gives_the_same_table_as_in_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = [
        EventIn("crm", f"i-{n % 7}", f"t{n % 3}", T0 + n, attributes={"n": str(n % 7)})
        for n in range(40)
    ]
    store(engine, batch)
    with read_transaction(engine) as connection:
        whole = load_event_table(connection).table
    monkeypatch.setattr(store_items, "_CHUNK", 3)
    monkeypatch.setattr(store_items, "_PARALLEL", 2)
    with read_transaction(engine) as connection:
        chunked = load_event_table(connection).table
    assert_frame_equal(chunked.events.sort("at"), whole.events.sort("at"))
    assert_frame_equal(chunked.items.sort("item"), whole.items.sort("item"))


def test_an_item_with_a_thousand_attribute_names_loads_with_a_query_that_does_not_grow(
    engine: Engine,
) -> None:
    names = {f"column_{n:04}": str(n) for n in range(1_000)}
    store(engine, [EventIn("crm", "wide", "imported", T0, attributes=names)])
    with read_transaction(engine) as connection:
        loaded = load_event_table(connection)
    row = loaded.table.items.row(0, named=True)
    assert len(row) == 2 + 1_000
    assert row["column_0999"] == "999"


def test_the_history_gets_a_row_only_where_a_value_is_set_or_changes(engine: Engine) -> None:
    store(
        engine,
        [
            EventIn("crm", "a", t, T0 + n * HOUR, kind="lead", attributes={"stage": "mql"})
            for n, t in enumerate(["created", "qualified", "handed_over"])
        ],
    )
    store(engine, [EventIn("crm", "a", "accepted", T0 + 5 * HOUR, attributes={"stage": "mql"})])
    store(engine, [EventIn("crm", "a", "won", T0 + 6 * HOUR, attributes={"stage": "sql"})])
    with read_transaction(engine) as connection:
        history = load_event_table(connection).table.attributes
    assert history is not None
    assert sorted(history.select("name", "value", "at").iter_rows()) == [
        ("kind", "lead", T0),
        ("stage", "mql", T0),
        ("stage", "sql", T0 + 6 * HOUR),
    ]


def test_a_late_event_with_another_value_leaves_the_latest_value_the_latest(
    engine: Engine,
) -> None:
    """The value repeated at 20:00 still wins over one set at 15:00 that arrives later."""
    store(
        engine,
        [
            EventIn("crm", "a", "created", T0 + 10 * HOUR, "lead", {"owner": "cleo"}),
            EventIn("crm", "a", "contacted", T0 + 20 * HOUR, "lead", {"owner": "cleo"}),
        ],
    )
    store(engine, [EventIn("crm", "a", "note", T0 + 15 * HOUR, "lead", {"owner": "dora"})])
    with read_transaction(engine) as connection:
        table = load_event_table(connection).table
        (detail,) = [item_detail(connection, "crm", "a")]
    assert table.items.get_column("owner").to_list() == ["cleo"]
    assert detail is not None and detail.attributes["owner"] == "cleo"
    assert table.until(T0 + 17 * HOUR).items.get_column("owner").to_list() == ["dora"]


def test_an_evaluation_as_of_an_earlier_instant_reads_the_stored_value_of_that_instant(
    engine: Engine,
) -> None:
    store(engine, [EventIn("crm", "a", "created", T0, kind="lead", attributes={"stage": "mql"})])
    store(engine, [EventIn("crm", "a", "won", T0 + 9 * HOUR, attributes={"stage": "sql"})])
    with read_transaction(engine) as connection:
        table = load_event_table(connection).table
    assert table.until(T0 + HOUR).items.get_column("stage").to_list() == ["mql"]
    assert table.until(T0 + 9 * HOUR).items.get_column("stage").to_list() == ["sql"]
