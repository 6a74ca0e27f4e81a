"""Deliveries: one row per message to send, claimed by one sender at a time.

A message is added with insert-or-ignore on its `dedup_key`, so a second replica composing
the same escalation step adds nothing. A sender claims a due row with a conditional UPDATE of
its lease (`WHERE lease_until IS NULL OR lease_until < now`): two processes racing for a row
find one winner, the other updates no row (the healthchecks `sendalerts` pattern). Outcomes
are written only by the lease's owner, so a sender whose lease ran out changes nothing.

This module also reads what a message about an escalation says (the escalation, its item and
its clock) and the open escalations per objective for /metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Insert, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store import audit
from slawatch.store.schema import deliveries, escalations, item_clocks, items

PENDING: Final = "pending"
SENT: Final = "sent"
FAILED: Final = "failed"
STATUSES: Final = (PENDING, SENT, FAILED)


@dataclass(frozen=True)
class Delivery:
    id: int
    dedup_key: str
    escalation_id: int | None
    recipient: str
    url: str  # an apprise URL with its secrets; "" when there was nowhere to send
    language: str
    title: str
    body: str
    status: str  # pending | sent | failed
    attempts: int
    next_attempt_at: int
    last_error: str | None
    created_at: int
    sent_at: int | None
    lease_owner: str | None
    lease_until: int | None


def _delivery(row: Any) -> Delivery:
    m = row._mapping
    return Delivery(**{name: m[name] for name in Delivery.__dataclass_fields__})


def _insert_or_ignore(connection: Connection) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(deliveries).on_conflict_do_nothing(
        index_elements=["dedup_key"]
    )
    return statement


def add_delivery(
    connection: Connection,
    *,
    dedup_key: str,
    recipient: str,
    url: str,
    language: str,
    title: str,
    body: str,
    now: int,
    escalation_id: int | None = None,
    failed_because: str | None = None,
    due_at: int | None = None,
) -> bool:
    """Add a message to send now; False if one with this key exists (another replica's).

    With `failed_because`, the row is added as failed right away: a message with nowhere to
    go, kept so that admins see it on the deliveries page.
    """
    return (
        queue_delivery(
            connection,
            dedup_key=dedup_key,
            recipient=recipient,
            url=url,
            language=language,
            title=title,
            body=body,
            now=now,
            escalation_id=escalation_id,
            failed_because=failed_because,
            due_at=due_at,
        )
        is not None
    )


def queue_delivery(
    connection: Connection,
    *,
    dedup_key: str,
    recipient: str,
    url: str,
    language: str,
    title: str,
    body: str,
    now: int,
    escalation_id: int | None = None,
    failed_because: str | None = None,
    due_at: int | None = None,
) -> int | None:
    """Add a message sent from `due_at` (default `now`); its id, or None if the key exists.

    `due_at` later than `now` holds the message back (the recipient's quiet hours).
    """
    added = connection.execute(
        _insert_or_ignore(connection)
        .values(
            dedup_key=dedup_key,
            escalation_id=escalation_id,
            recipient=recipient,
            url=url,
            language=language,
            title=title,
            body=body,
            status=PENDING if failed_because is None else FAILED,
            attempts=0,
            next_attempt_at=now if due_at is None else max(now, due_at),
            last_error=failed_because,
            created_at=now,
        )
        .returning(deliveries.c.id)
    ).first()
    return None if added is None else int(added[0])


def due_deliveries(connection: Connection, *, now: int, limit: int) -> list[int]:
    """Return the ids of pending deliveries due by `now` that nobody holds, oldest due first."""
    c = deliveries.c
    query = (
        select(c.id)
        .where(
            c.status == PENDING,
            c.next_attempt_at <= now,
            or_(c.lease_until.is_(None), c.lease_until < now),
        )
        .order_by(c.next_attempt_at, c.id)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())


def claim_delivery(
    connection: Connection, delivery_id: int, *, owner: str, now: int, lease_until: int
) -> Delivery | None:
    """Take the lease on sending one delivery; None if another sender got there first."""
    c = deliveries.c
    row = connection.execute(
        update(deliveries)
        .where(
            c.id == delivery_id,
            c.status == PENDING,
            c.next_attempt_at <= now,
            or_(c.lease_until.is_(None), c.lease_until < now),
        )
        .values(lease_owner=owner, lease_until=lease_until)
        .returning(*deliveries.c)
    ).first()
    return None if row is None else _delivery(row)


def _settle(connection: Connection, delivery_id: int, owner: str, **values: Any) -> bool:
    c = deliveries.c
    updated = connection.execute(
        update(deliveries)
        .where(c.id == delivery_id, c.lease_owner == owner, c.status == PENDING)
        .values(lease_owner=None, lease_until=None, **values)
    )
    return updated.rowcount == 1


def record_sent(connection: Connection, delivery_id: int, *, owner: str, now: int) -> bool:
    """Mark a claimed delivery sent; False if the lease was lost meanwhile."""
    c = deliveries.c
    return _settle(
        connection, delivery_id, owner, status=SENT, sent_at=now, attempts=c.attempts + 1
    )


def record_retry(
    connection: Connection, delivery_id: int, *, owner: str, next_attempt_at: int, error: str
) -> bool:
    """Count a failed attempt and schedule the next one; False if the lease was lost."""
    c = deliveries.c
    return _settle(
        connection,
        delivery_id,
        owner,
        attempts=c.attempts + 1,
        next_attempt_at=next_attempt_at,
        last_error=error,
    )


def record_failure(connection: Connection, delivery_id: int, *, owner: str, error: str) -> bool:
    """Give a claimed delivery up for good; False if the lease was lost meanwhile."""
    c = deliveries.c
    return _settle(
        connection, delivery_id, owner, status=FAILED, attempts=c.attempts + 1, last_error=error
    )


def release_delivery(connection: Connection, delivery_id: int, *, owner: str) -> bool:
    """Give a lease back without an attempt (the sender stopped before trying)."""
    return _settle(connection, delivery_id, owner)


def get_delivery(connection: Connection, delivery_id: int) -> Delivery | None:
    row = connection.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
    return None if row is None else _delivery(row)


def list_deliveries(
    connection: Connection, *, status: str | None = None, limit: int = 200
) -> list[Delivery]:
    """Return the newest deliveries first, of one status or all."""
    query = select(deliveries).order_by(deliveries.c.created_at.desc(), deliveries.c.id.desc())
    if status is not None:
        query = query.where(deliveries.c.status == status)
    return [_delivery(row) for row in connection.execute(query.limit(limit))]


def delivery_counts(connection: Connection) -> dict[str, int]:
    """Return how many deliveries there are of each status (zero included)."""
    query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: int(n) for status, n in connection.execute(query)})
    return counts


def retry_delivery(connection: Connection, delivery_id: int, *, actor: str, now: int) -> bool:
    """Send a failed delivery again from now, with a fresh set of attempts; audited."""
    c = deliveries.c
    updated = connection.execute(
        update(deliveries)
        .where(c.id == delivery_id, c.status == FAILED, c.url != "")
        .values(status=PENDING, attempts=0, next_attempt_at=now, lease_owner=None, lease_until=None)
    )
    if updated.rowcount != 1:
        return False
    audit.record(
        connection, actor=actor, action="delivery.retry", subject=f"delivery:{delivery_id}"
    )
    return True


@dataclass(frozen=True)
class EscalationSubject:
    """An escalation as a message tells it: what, about which item or period, and its clock."""

    id: int
    agreement_id: str
    objective: str
    subject: str
    trigger: str
    party: str
    tier: int
    period: str | None
    opened_at: int
    detail: dict[str, Any]
    item_source: str | None
    item_external_id: str | None
    elapsed_us: int | None  # the item clock as last evaluated, when the subject is an item
    deadline: int | None


def escalation_subject(connection: Connection, escalation_id: int) -> EscalationSubject | None:
    """Read an escalation with its item and item clock (both absent for a period subject)."""
    e, i, k = escalations.c, items.c, item_clocks.c
    query = (
        select(
            e.id,
            e.agreement_id,
            e.objective,
            e.subject,
            e.trigger,
            e.party,
            e.tier,
            e.period,
            e.opened_at,
            e.detail,
            i.source,
            i.external_id,
            k.elapsed_us,
            k.deadline,
        )
        .select_from(escalations)
        .outerjoin(items, items.c.id == e.item_id)
        .outerjoin(
            item_clocks,
            (k.agreement_id == e.agreement_id)
            & (k.objective == e.objective)
            & (k.item_id == e.item_id),
        )
        .where(e.id == escalation_id)
    )
    row = connection.execute(query).first()
    if row is None:
        return None
    return EscalationSubject(
        id=row.id,
        agreement_id=row.agreement_id,
        objective=row.objective,
        subject=row.subject,
        trigger=row.trigger,
        party=row.party,
        tier=row.tier,
        period=row.period,
        opened_at=row.opened_at,
        detail=dict(row.detail or {}),
        item_source=row.source,
        item_external_id=row.external_id,
        elapsed_us=row.elapsed_us,
        deadline=row.deadline,
    )


def open_escalation_counts(connection: Connection) -> dict[tuple[str, str], int]:
    """Return the number of open escalations per (agreement, objective)."""
    e = escalations.c
    query = (
        select(e.agreement_id, e.objective, func.count())
        .where(e.closed_at.is_(None))
        .group_by(e.agreement_id, e.objective)
    )
    return {(agreement, objective): int(n) for agreement, objective, n in connection.execute(query)}
