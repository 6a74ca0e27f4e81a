"""API routes: one item with its attributes, its event timeline and its clocks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from slawatch.commands.output import clocks_frame
from slawatch.engine.corrections import NO_CORRECTIONS, Corrections, corrected
from slawatch.engine.incidents import IncidentWindow
from slawatch.engine.instants import from_us
from slawatch.evaluation.clocks import item_clock_frame
from slawatch.evaluation.item_story import MAX_PAGE_SIZE, PAGE_SIZE, page_of
from slawatch.store.agreements import StoredAgreement, versions_by_agreement
from slawatch.store.corrections import approved_for_item
from slawatch.store.db import read_transaction
from slawatch.store.incidents import windows_by_agreement
from slawatch.store.items import ItemDetail, item_detail, item_table
from slawatch.web.deps import (
    ITEM_PATH,
    Now,
    Reader,
    engine_of,
    item_address,
    suffixed_item_address,
)
from slawatch.web.errors import NotFoundError
from slawatch.web.pages.reports import Language, reader_translator
from slawatch.web.pages.story_view import read_story

router = APIRouter(tags=["items"])
STORY = "/story"


class EventRead(BaseModel):
    type: str
    at: str
    received_at: str


class ClockRead(BaseModel):
    """An item's clock for one objective: the DESIGN clock fields, instants ISO 8601."""

    agreement: str
    version: int
    objective: str
    started_at: str
    stopped_at: str | None
    deadline: str | None
    elapsed_seconds: int
    paused_seconds: int
    state: str


class ItemRead(BaseModel):
    source: str
    id: str
    kind: str | None
    attributes: dict[str, str]
    events: list[EventRead]
    clocks: list[ClockRead]
    as_of: str


class StoryEntryRead(BaseModel):
    """One entry of an item's story; `title` and `detail` in the language asked for."""

    at: str
    kind: str  # event | attribute | clock | escalation | audit (more kinds may come)
    title: str
    detail: str
    actor: str | None
    reason: str | None
    link: str | None


class StoryRead(BaseModel):
    """A page of an item's story in time order: `skip` latest entries left out after it."""

    source: str
    id: str
    zone: str
    as_of: str
    total: int
    skip: int
    size: int
    older_skip: int | None  # the `skip` of the page before this one; None at the beginning
    entries: list[StoryEntryRead]


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


def _clocks(
    detail: ItemDetail,
    versions: dict[str, list[StoredAgreement]],
    as_of: int,
    *,
    corrections: Mapping[str, Corrections] | None = None,
    incidents: Mapping[str, Sequence[IncidentWindow]] | None = None,
) -> list[ClockRead]:
    """Return the item's clock per clock objective it takes part in (started, matching where).

    The same computation as the stored clocks, with the version in force for each clock's
    period; objectives in the order of the agreement's current version.
    """
    table = item_table(detail)
    clocks = []
    for agreement_id, every in versions.items():
        current = every[-1].agreement
        order = {objective: index for index, objective in enumerate(current.objectives)}
        approved = (corrections or {}).get(agreement_id, NO_CORRECTIONS)
        windows = (incidents or {}).get(agreement_id, ())
        rows = item_clock_frame(every, corrected(table, approved), as_of=as_of, incidents=windows)
        if rows.is_empty():
            continue
        rows = rows.sort(
            pl.col("objective").replace_strict(order, default=len(order), return_dtype=pl.Int64),
            "started_at",
        )
        keep = ("objective", "version")
        for row in clocks_frame(rows, current.timezone, keep).iter_rows(named=True):
            clocks.append(
                ClockRead(
                    agreement=agreement_id,
                    version=row["version"],
                    objective=row["objective"],
                    started_at=row["started_at"],
                    stopped_at=row["stopped_at"] or None,
                    deadline=row["deadline"] or None,
                    elapsed_seconds=row["elapsed_seconds"],
                    paused_seconds=row["paused_seconds"],
                    state=row["state"],
                )
            )
    return clocks


@router.get(
    ITEM_PATH + STORY,
    response_model=StoryRead,
    responses={404: {"description": "no such item"}},
)
def get_item_story(
    source: str,
    external_id: str,
    request: Request,
    principal: Reader,
    now: Now,
    skip: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    lang: Language = None,
) -> Any:
    """Return the item's story: events, clock milestones, attribute changes, escalations.

    Entries come in time order, each with who and why where known; a page holds the latest
    `size` entries before the `skip` latest ones (ask again with `skip=older_skip` for the
    earlier ones). Clock milestones are those of the item's clocks as of now. Titles are in
    `lang` (en or de), by default the reader's language.
    """
    address = suffixed_item_address(request, source, external_id, STORY)
    if address is None:  # the id ends in "/story": the item itself was asked for
        return get_item(source, external_id, request, principal, now)
    t = reader_translator(request, principal, lang)
    with read_transaction(engine_of(request)) as connection:
        story = read_story(connection, *address, t, now)
    if story is None:
        raise _no_item(*address)
    page = page_of(story.entries, skip=skip, size=size)
    return StoryRead(
        source=story.detail.source,
        id=story.detail.external_id,
        zone=story.zone,
        as_of=_iso(now),
        total=page.total,
        skip=skip,
        size=size,
        older_skip=page.older,
        entries=[
            StoryEntryRead(
                at=_iso(entry.at),
                kind=entry.kind,
                title=entry.title,
                detail=entry.detail_text,
                actor=entry.actor,
                reason=entry.reason,
                link=entry.link,
            )
            for entry in page.entries
        ],
    )


def _no_item(source: str, external_id: str) -> NotFoundError:
    return NotFoundError(
        f"no item {external_id!r} in source {source!r}; items appear with their first "
        "event (POST /api/v1/events); the default source is `default`",
    )


@router.get(
    ITEM_PATH,
    response_model=ItemRead,
    responses={404: {"description": "no such item"}},
)
def get_item(source: str, external_id: str, request: Request, _principal: Reader, now: Now) -> Any:
    """Return the item, its attributes, its events by instant and its clock per objective.

    Clocks are computed as of now, each with the agreement version in force for its period
    (the same computation as the stored clocks); an objective whose clock has not started for
    the item, whose `where:` excludes it, or whose start lies before the agreement took effect
    is not listed. Encode a `/` in the source as `%2F`; one in the id may be sent as it is.
    """
    source, external_id = item_address(request, source, external_id)
    with read_transaction(engine_of(request)) as connection:
        # PostgreSQL refuses NUL in text; no stored id can contain one.
        unstorable = "\x00" in source or "\x00" in external_id
        detail = None if unstorable else item_detail(connection, source, external_id)
        if detail is None:
            raise _no_item(source, external_id)
        agreements = versions_by_agreement(connection)
        corrections = approved_for_item(connection, detail.id)
        incidents = windows_by_agreement(connection)
    return ItemRead(
        source=detail.source,
        id=detail.external_id,
        kind=detail.kind,
        attributes=detail.attributes,
        events=[
            EventRead(type=e.type, at=_iso(e.at), received_at=_iso(e.received_at))
            for e in detail.events
        ],
        clocks=_clocks(detail, agreements, now, corrections=corrections, incidents=incidents),
        as_of=_iso(now),
    )
