"""Disputes and their append-only timelines: opened, comments, ladder steps, the decision.

A dispute's row carries what its timeline settles (open or decided, and how), so that lists
and badges are one indexed query; every change also appends a timeline entry and an audit log
entry in the same transaction. A decision is a conditional UPDATE (`WHERE status = 'open'`):
of two people deciding at once, one wins and the other is told. A ladder step is an entry
with a unique (dispute, step) key: replicas running the periodic job take each step once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Connection, Insert, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store import audit
from slawatch.store.schema import dispute_entries, disputes, items

Subject = Literal["item", "figure", "statement"]
SUBJECTS: tuple[str, ...] = ("item", "figure", "statement")
OPEN = "open"
UPHELD = "upheld"
REJECTED = "rejected"
SYSTEM = "slawatch"  # the actor of the ladder's steps


@dataclass(frozen=True)
class NewDispute:
    """What a party disputes, and why; `next_step_at` is the ladder's first step."""

    agreement_id: str
    subject: str  # item | figure | statement
    disputing_party: str
    reason: str
    opened_by: str
    opened_at: int
    objective: str | None = None
    item_id: int | None = None
    period: str | None = None
    party: str | None = None
    links: tuple[str, ...] = ()
    next_step_at: int | None = None


@dataclass(frozen=True)
class DisputeEntry:
    """One line of a dispute's timeline."""

    id: int
    dispute_id: int
    at: int
    kind: str  # opened | comment | escalated | overdue | decided
    actor: str
    text: str | None = None
    links: tuple[str, ...] = ()
    tier: int | None = None
    step: str | None = None


@dataclass(frozen=True)
class Dispute:
    id: int
    agreement_id: str
    subject: str
    disputing_party: str
    title: str
    opened_by: str
    opened_at: int
    status: str
    objective: str | None = None
    item_id: int | None = None
    item: str | None = None  # "source/external id"
    period: str | None = None
    party: str | None = None
    next_step_at: int | None = None
    decided_at: int | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    correction_id: str | None = None
    entries: tuple[DisputeEntry, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def tier(self) -> int:
        """The highest tier the ladder has notified so far; 0 before the first step."""
        return max((e.tier or 0 for e in self.entries if e.step), default=0)


def title_of(reason: str, width: int = 120) -> str:
    """Return a dispute's one-line title: the reason's first line, shortened."""
    line = reason.strip().splitlines()[0] if reason.strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _entry(connection: Connection, dispute_id: int, **values: Any) -> None:
    links = list(values.pop("links", ()))
    connection.execute(insert(dispute_entries).values(dispute_id=dispute_id, links=links, **values))


def open_dispute(connection: Connection, new: NewDispute) -> int:
    """Store a dispute with its `opened` entry and an audit entry; return its id."""
    row = connection.execute(
        insert(disputes)
        .values(
            agreement_id=new.agreement_id,
            subject=new.subject,
            objective=new.objective,
            item_id=new.item_id,
            period=new.period,
            party=new.party,
            disputing_party=new.disputing_party,
            title=title_of(new.reason),
            opened_by=new.opened_by,
            opened_at=new.opened_at,
            status=OPEN,
            next_step_at=new.next_step_at,
        )
        .returning(disputes.c.id)
    ).one()
    dispute_id = int(row.id)
    _entry(
        connection,
        dispute_id,
        at=new.opened_at,
        kind="opened",
        actor=new.opened_by,
        text=new.reason,
        links=new.links,
    )
    audit.record(
        connection,
        actor=new.opened_by,
        action="dispute.open",
        subject=f"dispute:{dispute_id}",
        agreement=new.agreement_id,
        about=new.subject,
        objective=new.objective,
        period=new.period,
        party=new.party,
        disputing_party=new.disputing_party,
    )
    return dispute_id


def add_comment(
    connection: Connection,
    dispute_id: int,
    *,
    actor: str,
    text: str,
    links: tuple[str, ...] = (),
    now: int,
) -> None:
    """Append a comment or evidence to a dispute's timeline (the caller checked it exists)."""
    _entry(connection, dispute_id, at=now, kind="comment", actor=actor, text=text, links=links)
    audit.record(
        connection,
        actor=actor,
        action="dispute.comment",
        subject=f"dispute:{dispute_id}",
        links=len(links),
    )


def decide(
    connection: Connection,
    dispute_id: int,
    *,
    upheld: bool,
    reason: str,
    actor: str,
    now: int,
    correction_id: str | None = None,
) -> bool:
    """Record a decision on an open dispute; False if it was decided already."""
    status = UPHELD if upheld else REJECTED
    changed = connection.execute(
        update(disputes)
        .where(disputes.c.id == dispute_id, disputes.c.status == OPEN)
        .values(
            status=status,
            decided_at=now,
            decided_by=actor,
            decision_reason=reason,
            correction_id=correction_id,
            next_step_at=None,
        )
    ).rowcount
    if not changed:
        return False
    _entry(connection, dispute_id, at=now, kind="decided", actor=actor, text=reason, step=status)
    audit.record(
        connection,
        actor=actor,
        action=f"dispute.{status}",
        subject=f"dispute:{dispute_id}",
        reason=reason,
        correction_id=correction_id,
    )
    return True


def _insert_ignoring_conflict(connection: Connection) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(dispute_entries).on_conflict_do_nothing(
        index_elements=["dispute_id", "step"]
    )
    return statement


def take_step(
    connection: Connection, dispute_id: int, *, step: str, kind: str, tier: int, now: int
) -> int | None:
    """Append a ladder step's entry once; its id, or None if another run took the step."""
    row = connection.execute(
        _insert_ignoring_conflict(connection)
        .values(
            dispute_id=dispute_id, at=now, kind=kind, actor=SYSTEM, links=[], tier=tier, step=step
        )
        .returning(dispute_entries.c.id)
    ).first()
    return None if row is None else int(row.id)


def set_next_step_at(connection: Connection, dispute_id: int, next_step_at: int | None) -> None:
    connection.execute(
        update(disputes)
        .where(disputes.c.id == dispute_id, disputes.c.status == OPEN)
        .values(next_step_at=next_step_at)
    )


# ---------------------------------------------------------------- reading


def _query() -> Any:
    item = (items.c.source + "/" + items.c.external_id).label("item")
    return select(disputes, item).select_from(
        disputes.outerjoin(items, items.c.id == disputes.c.item_id)
    )


def _dispute(row: Any, entries: tuple[DisputeEntry, ...] = ()) -> Dispute:
    m = row._mapping
    return Dispute(
        id=int(m["id"]),
        agreement_id=m["agreement_id"],
        subject=m["subject"],
        disputing_party=m["disputing_party"],
        title=m["title"],
        opened_by=m["opened_by"],
        opened_at=int(m["opened_at"]),
        status=m["status"],
        objective=m["objective"],
        item_id=m["item_id"],
        item=m["item"],
        period=m["period"],
        party=m["party"],
        next_step_at=m["next_step_at"],
        decided_at=m["decided_at"],
        decided_by=m["decided_by"],
        decision_reason=m["decision_reason"],
        correction_id=m["correction_id"],
        entries=entries,
    )


def _entries(connection: Connection, ids: list[int]) -> dict[int, list[DisputeEntry]]:
    found: dict[int, list[DisputeEntry]] = {i: [] for i in ids}
    if not ids:
        return found
    c = dispute_entries.c
    query = select(dispute_entries).where(c.dispute_id.in_(ids)).order_by(c.at, c.id)
    for row in connection.execute(query):
        found[row.dispute_id].append(
            DisputeEntry(
                id=row.id,
                dispute_id=row.dispute_id,
                at=row.at,
                kind=row.kind,
                actor=row.actor,
                text=row.text,
                links=tuple(row.links or ()),
                tier=row.tier,
                step=row.step if row.kind in ("escalated", "overdue") else None,
            )
        )
    return found


def _with_entries(connection: Connection, rows: list[Any]) -> list[Dispute]:
    timelines = _entries(connection, [int(r.id) for r in rows])
    return [_dispute(r, tuple(timelines[int(r.id)])) for r in rows]


def get_dispute(connection: Connection, agreement_id: str, dispute_id: int) -> Dispute | None:
    """Return one dispute of an agreement with its timeline, or None."""
    query = _query().where(disputes.c.id == dispute_id, disputes.c.agreement_id == agreement_id)
    rows = list(connection.execute(query))
    return _with_entries(connection, rows)[0] if rows else None


def list_disputes(
    connection: Connection,
    agreement_id: str | None = None,
    *,
    status: str | None = None,
    objective: str | None = None,
    item_id: int | None = None,
    limit: int = 200,
) -> list[Dispute]:
    """Return disputes, newest first, with their timelines; filters combine."""
    c = disputes.c
    query = _query().order_by(c.opened_at.desc(), c.id.desc()).limit(limit)
    if agreement_id is not None:
        query = query.where(c.agreement_id == agreement_id)
    if status == OPEN:
        query = query.where(c.status == OPEN)
    elif status is not None:
        query = (
            query.where(c.status != OPEN)
            if status == "decided"
            else query.where(c.status == status)
        )
    if objective is not None:
        query = query.where(c.objective == objective)
    if item_id is not None:
        query = query.where(c.item_id == item_id)
    return _with_entries(connection, list(connection.execute(query)))


def disputes_for_item(connection: Connection, item_id: int) -> list[Dispute]:
    """Return every dispute about an item, oldest first, each with its timeline entries."""
    return sorted(list_disputes(connection, item_id=item_id), key=lambda d: (d.opened_at, d.id))


def due_disputes(connection: Connection, now: int, limit: int = 500) -> list[Dispute]:
    """Return open disputes whose ladder has a step due at `now`."""
    c = disputes.c
    query = (
        _query()
        .where(c.status == OPEN, c.next_step_at.is_not(None), c.next_step_at <= now)
        .order_by(c.next_step_at, c.id)
        .limit(limit)
    )
    return _with_entries(connection, list(connection.execute(query)))


def open_counts(connection: Connection) -> dict[str, int]:
    """Return how many disputes are open, per agreement."""
    c = disputes.c
    query = select(c.agreement_id, func.count()).where(c.status == OPEN).group_by(c.agreement_id)
    return {agreement: int(n) for agreement, n in connection.execute(query)}


def statement_disputes(
    connection: Connection, agreement_id: str, period: str, party: str, owned: set[str]
) -> list[Dispute]:
    """Return the open disputes that hold a period's credit statement of `party`.

    They are the disputes of the statement itself and of the period's figures of the
    objectives the party owns (`owned`): either may change what it owes.
    """
    c = disputes.c
    query = _query().where(c.agreement_id == agreement_id, c.status == OPEN, c.period == period)
    held = []
    for dispute in _with_entries(connection, list(connection.execute(query))):
        if (dispute.subject == "statement" and dispute.party == party) or (
            dispute.subject == "figure" and dispute.objective in owned
        ):
            held.append(dispute)
    return held


def disputed_statements(
    connection: Connection, agreement_id: str, owners: dict[str, str]
) -> dict[tuple[str, str], list[int]]:
    """Return the open disputes holding each (period, party) statement of an agreement.

    `owners` maps each objective to its owning party: a figure's dispute holds the owner's
    statement of that period, as in `statement_disputes`.
    """
    c = disputes.c
    query = (
        select(c.id, c.subject, c.period, c.party, c.objective)
        .where(c.agreement_id == agreement_id, c.status == OPEN, c.period.is_not(None))
        .order_by(c.id)
    )
    held: dict[tuple[str, str], list[int]] = {}
    for row in connection.execute(query):
        party = row.party if row.subject == "statement" else owners.get(row.objective or "")
        if party is not None and row.subject in ("statement", "figure"):
            held.setdefault((row.period, party), []).append(int(row.id))
    return held
