"""A person's clocks: the items they own as of an instant, open ones late first; both backends."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select

from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.owner_clocks import (
    OpenCounts,
    finished_clocks,
    finished_counts,
    open_clocks,
    open_counts,
)
from slawatch.store.schema import item_clocks, items

HOUR = 3_600_000_000
NOW = 100 * HOUR


def owned(item: str, owner: str, at: int) -> EventIn:
    return EventIn("crm", item, "handed_over", at, "lead", {"owner": owner})


def clock(item_id: int, *, state: str, deadline: int | None, stopped_at: int | None = None) -> dict:
    return {
        "agreement_id": "marketing-sales",
        "objective": "speed-to-lead",
        "item_id": item_id,
        "period": "1970-01",
        "started_at": 0,
        "stopped_at": stopped_at,
        "deadline": deadline,
        "warn_at": None,
        "elapsed_us": 0,
        "paused_us": 0,
        "state": state,
        "since": 0,
        "as_of": NOW,
    }


def setup(engine: Engine) -> dict[str, int]:
    """Tom owns L-1..L-4; L-5 was his until it went to Anna; L-6 is Anna's from the start."""
    events = [owned(f"L-{n}", "tom", HOUR) for n in range(1, 6)]
    events += [
        EventIn("crm", "L-5", "reassigned", 2 * HOUR, "lead", {"owner": "anna"}),
        owned("L-6", "anna", HOUR),
        EventIn("crm", "L-4", "later", NOW + HOUR, "lead", {"owner": "anna"}),  # after now
    ]
    with transaction(engine) as connection:
        store_events(connection, events)
        ids = {row.external_id: row.id for row in connection.execute(select(items))}
        connection.execute(
            insert(item_clocks),
            [
                clock(ids["L-1"], state="running", deadline=NOW + 5 * HOUR),
                clock(ids["L-2"], state="breached", deadline=NOW - 3 * HOUR),
                clock(ids["L-3"], state="met", deadline=NOW, stopped_at=NOW - HOUR),
                clock(ids["L-4"], state="paused", deadline=None),
                clock(ids["L-5"], state="running", deadline=NOW - HOUR),
                clock(ids["L-6"], state="breached", deadline=NOW - HOUR, stopped_at=NOW - 2 * HOUR),
            ],
        )
    return ids


def test_open_clocks_are_the_owners_now_late_first_then_by_deadline(engine: Engine) -> None:
    setup(engine)
    with read_transaction(engine) as connection:
        found = open_clocks(connection, "tom", now=NOW, limit=10)
        counts = open_counts(connection, "tom", now=NOW)
        annas = open_clocks(connection, "anna", now=NOW, limit=10)
    assert [row.external_id for row in found] == ["L-2", "L-1", "L-4"]
    assert counts == OpenCounts(open=3, late=1)
    assert [row.external_id for row in annas] == ["L-5"]  # L-5 was given to her; L-4 not yet


def test_an_earlier_instant_sees_the_earlier_owner(engine: Engine) -> None:
    setup(engine)
    with read_transaction(engine) as connection:
        found = open_clocks(connection, "tom", now=HOUR, limit=10)
    assert "L-5" in [row.external_id for row in found]


def test_finished_clocks_are_the_latest_stops_of_the_owners_items(engine: Engine) -> None:
    setup(engine)
    with read_transaction(engine) as connection:
        toms = finished_clocks(connection, "tom", since=0, now=NOW, limit=10)
        annas = finished_clocks(connection, "anna", since=0, now=NOW, limit=10)
        recent = finished_clocks(connection, "anna", since=NOW - HOUR, now=NOW, limit=10)
    assert [row.external_id for row in toms] == ["L-3"]
    assert [row.external_id for row in annas] == ["L-6"]
    assert recent == []


def test_a_weeks_outcomes_are_counted_by_state(engine: Engine) -> None:
    setup(engine)
    with read_transaction(engine) as connection:
        assert finished_counts(connection, "tom", start=0, end=NOW) == {"met": 1, "breached": 0}
        assert finished_counts(connection, "anna", start=0, end=NOW) == {"met": 0, "breached": 1}
        assert finished_counts(connection, "anna", start=0, end=NOW - 2 * HOUR) == {
            "met": 0,
            "breached": 0,
        }
