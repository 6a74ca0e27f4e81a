"""The story's order and its pages, on plain entries."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.evaluation.item_story import (
    KIND_ORDER,
    StoryEntry,
    StoryInput,
    collect,
    kind_rank,
    ordered,
    page_of,
)

KINDS = st.sampled_from([*KIND_ORDER, "something-new"])
ENTRIES = st.lists(
    st.builds(StoryEntry, at=st.integers(0, 20), kind=KINDS, title=st.text(max_size=3)),
    max_size=60,
)


def entry(at: int, kind: str, title: str = "") -> StoryEntry:
    return StoryEntry(at=at, kind=kind, title=title)


def test_entries_of_one_instant_read_event_then_clock_then_escalation() -> None:
    told = ordered(
        [entry(5, "escalation"), entry(5, "clock"), entry(5, "event"), entry(1, "audit")]
    )
    assert [(e.at, e.kind) for e in told] == [
        (1, "audit"),
        (5, "event"),
        (5, "clock"),
        (5, "escalation"),
    ]


def test_a_kind_nobody_listed_comes_after_the_listed_ones() -> None:
    assert kind_rank("something-new") > kind_rank("audit")
    assert [e.kind for e in ordered([entry(1, "something-new"), entry(1, "audit")])] == [
        "audit",
        "something-new",
    ]


def test_entries_equal_in_instant_and_kind_keep_their_sources_order() -> None:
    first, second = entry(3, "event", "a"), entry(3, "event", "b")
    assert ordered([first, second]) == [first, second]
    assert ordered([second, first]) == [second, first]


def test_collect_asks_every_source_and_orders_their_entries() -> None:
    story = StoryInput(connection=None, item=None, clocks=(), t=None, as_of=0)  # type: ignore[arg-type]
    found = collect(story, [lambda _: [entry(2, "event")], lambda _: (entry(1, "clock"),)])
    assert [e.at for e in found] == [1, 2]


@given(ENTRIES)
def test_the_order_is_the_slow_obvious_one(entries: list[StoryEntry]) -> None:
    reference = []
    for at in sorted({e.at for e in entries}):
        for kind in [*KIND_ORDER, "something-new"]:
            reference += [e for e in entries if e.at == at and e.kind == kind]
    assert ordered(entries) == reference


@given(ENTRIES, st.integers(1, 25))
def test_the_pages_from_the_latest_back_cover_the_story_once(
    entries: list[StoryEntry], size: int
) -> None:
    story = ordered(entries)
    pages = [page_of(story, size=size)]
    while pages[-1].older is not None:
        pages.append(page_of(story, skip=pages[-1].older, size=size))
    assert [e for page in reversed(pages) for e in page.entries] == story
    assert all(len(page.entries) <= size for page in pages)
    assert pages[0].newer is None
    for newer, older in itertools.pairwise(pages):
        assert older.newer == newer.skip


def test_the_first_page_holds_the_latest_entries_in_time_order() -> None:
    story = [entry(at, "event") for at in range(500)]
    page = page_of(story)
    assert (page.total, len(page.entries), page.entries[0].at, page.entries[-1].at) == (
        500,
        200,
        300,
        499,
    )
    assert page.older == 200
    assert page_of(story, skip=400).entries[0].at == 0
    assert page_of(story, skip=400).older is None
    assert page_of(story, skip=10_000).entries == []


def test_a_page_refuses_a_size_below_one() -> None:
    with pytest.raises(ValueError, match="size ≥ 1"):
        page_of([], size=0)
