"""A person's item clocks: the items they own now, across agreements, from the stored clocks.

An item's owner is its `owner` attribute as of an instant, like every attribute: the latest
value set at or before it (`item_attributes`). The queries never scan all items: the owner's
items come from a partial index of the owner rows, the open clocks from a partial index of
the clocks not stopped yet, an item's clocks from the index on their item (migration 0006).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from slawatch.store.clock_lists import ClockRow, _joined, _row
from slawatch.store.schema import item_attributes, item_clocks

OWNER = "owner"
NEWEST_ITEMS = 1000  # of a person's items, those read for their recently finished clocks


@dataclass(frozen=True)
class OpenCounts:
    open: int  # clocks running, at risk, paused or late, not stopped
    late: int  # of them, past their deadline


def owned_items(owner: str, now: int) -> Select[Any]:
    """Select the ids of the items whose owner is `owner` at `now`.

    A later owner row of the same item (a reassignment) takes the item away; it is found
    through the history's primary key, one probe per candidate.
    """
    a = item_attributes.c
    later = aliased(item_attributes)
    reassigned = exists().where(
        later.c.item_id == a.item_id,
        later.c.name == OWNER,
        later.c.at > a.at,
        later.c.at <= now,
    )
    return select(a.item_id).where(a.name == OWNER, a.value == owner, a.at <= now, ~reassigned)


def _late(now: int) -> Any:
    c = item_clocks.c
    return and_(c.deadline.is_not(None), c.deadline <= now)


def open_clocks(connection: Connection, owner: str, *, now: int, limit: int) -> list[ClockRow]:
    """Return the owner's clocks not stopped yet: late ones first (longest late first), then
    the rest by deadline, suspended deadlines last."""
    c = item_clocks.c
    query = (
        _joined()
        .where(c.stopped_at.is_(None), c.item_id.in_(owned_items(owner, now)))
        .order_by(
            case((_late(now), 0), else_=1),
            c.deadline.is_(None),
            c.deadline,
            c.agreement_id,
            c.objective,
            c.item_id,
        )
        .limit(limit)
    )
    return [_row(row) for row in connection.execute(query)]


def open_counts(connection: Connection, owner: str, *, now: int) -> OpenCounts:
    c = item_clocks.c
    row = connection.execute(
        select(func.count(), func.count(case((_late(now), 1)))).where(
            c.stopped_at.is_(None), c.item_id.in_(owned_items(owner, now))
        )
    ).one()
    return OpenCounts(open=int(row[0]), late=int(row[1]))


def finished_clocks(
    connection: Connection, owner: str, *, since: int, now: int, limit: int
) -> list[ClockRow]:
    """Return the owner's clocks stopped in `[since, now]`, the latest stop first.

    Read among the owner's newest items (NEWEST_ITEMS): a clock that stops now almost always
    belongs to a recent item, and the page stays fast for an owner of a hundred thousand.
    """
    c = item_clocks.c
    newest = owned_items(owner, now).order_by(item_attributes.c.item_id.desc()).limit(NEWEST_ITEMS)
    query = (
        _joined()
        .where(
            c.item_id.in_(select(newest.subquery().c.item_id)),
            c.stopped_at >= since,
            c.stopped_at <= now,
        )
        .order_by(c.stopped_at.desc(), c.agreement_id, c.objective, c.item_id)
        .limit(limit)
    )
    return [_row(row) for row in connection.execute(query)]


def finished_counts(connection: Connection, owner: str, *, start: int, end: int) -> dict[str, int]:
    """Return how many of the owner's clocks stopped in `[start, end)`, by state (met, breached).

    The owner is the one at `end`: a week's figures go to whoever holds the items now.
    """
    c = item_clocks.c
    rows = connection.execute(
        select(c.state, func.count())
        .where(
            c.item_id.in_(owned_items(owner, end)),
            c.stopped_at >= start,
            c.stopped_at < end,
        )
        .group_by(c.state)
    )
    counts = {"met": 0, "breached": 0}
    for state, count in rows:
        counts[state] = int(count)
    return counts
