"""API route: an agreement's expected feeds — last seen, due by, silent since.

Read from the store on each call (one index lookup per expected type) and decided by
`engine/feeds.py`, the one place silence is computed; instants are in the agreement's zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from slawatch.agreements.durations import format_duration
from slawatch.engine.feeds import FeedState, objectives_reading
from slawatch.engine.instants import from_us
from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction
from slawatch.store.feeds import read_feeds
from slawatch.web.deps import AgreementId, Now, Reader, engine_of
from slawatch.web.errors import NotFoundError

router = APIRouter(tags=["agreements"])


class FeedRead(BaseModel):
    type: str = Field(description="the expected event type")
    every: str = Field(description="the longest silence allowed, as the agreement writes it")
    calendar: str | None = Field(description="the calendar `every` counts working time on")
    last_seen: dt.datetime | None = Field(description="the latest event of the type, if any")
    counting_from: dt.datetime = Field(
        description="the last event, or the agreement's effective midnight before any"
    )
    due_by: dt.datetime = Field(description="the latest instant the next event may arrive")
    silent: bool = Field(description="whether the feed is silent now (past due_by)")
    silent_since: dt.datetime | None = Field(description="due_by, while the feed is silent")
    objectives: list[str] = Field(description="the objectives that read the type")


class FeedsRead(BaseModel):
    agreement: str
    as_of: dt.datetime
    feeds: list[FeedRead]


def feed_read(state: FeedState, objectives: list[str], zone: ZoneInfo) -> FeedRead:
    def local(us: int | None) -> dt.datetime | None:
        return None if us is None else from_us(us, zone)

    return FeedRead(
        type=state.event_type,
        every=format_duration(state.expectation.every),
        calendar=state.expectation.calendar,
        last_seen=local(state.last_seen),
        counting_from=from_us(state.counting_from, zone),
        due_by=from_us(state.due_by, zone),
        silent=state.silent,
        silent_since=local(state.silent_since),
        objectives=objectives,
    )


@router.get(
    "/agreements/{agreement_id}/feeds",
    response_model=FeedsRead,
    responses={404: {"description": "no such agreement"}},
)
def read_agreement_feeds(
    agreement_id: AgreementId, request: Request, _principal: Reader, now: Now
) -> FeedsRead:
    """List the feeds the agreement's `expect:` names, each with its last event and status.

    An agreement without `expect:` has an empty list.
    """
    with read_transaction(engine_of(request)) as connection:
        stored = get_version(connection, agreement_id)
        if stored is None:
            raise NotFoundError(f"there is no agreement {agreement_id!r}")
        states = read_feeds(connection, stored.agreement, as_of=now)
    agreement = stored.agreement
    zone = ZoneInfo(agreement.timezone)
    feeds = [
        feed_read(s, [o.id for o in objectives_reading(agreement, s.event_type)], zone)
        for s in states
    ]
    return FeedsRead(agreement=agreement.id, as_of=from_us(now, zone), feeds=feeds)
