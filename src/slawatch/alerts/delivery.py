"""Send due deliveries: claim each under a lease, send it, record the outcome, retry later.

Every replica may call `send_due` on every alert tick. A row is sent only by the process whose
conditional UPDATE took its lease, and the lease is committed before the send, so two senders
never send one message. Each row is claimed just before it is sent (not a whole batch up
front), so a slow channel cannot run a later row's lease out. If a process dies mid-send, the
lease expires and another process sends the message again: at least once, never twice while
everyone is alive.

A failed attempt is retried after 30 s, 2 min, 10 min, 1 h and 4 h; after the sixth attempt,
or at once when the channel says the failure is permanent, the row is marked failed with its
last error, for the admin deliveries page. One message's failure of any kind (a channel
bug, a URL no transport can parse, an error text the database refuses) is logged, counted and
left to its lease; every other due message is still sent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from slawatch import metrics
from slawatch.alerts.channels import Transport, TransportError, transport_for
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import (
    Delivery,
    claim_delivery,
    due_deliveries,
    record_failure,
    record_retry,
    record_sent,
)

log = logging.getLogger("slawatch.alerts")
US = 1_000_000
BACKOFF_SECONDS = (30, 120, 600, 3600, 4 * 3600)  # after attempts 1 … 5
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
LEASE_SECONDS = 300  # far longer than one send (apprise gives up after 60 s)


@dataclass
class SendReport:
    """What one `send_due` call did, by delivery id."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # another sender claimed it first
    broken: list[int] = field(default_factory=list)  # its outcome could not be recorded

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.failed)


def backoff_seconds(attempts: int) -> int:
    """Return the wait after the `attempts`-th failed attempt (1-based)."""
    return BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]


MAX_ERROR = 2000  # characters of a channel's error kept with the delivery


def _attempt(delivery: Delivery) -> TransportError | None:
    kind = "unknown"
    try:
        transport: Transport = transport_for(delivery.url)
        kind = transport.kind
        transport.notify(delivery.title, delivery.body)
    except TransportError as error:
        return error
    except Exception as error:  # a channel bug must not stop the other messages
        log.exception("delivery %s: the %s transport failed", delivery.id, kind)
        return TransportError(f"{type(error).__name__}: {error}", permanent=False)
    return None


def _storable(message: str) -> str:
    """Return an error text the database keeps: no NUL (PostgreSQL refuses it), bounded."""
    text = message.replace("\x00", "")
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def _record(
    engine: Engine,
    delivery: Delivery,
    error: TransportError | None,
    *,
    owner: str,
    now: int,
    report: SendReport,
) -> None:
    attempts = delivery.attempts + 1
    with transaction(engine) as connection:
        if error is None:
            kept = record_sent(connection, delivery.id, owner=owner, now=now)
            outcome, bucket = "sent", report.sent
        elif error.permanent or attempts >= MAX_ATTEMPTS:
            message = _storable(error.message)
            kept = record_failure(connection, delivery.id, owner=owner, error=message)
            outcome, bucket = "failed", report.failed
        else:
            retry_at = now + backoff_seconds(attempts) * US
            message = _storable(error.message)
            kept = record_retry(
                connection, delivery.id, owner=owner, next_attempt_at=retry_at, error=message
            )
            outcome, bucket = "retried", report.retried
    if not kept:
        log.warning("delivery %s: the lease ran out before its outcome was recorded", delivery.id)
    bucket.append(delivery.id)
    metrics.record_delivery(outcome)
    if error is not None:
        log.info("delivery %s to %s %s: %s", delivery.id, delivery.recipient, outcome, error)


def send_due(
    engine: Engine,
    *,
    now: int,
    owner: str,
    limit: int = 100,
) -> SendReport:
    """Send up to `limit` pending deliveries due by `now`; return what happened to each.

    `now` is the tick's instant (µs); time spent sending is added to it for leases and retry
    times, so a long round never hands out leases that have already run out.
    """
    started = time.monotonic_ns()

    def instant() -> int:
        return now + (time.monotonic_ns() - started) // 1000

    report = SendReport()
    with read_transaction(engine) as connection:
        candidates = due_deliveries(connection, now=now, limit=limit)
    for delivery_id in candidates:
        claimed_at = instant()
        with transaction(engine) as connection:
            delivery = claim_delivery(
                connection,
                delivery_id,
                owner=owner,
                now=claimed_at,
                lease_until=claimed_at + LEASE_SECONDS * US,
            )
        if delivery is None:
            report.lost.append(delivery_id)
            continue
        try:
            _record(engine, delivery, _attempt(delivery), owner=owner, now=instant(), report=report)
        except Exception:  # this message's outcome could not be kept: the others still go
            log.exception("delivery %s: recording its outcome failed", delivery_id)
            metrics.record_background_failure("delivery")
            report.broken.append(delivery_id)
    return report
