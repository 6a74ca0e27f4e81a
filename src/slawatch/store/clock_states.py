"""Item clocks as the alert triggers read them: their state now, which may be past the stored.

The rule is engine/clock_states.state_at: a running clock past its deadline is breached, one
past its warning point at risk. `as_of_now` applies it to one clock; `clocks_turned_bad`
selects by it in SQL, so that a tick finds new breaches without reading every clock. The
store tests hold the query to the rule on random clocks, on both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, String, and_, cast, literal, or_, select

from slawatch.engine.clock_states import AT_RISK, BREACHED, RUNNING, TICKING, state_at
from slawatch.store.escalations import Escalation
from slawatch.store.schema import escalations, item_clocks


@dataclass(frozen=True)
class ClockStanding:
    """An item clock as the triggers and the recovery check read it."""

    agreement_id: str
    objective: str
    item_id: int
    period: str
    state: str
    since: int
    started_at: int
    stopped_at: int | None
    deadline: int | None
    warn_at: int | None
    elapsed_us: int


def _standing(row: Any) -> ClockStanding:
    return ClockStanding(
        agreement_id=row.agreement_id,
        objective=row.objective,
        item_id=int(row.item_id),
        period=row.period,
        state=row.state,
        since=row.since,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        deadline=row.deadline,
        warn_at=row.warn_at,
        elapsed_us=row.elapsed_us,
    )


def as_of_now(clock: ClockStanding, now: int) -> ClockStanding:
    """Return the clock as it stands at `now`, which may be later than its stored evaluation.

    This keeps a breach from waiting for the next evaluation round before it escalates.
    """
    state, since = state_at(
        clock.state,
        clock.since,
        stopped_at=clock.stopped_at,
        deadline=clock.deadline,
        warn_at=clock.warn_at,
        now=now,
    )
    return (
        clock
        if (state, since) == (clock.state, clock.since)
        else replace(clock, state=state, since=since)
    )


def _in_state_at(state: str, now: int, since_from: int) -> Any:
    """Select the unstopped clocks that `state_at` puts in `state` at `now`, since `since_from`.

    Written as OR-ed ranges rather than a CASE over the rule, so that the index on (state,
    deadline) serves it; tests/store/test_clock_states.py checks it against `state_at`.
    """
    c = item_clocks.c
    stored = and_(c.state == state, c.since >= since_from)
    not_yet_due = or_(c.deadline.is_(None), c.deadline > now)
    if state == BREACHED:
        passed = and_(c.state.in_(TICKING), c.deadline <= now, c.deadline >= since_from)
        return or_(stored, passed)
    if state == AT_RISK:
        passed = and_(c.state == RUNNING, c.warn_at <= now, c.warn_at >= since_from, not_yet_due)
        return or_(and_(stored, not_yet_due), passed)
    if state == RUNNING:
        return and_(stored, not_yet_due, or_(c.warn_at.is_(None), c.warn_at > now))
    return stored


def clocks_turned_bad(
    connection: Connection, *, state: str, trigger: str, since_from: int, now: int
) -> list[ClockStanding]:
    """Return running item clocks in `state` at `now` since `since_from`, without a `trigger`
    escalation.

    The anti-join keeps a tick from re-trying thousands of old triggers every round; the
    unique key still decides when two replicas find the same one.
    """
    c, e = item_clocks.c, escalations.c
    # Matched on the subject text, so the lookup is one probe of the unique key's index.
    opened = select(e.id).where(
        e.agreement_id == c.agreement_id,
        e.objective == c.objective,
        e.subject == literal("item:") + cast(c.item_id, String),
        e.trigger == trigger,
    )
    query = (
        select(item_clocks)
        .where(
            _in_state_at(state, now, since_from),
            c.stopped_at.is_(None),
            ~opened.exists(),
        )
        .order_by(c.since, c.agreement_id, c.objective, c.item_id)
    )
    return [as_of_now(_standing(row), now) for row in connection.execute(query)]


def clocks_of(
    connection: Connection, escalations_: Sequence[Escalation]
) -> dict[tuple[str, str, int], ClockStanding]:
    """Return the item clocks of the given item escalations, by (agreement, objective, item)."""
    keys = {(x.agreement_id, x.objective, x.item_id) for x in escalations_ if x.item_id is not None}
    found: dict[tuple[str, str, int], ClockStanding] = {}
    c = item_clocks.c
    for agreement_id in sorted({key[0] for key in keys}):
        wanted = sorted({key[2] for key in keys if key[0] == agreement_id})
        for start in range(0, len(wanted), 500):
            query = select(item_clocks).where(
                c.agreement_id == agreement_id, c.item_id.in_(wanted[start : start + 500])
            )
            for row in connection.execute(query):
                standing = _standing(row)
                key = (standing.agreement_id, standing.objective, standing.item_id)
                if key in keys:
                    found[key] = standing
    return found
