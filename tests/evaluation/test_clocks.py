"""Stored item clocks: the engine's clocks, kept current by writing only what changed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import EventTable
from slawatch.engine.instants import NO_INSTANT, to_us
from slawatch.engine.kinds.clock import item_clocks
from slawatch.engine.periods import assign
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.clocks import CLOCK_SCHEMA, item_clock_frame
from slawatch.evaluation.service import Recomputer
from slawatch.store.agreements import StoredAgreement, all_versions, save_version
from slawatch.store.clock_lists import clock_page
from slawatch.store.clocks import ClockDiff, stored_clock_frame
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import load_event_table
from tests.evaluation.support import AS_OF, save_template, store_example_events

HOUR = 3_600_000_000
T0 = to_us(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))  # a Monday
CLOCKS = ("speed-to-lead", "request-response", "request-resolution")


def stored(text: str, version: int = 1, effective: dt.date | None = None) -> StoredAgreement:
    agreement = parse_agreement(text)
    return StoredAgreement(
        id=agreement.id,
        version=version,
        effective=effective or agreement.effective,
        agreement=agreement,
        yaml=text,
        title=agreement.title,
        author="lena@example.com",
        reason="test",
        created_at=0,
    )


def event_table(rows: list[tuple[int, str, int]]) -> EventTable:
    """Build a store-like table: integer item ids, every item a lead."""
    events = pl.DataFrame(
        rows, schema={"item": pl.Int64, "type": pl.String, "at": pl.Int64}, orient="row"
    )
    ids = sorted({row[0] for row in rows})
    items = pl.DataFrame(
        {"item": ids, "kind": ["lead"] * len(ids)}, schema={"item": pl.Int64, "kind": pl.String}
    )
    return EventTable(events.sort("item", "at"), items)


def row(frame: pl.DataFrame, objective: str, item: int) -> dict[str, object]:
    found = frame.filter(pl.col("objective") == objective, pl.col("item_id") == item)
    assert found.height == 1
    return found.row(0, named=True)


def engine_state(text: str, table: EventTable, objective: str, item: int, as_of: int) -> str:
    clocks = item_clocks(parse_agreement(text), table, objective, as_of=as_of)
    index = clocks.items.to_list().index(item)
    return ["met", "breached", "paused", "at_risk", "running"][int(clocks.clocks.state[index])]


def refresh(recomputer: Recomputer, as_of: int) -> ClockDiff:
    diffs: list[ClockDiff] = []
    recomputer.clock_listeners[:] = [lambda _connection, diff: diffs.append(diff)]
    assert recomputer.refresh(as_of=as_of, stale_after=0) == ["marketing-sales"]
    assert len(diffs) == 1
    return diffs[0]


def store(engine: Engine, *events: tuple[str, str, int]) -> None:
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                EventIn("default", item, kind, at, "lead", {"region": "north"})
                for item, kind, at in events
            ],
        )


def stored_rows(engine: Engine) -> pl.DataFrame:
    with read_transaction(engine) as connection:
        return stored_clock_frame(connection, "marketing-sales")


# Computing the rows --------------------------------------------------------------------------


def test_the_warning_point_is_when_the_engine_first_calls_a_clock_at_risk() -> None:
    text = template_text("marketing-sales")
    table = event_table(
        [
            (1, "handed_over", T0),
            (2, "handed_over", T0),
            (2, "on_hold", T0 + 10 * HOUR),
            (2, "off_hold", T0 + 20 * HOUR),
            (3, "handed_over", T0),
            (3, "on_hold", T0 + 40 * HOUR),
            (3, "off_hold", T0 + 41 * HOUR),
        ]
    )
    frame = item_clock_frame([stored(text)], table, as_of=T0 + 100 * HOUR)
    expected = {1: T0 + 36 * HOUR, 2: T0 + 46 * HOUR, 3: T0 + 36 * HOUR}
    for item, warn_at in expected.items():
        assert row(frame, "speed-to-lead", item)["warn_at"] == warn_at
        assert engine_state(text, table, "speed-to-lead", item, warn_at - 1) == "running"
        assert engine_state(text, table, "speed-to-lead", item, warn_at) == "at_risk"
    assert row(frame, "speed-to-lead", 3)["deadline"] == T0 + 49 * HOUR  # pushed by the pause


def test_the_warning_point_of_a_business_day_clock_lies_on_the_calendar() -> None:
    text = template_text("marketing-sales").replace(
        "    within: 3bd                    # 3 business days of calendar `office`\n",
        "    within: 3bd\n    warn: 50%\n",
    )
    friday = to_us(dt.datetime(2026, 3, 6, 10, tzinfo=dt.UTC))
    table = event_table([(1, "request_opened", friday)])
    frame = item_clock_frame([stored(text)], table, as_of=friday + 200 * HOUR)
    warn_at = row(frame, "request-resolution", 1)["warn_at"]
    assert isinstance(warn_at, int)
    assert engine_state(text, table, "request-resolution", 1, warn_at - 1) == "running"
    assert engine_state(text, table, "request-resolution", 1, warn_at) == "at_risk"


def test_since_is_when_each_state_began() -> None:
    text = template_text("marketing-sales")
    as_of = T0 + 60 * HOUR
    table = event_table(
        [
            (1, "handed_over", T0),  # met
            (1, "contacted", T0 + 5 * HOUR),
            (2, "handed_over", T0),  # breached: still running past the deadline
            (3, "handed_over", T0 + 20 * HOUR),  # at risk from 36 h on
            (4, "handed_over", T0 + 50 * HOUR),  # paused
            (4, "on_hold", T0 + 52 * HOUR),
            (5, "handed_over", T0 + 50 * HOUR),  # running again after a pause
            (5, "on_hold", T0 + 51 * HOUR),
            (5, "off_hold", T0 + 53 * HOUR),
            (6, "handed_over", T0 + 55 * HOUR),  # running
        ]
    )
    frame = item_clock_frame([stored(text)], table, as_of=as_of)
    expected = {
        1: ("met", T0 + 5 * HOUR),
        2: ("breached", T0 + 48 * HOUR),
        3: ("at_risk", T0 + 56 * HOUR),
        4: ("paused", T0 + 52 * HOUR),
        5: ("running", T0 + 53 * HOUR),
        6: ("running", T0 + 55 * HOUR),
    }
    for item, (state, since) in expected.items():
        clock = row(frame, "speed-to-lead", item)
        assert (clock["state"], clock["since"]) == (state, since), item
    assert row(frame, "speed-to-lead", 4)["deadline"] is None  # suspended by the open pause
    assert row(frame, "speed-to-lead", 6)["stopped_at"] is None
    assert frame.schema == pl.Schema(CLOCK_SCHEMA)


def test_each_clock_is_measured_with_the_version_in_force_for_its_period() -> None:
    first = template_text("marketing-sales")
    second = first.replace("within: 48h", "within: 24h")
    february = to_us(dt.datetime(2026, 2, 10, 10, tzinfo=dt.UTC))
    table = event_table([(1, "handed_over", february), (2, "handed_over", T0)])
    versions = [stored(first), stored(second, 2, dt.date(2026, 3, 1))]
    frame = item_clock_frame(versions, table, as_of=T0 + 100 * HOUR)
    assert row(frame, "speed-to-lead", 1)["deadline"] == february + 48 * HOUR
    assert row(frame, "speed-to-lead", 1)["period"] == "2026-02"
    assert row(frame, "speed-to-lead", 2)["deadline"] == T0 + 24 * HOUR
    assert row(frame, "speed-to-lead", 2)["period"] == "2026-03"


def test_clocks_started_before_the_agreement_took_effect_have_no_row() -> None:
    text = template_text("marketing-sales")
    before = to_us(dt.datetime(2025, 12, 30, 10, tzinfo=dt.UTC))
    table = event_table([(1, "handed_over", before), (2, "handed_over", T0)])
    frame = item_clock_frame([stored(text)], table, as_of=T0 + HOUR)
    assert frame.get_column("item_id").to_list() == [2]


# Keeping them current in the store -----------------------------------------------------------


def test_stored_clocks_are_exactly_the_engines_item_clocks(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    recomputer = Recomputer(engine, "test", EventCache())
    diff = refresh(recomputer, AS_OF)
    rows = stored_rows(engine)
    assert diff.inserted == rows.height > 500
    assert diff.updated == diff.deleted == 0
    with read_transaction(engine) as connection:
        table = load_event_table(connection).table
        agreement = all_versions(connection, "marketing-sales")[0].agreement
    for objective in CLOCKS:
        periods = Evaluator(agreement, table, as_of=AS_OF).periods(
            agreement.objectives[objective], None
        )
        expected = item_clocks(agreement, table, objective, as_of=AS_OF)
        index = assign(expected.start, periods)
        clocks = expected.clocks
        states = np.array(["met", "breached", "paused", "at_risk", "running"])[clocks.state]
        labels = np.array([period.label for period in periods])
        want = pl.DataFrame(
            {
                "item_id": expected.items.cast(pl.Int64),
                "period": labels[index],
                "started_at": expected.start,
                "stopped_at": expected.stop,
                "deadline": clocks.deadline,
                "elapsed_us": clocks.elapsed,
                "paused_us": clocks.paused,
                "state": states,
            }
        ).filter(pl.Series(index >= 0))
        got = (
            rows.filter(pl.col("objective") == objective)
            .select(want.columns)
            .with_columns(pl.col("stopped_at", "deadline").fill_null(NO_INSTANT))
        )
        assert got.sort("item_id").equals(want.sort("item_id")), objective


def test_new_events_rewrite_only_the_clocks_they_touch(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    recomputer = Recomputer(engine, "test", EventCache())
    refresh(recomputer, AS_OF)
    before = stored_rows(engine)
    open_lead = before.filter(
        pl.col("objective") == "speed-to-lead", pl.col("state") == "paused"
    ).row(0, named=True)
    with read_transaction(engine) as connection:
        page, _total = clock_page(
            connection,
            "marketing-sales",
            "speed-to-lead",
            period=None,
            states=["paused"],
            attributes=None,
            limit=100,
            offset=0,
        )
    external = next(r.external_id for r in page if r.item_id == open_lead["item_id"])
    store(engine, (external, "contacted", AS_OF - HOUR), ("L-NEW", "handed_over", AS_OF - HOUR))
    diff = refresh(recomputer, AS_OF)
    assert (diff.inserted, diff.updated, diff.deleted) == (1, 1, 0)
    changes = {(t.item_id, t.old, t.new) for t in diff}
    assert (open_lead["item_id"], "paused", "met") in changes
    assert len(changes) == 2
    after = stored_rows(engine)
    assert after.height == before.height + 1


def test_a_running_clock_turns_at_risk_then_breached_as_time_passes(engine: Engine) -> None:
    save_template(engine)
    store(engine, ("L-1", "handed_over", T0))
    recomputer = Recomputer(engine, "test", EventCache())
    assert refresh(recomputer, T0 + HOUR).inserted == 1
    first = stored_rows(engine).row(0, named=True)
    assert (first["state"], first["since"], first["elapsed_us"]) == ("running", T0, HOUR)
    assert refresh(recomputer, T0 + 2 * HOUR).written == 0  # elapsed grew: no change
    assert stored_rows(engine).row(0, named=True)["elapsed_us"] == HOUR
    diff = refresh(recomputer, T0 + 37 * HOUR)
    assert [(t.old, t.new, t.since) for t in diff] == [("running", "at_risk", T0 + 36 * HOUR)]
    diff = refresh(recomputer, T0 + 49 * HOUR)
    assert [(t.old, t.new, t.since) for t in diff] == [("at_risk", "breached", T0 + 48 * HOUR)]
    assert refresh(recomputer, T0 + 60 * HOUR).written == 0


def test_a_new_version_rederives_the_stored_clocks(engine: Engine) -> None:
    save_template(engine)
    store(engine, ("L-1", "handed_over", T0), ("L-2", "request_opened", T0))
    recomputer = Recomputer(engine, "test", EventCache())
    refresh(recomputer, T0 + 30 * HOUR)
    save_template(
        engine,
        replace=("within: 48h", "within: 24h"),
        effective=dt.date(2026, 1, 1),
        retroactive=True,
        reason="a correction",
    )
    diff = refresh(recomputer, T0 + 30 * HOUR)
    assert (diff.inserted, diff.updated, diff.deleted) == (0, 1, 0)
    assert [(t.old, t.new, t.since) for t in diff] == [("running", "breached", T0 + 24 * HOUR)]
    rows = stored_rows(engine)
    lead = rows.filter(pl.col("objective") == "speed-to-lead").row(0, named=True)
    assert lead["deadline"] == T0 + 24 * HOUR
    renamed = template_text("marketing-sales").replace("speed-to-lead", "first-contact")
    with transaction(engine) as connection:
        save_version(
            connection,
            renamed,
            author="lena@example.com",
            reason="renamed",
            effective=dt.date(2026, 1, 1),
            retroactive=True,
        )
    diff = refresh(recomputer, T0 + 30 * HOUR)
    assert (diff.inserted, diff.updated, diff.deleted) == (1, 0, 1)
    assert sorted((t.objective, t.old, t.new) for t in diff) == [
        ("first-contact", None, "running"),
        ("speed-to-lead", "breached", None),
    ]
    assert set(stored_rows(engine)["objective"]) == {
        "first-contact",
        "request-response",
        "request-resolution",
    }


def test_a_restarted_process_writes_no_spurious_changes(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    refresh(Recomputer(engine, "first", EventCache()), AS_OF)
    before = stored_rows(engine)
    assert refresh(Recomputer(engine, "second", EventCache()), AS_OF).written == 0
    assert (
        stored_rows(engine).sort("objective", "item_id").equals(before.sort("objective", "item_id"))
    )


def test_a_replica_that_missed_another_ones_write_diffs_against_the_stored_rows(
    engine: Engine,
) -> None:
    save_template(engine)
    store(engine, ("L-1", "handed_over", T0), ("L-2", "handed_over", T0))
    one = Recomputer(engine, "one", EventCache())
    other = Recomputer(engine, "other", EventCache())
    refresh(one, T0 + HOUR)
    store(engine, ("L-1", "contacted", T0 + 2 * HOUR))
    assert refresh(other, T0 + 3 * HOUR).updated == 1
    store(engine, ("L-3", "handed_over", T0 + 3 * HOUR))
    diff = refresh(one, T0 + 4 * HOUR)  # its kept frame still has L-1 running
    assert (diff.inserted, diff.updated, diff.deleted) == (1, 0, 0)
    assert sorted(stored_rows(engine)["state"]) == ["met", "running", "running"]
