"""Queue messages as deliveries, once per key, for the sender to send later.

Queueing and sending are apart: a message is one `deliveries` row per recipient, written in
the caller's transaction (an escalation step's messages exist exactly when the step does), and
the sender (`delivery.py`) sends it later with retries. A replica queueing the same message
adds nothing, because every row has a deterministic key. A message with nowhere to go is kept,
failed, so that admins see it on the deliveries page.

Between the ladder and the channels sits the recipient's delivery policy
(`preferences.py`): a message goes at once (held only by the recipient's quiet hours), waits
for the recipient's next digest (`digests.py`), or is not sent at all. Every message that
goes or waits is recorded as a notice, which the digests and the daily summary read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.alerts.messages import Message
from slawatch.alerts.preferences import NOW, REVIEW_REMINDER, Choices, decide
from slawatch.alerts.quiet_hours import opening_of, quiet_calendar
from slawatch.alerts.recipients import Recipient
from slawatch.config import get_settings
from slawatch.engine.instants import US
from slawatch.store.agreements import get_version
from slawatch.store.deliveries import queue_delivery
from slawatch.store.escalations import get_escalation
from slawatch.store.notices import add_notice
from slawatch.store.preferences import choices_of

NO_ROUTE = "no route and no SLAWATCH_SMTP_URL"


@dataclass(frozen=True)
class Outgoing:
    """One message to one recipient; `key` makes queueing it a second time a no-op."""

    key: str
    recipient: Recipient
    title: str
    body: str
    queued_at: int  # µs; the message is due from then
    escalation_id: int | None = None
    tier: int = 1
    trigger: str | None = None  # None: the escalation's trigger, or a review reminder's


@dataclass(frozen=True)
class LadderStep:
    """A step an escalation just took: whose messages to queue, and when."""

    escalation_id: int
    step_id: int
    tier: int
    taken_at: int  # µs


@dataclass(frozen=True)
class About:
    """What a message is about, as far as the delivery policy needs to know."""

    trigger: str
    agreement: Agreement | None = None
    objective: str | None = None


# Queue one message; False if its key was queued before (enqueue, or a test's outbox).
Enqueue = Callable[[Connection, Outgoing], bool]


def about(connection: Connection, outgoing: Outgoing) -> About:
    """Look up the trigger, agreement and objective of a message."""
    if outgoing.escalation_id is not None:
        escalation = get_escalation(connection, outgoing.escalation_id)
        if escalation is not None:
            stored = get_version(connection, escalation.agreement_id)
            return About(
                outgoing.trigger or escalation.trigger,
                stored.agreement if stored else None,
                escalation.objective or None,
            )
    # alerts/reviews.py: review:<agreement>:<due>:…, an overdue one review-overdue:<agreement>:…
    if outgoing.key.startswith(("review:", "review-overdue:")):
        stored = get_version(connection, outgoing.key.split(":")[1])
        return About(outgoing.trigger or REVIEW_REMINDER, stored.agreement if stored else None)
    return About(outgoing.trigger or "")


def _choices(connection: Connection, recipient: Recipient) -> Choices:
    # Only people choose; a party's shared route ("<agreement>:<party>") keeps the defaults.
    return choices_of(connection, recipient.target) if "@" in recipient.target else Choices()


def _queue(
    connection: Connection,
    outgoing: Outgoing,
    *,
    failed_because: str | None = None,
    due_at: int | None = None,
) -> int | None:
    """Add the message's delivery row; its id, or None if its key was queued before."""
    recipient = outgoing.recipient
    return queue_delivery(
        connection,
        dedup_key=outgoing.key,
        recipient=recipient.target,
        url=recipient.url,
        language=recipient.language,
        title=outgoing.title,
        body=outgoing.body,
        now=outgoing.queued_at,
        escalation_id=outgoing.escalation_id,
        failed_because=failed_because,
        due_at=due_at,
    )


def enqueue(connection: Connection, outgoing: Outgoing, subject: About | None = None) -> bool:
    """Queue one message as the recipient's policy says; False if queued before or off.

    Without a URL it is kept failed (admins see it); otherwise it goes at once, or is held
    for a digest, or is dropped, by `preferences.decide`.
    """
    recipient = outgoing.recipient
    if not recipient.url:
        return _queue(connection, outgoing, failed_because=NO_ROUTE) is not None
    subject = subject or about(connection, outgoing)
    choices = _choices(connection, recipient)
    calendar = quiet_calendar(connection, choices, subject.agreement, subject.objective)
    decision = decide(
        subject.trigger,
        outgoing.tier,
        choices,
        now=outgoing.queued_at,
        digest_us=get_settings().digest_minutes * 60 * US,
        opening=None if calendar is None else opening_of(calendar),
    )
    if decision is None:
        return False
    delivery_id = None
    if decision.mode == NOW:
        delivery_id = _queue(connection, outgoing, due_at=decision.release_at)
        if delivery_id is None:
            return False
    if calendar is not None:
        zone = calendar.timezone
    else:
        zone = subject.agreement.timezone if subject.agreement else "UTC"
    added = add_notice(
        connection,
        dedup_key=outgoing.key,
        recipient=recipient.target,
        url=recipient.url,
        language=recipient.language,
        trigger=subject.trigger,
        tier=outgoing.tier,
        escalation_id=outgoing.escalation_id,
        title=outgoing.title,
        body=outgoing.body,
        zone=zone,
        mode=decision.mode,
        created_at=outgoing.queued_at,
        release_at=decision.release_at,
        delivery_id=delivery_id,
    )
    return added or delivery_id is not None


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def enqueue_step_messages(
    connection: Connection,
    recipients: Iterable[Recipient],
    message_for: Callable[[str], Message],
    step: LadderStep,
) -> int:
    """Queue one ladder step's message to each recipient, in its language; return how many.

    The key names the step, the recipient and its URL, so a second replica queues nothing.
    """
    added = 0
    subject: About | None = None
    for recipient in recipients:
        message = message_for(recipient.language)
        hashed = url_hash(recipient.url) if recipient.url else "none"
        outgoing = Outgoing(
            key=f"step:{step.step_id}:{recipient.target}:{hashed}",
            recipient=recipient,
            title=message.title,
            body=message.body,
            queued_at=step.taken_at,
            escalation_id=step.escalation_id,
            tier=step.tier,
        )
        if subject is None and recipient.url:
            subject = about(connection, outgoing)
        added += enqueue(connection, outgoing, subject)
    return added
