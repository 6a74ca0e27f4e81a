"""Send a period's report when it closes: to each party's department head and the subscribers.

The background evaluation stores a period's figures; once it has stored them after the
period's end (the period is closed), this job queues one message per recipient through the
outbox, in the recipient's language: the scorecard in words and links to the report page and
its PDF. A link, not an attachment: a message is text on every channel (mail, chat, webhook),
and the PDF read from the link always shows the figures as they are.

Exactly once per agreement and period: the job claims the period by inserting its
`report_issues` row (a conflict means another replica or round was first) and queues the
messages in the same transaction, each with a deterministic key. Periods that had closed
before slawatch first saw the agreement are history and are not sent (`report_watermarks`).
Days are not reported this way: a mail per day is noise; their reports are on the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement, PeriodKind
from slawatch.alerts import outbox
from slawatch.alerts.outbox import Enqueue, Outgoing, url_hash
from slawatch.alerts.recipients import Recipient, contact_at_tier, recipients_for
from slawatch.config import Settings, get_settings
from slawatch.engine.periods import PeriodLabelError, label_kind
from slawatch.formatting import status_text, value_text
from slawatch.i18n import translator
from slawatch.metrics import record_background_failure
from slawatch.reports.model import Report
from slawatch.reports.stored import report_from_store
from slawatch.store.agreements import get_version
from slawatch.store.db import transaction
from slawatch.store.reports import (
    claim_issue,
    mark_new_agreements,
    record_messages,
    subscribers,
    unissued_closed_periods,
)

log = logging.getLogger(__name__)
HEAD_TIER = 2  # the department head: escalation tier 2 of each party
UNSENT_KINDS = frozenset({PeriodKind.DAY})


@dataclass(frozen=True)
class ReportMessage:
    title: str
    body: str


def report_message(report: Report, language: str, base_url: str) -> ReportMessage:
    """Say a closed period's scorecard in one language, with the links to the full report."""
    t = translator(language)
    agreement, label = report.agreement, report.period.label
    met = sum(score.status == "met" for score in report.scores)
    title = t.gettext(
        "Report %(period)s · %(agreement)s: %(met)s of %(total)s objectives met",
        period=label,
        agreement=agreement.title,
        met=met,
        total=len(report.scores),
    )
    lines = [
        t.gettext(
            "Period %(period)s of %(agreement)s has closed.",
            period=label,
            agreement=agreement.title,
        ),
        "",
    ]
    for score in report.scores:
        value = value_text(score.objective, score.value, t)
        lines.append(
            f"• {score.title} ({score.owner_name}): {value} · {status_text(score.status, t)}"
        )
    base = f"{base_url.rstrip('/')}/agreements/{quote(agreement.id, safe='')}"
    period = quote(label, safe="")
    lines += [
        "",
        t.gettext("The report: %(link)s", link=f"{base}/reports?period={period}"),
        t.gettext("As PDF: %(link)s", link=f"{base}/report.pdf?period={period}&lang={t.language}"),
    ]
    return ReportMessage(title, "\n".join(lines))


def report_recipients(
    connection: Connection, agreement: Agreement, settings: Settings
) -> list[Recipient]:
    """Return each party's department head (tier 2) and every subscriber, each one once."""
    found: list[Recipient] = []
    for party_id, party in agreement.parties.items():
        contact = contact_at_tier(party.contacts, HEAD_TIER)
        found += recipients_for(connection, contact, f"{agreement.id}:{party_id}", settings)
    for email in subscribers(connection, agreement.id):
        found += recipients_for(connection, email, None, settings)
    unique: dict[tuple[str, str], Recipient] = {}
    for recipient in found:
        unique.setdefault((recipient.target, recipient.url), recipient)
    return list(unique.values())


def _reported(label: str) -> bool:
    try:
        return label_kind(label) not in UNSENT_KINDS
    except PeriodLabelError:
        return False


def issue_report(
    connection: Connection,
    agreement: Agreement,
    label: str,
    *,
    now: int,
    settings: Settings,
    enqueue: Enqueue,
) -> int:
    """Claim one closed period's report and queue its messages; 0 if it was claimed before."""
    if not claim_issue(connection, agreement.id, label, now):
        return 0
    report = report_from_store(connection, agreement.id, label, generated_at=now)
    queued = 0
    for recipient in report_recipients(connection, agreement, settings):
        message = report_message(report, recipient.language, settings.base_url)
        hashed = url_hash(recipient.url) if recipient.url else "none"
        queued += enqueue(
            connection,
            Outgoing(
                key=f"report:{agreement.id}:{label}:{recipient.target}:{hashed}",
                recipient=recipient,
                title=message.title,
                body=message.body,
                queued_at=now,
            ),
        )
    record_messages(connection, agreement.id, label, queued)
    return queued


def deliver_reports(
    engine: Engine,
    *,
    now: int,
    settings: Settings | None = None,
    enqueue: Enqueue = outbox.enqueue,
) -> int:
    """Queue the reports of every period that closed since the last round; return how many.

    One query finds the periods to report, so a round with nothing to send parses no
    agreement. A transaction per agreement: one agreement's failure leaves the others'
    reports queued, and its periods are tried again next round (their claims roll back).
    """
    settings = settings or get_settings()
    with transaction(engine) as connection:
        mark_new_agreements(connection, now)
        pending = unissued_closed_periods(connection)
    by_agreement: dict[str, list[str]] = {}
    for agreement_id, label in pending:
        if _reported(label):
            by_agreement.setdefault(agreement_id, []).append(label)
    queued = 0
    for agreement_id, labels in by_agreement.items():
        try:
            with transaction(engine) as connection:
                stored = get_version(connection, agreement_id)
                if stored is None:
                    continue
                for label in labels:
                    queued += issue_report(
                        connection,
                        stored.agreement,
                        label,
                        now=now,
                        settings=settings,
                        enqueue=enqueue,
                    )
        except Exception:
            log.exception(
                "%s: queueing closed-period reports failed; the others go on", agreement_id
            )
            record_background_failure("report_delivery", agreement_id)
    return queued
