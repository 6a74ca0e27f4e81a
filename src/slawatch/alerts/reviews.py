"""Review cycles: when an agreement is due for review, reminders, and recording a review.

An agreement's `review:` cadence (monthly, quarterly, yearly) counts from its effective date:
a quarterly agreement effective 1 January is due on 1 April, 1 July, 1 October and 1 January.
Fourteen days before each due date every party's department head (tier 2) is reminded, once,
unless the cycle's review has already been recorded; when a date passes without a recorded
review, the review is overdue, and they are reminded once more for each date it misses.
A recorded review freezes the figures it discussed, and a decision to change targets becomes
the agreement's next version.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from slawatch.agreements.limits import DEFAULT_LIMITS, Limits
from slawatch.agreements.model import Agreement, ReviewCadence
from slawatch.alerts import outbox
from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import Enqueue, Outgoing
from slawatch.alerts.recipients import Recipient, contact_at_tier, recipients_for
from slawatch.config import Settings, get_settings
from slawatch.engine.instants import from_us
from slawatch.engine.periods import local_midnight, parse_label
from slawatch.i18n import N_, translator
from slawatch.metrics import record_background_failure
from slawatch.store import audit
from slawatch.store.agreements import StoredAgreement, current_agreements, save_version
from slawatch.store.credits import issued_statements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import StoredResult, stored_results
from slawatch.store.reviews import Review, add_review, get_review, held_dates, link_version

log = logging.getLogger("slawatch.alerts")
REMINDER_DAYS = 14
REVIEWER_TIER = 2  # department heads
CADENCE_MONTHS = {
    ReviewCadence.MONTHLY: 1,
    ReviewCadence.QUARTERLY: 3,
    ReviewCadence.YEARLY: 12,
}
CADENCE_NAMES = {
    ReviewCadence.MONTHLY: N_("monthly"),
    ReviewCadence.QUARTERLY: N_("quarterly"),
    ReviewCadence.YEARLY: N_("yearly"),
}
SNAPSHOT_MONTHS = 3  # the window of figures a review without a cadence looks back on
UTC = ZoneInfo("UTC")


# ---------------------------------------------------------------- due dates (pure)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later (or earlier), at the month's end if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def review_due_dates(agreement: Agreement, *, until: dt.date) -> list[dt.date]:
    """Return the review due dates from the effective date up to `until` (inclusive).

    Each is counted from the effective date itself (effective 31 January, monthly: 28
    February, 31 March …), so a short month never shifts the dates after it.
    """
    if agreement.review is None:
        return []
    months = CADENCE_MONTHS[agreement.review]
    dates: list[dt.date] = []
    cycle = 1
    while (due := add_months(agreement.effective, months * cycle)) <= until:
        dates.append(due)
        cycle += 1
    return dates


def next_due_date(agreement: Agreement, *, today: dt.date) -> dt.date | None:
    """Return the first due date on or after `today`, or None without a cadence."""
    if agreement.review is None:
        return None
    months = CADENCE_MONTHS[agreement.review]
    horizon = add_months(max(today, agreement.effective), months)
    return next((d for d in review_due_dates(agreement, until=horizon) if d >= today), None)


def reminders_due(
    agreement: Agreement, *, today: dt.date, held: Sequence[dt.date]
) -> list[dt.date]:
    """Return the due dates whose reminder goes out now: from 14 days before, until the date.

    A cycle whose review was already recorded (held after the previous due date, or the
    effective date, and on or before this one) needs no reminder.
    """
    found = []
    previous = agreement.effective
    for due in review_due_dates(agreement, until=today + dt.timedelta(days=REMINDER_DAYS)):
        window_opens = due - dt.timedelta(days=REMINDER_DAYS)
        reviewed = any(previous < day <= due for day in held)
        if window_opens <= today <= due and not reviewed:
            found.append(due)
        previous = due
    return found


def unreviewed_due_dates(
    agreement: Agreement, *, today: dt.date, held: Sequence[dt.date]
) -> list[dt.date]:
    """Return the past due dates (before `today`) no recorded review answers, earliest first.

    As for reminders, a review answers a due date when it was held after the due date before
    it (or the effective date): held early, it answers the coming date; held late, it catches
    up on every date it missed, since it discusses the figures since then.
    """
    latest = max(held, default=None)
    missing = []
    previous = agreement.effective
    for due in review_due_dates(agreement, until=today - dt.timedelta(days=1)):
        if latest is None or latest <= previous:
            missing.append(due)
        previous = due
    return missing


def overdue_since(
    agreement: Agreement, *, today: dt.date, held: Sequence[dt.date]
) -> dt.date | None:
    """Return the first due date a review is still missing for, or None when none is overdue."""
    missing = unreviewed_due_dates(agreement, today=today, held=held)
    return missing[0] if missing else None


def overdue_reminder(
    agreement: Agreement, *, today: dt.date, held: Sequence[dt.date]
) -> dt.date | None:
    """Return the missed due date to remind of now: the latest one no review answers.

    Its reminder goes out once per missed date (the outbox key holds the date), so an overdue
    review is reminded the day after its date passes and again after each further date it
    misses, never on every tick.
    """
    missing = unreviewed_due_dates(agreement, today=today, held=held)
    return missing[-1] if missing else None


def reviewer_contacts(agreement: Agreement) -> list[tuple[str, str]]:
    """Return (party, contact) of every party's tier-2 contact (or its last one), once each."""
    found: list[tuple[str, str]] = []
    for party in agreement.parties.values():
        if not party.contacts:
            continue
        contact = contact_at_tier(party.contacts, REVIEWER_TIER)
        if contact is not None and all(contact != known for _, known in found):
            found.append((party.id, contact))
    return found


def reminder_text(agreement: Agreement, due: dt.date, language: str, link: str) -> Message:
    """Write the reminder of a due review in one language."""
    return _review_text(agreement, due, language, link, overdue=False)


def overdue_text(agreement: Agreement, due: dt.date, language: str, link: str) -> Message:
    """Write the reminder of a review whose due date passed unrecorded, in one language."""
    return _review_text(agreement, due, language, link, overdue=True)


def _review_text(
    agreement: Agreement, due: dt.date, language: str, link: str, *, overdue: bool
) -> Message:
    t = translator(language)
    cadence = t.gettext(CADENCE_NAMES[agreement.review or ReviewCadence.QUARTERLY])
    named = {"cadence": cadence, "agreement": agreement.title, "date": t.date(due)}
    if overdue:
        title = t.gettext("Review overdue since %(date)s: %(agreement)s", **named)
        lines = [
            t.gettext(
                "The %(cadence)s review of the agreement %(agreement)s was due on %(date)s "
                "and has not been recorded.",
                **named,
            ),
            t.gettext(
                "You are reminded as your party's department head (tier 2), once per missed date."
            ),
        ]
    else:
        title = t.gettext("Review due on %(date)s: %(agreement)s", **named)
        lines = [
            t.gettext(
                "The %(cadence)s review of the agreement %(agreement)s is due on %(date)s.",
                **named,
            ),
            t.gettext(
                "You are reminded as your party's department head (tier 2), two weeks ahead."
            ),
        ]
    record = t.gettext(
        "Look at the figures and record the review (participants, notes, decisions): %(link)s",
        link=link,
    )
    return Message(title=title, body="\n".join([*lines, "", record]))


# ---------------------------------------------------------------- reminders (shell)


@dataclass(frozen=True)
class _Reminder:
    stored: StoredAgreement
    due: dt.date
    overdue: bool = False  # the date has passed without a recorded review
    since: dt.date | None = None  # an overdue review's first missed date, which its text names

    def key(self, contact: str) -> str:
        """Return the outbox key: one message per contact, due date and kind of reminder."""
        kind = "review-overdue" if self.overdue else "review"
        return f"{kind}:{self.stored.id}:{self.due.isoformat()}:{contact}"


def _reminders(engine: Engine, now: int) -> list[_Reminder]:
    with read_transaction(engine) as connection:
        agreements = current_agreements(connection)
        held = held_dates(connection)
    found = []
    for stored in agreements:
        agreement = stored.agreement
        try:
            today = from_us(now, ZoneInfo(agreement.timezone)).date()
            dues = reminders_due(agreement, today=today, held=held.get(stored.id, []))
            missed = overdue_reminder(agreement, today=today, held=held.get(stored.id, []))
            since = overdue_since(agreement, today=today, held=held.get(stored.id, []))
        except Exception:  # one agreement's bad dates must not hold back the others' reminders
            log.exception("%s: review reminders failed; the others go on", stored.id)
            _count_failure(stored.id)
            continue
        found += [_Reminder(stored, due) for due in dues]
        if missed is not None:
            found.append(_Reminder(stored, missed, overdue=True, since=since))
    return found


def _count_failure(agreement_id: str) -> None:
    record_background_failure("review_reminder", agreement_id)


def send_review_reminders(
    engine: Engine,
    *,
    now: int,
    settings: Settings | None = None,
    enqueue: Enqueue = outbox.enqueue,
    seen: set[str] | None = None,
) -> int:
    """Queue the reminders of reviews due within two weeks or overdue; return how many.

    Every message has the key `review:<agreement>:<due date>:<contact>` (an overdue review's
    `review-overdue:…` with the latest missed date, and `:<n>` for a contact's further routes),
    so however often this runs, and on however many replicas, each contact is reminded once
    per due date, and once more per date missed. `seen` (kept by the caller across calls) skips the
    keys this process has already queued or found queued, so later rounds write nothing.
    A contact is reached like any other (`recipients_for`): its routes, else mail.
    """
    settings = settings or get_settings()
    known = seen if seen is not None else set()
    due = _reminders(engine, now)
    pending = [
        (reminder, party, contact)
        for reminder in due
        for party, contact in reviewer_contacts(reminder.stored.agreement)
        if reminder.key(contact) not in known
    ]
    if not pending:
        return 0
    queued = 0
    by_agreement: dict[str, list[tuple[_Reminder, str, str]]] = {}
    for entry in pending:
        by_agreement.setdefault(entry[0].stored.id, []).append(entry)
    # A transaction per agreement: one agreement's failure leaves the others' reminders queued.
    for agreement_id, entries in by_agreement.items():
        handled: list[str] = []
        try:
            with transaction(engine) as connection:
                for reminder, party, contact in entries:
                    key = reminder.key(contact)
                    found = recipients_for(connection, contact, f"{agreement_id}:{party}", settings)
                    queued += _queue_reminder(
                        connection, reminder, found, key, enqueue, settings.base_url, now
                    )
                    handled.append(key)
        except Exception:
            log.exception("%s: queueing review reminders failed; the others go on", agreement_id)
            _count_failure(agreement_id)
            continue
        known.update(handled)  # only once committed: a failed round is tried again
    return queued


def _queue_reminder(
    connection: Connection,
    reminder: _Reminder,
    recipients: list[Recipient],
    key: str,
    enqueue: Enqueue,
    base_url: str,
    now: int,
) -> int:
    """Queue one contact's reminder of one due date, on each of the contact's routes."""
    agreement = reminder.stored.agreement
    link = f"{base_url.rstrip('/')}/agreements/{agreement.id}/reviews"
    queued = 0
    for n, recipient in enumerate(recipients):
        if reminder.overdue:
            since = reminder.since or reminder.due
            text = overdue_text(agreement, since, recipient.language, link)
        else:
            text = reminder_text(agreement, reminder.due, recipient.language, link)
        outgoing = Outgoing(
            key=key if n == 0 else f"{key}:{n}",
            recipient=recipient,
            title=text.title,
            body=text.body,
            queued_at=now,
        )
        queued += enqueue(connection, outgoing)
    return queued


# ---------------------------------------------------------------- recording a review


def _iso(us: int) -> str:
    return from_us(us, UTC).isoformat()


def _snapshot_results(
    results: list[StoredResult], zone: ZoneInfo, held_on: dt.date, months: int
) -> list[StoredResult]:
    """Pick the closed periods a review discusses: those ending in the cycle before it.

    A kind of period with none ending in the cycle (a yearly objective in a monthly review)
    contributes its latest closed period, so every objective is in the snapshot.
    """
    opens = local_midnight(add_months(held_on, -months), zone)
    closes = local_midnight(held_on + dt.timedelta(days=1), zone)
    closed = [r for r in results if r.period_end <= r.as_of and r.period_end <= closes]
    chosen = [r for r in closed if r.period_end > opens]
    kinds = {parse_label(r.period, zone).kind for r in chosen}
    latest: dict[str, StoredResult] = {}
    for result in closed:
        kind = parse_label(result.period, zone).kind
        if kind not in kinds:
            latest[kind] = result  # results come earliest first: the last one stays
    return sorted([*chosen, *latest.values()], key=lambda r: (r.period_start, r.period))


def review_snapshot(
    connection: Connection, stored: StoredAgreement, *, held_on: dt.date, now: int
) -> dict[str, Any]:
    """Freeze what a review looks at: the recent closed periods and their credit statements."""
    agreement = stored.agreement
    zone = ZoneInfo(agreement.timezone)
    months = CADENCE_MONTHS[agreement.review] if agreement.review else SNAPSHOT_MONTHS
    chosen = _snapshot_results(stored_results(connection, stored.id), zone, held_on, months)
    titles = {o.id: o.title for o in agreement.objectives.values() if o.title}
    periods = [
        {
            "period": result.period,
            "version": result.version,
            "start": _iso(result.period_start),
            "end": _iso(result.period_end),
            "as_of": _iso(result.as_of),
            "objectives": [
                {
                    **objective.document(),
                    "title": titles.get(objective.objective, objective.objective),
                }
                for objective in result.objectives
            ],
        }
        for result in chosen
    ]
    labels = {result.period for result in chosen}
    credits = [
        {
            "period": s.period,
            "party": s.party,
            "version": s.version,
            "issued_at": _iso(s.issued_at),
            "amount": str(s.amount),
            "currency": s.currency,
            "statement": s.statement,
            "changed_after_issue": s.changed_after_issue,
            "revised": s.revised,
        }
        for s in issued_statements(connection, stored.id)
        if s.period in labels
    ]
    return {
        "taken_at": _iso(now),
        "version": stored.version,
        "periods": periods,
        "credits": credits,
    }


def version_reason(review_id: int, decisions: str) -> str:
    """Return the reason of a version a review created: "review #N: <first decision>"."""
    first = next((line.strip() for line in decisions.splitlines() if line.strip()), "")
    summary = first if len(first) <= 200 else first[:199] + "…"
    return f"review #{review_id}: {summary or 'targets changed'}"


def record_review(
    connection: Connection,
    stored: StoredAgreement,
    *,
    held_on: dt.date,
    participants: Sequence[str],
    notes: str,
    decisions: str,
    actor: str,
    now: int,
    yaml_text: str | None = None,
    effective: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Review:
    """Record a review with its snapshot, and new YAML as the next version (AgreementError).

    The version is in force from `effective` and its reason names the review ("review #N:
    …"), so the version history says why targets changed; the review links the version.
    """
    review_id = add_review(
        connection,
        agreement_id=stored.id,
        held_on=held_on,
        participants=participants,
        snapshot=review_snapshot(connection, stored, held_on=held_on, now=now),
        notes=notes,
        decisions=decisions,
        created_by=actor,
        now=now,
    )
    version = None
    if yaml_text is not None:
        _agreement, version = save_version(
            connection,
            yaml_text,
            author=actor,
            reason=version_reason(review_id, decisions),
            effective=effective,
            source=f"{stored.id}.yaml",
            limits=limits,
        )
        link_version(connection, review_id, version)
    audit.record(
        connection,
        actor=actor,
        action="review.record",
        subject=f"agreement:{stored.id}",
        review=review_id,
        held_on=held_on.isoformat(),
        version=version,
    )
    review = get_review(connection, stored.id, review_id)
    assert review is not None  # added in this transaction
    return review
