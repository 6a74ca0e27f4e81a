"""Read what an item's story tells beyond its events: attribute history, escalations, audit.

Every query is bounded by a limit, so an item with a long history costs a page of rows. The
attribute history and the audit log are read through their indexes (the history's key starts
with the item, the audit log is indexed by subject); escalations and their deliveries are
found by item and escalation in tables of alert rows, which stay far smaller than the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from slawatch.store.escalations import Escalation, Step, list_escalations
from slawatch.store.schema import audit_log, deliveries, escalation_steps, item_attributes

MAX_ATTRIBUTE_VALUES = 5_000  # values of an item's history told at most (the earliest)
MAX_ESCALATIONS = 100
MAX_AUDIT_ENTRIES = 500
STEP_KEY = "step:"  # alerts/outbox.py keys a ladder step's message "step:<step id>:<recipient>:…"


@dataclass(frozen=True)
class AttributeValue:
    """A value an item's attribute took at an instant (µs), as its history stores it."""

    name: str
    at: int
    value: str


@dataclass(frozen=True)
class Notified:
    """A message of a ladder step to one recipient, and how its delivery went."""

    recipient: str
    status: str  # pending | sent | failed


@dataclass(frozen=True)
class ItemEscalation:
    """An escalation about the item, its steps in order, and who each ladder step notified."""

    escalation: Escalation
    steps: list[Step]
    notified: dict[int, list[Notified]]  # step id → recipients


@dataclass(frozen=True)
class AuditEntry:
    at: int
    actor: str
    action: str
    detail: dict[str, object]


def attribute_history(
    connection: Connection, item_id: int, *, limit: int = MAX_ATTRIBUTE_VALUES
) -> list[AttributeValue]:
    """Return the item's stored attribute values by instant (its kind under "kind")."""
    a = item_attributes.c
    rows = connection.execute(
        select(a.name, a.at, a.value)
        .where(a.item_id == item_id)
        .order_by(a.at, a.name)
        .limit(limit)
    )
    return [AttributeValue(row.name, row.at, row.value) for row in rows]


def _steps(connection: Connection, escalation_ids: Sequence[int]) -> dict[int, list[Step]]:
    s = escalation_steps.c
    rows = connection.execute(
        select(escalation_steps).where(s.escalation_id.in_(escalation_ids)).order_by(s.at, s.id)
    )
    found: dict[int, list[Step]] = {}
    for row in rows:
        step = Step(
            id=int(row.id),
            escalation_id=int(row.escalation_id),
            at=row.at,
            action=row.action,
            tier=row.tier,
            actor=row.actor,
            comment=row.comment,
        )
        found.setdefault(step.escalation_id, []).append(step)
    return found


def _notified(connection: Connection, escalation_ids: Sequence[int]) -> dict[int, list[Notified]]:
    """Return the recipients of each ladder step's messages, by step id."""
    d = deliveries.c
    rows = connection.execute(
        select(d.dedup_key, d.recipient, d.status)
        .where(d.escalation_id.in_(escalation_ids), d.dedup_key.startswith(STEP_KEY))
        .order_by(d.id)
    )
    found: dict[int, list[Notified]] = {}
    for row in rows:
        number = row.dedup_key.removeprefix(STEP_KEY).partition(":")[0]
        if number.isdigit():
            found.setdefault(int(number), []).append(Notified(row.recipient, row.status))
    return found


def item_escalations(
    connection: Connection, item_id: int, *, limit: int = MAX_ESCALATIONS
) -> list[ItemEscalation]:
    """Return the escalations about the item with their steps and whom each step notified."""
    found = list_escalations(connection, item_id=item_id, limit=limit)
    if not found:
        return []
    ids = [escalation.id for escalation in found]
    steps = _steps(connection, ids)
    notified = _notified(connection, ids)
    return [
        ItemEscalation(
            escalation=escalation,
            steps=steps.get(escalation.id, []),
            notified={
                step.id: notified[step.id]
                for step in steps.get(escalation.id, [])
                if step.id in notified
            },
        )
        for escalation in found
    ]


def item_audit_subject(item_id: int) -> str:
    """Return the audit subject of changes to an item (as its escalations' subject reads)."""
    return f"item:{item_id}"


def item_audit(
    connection: Connection, item_id: int, *, limit: int = MAX_AUDIT_ENTRIES
) -> list[AuditEntry]:
    """Return the audit entries about the item (subject `item:<id>`), oldest first."""
    a = audit_log.c
    rows = connection.execute(
        select(a.at, a.actor, a.action, a.detail)
        .where(a.subject == item_audit_subject(item_id))
        .order_by(a.at, a.id)
        .limit(limit)
    )
    return [AuditEntry(row.at, row.actor, row.action, dict(row.detail or {})) for row in rows]
