"""An item's story: everything that happened to it, in one time-ordered list with who and why.

The item page, its PDF and `GET /api/v1/items/{source}/{id}/story` show the same list, so both
parties of an argument look at one account. The list is built from *sources*: plain functions
that each read one kind of record and return `StoryEntry`s (`story_sources.py` holds them and
their tuple `SOURCES`). This module knows nothing of where entries come from; it only defines
an entry, puts entries in order and cuts a page of them.

Order: by instant, then by `KIND_ORDER` (an event comes before the clock milestone it causes,
a milestone before the escalation it triggers), then in the order the sources gave them — the
sort is stable, so a source that returns its entries in order keeps them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from slawatch.evaluation.item_clock import ItemClock
from slawatch.i18n import Translator
from slawatch.store.items import ItemDetail

# The kinds of entry, in the order entries of one instant are told. A kind not listed here
# (a new source's) comes after all of them.
KIND_ORDER = (
    "event",
    "attribute",
    "correction",
    "exclusion",
    "clock",
    "incident",
    "dispute",
    "escalation",
    "audit",
)
PAGE_SIZE = 200  # entries on one page of the story: the latest first page, older on request
MAX_PAGE_SIZE = 1000


Text = str | Callable[[], str]


@dataclass(frozen=True)
class StoryEntry:
    """One thing that happened to an item: when (µs), what, who did it and why, where to look.

    `title` and `detail` are in the reader's language; `actor` is a person or system as
    stored (an email, "slawatch"), `reason` their words; `link` a path on this site. A detail
    that is costly to write (a formatted duration per event) may be given as a function that
    writes it: only the entries a page shows are written (`detail_text`).
    """

    at: int
    kind: str
    title: str
    detail: Text = ""
    actor: str | None = None
    reason: str | None = None
    link: str | None = None

    @property
    def detail_text(self) -> str:
        return self.detail if isinstance(self.detail, str) else self.detail()


@dataclass(frozen=True)
class StoryInput:
    """What every source may read: the item, its clocks (computed once), the reader's language."""

    connection: Connection
    item: ItemDetail
    clocks: Sequence[ItemClock]
    t: Translator
    as_of: int

    def agreement_spans(self) -> dict[str, tuple[int, int]]:
        """Return, per agreement with a clock on the item, the span [start, end) of its clocks.

        What a source of agreement-wide records (incidents) asks for: those that touched the
        item's clocks. A running clock's span ends at `as_of`.
        """
        spans: dict[str, tuple[int, int]] = {}
        for clock in self.clocks:
            start, end = spans.get(clock.stored.id, (clock.start, clock.end))
            spans[clock.stored.id] = (min(start, clock.start), max(end, clock.end, clock.start + 1))
        return spans


# A source: read one kind of record about the item and tell it as entries (any order).
Source = Callable[[StoryInput], Iterable[StoryEntry]]

_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}


def kind_rank(kind: str) -> int:
    return _RANK.get(kind, len(KIND_ORDER))


def ordered(entries: Iterable[StoryEntry]) -> list[StoryEntry]:
    """Return the entries by instant, then kind; entries equal in both keep their order."""
    return sorted(entries, key=lambda entry: (entry.at, kind_rank(entry.kind)))


def collect(story: StoryInput, sources: Iterable[Source]) -> list[StoryEntry]:
    """Return every source's entries about the item, in story order."""
    entries: list[StoryEntry] = []
    for source in sources:
        entries.extend(source(story))
    return ordered(entries)


@dataclass(frozen=True)
class StoryPage:
    """A window of the story in time order: `skip` latest entries left out after it.

    The first page (skip 0) holds the latest `size` entries; the next older page skips them.
    """

    entries: list[StoryEntry]
    total: int
    skip: int
    size: int

    @property
    def older(self) -> int | None:
        """Return the `skip` of the page before this one, or None at the story's beginning."""
        shown = self.skip + len(self.entries)
        return shown if shown < self.total else None

    @property
    def newer(self) -> int | None:
        """Return the `skip` of the page after this one, or None on the latest page."""
        return max(0, self.skip - self.size) if self.skip > 0 else None


def page_of(entries: Sequence[StoryEntry], *, skip: int = 0, size: int = PAGE_SIZE) -> StoryPage:
    """Return the page that leaves out the `skip` latest entries and shows `size` before them."""
    if size < 1 or skip < 0:
        raise ValueError(f"a story page needs size ≥ 1 and skip ≥ 0, not {size} and {skip}")
    total = len(entries)
    end = max(0, total - skip)
    start = max(0, end - size)
    return StoryPage(entries=list(entries[start:end]), total=total, skip=skip, size=size)
