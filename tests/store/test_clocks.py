"""Stored item clocks on both backends: diffs write only changes; pages filter and page them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine

from slawatch.engine.instants import to_us
from slawatch.evaluation.clocks import CLOCK_SCHEMA
from slawatch.store import clocks
from slawatch.store.clock_lists import at_risk_queue, clock_counts, clock_page, item_clock_rows
from slawatch.store.clocks import COMPARED, ClockDiff, stored_clock_frame, write_clock_diff
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import item_detail
from tests.evaluation.support import save_template

HOUR = 3_600_000_000
T0 = to_us(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
AGREEMENT = "marketing-sales"
REGIONS = {"L-1": "north", "L-2": "south", "L-3": "north", "L-4": "south", "L-5": "north"}


def items(engine: Engine) -> dict[str, int]:
    """Store one lead per region entry and return their item ids by external id."""
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                EventIn("default", name, "handed_over", T0, "lead", {"region": region})
                for name, region in REGIONS.items()
            ],
        )
    with read_transaction(engine) as connection:
        return {name: item_detail(connection, "default", name).id for name in REGIONS}  # type: ignore[union-attr]


def clock(item_id: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "agreement_id": AGREEMENT,
        "objective": "speed-to-lead",
        "item_id": item_id,
        "period": "2026-03",
        "started_at": T0,
        "stopped_at": None,
        "deadline": T0 + 48 * HOUR,
        "warn_at": T0 + 36 * HOUR,
        "elapsed_us": HOUR,
        "paused_us": 0,
        "state": "running",
        "since": T0,
        "as_of": T0 + HOUR,
    }
    return values | changes


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=CLOCK_SCHEMA)


def write(engine: Engine, rows: pl.DataFrame, previous: pl.DataFrame | None) -> ClockDiff:
    with transaction(engine) as connection:
        return write_clock_diff(connection, AGREEMENT, rows, previous=previous)


def stored(engine: Engine) -> pl.DataFrame:
    with read_transaction(engine) as connection:
        return stored_clock_frame(connection, AGREEMENT).sort("objective", "item_id")


def test_a_first_write_inserts_every_clock_and_reports_each_as_new(engine: Engine) -> None:
    save_template(engine)
    ids = items(engine)
    rows = frame(*(clock(item) for item in ids.values()))
    diff = write(engine, rows, previous=None)
    assert (diff.inserted, diff.updated, diff.deleted) == (5, 0, 0)
    assert {(t.old, t.new, t.since) for t in diff} == {(None, "running", T0)}
    assert stored(engine).equals(rows.select(COMPARED).sort("objective", "item_id"))


def test_running_clocks_that_only_grew_older_are_not_rewritten(engine: Engine) -> None:
    save_template(engine)
    ids = items(engine)
    rows = frame(clock(ids["L-1"]), clock(ids["L-2"], stopped_at=T0 + 2 * HOUR, state="met"))
    write(engine, rows, previous=None)
    later = frame(
        clock(ids["L-1"], elapsed_us=5 * HOUR, as_of=T0 + 5 * HOUR),
        clock(ids["L-2"], stopped_at=T0 + 2 * HOUR, state="met", as_of=T0 + 5 * HOUR),
    )
    assert write(engine, later, previous=rows).written == 0
    assert stored(engine)["elapsed_us"].to_list() == [HOUR, HOUR]  # as of the last change


def test_a_stopped_clock_is_rewritten_when_its_final_times_change(engine: Engine) -> None:
    save_template(engine)
    ids = items(engine)
    met = {"stopped_at": T0 + 2 * HOUR, "state": "met", "since": T0 + 2 * HOUR}
    rows = frame(clock(ids["L-1"], **met))
    write(engine, rows, previous=None)
    corrected = frame(clock(ids["L-1"], elapsed_us=HOUR // 2, paused_us=HOUR // 2, **met))
    diff = write(engine, corrected, previous=rows)
    assert (diff.inserted, diff.updated, diff.deleted) == (0, 1, 0)
    assert list(diff) == []  # no change of state
    assert stored(engine)["paused_us"].to_list() == [HOUR // 2]


def test_state_changes_are_written_and_reported_as_transitions(engine: Engine) -> None:
    save_template(engine)
    ids = items(engine)
    rows = frame(clock(ids["L-1"]), clock(ids["L-2"]), clock(ids["L-3"]))
    write(engine, rows, previous=None)
    later = frame(
        clock(ids["L-1"], state="breached", since=T0 + 48 * HOUR, as_of=T0 + 50 * HOUR),
        clock(ids["L-2"], as_of=T0 + 50 * HOUR),
        clock(ids["L-4"], as_of=T0 + 50 * HOUR),
    )
    diff = write(engine, later, previous=rows)
    assert (diff.inserted, diff.updated, diff.deleted) == (1, 1, 1)
    assert sorted(
        ((t.item_id, t.old, t.new, t.since) for t in diff), key=lambda change: change[0]
    ) == [
        (ids["L-1"], "running", "breached", T0 + 48 * HOUR),
        (ids["L-3"], "running", None, None),
        (ids["L-4"], None, "running", T0),
    ]
    assert stored(engine)["item_id"].to_list() == sorted([ids["L-1"], ids["L-2"], ids["L-4"]])


def test_without_a_kept_frame_the_stored_rows_are_read_back(engine: Engine) -> None:
    save_template(engine)
    save_template(engine, "it-service")
    ids = items(engine)
    rows = frame(clock(ids["L-1"]), clock(ids["L-2"], objective="request-response"))
    write(engine, rows, previous=None)
    with transaction(engine) as connection:  # another agreement's clock of the same item
        write_clock_diff(
            connection,
            "it-service",
            frame(clock(ids["L-1"], agreement_id="it-service", objective="resolution")),
            previous=None,
        )
    assert stored(engine).equals(rows.select(COMPARED).sort("objective", "item_id"))
    later = frame(clock(ids["L-1"], deadline=T0 + 50 * HOUR), clock(ids["L-5"]))
    diff = write(engine, later, previous=None)
    assert (diff.inserted, diff.updated, diff.deleted) == (1, 1, 1)
    with read_transaction(engine) as connection:
        assert len(item_clock_rows(connection, ids["L-1"])) == 2


def test_the_clock_page_filters_by_state_period_and_attributes(engine: Engine) -> None:
    save_template(engine)
    ids = items(engine)
    write(
        engine,
        frame(
            clock(ids["L-1"], started_at=T0 + 1),
            clock(ids["L-2"], started_at=T0 + 2, state="met", stopped_at=T0 + 3),
            clock(ids["L-3"], started_at=T0 + 3, state="at_risk"),
            clock(ids["L-4"], started_at=T0 + 4, period="2026-04"),
            clock(ids["L-5"], started_at=T0 + 5, state="breached"),
        ),
        previous=None,
    )

    def page(**filters: Any) -> tuple[list[str], int]:
        arguments: dict[str, Any] = {"period": None, "states": None, "attributes": None}
        arguments |= {"limit": 10, "offset": 0} | filters
        with read_transaction(engine) as connection:
            rows, total = clock_page(connection, AGREEMENT, "speed-to-lead", **arguments)
        return [row.external_id for row in rows], total

    assert page() == (["L-5", "L-4", "L-3", "L-2", "L-1"], 5)
    assert page(limit=2, offset=1) == (["L-4", "L-3"], 5)
    assert page(period="2026-03") == (["L-5", "L-3", "L-2", "L-1"], 4)
    assert page(states=["running", "at_risk"]) == (["L-4", "L-3", "L-1"], 3)
    assert page(attributes={"region": "north"}) == (["L-5", "L-3", "L-1"], 3)
    assert page(attributes={"region": "north", "kind": "lead"}, states=["running"]) == (
        ["L-1"],
        1,
    )
    assert page(attributes={"region": "east"}) == ([], 0)
    assert page(attributes={"unknown": "x"}) == ([], 0)
    with read_transaction(engine) as connection:
        rows, _total = clock_page(
            connection,
            AGREEMENT,
            "speed-to-lead",
            period=None,
            states=["met"],
            attributes=None,
            limit=1,
            offset=0,
        )
    assert rows[0].attributes == {"region": "south"}
    assert (rows[0].kind, rows[0].source, rows[0].stopped_at) == ("lead", "default", T0 + 3)


def test_the_at_risk_queue_lists_open_clocks_soonest_deadline_first(engine: Engine) -> None:
    save_template(engine)
    save_template(engine, "it-service")
    ids = items(engine)
    write(
        engine,
        frame(
            clock(ids["L-1"], deadline=T0 + 30 * HOUR),
            clock(ids["L-2"], deadline=T0 + 10 * HOUR, state="at_risk"),
            clock(ids["L-3"], deadline=None, state="paused"),  # suspended: no deadline
            clock(ids["L-4"], deadline=T0 + 5 * HOUR, state="met", stopped_at=T0 + HOUR),
            clock(ids["L-5"], deadline=T0 + HOUR, state="breached"),
        ),
        previous=None,
    )
    with transaction(engine) as connection:
        write_clock_diff(
            connection,
            "it-service",
            frame(clock(ids["L-1"], agreement_id="it-service", deadline=T0 + 20 * HOUR)),
            previous=None,
        )
    with read_transaction(engine) as connection:
        queue = at_risk_queue(connection, limit=10)
        only = at_risk_queue(connection, limit=10, agreement_ids=[AGREEMENT])
        first = at_risk_queue(connection, limit=1)
    assert [(r.agreement_id, r.external_id, r.state) for r in queue] == [
        (AGREEMENT, "L-2", "at_risk"),
        ("it-service", "L-1", "running"),
        (AGREEMENT, "L-1", "running"),
    ]
    assert [r.external_id for r in only] == ["L-2", "L-1"]
    assert [r.deadline for r in first] == [T0 + 10 * HOUR]


def test_an_items_clocks_and_the_counts_per_state(engine: Engine) -> None:
    save_template(engine)
    ids = items(engine)
    write(
        engine,
        frame(
            clock(ids["L-1"]),
            clock(ids["L-1"], objective="request-response", state="met", stopped_at=T0),
            clock(ids["L-2"], state="breached"),
            clock(ids["L-3"], state="breached"),
            clock(ids["L-4"], state="breached", period="2026-04"),
        ),
        previous=None,
    )
    with read_transaction(engine) as connection:
        rows = item_clock_rows(connection, ids["L-1"])
        counts = clock_counts(connection, AGREEMENT, "speed-to-lead", "2026-03")
        nothing = clock_counts(connection, AGREEMENT, "speed-to-lead", "2025-01")
        assert item_clock_rows(connection, ids["L-5"]) == []
    assert [(r.objective, r.state) for r in rows] == [
        ("request-response", "met"),
        ("speed-to-lead", "running"),
    ]
    assert counts == {"met": 0, "breached": 2, "paused": 0, "at_risk": 0, "running": 1}
    assert set(nothing.values()) == {0}


def test_large_writes_go_through_the_bulk_path_with_the_same_result(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clocks, "COPY_FROM", 1)  # PostgreSQL: COPY instead of arrays
    monkeypatch.setattr(clocks, "ANALYZE_FROM", 1)
    save_template(engine)
    ids = items(engine)
    rows = frame(*(clock(item) for item in ids.values()))
    assert write(engine, rows, previous=None).inserted == 5
    later = rows.with_columns(
        pl.when(pl.col("item_id") == ids["L-2"])
        .then(pl.lit("at_risk"))
        .otherwise("state")
        .alias("state")
    )
    diff = write(engine, later, previous=rows)
    assert (diff.inserted, diff.updated, diff.deleted) == (0, 1, 0)
    assert stored(engine).equals(later.select(COMPARED).sort("objective", "item_id"))
