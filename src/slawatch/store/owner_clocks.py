"""A person's item clocks: the items they own now, across agreements, from the stored clocks.

An item's owner is its `owner` attribute as of an instant, like every attribute: the latest
value set at or before it (`item_attributes`). The queries never scan all items: the owner's
items come from a partial index of the owner rows, the open clocks from a partial index of
the clocks not stopped yet, an item's clocks from the index on their item (migration 0006).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, func, select
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
    """Select the ids of the items that had `owner` as owner at some instant up to `now`.

    A superset: an item given to someone else since is still in it. The queries below cut
    their few candidate clocks down with `owner_at`, so that the history of all the owner's
    items is never read row by row.
    """
    a = item_attributes.c
    return select(a.item_id).where(a.name == OWNER, a.value == owner, a.at <= now)


def owner_at(item_id: Any, now: int) -> Any:
    """Return the SQL owner of an item at `now`: its latest owner value up to then.

    One probe of the history's primary key (item, name, at) per item.
    """
    b = aliased(item_attributes)
    return (
        select(b.c.value)
        .where(b.c.item_id == item_id, b.c.name == OWNER, b.c.at <= now)
        .order_by(b.c.at.desc())
        .limit(1)
        .scalar_subquery()
    )


def _candidates(matching: Select[Any]) -> Any:
    """Materialise a few candidate clocks' keys, so the owner check runs on them alone."""
    return matching.cte("candidates").prefix_with("MATERIALIZED", dialect="postgresql")


def _open_candidates(owner: str, now: int) -> Any:
    c = item_clocks.c
    return _candidates(
        select(c.agreement_id, c.objective, c.item_id, c.deadline).where(
            c.stopped_at.is_(None), c.item_id.in_(owned_items(owner, now))
        )
    )


def _clocks_of(candidates: Any) -> Select[Any]:
    c = item_clocks.c
    return _joined().join(
        candidates,
        and_(
            candidates.c.agreement_id == c.agreement_id,
            candidates.c.objective == c.objective,
            candidates.c.item_id == c.item_id,
        ),
    )


def _open_keys(connection: Connection, owner: str, now: int) -> list[tuple[str, str, int, Any]]:
    """Return (agreement, objective, item, deadline) of the owner's open clocks, in the page's
    order: late ones first (longest late first), then by deadline, suspended ones last."""
    candidates = _open_candidates(owner, now)
    cand = candidates.c
    query = select(cand.agreement_id, cand.objective, cand.item_id, cand.deadline).where(
        owner_at(cand.item_id, now) == owner
    )
    keys = [(a, o, int(i), d) for a, o, i, d in connection.execute(query)]

    def order(key: tuple[str, str, int, Any]) -> tuple[Any, ...]:
        deadline = key[3]
        late = deadline is not None and deadline <= now
        return (not late, deadline is None, deadline or 0, key[0], key[1], key[2])

    return sorted(keys, key=order)


def _rows_of(connection: Connection, keys: list[tuple[str, str, int, Any]]) -> list[ClockRow]:
    """Return the clock rows of the keys, in the keys' order (an index probe per item)."""
    if not keys:
        return []
    c = item_clocks.c
    wanted = {key[:3]: index for index, key in enumerate(keys)}
    query = _joined().where(c.item_id.in_(sorted({key[2] for key in keys})))
    found = [_row(row) for row in connection.execute(query)]
    chosen = [row for row in found if (row.agreement_id, row.objective, row.item_id) in wanted]
    return sorted(chosen, key=lambda row: wanted[(row.agreement_id, row.objective, row.item_id)])


def open_items(
    connection: Connection, owner: str, *, now: int, limit: int
) -> tuple[list[ClockRow], OpenCounts]:
    """Return the owner's first `limit` open clocks in the page's order, and the counts.

    Two cheap steps: the keys of the owner's open clocks from two covering indexes (the
    owner check a probe per candidate), then the rows of the first `limit` of them.
    """
    keys = _open_keys(connection, owner, now)
    late = sum(1 for key in keys if key[3] is not None and key[3] <= now)
    return _rows_of(connection, keys[:limit]), OpenCounts(open=len(keys), late=late)


def open_clocks(connection: Connection, owner: str, *, now: int, limit: int) -> list[ClockRow]:
    """Return the owner's clocks not stopped yet: late ones first (longest late first), then
    the rest by deadline, suspended deadlines last."""
    return open_items(connection, owner, now=now, limit=limit)[0]


def open_counts(connection: Connection, owner: str, *, now: int) -> OpenCounts:
    return open_items(connection, owner, now=now, limit=0)[1]


def finished_clocks(
    connection: Connection, owner: str, *, since: int, now: int, limit: int
) -> list[ClockRow]:
    """Return the owner's clocks stopped in `[since, now]`, the latest stop first.

    Read among the owner's newest items (NEWEST_ITEMS): a clock that stops now almost always
    belongs to a recent item, and the page stays fast for an owner of a hundred thousand.
    """
    c = item_clocks.c
    newest = owned_items(owner, now).order_by(item_attributes.c.item_id.desc()).limit(NEWEST_ITEMS)
    candidates = _candidates(
        select(c.agreement_id, c.objective, c.item_id).where(
            c.item_id.in_(select(newest.subquery().c.item_id)),
            c.stopped_at >= since,
            c.stopped_at <= now,
        )
    )
    query = (
        _clocks_of(candidates)
        .where(owner_at(candidates.c.item_id, now) == owner)
        .order_by(c.stopped_at.desc(), c.agreement_id, c.objective, c.item_id)
        .limit(limit)
    )
    return [_row(row) for row in connection.execute(query)]


def finished_counts(connection: Connection, owner: str, *, start: int, end: int) -> dict[str, int]:
    """Return how many of the owner's clocks stopped in `[start, end)`, by state (met, breached).

    The owner is the one at `end`: a week's figures go to whoever holds the items now.
    """
    c = item_clocks.c
    candidates = _candidates(
        select(c.item_id, c.state).where(
            c.item_id.in_(owned_items(owner, end)), c.stopped_at >= start, c.stopped_at < end
        )
    )
    rows = connection.execute(
        select(candidates.c.state, func.count())
        .where(owner_at(candidates.c.item_id, end) == owner)
        .group_by(candidates.c.state)
    )
    counts = {"met": 0, "breached": 0}
    for state, count in rows:
        counts[state] = int(count)
    return counts
