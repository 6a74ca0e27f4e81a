"""Escalations and their steps: opening once, climbing once per step, closing once.

Every guarantee is a database constraint or a conditional UPDATE, so it holds with several
replicas ticking at once: (agreement, objective, subject, trigger) is unique, so a trigger opens
one escalation ever; (escalation, action, tier) is unique, so no ladder step is taken twice;
acknowledging and closing only change a row that is not yet acknowledged or closed. Every step
is also written to the audit log, in the same transaction.

Ladder steps are stored as actions `step-1`, `step-2` … with their tier: a ladder may name a
tier twice (a reminder), and the step number keeps both apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Insert,
    Select,
    and_,
    case,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store import audit
from slawatch.store.schema import alert_watch, escalation_steps, escalations, items

SYSTEM = "slawatch"  # the actor of steps the tick takes
STEP_PREFIX = "step-"
SNOOZE_PREFIX = "snoozed-"  # snooze N of an escalation: a timeline may show several
WATCH = "alerts"

CloseReason = Literal["resolved", "recovered", "superseded"]
Outcome = Literal["done", "missing", "acknowledged", "closed"]


@dataclass(frozen=True)
class NewEscalation:
    """What a trigger knows when it opens an escalation."""

    agreement_id: str
    objective: str
    subject: str  # "item:<item id>" or "period:<label>"
    trigger: str  # warn | breach | at_risk | period_breached
    party: str
    opened_at: int
    next_step_at: int | None
    detail: dict[str, Any]
    item_id: int | None = None
    period: str | None = None


@dataclass(frozen=True)
class Escalation:
    id: int
    agreement_id: str
    objective: str
    subject: str
    item_id: int | None
    item_source: str | None
    item_external_id: str | None
    period: str | None
    trigger: str
    party: str
    opened_at: int
    tier: int
    steps_taken: int
    next_step_at: int | None
    acknowledged_at: int | None
    acknowledged_by: str | None
    ack_comment: str | None
    closed_at: int | None
    closed_by: str | None
    close_reason: str | None
    detail: dict[str, Any]
    snoozed_until: int | None = None
    snoozed_by: str | None = None
    snooze_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def snoozed_at(self, at: int) -> bool:
        return self.is_open and self.snoozed_until is not None and at < self.snoozed_until


@dataclass(frozen=True)
class Step:
    id: int
    escalation_id: int
    at: int
    action: str  # opened | step-N | snoozed-N | acknowledged | resolved | recovered | superseded
    tier: int | None
    actor: str
    comment: str | None

    @property
    def step_number(self) -> int | None:
        """Return N of a ladder step `step-N`, else None."""
        if not self.action.startswith(STEP_PREFIX):
            return None
        return int(self.action.removeprefix(STEP_PREFIX))


def _insert_ignoring_conflict(connection: Connection, table: Any) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(table).on_conflict_do_nothing()
    return statement


# -- writing ------------------------------------------------------------------------------


def open_escalation(connection: Connection, new: NewEscalation) -> int | None:
    """Open an escalation and record its `opened` step; None if the trigger had opened one.

    Conflicts are ignored by the database (INSERT … ON CONFLICT DO NOTHING), so a second
    replica racing for the same trigger waits for the first and then inserts nothing.
    """
    row = connection.execute(
        _insert_ignoring_conflict(connection, escalations)
        .values(
            agreement_id=new.agreement_id,
            objective=new.objective,
            subject=new.subject,
            item_id=new.item_id,
            period=new.period,
            trigger=new.trigger,
            party=new.party,
            opened_at=new.opened_at,
            tier=0,
            next_step_at=new.next_step_at,
            detail=new.detail,
        )
        .returning(escalations.c.id)
    ).first()
    if row is None:
        return None
    escalation_id = int(row.id)
    add_step(connection, escalation_id, at=new.opened_at, action="opened", tier=None, actor=SYSTEM)
    return escalation_id


def add_step(
    connection: Connection,
    escalation_id: int,
    *,
    at: int,
    action: str,
    tier: int | None,
    actor: str,
    comment: str | None = None,
) -> int | None:
    """Record a step and audit it; None if this (action, tier) was taken before."""
    row = connection.execute(
        _insert_ignoring_conflict(connection, escalation_steps)
        .values(
            escalation_id=escalation_id,
            at=at,
            action=action,
            tier=tier,
            actor=actor,
            comment=comment,
        )
        .returning(escalation_steps.c.id)
    ).first()
    if row is None:
        return None
    audit.record(
        connection,
        actor=actor,
        action=_audit_action(action),
        subject=f"escalation:{escalation_id}",
        step=action,
        tier=tier,
        at=at,
        comment=comment,
    )
    return int(row.id)


def _audit_action(action: str) -> str:
    if action.startswith(STEP_PREFIX):
        return "escalation.notified"
    if action.startswith(SNOOZE_PREFIX):
        return "escalation.snoozed"
    return f"escalation.{action}"


def take_ladder_step(
    connection: Connection, escalation_id: int, *, step: int, tier: int, at: int
) -> int | None:
    """Record ladder step `step` notifying `tier`; None if it was taken already."""
    step_id = add_step(
        connection, escalation_id, at=at, action=f"{STEP_PREFIX}{step}", tier=tier, actor=SYSTEM
    )
    if step_id is not None:
        connection.execute(
            update(escalations)
            .where(escalations.c.id == escalation_id)
            .values(tier=case((escalations.c.tier < tier, tier), else_=escalations.c.tier))
        )
    return step_id


def set_next_step_at(connection: Connection, escalation_id: int, next_step_at: int | None) -> None:
    connection.execute(
        update(escalations)
        .where(escalations.c.id == escalation_id)
        .values(next_step_at=next_step_at)
    )


def _tier_of(connection: Connection, escalation_id: int) -> int:
    return int(
        connection.execute(
            select(escalations.c.tier).where(escalations.c.id == escalation_id)
        ).scalar_one()
    )


def close_escalation(
    connection: Connection,
    escalation_id: int,
    *,
    at: int,
    by: str,
    reason: CloseReason,
    comment: str | None = None,
) -> bool:
    """Close an open escalation and record why; False if it was closed already."""
    closed = connection.execute(
        update(escalations)
        .where(escalations.c.id == escalation_id, escalations.c.closed_at.is_(None))
        .values(closed_at=at, closed_by=by, close_reason=reason, next_step_at=None)
    )
    if closed.rowcount != 1:
        return False
    tier = _tier_of(connection, escalation_id)
    add_step(connection, escalation_id, at=at, action=reason, tier=tier, actor=by, comment=comment)
    return True


def _why_not(connection: Connection, escalation_id: int) -> Outcome:
    row = connection.execute(
        select(escalations.c.acknowledged_at, escalations.c.closed_at).where(
            escalations.c.id == escalation_id
        )
    ).first()
    if row is None:
        return "missing"
    return "closed" if row.closed_at is not None else "acknowledged"


def acknowledge(
    connection: Connection, escalation_id: int, *, at: int, by: str, comment: str | None
) -> Outcome:
    """Acknowledge an open escalation, which stops its ladder; say why if it cannot be."""
    done = connection.execute(
        update(escalations)
        .where(
            escalations.c.id == escalation_id,
            escalations.c.acknowledged_at.is_(None),
            escalations.c.closed_at.is_(None),
        )
        .values(acknowledged_at=at, acknowledged_by=by, ack_comment=comment, next_step_at=None)
    )
    if done.rowcount != 1:
        return _why_not(connection, escalation_id)
    tier = _tier_of(connection, escalation_id)
    add_step(
        connection,
        escalation_id,
        at=at,
        action="acknowledged",
        tier=tier,
        actor=by,
        comment=comment,
    )
    return "done"


def resolve(
    connection: Connection, escalation_id: int, *, at: int, by: str, comment: str | None
) -> Outcome:
    """Close an escalation by hand as resolved; say why if it cannot be."""
    if close_escalation(
        connection, escalation_id, at=at, by=by, reason="resolved", comment=comment
    ):
        return "done"
    return _why_not(connection, escalation_id)


def snooze(
    connection: Connection, escalation_id: int, *, at: int, until: int, by: str, reason: str
) -> Outcome:
    """Hold an open escalation's notifications until `until`, with the reason; say why not.

    A second snooze replaces the first (sooner or later); each is a step of its own.
    """
    done = connection.execute(
        update(escalations)
        .where(escalations.c.id == escalation_id, escalations.c.closed_at.is_(None))
        .values(snoozed_until=until, snoozed_by=by, snooze_reason=reason)
    )
    if done.rowcount != 1:
        return "missing" if _why_not(connection, escalation_id) == "missing" else "closed"
    count = connection.execute(
        select(func.count()).where(
            escalation_steps.c.escalation_id == escalation_id,
            escalation_steps.c.action.startswith(SNOOZE_PREFIX),
        )
    ).scalar_one()
    add_step(
        connection,
        escalation_id,
        at=at,
        action=f"{SNOOZE_PREFIX}{int(count) + 1}",
        tier=_tier_of(connection, escalation_id),
        actor=by,
        comment=reason,
    )
    return "done"


def open_of_subject(
    connection: Connection, agreement_id: str, objective: str, subject: str, triggers: list[str]
) -> list[int]:
    """Return the open escalations of one subject under the given triggers."""
    e = escalations.c
    rows = connection.execute(
        select(e.id).where(
            e.agreement_id == agreement_id,
            e.objective == objective,
            e.subject == subject,
            e.trigger.in_(triggers),
            e.closed_at.is_(None),
        )
    )
    return [int(row.id) for row in rows]


def watched_since(connection: Connection) -> int | None:
    """Return since when the alerts have watched this database; None before the first tick."""
    found = connection.execute(
        select(alert_watch.c.since).where(alert_watch.c.name == WATCH)
    ).scalar()
    return None if found is None else int(found)


def watching_since(connection: Connection, now: int) -> int:
    """Return since when the alerts have watched this database, starting to watch at `now`.

    The first tick ever writes the row; a database that escalated before this was recorded
    has been watched since its first escalation. Replicas racing agree on the first row.
    """
    found = watched_since(connection)
    if found is not None:
        return found
    first = connection.execute(select(func.min(escalations.c.opened_at))).scalar()
    since = now if first is None else min(now, int(first))
    connection.execute(
        _insert_ignoring_conflict(connection, alert_watch).values(name=WATCH, since=since)
    )
    return int(connection.execute(select(alert_watch.c.since)).scalar_one())


# -- reading ------------------------------------------------------------------------------


def _steps_taken() -> Any:
    s = escalation_steps.c
    return (
        select(func.count())
        .where(s.escalation_id == escalations.c.id, s.action.startswith(STEP_PREFIX))
        .scalar_subquery()
    )


def _escalations() -> Select[Any]:
    return select(
        escalations,
        items.c.source.label("item_source"),
        items.c.external_id.label("item_external_id"),
        _steps_taken().label("steps_taken"),
    ).outerjoin(items, items.c.id == escalations.c.item_id)


def _escalation(row: Any) -> Escalation:
    m = row._mapping
    return Escalation(
        id=int(m["id"]),
        agreement_id=m["agreement_id"],
        objective=m["objective"],
        subject=m["subject"],
        item_id=m["item_id"],
        item_source=m["item_source"],
        item_external_id=m["item_external_id"],
        period=m["period"],
        trigger=m["trigger"],
        party=m["party"],
        opened_at=m["opened_at"],
        tier=m["tier"],
        steps_taken=int(m["steps_taken"]),
        next_step_at=m["next_step_at"],
        acknowledged_at=m["acknowledged_at"],
        acknowledged_by=m["acknowledged_by"],
        ack_comment=m["ack_comment"],
        closed_at=m["closed_at"],
        closed_by=m["closed_by"],
        close_reason=m["close_reason"],
        detail=m["detail"],
        snoozed_until=m["snoozed_until"],
        snoozed_by=m["snoozed_by"],
        snooze_reason=m["snooze_reason"],
    )


def get_escalation(connection: Connection, escalation_id: int) -> Escalation | None:
    row = connection.execute(_escalations().where(escalations.c.id == escalation_id)).first()
    return None if row is None else _escalation(row)


def lock_escalation(connection: Connection, escalation_id: int) -> Escalation | None:
    """Read an escalation and lock its row until the transaction ends (PostgreSQL).

    An acknowledgement arriving meanwhile waits, so the tick never notifies a tier after it.
    SQLite needs no lock: its write transactions run one at a time.
    """
    query = _escalations().where(escalations.c.id == escalation_id).with_for_update(of=escalations)
    row = connection.execute(query).first()
    return None if row is None else _escalation(row)


def list_escalations(
    connection: Connection,
    *,
    state: Literal["open", "closed"] | None = None,
    agreement_id: str | None = None,
    objective: str | None = None,
    subject: str | None = None,
    item_id: int | None = None,
    item_source: str | None = None,
    item_external_id: str | None = None,
    period: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Escalation]:
    """Return escalations matching every filter given: open ones first, newest first."""
    e = escalations.c
    conditions: list[ColumnElement[bool]] = []
    if state == "open":
        conditions.append(e.closed_at.is_(None))
    elif state == "closed":
        conditions.append(e.closed_at.is_not(None))
    for column, value in (
        (e.agreement_id, agreement_id),
        (e.objective, objective),
        (e.subject, subject),
        (e.item_id, item_id),
        (items.c.source, item_source),
        (items.c.external_id, item_external_id),
        (e.period, period),
    ):
        if value is not None:
            conditions.append(column == value)
    query = (
        _escalations()
        .where(and_(True, *conditions))
        .order_by(e.closed_at.is_not(None), e.opened_at.desc(), e.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_escalation(row) for row in connection.execute(query)]


def open_escalations(connection: Connection) -> list[Escalation]:
    """Return every open escalation: the tick checks each for recovery and due steps."""
    query = _escalations().where(escalations.c.closed_at.is_(None)).order_by(escalations.c.id)
    return [_escalation(row) for row in connection.execute(query)]


def steps_of(connection: Connection, escalation_id: int) -> list[Step]:
    """Return an escalation's timeline, in the order the steps were taken."""
    rows = connection.execute(
        select(escalation_steps)
        .where(escalation_steps.c.escalation_id == escalation_id)
        .order_by(escalation_steps.c.at, escalation_steps.c.id)
    )
    return [
        Step(
            id=int(row.id),
            escalation_id=int(row.escalation_id),
            at=row.at,
            action=row.action,
            tier=row.tier,
            actor=row.actor,
            comment=row.comment,
        )
        for row in rows
    ]


def opened_triggers(connection: Connection, agreement_id: str) -> set[tuple[str, str, str]]:
    """Return the (objective, subject, trigger) of every period escalation of an agreement."""
    e = escalations.c
    rows = connection.execute(
        select(e.objective, e.subject, e.trigger).where(
            e.agreement_id == agreement_id, e.period.is_not(None), e.item_id.is_(None)
        )
    )
    return {(row.objective, row.subject, row.trigger) for row in rows}
