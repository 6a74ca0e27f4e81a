"""The item page: attributes, every clock as a bar that explains itself, and the item's story.

The clocks come from `evaluation.item_clock`, their facts from `clock_texts` and their bars
from `clock_bars`; the story from `story_view` (`evaluation.story_sources`), on the page and
as a PDF (`reports.story`); this module holds the routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from slawatch.engine.instants import from_us
from slawatch.evaluation.item_clock import ItemClock
from slawatch.evaluation.item_story import PAGE_SIZE, page_of
from slawatch.formatting import clock_state_text
from slawatch.i18n import Translator
from slawatch.reports.story import PDF_ENTRIES, StoryDocument, story_pdf
from slawatch.store.db import read_transaction
from slawatch.store.directory import person
from slawatch.store.items import ItemDetail
from slawatch.store.owner_clocks import OWNER
from slawatch.web.deps import (
    ITEM_PATH,
    Now,
    Reader,
    engine_of,
    item_address,
    suffixed_item_address,
)
from slawatch.web.errors import NotFoundError
from slawatch.web.pages.clock_bars import clock_bar
from slawatch.web.pages.clock_texts import clock_facts, instant_text
from slawatch.web.pages.corrections import item_targets
from slawatch.web.pages.home import item_url
from slawatch.web.pages.people import person_url
from slawatch.web.pages.reports import Language, download, reader_translator
from slawatch.web.pages.story_view import ItemStory, read_story, story_rows
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.pages.zones import zoned_text

router = APIRouter(tags=["pages"], include_in_schema=False)
STORY_PDF = "/story.pdf"
MAX_SKIP = 10_000_000


def clock_view(clock: ItemClock, t: Translator, key: str) -> dict[str, Any]:
    return {
        "agreement": clock.stored.id,
        "agreement_title": clock.stored.agreement.title,
        "version": clock.stored.version,
        "objective": clock.objective.id,
        "title": clock.objective.title,
        "state": clock.state,
        "verdict": clock_state_text(clock.state, t),
        "facts": clock_facts(clock, t),
        "bar": clock_bar(clock, t, key),
    }


def owner_view(connection: Connection, detail: ItemDetail | None) -> dict[str, str] | None:
    """Return the item's owner: the name from the directory (else the id) and their page."""
    key = detail.attributes.get(OWNER) if detail is not None else None
    if not key:
        return None
    found = person(connection, key)
    return {"key": key, "name": found.name if found else key, "url": person_url(key)}


# -- the routes ------------------------------------------------------------------------------

StorySkip = Annotated[
    int, Query(ge=0, le=MAX_SKIP, description="leave out this many of the latest story entries")
]


def _story_context(story: ItemStory, skip: int, t: Translator) -> dict[str, Any]:
    page = page_of(story.entries, skip=skip, size=PAGE_SIZE)
    return {
        "rows": story_rows(page, story.zone, t),
        "total": page.total,
        "shown": len(page.entries),
        "older": page.older,
        "newer": page.newer,
        "size": PAGE_SIZE,
    }


@router.get(ITEM_PATH + STORY_PDF, response_class=Response)
def item_story_pdf(
    source: str,
    external_id: str,
    request: Request,
    principal: Reader,
    now: Now,
    lang: Language = None,
) -> Response:
    """Download the item's story as a PDF: the same entries as its page, up to the latest 1,000."""
    address = suffixed_item_address(request, source, external_id, STORY_PDF)
    if address is None:  # the id ends in "/story.pdf": its page was meant
        return item_page(source, external_id, request, principal, now, 0)
    t = reader_translator(request, principal, lang)
    with read_transaction(engine_of(request)) as connection:
        story = read_story(connection, *address, t, now)
    if story is None:
        raise NotFoundError(f"there is no item {address[1]!r} in source {address[0]!r}")
    page = page_of(story.entries, size=PDF_ENTRIES)
    body = story_pdf(
        StoryDocument(
            source=story.detail.source,
            external_id=story.detail.external_id,
            zone=story.zone,
            as_of=zoned_text(now, story.zone, t),
            rows=story_rows(page, story.zone, t),
            total=page.total,
        ),
        t,
    )
    name = f"{story.detail.source}-{story.detail.external_id}-story-{t.language}.pdf"
    return download(body, "pdf", name)


def _correctable_events(detail: ItemDetail, zone: str, t: Translator) -> list[dict[str, str]]:
    """Return the item's events as the correction form offers them: type, instant, ISO."""
    return [
        {"at": instant_text(e.at, zone, t), "iso": from_us(e.at).isoformat(), "type": e.type}
        for e in detail.events
    ]


@router.get(ITEM_PATH, response_class=HTMLResponse)
def item_page(
    source: str,
    external_id: str,
    request: Request,
    principal: Reader,
    now: Now,
    story_skip: StorySkip = 0,
) -> HTMLResponse:
    """Show one item: attributes, clocks as explained bars, and its story in time order."""
    source, external_id = item_address(request, source, external_id)
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        story = read_story(connection, source, external_id, t, now)
        owner = owner_view(connection, story.detail if story else None)
    if story is None:
        missing = {"source": source, "external_id": external_id}
        return render(request, "items/missing.html", missing, principal, status_code=404)
    detail, zone = story.detail, story.zone
    context: dict[str, Any] = {
        "item": detail,
        "zone": zone,
        "as_of": instant_text(now, zone, t),
        "clocks": [clock_view(c, t, f"clock-{i}") for i, c in enumerate(story.clocks)],
        "owner": owner,
        "story": _story_context(story, story_skip, t),
        "story_pdf": item_url(detail.source, detail.external_id) + STORY_PDF,
        "item_url": item_url(detail.source, detail.external_id),
        "events": _correctable_events(detail, zone, t),
        "correction_targets": item_targets(story.versions),
        "correction_done": request.query_params.get("done") == "saved",
    }
    return render(request, "items/item.html", context, principal)
