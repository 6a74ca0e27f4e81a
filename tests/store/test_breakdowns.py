"""The breakdown's reads: a ratio's period items from the events, the open clocks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from slawatch.engine.instants import to_us
from slawatch.store.breakdowns import RatioWindow, ratio_rows
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events

HOUR = 3_600_000_000
START = to_us(dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
END = to_us(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))


def event(item: str, kind: str, at: int, **attributes: str) -> EventIn:
    return EventIn("default", item, kind, at, "lead", attributes)


def test_a_ratios_items_are_those_whose_first_of_event_is_in_the_window(engine: Engine) -> None:
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                event("in", "handed_over", START, region="north"),
                event("in", "accepted", START + HOUR),
                event("late-hit", "handed_over", START + HOUR, region="south"),
                event("late-hit", "accepted", END + HOUR),  # after as_of: not yet counted
                event("earlier", "handed_over", START - HOUR),  # its first is before the window
                event("earlier", "handed_over", START + 2 * HOUR),
                event("after", "handed_over", END),  # the window is half-open
                event("no-region", "handed_over", END - 1),
            ],
        )
    window = RatioWindow(of="handed_over", count="accepted", start=START, end=END, as_of=END)
    with read_transaction(engine) as connection:
        (rows,) = ratio_rows(connection, [(window, ["kind"])], "region")
    found = set(rows.select("key", "hit", "where:kind").iter_rows())
    assert found == {("north", True, "lead"), ("south", False, "lead"), (None, False, "lead")}


def test_a_ratio_counts_only_up_to_its_as_of_instant(engine: Engine) -> None:
    with transaction(engine) as connection:
        store_events(
            connection,
            [event("a", "handed_over", START), event("a", "accepted", START + HOUR)],
        )
    window = RatioWindow(
        of="handed_over", count="accepted", start=START, end=END, as_of=START + HOUR - 1
    )
    with read_transaction(engine) as connection:
        (rows,) = ratio_rows(connection, [(window, [])], "owner")
    assert rows.get_column("hit").to_list() == [False]
    assert rows.get_column("key").to_list() == [None]


def test_several_windows_are_read_side_by_side_each_with_its_own_items(engine: Engine) -> None:
    with transaction(engine) as connection:
        store_events(
            connection,
            [event("may", "handed_over", START), event("june", "handed_over", END + HOUR)],
        )
    may = RatioWindow(of="handed_over", count="accepted", start=START, end=END, as_of=END)
    june = RatioWindow(
        of="handed_over", count="accepted", start=END, end=END + 30 * 24 * HOUR, as_of=END * 2
    )
    with read_transaction(engine) as connection:
        frames = ratio_rows(connection, [(may, []), (june, ["kind"])], "owner")
    assert [frame.height for frame in frames] == [1, 1]
    assert frames[1].columns == ["item", "key", "hit", "where:kind"]
