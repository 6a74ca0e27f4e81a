"""The latest events of the types an agreement expects: one MAX per type, from an index.

`ix_events_type_at` (type, at) answers `MAX(at) WHERE type = ? AND at <= ?` by reading one
index entry, whatever the number of events, so the alerts tick and every page can ask it.
Whether a feed is silent is decided in `engine/feeds.py` from these instants.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import Connection, func, select

from slawatch.agreements.model import Agreement, Calendar
from slawatch.engine.calendar import AlwaysOpen, WorkingCalendar, WorkingTime
from slawatch.engine.feeds import FeedState, feed_states, silence_ended
from slawatch.store.agreements import StoredAgreement
from slawatch.store.schema import alert_notices, deliveries, events


def latest_event(connection: Connection, event_type: str, *, at_or_before: int) -> int | None:
    """Return the latest instant (µs) of an event of the type at or before `at_or_before`."""
    query = select(func.max(events.c.at)).where(
        events.c.type == event_type, events.c.at <= at_or_before
    )
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def event_before(connection: Connection, event_type: str, *, before: int) -> int | None:
    """Return the latest instant of an event of the type strictly before `before`."""
    query = select(func.max(events.c.at)).where(events.c.type == event_type, events.c.at < before)
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def last_seen(
    connection: Connection, event_types: Iterable[str], *, as_of: int
) -> dict[str, int | None]:
    """Return each type's latest event at or before `as_of`, None where there is none."""
    return {
        event_type: latest_event(connection, event_type, at_or_before=as_of)
        for event_type in dict.fromkeys(event_types)
    }


def queued_any(connection: Connection, keys: Iterable[str]) -> bool:
    """Say whether a message with one of the keys was queued or held (unique-key lookups)."""
    wanted = list(keys)
    if not wanted:
        return False
    for table in (deliveries, alert_notices):
        query = select(table.c.id).where(table.c.dedup_key.in_(wanted)).limit(1)
        if connection.execute(query).first() is not None:
            return True
    return False


@lru_cache(maxsize=32)
def _expanded(spec: Calendar) -> WorkingCalendar:
    return WorkingCalendar(spec)


# Expanding a calendar's years takes ~50 ms; the expanded tables are kept between requests
# and ticks, and grow in place, so threads take turns with them.
_CALENDAR_LOCK = threading.Lock()


def shared_calendar(spec: Calendar | None) -> WorkingTime:
    """Return a calendar's working time from tables kept between calls (hold the lock)."""
    return AlwaysOpen() if spec is None else _expanded(spec)


def read_feeds(
    connection: Connection, agreement: Agreement, *, as_of: int
) -> tuple[FeedState, ...]:
    """Return the state of each feed the agreement expects, as of `as_of`."""
    if not agreement.expect:
        return ()
    seen = last_seen(connection, agreement.expect, as_of=as_of)
    with _CALENDAR_LOCK:
        return feed_states(agreement, seen, as_of, shared_calendar)


def ended_silence(
    connection: Connection, agreement: Agreement, event_type: str, latest: int
) -> int | None:
    """Return when the silence that the type's event at `latest` ended began, or None."""
    previous = event_before(connection, event_type, before=latest)
    with _CALENDAR_LOCK:
        return silence_ended(agreement, event_type, previous, latest, shared_calendar)


def silent_now(connection: Connection, stored: StoredAgreement, now: int) -> frozenset[str]:
    """Return the event types of the agreement's `expect:` that are silent at `now`.

    What the emergency plan's `feed-silent:` triggers ask (alerts/incident_tick.py).
    """
    return frozenset(
        state.event_type
        for state in read_feeds(connection, stored.agreement, as_of=now)
        if state.silent
    )
