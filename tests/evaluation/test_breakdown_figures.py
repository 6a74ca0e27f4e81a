"""Breakdown figures stored by the evaluator equal the ones read from the stored clocks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, delete, text

from slawatch.engine.instants import to_us
from slawatch.evaluation import breakdown_figures
from slawatch.evaluation.breakdowns import Breakdown, Breakdowns
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.service import Recomputer, refresh_all
from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import Person, put_people
from slawatch.store.events import EventIn, store_events
from slawatch.store.period_breakdowns import stored_groupings
from slawatch.store.results import stored_periods
from slawatch.store.schema import period_breakdowns
from tests.evaluation.support import AS_OF, save_template
from tests.web.test_breakdowns import evaluated_with_owners

AGREEMENT = "marketing-sales"
CLOCKS = ("speed-to-lead", "request-response", "request-resolution")
RATIOS = ("lead-acceptance", "rejection-rate", "conversion")


def make(engine: Engine, objective: str, period: str, by: str) -> Breakdown:
    """Return a breakdown as a page asks for it, with nothing kept from an earlier request."""
    with read_transaction(engine) as connection:
        stored = get_version(connection, AGREEMENT)
        assert stored is not None
        return Breakdowns().make(connection, stored, objective, by=by, period=period)


def forget_stored(engine: Engine) -> None:
    with transaction(engine) as connection:
        connection.execute(delete(period_breakdowns))


def periods(engine: Engine) -> list[str]:
    with read_transaction(engine) as connection:
        return [p for p in stored_periods(connection, AGREEMENT) if len(p) == 7]


GROUPINGS = ("owner", "team", "region", "source", "kind")


def test_stored_figures_equal_the_figures_read_from_the_clocks(engine: Engine) -> None:
    evaluated_with_owners(engine)
    labels = periods(engine)
    asked = [(o, p, by) for o in CLOCKS + RATIOS for p in labels for by in GROUPINGS]
    from_store = {key: make(engine, *key) for key in asked}
    with read_transaction(engine) as connection:
        kept = stored_groupings(connection, AGREEMENT, "speed-to-lead", labels)
    assert {(labels[0], by) for by in ("", *GROUPINGS)} <= kept
    with read_transaction(engine) as connection:
        kept = stored_groupings(connection, AGREEMENT, "conversion", labels)
    assert {(labels[-2], by) for by in ("", *GROUPINGS)} <= kept
    forget_stored(engine)
    from_clocks = {key: make(engine, *key) for key in asked}
    assert from_store == from_clocks
    owners = from_store[("speed-to-lead", "2026-05", "owner")]
    assert {g.key for g in owners.groups} >= {"u-anna", "u-ben", "u-cleo"}


def test_a_team_grouping_follows_a_directory_change_at_once(engine: Engine) -> None:
    evaluated_with_owners(engine)
    before = make(engine, "speed-to-lead", "2026-05", "team")
    with transaction(engine) as connection:
        put_people(connection, [Person("u-cleo", "Cleo Lang", team="Inside sales")], author="t")
    after = make(engine, "speed-to-lead", "2026-05", "team")  # read from the clocks
    assert after != before
    inside = next(g for g in after.groups if g.key == "Inside sales")
    assert inside.items > next(g for g in before.groups if g.key == "Inside sales").items
    # the evaluator's next round (here: a stale one) groups again with the new directory
    assert refresh_all(engine, as_of=AS_OF, stale_after=0) == [AGREEMENT]
    with read_transaction(engine) as connection:
        assert ("2026-05", "team") in stored_groupings(
            connection, AGREEMENT, "speed-to-lead", ["2026-05"]
        )
    assert make(engine, "speed-to-lead", "2026-05", "team") == after


def test_a_late_event_regroups_its_period_and_only_what_changed(engine: Engine) -> None:
    evaluated_with_owners(engine)
    before = make(engine, "speed-to-lead", "2026-06", "owner")
    at = to_us(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC))
    new = EventIn("default", "L-NEW", "handed_over", at, "lead", {"owner": "u-new"})
    with transaction(engine) as connection:
        store_events(connection, [new])
    assert refresh_all(engine, as_of=AS_OF) == [AGREEMENT]
    after = make(engine, "speed-to-lead", "2026-06", "owner")
    assert {g.key for g in after.groups} == {g.key for g in before.groups} | {"u-new"}
    forget_stored(engine)
    assert make(engine, "speed-to-lead", "2026-06", "owner") == after


def test_an_attribute_with_too_many_values_is_grouped_on_request(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(breakdown_figures, "MAX_GROUPS", 2)  # more regions than that
    evaluated_with_owners(engine)
    with read_transaction(engine) as connection:
        kept = stored_groupings(connection, AGREEMENT, "speed-to-lead", ["2026-05"])
    assert ("2026-05", "owner") in kept and ("2026-05", "region") not in kept
    by_region = make(engine, "speed-to-lead", "2026-05", "region")
    assert len(by_region.groups) > 2
    forget_stored(engine)
    assert make(engine, "speed-to-lead", "2026-05", "region") == by_region


def test_an_objective_that_loses_its_clocks_loses_its_stored_figures(engine: Engine) -> None:
    evaluated_with_owners(engine)
    stop = "clock: {start: handed_over, stop: contacted"
    save_template(
        engine,
        replace=(stop, stop.replace("handed_over", "never_sent")),
        effective=dt.date(2026, 1, 1),
        reason="start later",
        retroactive=True,
    )
    assert refresh_all(engine, as_of=AS_OF + 1) == [AGREEMENT]
    found = make(engine, "speed-to-lead", "2026-05", "owner")
    assert found.groups == () and found.total is None
    forget_stored(engine)
    assert make(engine, "speed-to-lead", "2026-05", "owner") == found


def test_an_owner_changed_by_a_later_event_moves_its_items_group(engine: Engine) -> None:
    evaluated_with_owners(engine)
    recomputer = Recomputer(engine, "test", EventCache())
    recomputer.refresh(as_of=AS_OF, stale_after=0)  # this process's own round
    before = {
        objective: make(engine, objective, "2026-05", "owner") for objective in CLOCKS + RATIOS
    }
    with read_transaction(engine) as connection:
        item = connection.execute(
            text(
                "SELECT i.external_id FROM item_clocks c JOIN items i "
                "ON i.id = c.item_id WHERE c.objective = 'speed-to-lead' AND c.period = "
                "'2026-05' AND c.state = 'met' ORDER BY i.external_id LIMIT 1"
            )
        ).scalar_one()
    # a note on the lead, later than any of its events: only the owner changes
    at = to_us(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    moved = EventIn("default", item, "note", at, "lead", {"owner": "u-dora"})
    with transaction(engine) as connection:
        store_events(connection, [moved])
    assert recomputer.refresh(as_of=AS_OF) == [AGREEMENT]
    after = make(engine, "speed-to-lead", "2026-05", "owner")
    dora = next(g for g in after.groups if g.key == "u-dora")
    assert (dora.items, dora.met) == (1, 1)
    assert after != before["speed-to-lead"]
    forget_stored(engine)
    for objective in CLOCKS + RATIOS:
        assert make(engine, objective, "2026-05", "owner") == make_stored_again(
            engine, recomputer, objective
        )


def make_stored_again(engine: Engine, recomputer: Recomputer, objective: str) -> Breakdown:
    """Return the breakdown from the figures a new process stores (it groups every period)."""
    assert refresh_all(engine, as_of=AS_OF, stale_after=0) == [AGREEMENT]
    return make(engine, objective, "2026-05", "owner")


def test_an_attribute_named_like_a_clock_column_is_grouped_by_its_own_values() -> None:
    clocks = pl.DataFrame(
        {
            "objective": ["speed-to-lead"] * 3,
            "item_id": [1, 2, 3],
            "period": ["2026-05"] * 3,
            "state": ["met", "breached", "met"],
            "elapsed_us": [10, 20, 30],
            "stopped_at": [1, 2, 3],
        }
    )
    items = pl.DataFrame(
        {"item": [1, 2, 3], "kind": ["lead"] * 3, "state": ["open", "open", "won"]}
    )
    ratios = pl.DataFrame(
        schema={"objective": pl.String, "period": pl.String, "item": pl.Int64, "hit": pl.Boolean}
    )
    grouped = breakdown_figures.group_periods(
        clocks, ratios, items, {("speed-to-lead", "2026-05")}, {}, {}
    )
    (total,) = grouped.totals
    assert total.seen == {"kind", "state"} and total.total is not None
    assert (total.total.met, total.total.breached) == (2, 1)
    by_state = next(g for g in grouped.groupings if g.grouping == "state")
    assert {key: (f.met, f.breached) for key, f in by_state.groups.items()} == {
        "open": (1, 1),
        "won": (1, 0),
    }
