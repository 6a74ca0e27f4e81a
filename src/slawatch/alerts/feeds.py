"""Tell the parties when an expected feed goes silent, once per silence, and when it is back.

Every alert tick reads the latest event of each type an agreement's `expect:` names (one
index lookup per type, `store/feeds.py`) and asks `engine/feeds.py` which feeds are silent.
A silent feed's message has the key `feed-silent:<agreement>:<type>:<silent since>:<contact>`:
the same silence gives the same key on every tick and every replica, so the outbox queues it
once. When events arrive again, the silence the first new event ended is found from the
event before it, and a "feed is back" note (`feed-back:…`) goes to whoever heard of that
silence — only if they did, so late imports of old events announce nothing.

Who hears of it: the tier-1 contact of every party owning an objective that reads the type
(both sides of a lead handover when `handed_over` stops), or, for a type no objective reads,
every party's tier-1 contact. Their delivery policy applies as to any message (trigger
`feed_silent`, at once by default), with the quiet hours of the objective's calendar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement, Objective
from slawatch.alerts import outbox
from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import About, Outgoing
from slawatch.alerts.preferences import FEED_SILENT
from slawatch.alerts.recipients import recipients_for
from slawatch.config import Settings, get_settings
from slawatch.engine.feeds import FeedState, objectives_reading
from slawatch.engine.instants import from_us
from slawatch.formatting import agreed_text
from slawatch.i18n import translator
from slawatch.metrics import record_background_failure
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.feeds import ended_silence, queued_any, read_feeds

log = logging.getLogger("slawatch.alerts")
SILENT = "feed-silent"
BACK = "feed-back"

# Queue one message with what it is about; False if its key was queued before.
FeedEnqueue = Callable[[Connection, Outgoing, About], bool]


@dataclass(frozen=True)
class FeedNotice:
    """A message due about one feed: silent since `since`, or back at `back_at`."""

    agreement: Agreement
    state: FeedState
    since: int  # when the silence began
    back_at: int | None = None  # the first event after the silence, for a "back" note

    @property
    def kind(self) -> str:
        return SILENT if self.back_at is None else BACK

    def prefix(self, kind: str | None = None) -> str:
        """Return the key shared by every message about this silence, of one kind."""
        return f"{kind or self.kind}:{self.agreement.id}:{self.state.event_type}:{self.since}:"


def feed_contacts(agreement: Agreement, event_type: str) -> list[tuple[str, str, Objective | None]]:
    """Return (party, tier-1 contact, an objective of theirs reading the type), once each."""
    readers = objectives_reading(agreement, event_type)
    owners = dict.fromkeys(o.owner for o in readers) or dict.fromkeys(agreement.parties)
    found: list[tuple[str, str, Objective | None]] = []
    for party_id in owners:
        party = agreement.parties.get(party_id)
        if party is None or not party.contacts:
            continue
        objective = next((o for o in readers if o.owner == party_id), None)
        if all(party.contacts[0] != known for _, known, _ in found):
            found.append((party_id, party.contacts[0], objective))
    return found


def notice_text(notice: FeedNotice, language: str, link: str) -> Message:
    """Write a silent-feed message, or a feed-is-back note, in one language."""
    t = translator(language)
    agreement, state = notice.agreement, notice.state
    zone = ZoneInfo(agreement.timezone)
    named = {
        "type": state.event_type,
        "agreement": agreement.title,
        "every": agreed_text(state.expectation.every, t),
        "since": t.datetime(from_us(notice.since, zone)),
    }
    readers = ", ".join(o.title for o in objectives_reading(agreement, state.event_type))
    if notice.back_at is not None:
        title = t.gettext("Feed is back: %(type)s (%(agreement)s)", **named)
        lines = [
            t.gettext(
                "Events of type %(type)s arrive again: the first came at %(at)s, after a "
                "silence since %(since)s.",
                at=t.datetime(from_us(notice.back_at, zone)),
                **named,
            )
        ]
    else:
        title = t.gettext("Feed silent: no %(type)s since %(since)s (%(agreement)s)", **named)
        if state.last_seen is None:
            first = t.gettext("No %(type)s event has arrived yet.", **named)
        else:
            last = t.datetime(from_us(state.last_seen, zone))
            first = t.gettext("The last %(type)s event arrived at %(last)s.", last=last, **named)
        lines = [
            first,
            t.gettext(
                "The agreement %(agreement)s expects at least one every %(every)s, so the "
                "feed is silent since %(since)s. This usually means a broken integration: "
                "check the sender.",
                **named,
            ),
        ]
        if readers:
            lines.append(t.gettext("Objectives that read it: %(names)s", names=readers))
    lines += ["", t.gettext("The agreement's feeds: %(link)s", link=link)]
    return Message(title=title, body="\n".join(lines))


def due_notices(connection: Connection, agreement: Agreement, now: int) -> list[FeedNotice]:
    """Return the messages due now about one agreement's feeds (some may be queued already)."""
    if not agreement.expect:
        return []
    found: list[FeedNotice] = []
    for state in read_feeds(connection, agreement, as_of=now):
        if state.silent:
            found.append(FeedNotice(agreement, state, state.due_by))
            continue
        if state.last_seen is None:
            continue
        since = ended_silence(connection, agreement, state.event_type, state.last_seen)
        if since is None:
            continue
        notice = FeedNotice(agreement, state, since, back_at=state.last_seen)
        told = [
            notice.prefix(SILENT) + contact
            for _, contact, _ in feed_contacts(agreement, state.event_type)
        ]
        if queued_any(connection, told):
            found.append(notice)
    return found


def _queue_notice(
    connection: Connection,
    notice: FeedNotice,
    settings: Settings,
    enqueue: FeedEnqueue,
    now: int,
) -> int:
    agreement = notice.agreement
    link = f"{settings.base_url.rstrip('/')}/agreements/{agreement.id}#feeds"
    queued = 0
    for party, contact, objective in feed_contacts(agreement, notice.state.event_type):
        subject = About(FEED_SILENT, agreement, None if objective is None else objective.id)
        recipients = recipients_for(connection, contact, f"{agreement.id}:{party}", settings)
        key = f"{notice.prefix()}{contact}"
        for n, recipient in enumerate(recipients):
            text = notice_text(notice, recipient.language, link)
            outgoing = Outgoing(
                key=key if n == 0 else f"{key}:{n}",
                recipient=recipient,
                title=text.title,
                body=text.body,
                queued_at=now,
                trigger=FEED_SILENT,
            )
            queued += enqueue(connection, outgoing, subject)
    return queued


def send_feed_alerts(
    engine: Engine,
    *,
    now: int,
    settings: Settings | None = None,
    enqueue: FeedEnqueue = outbox.enqueue,
    seen: set[str] | None = None,
) -> int:
    """Queue the messages of feeds that went silent or came back; return how many.

    `seen` (kept by the caller across calls) skips silences this process has already
    queued, so a long silence costs one index lookup per tick and writes nothing.
    """
    settings = settings or get_settings()
    known = seen if seen is not None else set()
    with read_transaction(engine) as connection:
        stored = [s for s in current_agreements(connection) if s.agreement.expect]
    queued = 0
    for agreement in stored:
        try:
            queued += _send_for(engine, agreement, now, settings, enqueue, known)
        except Exception:  # one agreement's failure must not hold back the others' alerts
            log.exception("%s: feed alerts failed; the others go on", agreement.id)
            record_background_failure("feed_alerts", agreement.id)
    return queued


def _send_for(
    engine: Engine,
    stored: StoredAgreement,
    now: int,
    settings: Settings,
    enqueue: FeedEnqueue,
    known: set[str],
) -> int:
    """Queue one agreement's due messages; a tick with nothing new writes nothing."""
    with read_transaction(engine) as connection:
        due = [n for n in due_notices(connection, stored.agreement, now) if n.prefix() not in known]
    if not due:
        return 0
    queued = 0
    with transaction(engine) as connection:
        for notice in due:
            queued += _queue_notice(connection, notice, settings, enqueue, now)
    known.update(notice.prefix() for notice in due)  # only once committed: else tried again
    return queued
