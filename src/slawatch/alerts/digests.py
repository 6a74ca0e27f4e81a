"""Digests and daily summaries: one message per recipient and channel instead of many.

Warnings, forecasts and other non-urgent messages wait as notices (`outbox.py`) until their
digest window ends and the recipient's calendar is open; then every entry of a recipient and
channel goes out as one digest, in the recipient's language. Once a day, from 08:00 in the
recipient's zone (and in their working hours), a summary lists what they were told the day
before. One replica at a time composes (the lease "digests"), and each entry is claimed by its
digest with a conditional UPDATE, so an entry is never in two digests.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, Engine

from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import url_hash
from slawatch.alerts.preferences import QUIET_NEVER, QUIET_OBJECTIVE, SUMMARY_HOUR, TRIGGER_LABELS
from slawatch.alerts.quiet_hours import chosen_calendar, opening_of
from slawatch.config import Settings
from slawatch.engine.instants import US, from_us
from slawatch.i18n import Translator, translator
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import queue_delivery
from slawatch.store.leases import release_lease, take_lease
from slawatch.store.notices import (
    Notice,
    claim_notices,
    held_notices,
    latest_notice,
    notices_between,
    recent_recipients,
)
from slawatch.store.preferences import choices_of

log = logging.getLogger("slawatch.alerts")
LEASE = "digests"
LEASE_US = 300 * US
MAX_LISTED = 40  # entries written out in one message; the rest are counted
SUMMARY_CHECK_US = 600 * US  # how often a process looks for daily summaries to send
DAY_US = 86_400 * US


class EntriesTakenError(Exception):
    """Another replica's digest took some of these entries first; roll this one back."""


def _label(t: Translator, trigger: str) -> str:
    label = TRIGGER_LABELS.get(trigger)
    return t.gettext(label) if label else trigger


def _counts(t: Translator, notices: Sequence[Notice]) -> list[str]:
    ordered = sorted(notices, key=lambda n: n.trigger)
    return [
        f"{_label(t, trigger)}: {len(list(group))}"
        for trigger, group in groupby(ordered, key=lambda n: n.trigger)
    ]


def _entries(t: Translator, notices: Sequence[Notice], *, details: bool) -> list[str]:
    lines: list[str] = []
    for notice in notices[:MAX_LISTED]:
        when = t.datetime(from_us(notice.created_at), notice.zone)
        lines.append(f"• {notice.title} ({when})")
        if details:
            lines += [f"  {line}" if line else "" for line in notice.body.splitlines()]
            lines.append("")
    if len(notices) > MAX_LISTED:
        more = len(notices) - MAX_LISTED
        lines.append(t.ngettext("… and %(num)d more.", "… and %(num)d more.", more))
    return lines


def _footer(t: Translator, base_url: str) -> list[str]:
    link = f"{base_url.rstrip('/')}/preferences"
    return ["", t.gettext("Choose what you get, and when, under My alerts: %(link)s", link=link)]


def digest_message(notices: Sequence[Notice], language: str, base_url: str) -> Message:
    """Write one digest of held entries, every entry with its full text."""
    t = translator(language)
    title = t.ngettext(
        "slawatch digest: %(num)d alert", "slawatch digest: %(num)d alerts", len(notices)
    )
    lines = [t.gettext("Alerts that were not urgent, collected since your last digest:"), ""]
    lines += [*_counts(t, notices), "", *_entries(t, notices, details=True)]
    return Message(title=title, body="\n".join(lines + _footer(t, base_url)))


def summary_message(
    notices: Sequence[Notice], language: str, day: dt.date, base_url: str
) -> Message:
    """Write a recipient's summary of one day: how many of each, and each title."""
    t = translator(language)
    title = t.gettext("slawatch: your alerts of %(day)s", day=t.date(day))
    lines = [
        t.ngettext(
            "On %(day)s you were sent %(num)d alert:",
            "On %(day)s you were sent %(num)d alerts:",
            len(notices),
            day=t.date(day),
        ),
        "",
    ]
    lines += [*_counts(t, notices), "", *_entries(t, notices, details=False)]
    return Message(title=title, body="\n".join(lines + _footer(t, base_url)))


@dataclass
class DigestReport:
    digests: int = 0
    summaries: int = 0
    lost: int = 0  # groups another replica took first


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_start(day: dt.date, zone: ZoneInfo) -> int:
    start = dt.datetime.combine(day, dt.time(0), zone)
    return int(start.timestamp()) * US


class Digests:
    """Compose the due digests and daily summaries; one instance per serving process."""

    def __init__(self, engine: Engine, settings: Settings, owner: str) -> None:
        self.engine = engine
        self.settings = settings
        self.owner = owner
        self.summarized: set[str] = set()  # summary keys this process has queued or seen
        self.next_summary_check = 0

    def run(self, now: int) -> DigestReport:
        """Send what is due at `now` if this process gets the lease."""
        report = DigestReport()
        with transaction(self.engine) as connection:
            if not take_lease(connection, LEASE, self.owner, now, now + LEASE_US):
                return report
        try:
            self._digests(now, report)
            if now >= self.next_summary_check:
                self._summaries(now, report)
                self.next_summary_check = now + SUMMARY_CHECK_US
        finally:
            with transaction(self.engine) as connection:
                release_lease(connection, LEASE, self.owner)
        return report

    def _digests(self, now: int, report: DigestReport) -> None:
        with read_transaction(self.engine) as connection:
            held = held_notices(connection, now=now)
        for (recipient, url), group in groupby(held, key=lambda n: (n.recipient, n.url)):
            entries = list(group)
            try:
                with transaction(self.engine) as connection:
                    self._queue_digest(connection, recipient, url, entries, now)
                report.digests += 1
            except EntriesTakenError:
                report.lost += 1

    def _queue_digest(
        self, connection: Connection, recipient: str, url: str, entries: list[Notice], now: int
    ) -> None:
        language = entries[-1].language
        message = digest_message(entries, language, self.settings.base_url)
        key = f"digest:{recipient}:{url_hash(url)}:{entries[0].id}-{entries[-1].id}"
        delivery_id = queue_delivery(
            connection,
            dedup_key=key,
            recipient=recipient,
            url=url,
            language=language,
            title=message.title,
            body=message.body,
            now=now,
        )
        ids = [entry.id for entry in entries]
        if delivery_id is None or claim_notices(connection, ids, delivery_id) != len(ids):
            raise EntriesTakenError

    def _summaries(self, now: int, report: DigestReport) -> None:
        with read_transaction(self.engine) as connection:
            recipients = recent_recipients(connection, since=now - 2 * DAY_US)
        for recipient, url in recipients:
            try:
                with transaction(self.engine) as connection:
                    report.summaries += self._queue_summary(connection, recipient, url, now)
            except Exception:  # one recipient's summary must not hold back the others
                log.exception("daily summary for %s failed; the others go on", recipient)

    def _queue_summary(self, connection: Connection, recipient: str, url: str, now: int) -> int:
        """Queue yesterday's summary for one recipient and channel, if due and not yet queued."""
        latest = latest_notice(connection, recipient, url)
        if latest is None:
            return 0
        choices = choices_of(connection, recipient) if "@" in recipient else None
        if choices is not None and not choices.daily_summary:
            return 0
        chosen = None
        if choices is not None and choices.quiet_hours not in (QUIET_OBJECTIVE, QUIET_NEVER):
            chosen = chosen_calendar(connection, choices.quiet_hours)
        zone = _zone(chosen.timezone if chosen else latest.zone)
        local = from_us(now, zone)
        day = local.date() - dt.timedelta(days=1)
        key = f"summary:{recipient}:{url_hash(url)}:{day.isoformat()}"
        if local.hour < SUMMARY_HOUR or key in self.summarized:
            return 0
        start, end = _local_start(day, zone), _local_start(local.date(), zone)
        notices = notices_between(connection, recipient, url, start, end)
        self.summarized.add(key)
        if not notices:
            return 0
        message = summary_message(notices, latest.language, day, self.settings.base_url)
        added = queue_delivery(
            connection,
            dedup_key=key,
            recipient=recipient,
            url=url,
            language=latest.language,
            title=message.title,
            body=message.body,
            now=now,
            due_at=None if chosen is None else opening_of(chosen)(now),
        )
        return int(added is not None)
