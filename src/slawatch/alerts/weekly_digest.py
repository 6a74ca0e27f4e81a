"""The weekly team digest: each manager (tier 2) hears once a week how their team stands.

On Monday from 08:00 in the manager's zone (until Tuesday 08:00: a server that was down all
that time skips the week rather than sending a stale digest later), every person of the
directory who manages someone and has an email gets one message: per team member, the items
late now and last week's met and breached counts. The zone is that of an agreement of the
manager's party, else of the first stored agreement, else UTC; the language is the manager's
in the directory, else their route's or user's.

Every message has the key `digest:<manager>:<ISO week>:<recipient>`, so however many replicas
run the job, each manager gets one digest per week (the outbox ignores a repeated key).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from slawatch.alerts import outbox
from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import Enqueue, Outgoing
from slawatch.alerts.recipients import recipients_for
from slawatch.config import Settings, get_settings
from slawatch.engine.instants import from_us, to_us
from slawatch.formatting import time_left_text
from slawatch.i18n import Translator, translator
from slawatch.metrics import record_background_failure
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.clock_lists import ClockRow
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import Person, managers, team_members
from slawatch.store.owner_clocks import finished_counts, open_items

log = logging.getLogger("slawatch.alerts")
DIGEST_WEEKDAY = 0  # Monday
DIGEST_HOUR = 8
DIGEST_WINDOW = dt.timedelta(days=1)
LATE_LIMIT = 10  # late items listed per member; the count says how many there are


@dataclass(frozen=True)
class DigestWeek:
    """The week a digest is for: it went out at `sent_from`; `last_week` is [start, end)."""

    label: str  # ISO week of the sending day, e.g. 2026-W50
    sent_from: int
    last_week_start: int
    last_week_end: int


def digest_week(now: int, zone: ZoneInfo) -> DigestWeek | None:
    """Return the digest week if `now` lies in a digest window in `zone`, else None."""
    local = from_us(now, zone)
    monday = local.date() - dt.timedelta(days=local.weekday() - DIGEST_WEEKDAY)
    opens = dt.datetime.combine(monday, dt.time(DIGEST_HOUR), zone)
    if not opens <= local < opens + DIGEST_WINDOW:
        return None
    start = dt.datetime.combine(monday - dt.timedelta(days=7), dt.time(), zone)
    end = dt.datetime.combine(monday, dt.time(), zone)
    year, week, _ = monday.isocalendar()
    return DigestWeek(f"{year}-W{week:02d}", to_us(opens), to_us(start), to_us(end))


@dataclass(frozen=True)
class MemberLine:
    """One team member in a digest: their late items now and last week's outcomes."""

    member: Person
    late: Sequence[ClockRow]
    late_count: int
    met: int
    breached: int


def digest_text(
    manager: Person,
    lines: Sequence[MemberLine],
    week: DigestWeek,
    *,
    language: str,
    zone: str,
    titles: dict[tuple[str, str], str],
    base_url: str,
    now: int,
) -> Message:
    """Write one manager's digest in one language."""
    t = translator(language)
    base = base_url.rstrip("/")
    start = t.date(from_us(week.last_week_start, ZoneInfo(zone)).date())
    end = t.date(from_us(week.last_week_end - 1, ZoneInfo(zone)).date())
    late_total = sum(line.late_count for line in lines)
    title = t.gettext("Your team this week: %(late)s late now", late=late_total)
    body = [
        t.gettext("Hello %(name)s,", name=manager.name),
        "",
        t.gettext(
            "your team's late items now, and last week's results (%(start)s – %(end)s):",
            start=start,
            end=end,
        ),
    ]
    for line in lines:
        body += ["", _member_summary(line, t)]
        for clock in line.late:
            objective = titles.get((clock.agreement_id, clock.objective), clock.objective)
            overrun = time_left_text(((clock.deadline or now) - now) / 1_000_000, t)
            body.append(f"  – {clock.external_id}: {objective}, {overrun}")
        if line.late_count > len(line.late):
            body.append("  " + t.gettext("… and %(n)s more", n=line.late_count - len(line.late)))
        body.append("  " + f"{base}/people/{quote(line.member.key, safe='')}")
    body += ["", t.gettext("Sent every Monday at 08:00 to the managers in the directory.")]
    return Message(title=title, body="\n".join(body))


def _member_summary(line: MemberLine, t: Translator) -> str:
    late = t.ngettext("%(num)s late now", "%(num)s late now", line.late_count)
    return t.gettext(
        "%(name)s: %(late)s · last week %(met)s met, %(breached)s breached",
        name=line.member.name,
        late=late,
        met=line.met,
        breached=line.breached,
    )


# ---------------------------------------------------------------- the job (shell)


def manager_zone(manager: Person, agreements: Sequence[StoredAgreement]) -> str:
    """Return the zone of an agreement with the manager's party, else the first's, else UTC."""
    for stored in agreements:
        if manager.party in stored.agreement.parties:
            return stored.agreement.timezone
    return agreements[0].agreement.timezone if agreements else "UTC"


def member_lines(
    connection: Connection, manager: Person, week: DigestWeek, now: int
) -> list[MemberLine]:
    lines = []
    for member in team_members(connection, manager.key):
        opened, open_count = open_items(connection, member.key, now=now, limit=LATE_LIMIT)
        late = [clock for clock in opened if clock.deadline is not None and clock.deadline <= now]
        counts = finished_counts(
            connection, member.key, start=week.last_week_start, end=week.last_week_end
        )
        lines.append(
            MemberLine(
                member=member,
                late=late,
                late_count=open_count.late,
                met=counts["met"],
                breached=counts["breached"],
            )
        )
    return lines


def send_weekly_digests(
    engine: Engine,
    *,
    now: int,
    settings: Settings | None = None,
    enqueue: Enqueue = outbox.enqueue,
    seen: set[str] | None = None,
) -> int:
    """Queue the digests due now; return how many messages were queued.

    `seen` (kept by the caller across rounds) holds the managers' weeks already handled by
    this process, so the rest of the window costs one query per round.
    """
    settings = settings or get_settings()
    known = seen if seen is not None else set()
    with read_transaction(engine) as connection:
        candidates = [m for m in managers(connection) if m.email]
        agreements = current_agreements(connection) if candidates else []
    queued = 0
    for manager in candidates:
        zone = manager_zone(manager, agreements)
        week = digest_week(now, ZoneInfo(zone))
        if week is None or f"{manager.key}:{week.label}" in known:
            continue
        try:
            with transaction(engine) as connection:
                queued += _queue_digest(
                    connection, manager, week, agreements, zone, settings, enqueue, now
                )
        except Exception:  # one manager's failure must not hold back the others' digests
            log.exception("weekly digest of %s failed; the others go on", manager.key)
            record_background_failure("weekly_digest", manager.key)
            continue
        known.add(f"{manager.key}:{week.label}")
    return queued


def _queue_digest(
    connection: Connection,
    manager: Person,
    week: DigestWeek,
    agreements: Sequence[StoredAgreement],
    zone: str,
    settings: Settings,
    enqueue: Enqueue,
    now: int,
) -> int:
    lines = member_lines(connection, manager, week, now)
    if not lines:
        return 0
    titles = {
        (stored.id, objective.id): objective.title or objective.id
        for stored in agreements
        for objective in stored.agreement.objectives.values()
    }
    queued = 0
    for n, recipient in enumerate(recipients_for(connection, manager.email, None, settings)):
        text = digest_text(
            manager,
            lines,
            week,
            language=manager.language or recipient.language,
            zone=zone,
            titles=titles,
            base_url=settings.base_url,
            now=now,
        )
        key = f"weekly:{manager.key}:{week.label}:{recipient.target}"
        outgoing = Outgoing(
            key=key if n == 0 else f"{key}:{n}",
            recipient=recipient,
            title=text.title,
            body=text.body,
            queued_at=now,
        )
        queued += enqueue(connection, outgoing)
    return queued
