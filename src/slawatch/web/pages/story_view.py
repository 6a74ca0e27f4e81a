"""An item's story as the page, its PDF and its API answer show it: rows with zoned instants.

The entries come from `evaluation.story_sources.item_story`; this module reads the item and
its clocks once, asks for the story, and writes each entry's instant in the reader's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from slawatch.engine.instants import from_us
from slawatch.evaluation.item_clock import ItemClock, measure_item
from slawatch.evaluation.item_story import StoryEntry, StoryInput, StoryPage
from slawatch.evaluation.story_sources import item_story
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, versions_by_agreement
from slawatch.store.corrections import approved_for_item
from slawatch.store.incidents import windows_by_agreement
from slawatch.store.items import ItemDetail, item_detail
from slawatch.web.pages.zones import zoned_text


@dataclass(frozen=True)
class ItemStory:
    """An item, its clocks as measured now, the zone to read it in, and its whole story."""

    detail: ItemDetail
    versions: dict[str, list[StoredAgreement]]
    clocks: list[ItemClock]
    zone: str
    entries: list[StoryEntry]


def story_zone(
    detail: ItemDetail, versions: dict[str, list[StoredAgreement]], clocks: list[ItemClock]
) -> str:
    """Return the zone to tell the item in: the first clock's agreement, else the source's."""
    if clocks:
        return clocks[0].zone
    same = versions.get(detail.source)
    return same[-1].agreement.timezone if same else "UTC"


def find_item(connection: Connection, source: str, external_id: str) -> ItemDetail | None:
    # PostgreSQL refuses NUL in text; no stored id can contain one.
    if "\x00" in source or "\x00" in external_id:
        return None
    return item_detail(connection, source, external_id)


def read_story(
    connection: Connection, source: str, external_id: str, t: Translator, as_of: int
) -> ItemStory | None:
    """Read the item, measure its clocks once and tell its story; None if there is no item."""
    detail = find_item(connection, source, external_id)
    if detail is None:
        return None
    versions = versions_by_agreement(connection)
    # Approved corrections and declared incidents apply to the item's clocks as the
    # background evaluator applies them.
    clocks = measure_item(
        detail,
        versions,
        as_of,
        corrections=approved_for_item(connection, detail.id),
        incidents=windows_by_agreement(connection),
    )
    entries = item_story(StoryInput(connection, detail, clocks, t, as_of))
    return ItemStory(detail, versions, clocks, story_zone(detail, versions, clocks), entries)


def story_rows(page: StoryPage, zone: str, t: Translator) -> list[dict[str, Any]]:
    """Return the page's entries as table rows, each instant written in `zone` with the zone."""
    return [
        {
            "at": zoned_text(entry.at, zone, t),
            "iso": from_us(entry.at).isoformat(),
            "kind": entry.kind,
            "title": entry.title,
            "detail": entry.detail_text,
            "actor": entry.actor or "",
            "reason": entry.reason or "",
            "link": entry.link or "",
        }
        for entry in page.entries
    ]
