"""Queue messages as deliveries, once per key, for the sender to send later.

Queueing and sending are apart: a message is one `deliveries` row per recipient, written in
the caller's transaction (an escalation step's messages exist exactly when the step does), and
the sender (`delivery.py`) sends it later with retries. A replica queueing the same message
adds nothing, because every row has a deterministic key. A message with nowhere to go is kept,
failed, so that admins see it on the deliveries page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from slawatch.alerts.messages import Message
from slawatch.alerts.recipients import Recipient
from slawatch.store.deliveries import add_delivery

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


@dataclass(frozen=True)
class LadderStep:
    """A step an escalation just took: whose messages to queue, and when."""

    escalation_id: int
    step_id: int
    tier: int
    taken_at: int  # µs


# Queue one message; False if its key was queued before (enqueue, or a test's outbox).
Enqueue = Callable[[Connection, Outgoing], bool]


def enqueue(connection: Connection, outgoing: Outgoing) -> bool:
    """Queue one message; False if its key was queued before. Without a URL it is kept failed."""
    recipient = outgoing.recipient
    return add_delivery(
        connection,
        dedup_key=outgoing.key,
        recipient=recipient.target,
        url=recipient.url,
        language=recipient.language,
        title=outgoing.title,
        body=outgoing.body,
        now=outgoing.queued_at,
        escalation_id=outgoing.escalation_id,
        failed_because=None if recipient.url else NO_ROUTE,
    )


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
    for recipient in recipients:
        message = message_for(recipient.language)
        hashed = url_hash(recipient.url) if recipient.url else "none"
        added += enqueue(
            connection,
            Outgoing(
                key=f"step:{step.step_id}:{recipient.target}:{hashed}",
                recipient=recipient,
                title=message.title,
                body=message.body,
                queued_at=step.taken_at,
                escalation_id=step.escalation_id,
            ),
        )
    return added
