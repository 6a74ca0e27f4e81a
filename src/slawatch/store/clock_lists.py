"""The stored item clocks as pages list them: an objective's items, the at-risk queue.

The evaluator writes `item_clocks` (clocks.py); these queries only read it, joined with the
items for their ids and attributes, and never evaluate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from slawatch.store.clocks import PENDING, STATES
from slawatch.store.events import KIND
from slawatch.store.schema import item_clocks, items


@dataclass(frozen=True)
class ClockRow:
    """One stored item clock with its item, as pages list it."""

    agreement_id: str
    objective: str
    item_id: int
    source: str
    external_id: str
    kind: str | None
    attributes: dict[str, str]
    period: str
    started_at: int
    stopped_at: int | None
    deadline: int | None
    warn_at: int | None
    elapsed_us: int
    paused_us: int
    state: str
    since: int
    as_of: int


def _joined() -> Select[Any]:
    return select(
        item_clocks, items.c.source, items.c.external_id, items.c.kind, items.c.attributes
    ).join(items, items.c.id == item_clocks.c.item_id)


def _row(row: Any) -> ClockRow:
    stamped: dict[str, list[Any]] = row.attributes or {}
    return ClockRow(
        agreement_id=row.agreement_id,
        objective=row.objective,
        item_id=row.item_id,
        source=row.source,
        external_id=row.external_id,
        kind=row.kind,
        attributes={name: str(value[0]) for name, value in sorted(stamped.items()) if name != KIND},
        period=row.period,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        deadline=row.deadline,
        warn_at=row.warn_at,
        elapsed_us=row.elapsed_us,
        paused_us=row.paused_us,
        state=row.state,
        since=row.since,
        as_of=row.as_of,
    )


def attribute_value(name: str) -> Any:
    """Return the SQL value of an item attribute: `attributes` holds {name: [value, at µs]}."""
    return items.c.attributes[(name, 0)].as_string()


def _with_attributes(
    matching: Select[Any], attributes: Mapping[str, str], *, few: bool
) -> Select[Any]:
    """Keep the clocks whose item has the given attribute values.

    PostgreSQL cannot estimate a JSON test, so it plans to test every item first. That is
    right for all of an objective's clocks, but when a period or a state leaves a few of
    them, reading just their items' attributes first is four times faster.
    """
    c = item_clocks.c
    if not few:
        return matching.join(items, items.c.id == c.item_id).where(
            *(attribute_value(name) == value for name, value in attributes.items())
        )
    tested = list(attributes.items())
    clocks = (
        matching.join(items, items.c.id == c.item_id)
        .add_columns(*(attribute_value(name).label(f"a{i}") for i, (name, _) in enumerate(tested)))
        .cte("clocks")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return select(clocks.c.item_id, clocks.c.started_at).where(
        *(clocks.c[f"a{i}"] == value for i, (_, value) in enumerate(tested))
    )


def clock_page(
    connection: Connection,
    agreement_id: str,
    objective: str,
    *,
    period: str | None,
    states: Sequence[str] | None,
    attributes: Mapping[str, str] | None,
    limit: int,
    offset: int,
    started: tuple[int, int] | None = None,
) -> tuple[list[ClockRow], int]:
    """Return one page of an objective's clocks, latest start first, and how many match.

    `attributes` compares item attributes for equality (`kind` is one of them); all given
    filters must hold. `started`, with a period, bounds the starts of its clocks (a clock
    belongs to the period that holds its start): the page is then read in start order from
    the index instead of walking every later period's clocks first.
    """
    c = item_clocks.c
    objective_rows = [c.agreement_id == agreement_id, c.objective == objective]
    matching = select(c.item_id, c.started_at).where(*objective_rows)
    if period is not None:
        matching = matching.where(c.period == period)
    if states is not None:
        matching = matching.where(c.state.in_(list(states)))
    if attributes:
        matching = _with_attributes(matching, attributes, few=period is not None or bool(states))
    total = connection.execute(select(func.count()).select_from(matching.subquery()))
    # Sort and cut the narrow keys first, then fetch the page's rows and items: sorting whole
    # joined rows of a million clocks costs seconds.
    order = matching.selected_columns
    if started is not None:
        matching = matching.where(order.started_at >= started[0], order.started_at < started[1])
    keys = (
        matching.order_by(order.started_at.desc(), order.item_id.desc())
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    page = (
        _joined()
        .join(keys, keys.c.item_id == c.item_id)
        .where(*objective_rows)
        .order_by(keys.c.started_at.desc(), keys.c.item_id.desc())
    )
    return [_row(row) for row in connection.execute(page)], int(total.scalar_one())


def at_risk_queue(
    connection: Connection, *, limit: int, agreement_ids: Sequence[str] | None = None
) -> list[ClockRow]:
    """Return the open clocks with a deadline, the one due soonest first.

    Open means at risk, running or paused; a breached clock is past its deadline already.
    """
    c = item_clocks.c
    query = _joined().where(c.state.in_(PENDING), c.deadline.is_not(None))
    if agreement_ids is not None:
        query = query.where(c.agreement_id.in_(list(agreement_ids)))
    query = query.order_by(c.deadline, c.agreement_id, c.objective, c.item_id).limit(limit)
    return [_row(row) for row in connection.execute(query)]


def item_clock_rows(connection: Connection, item_id: int) -> list[ClockRow]:
    """Return every stored clock of one item, by agreement and objective."""
    c = item_clocks.c
    query = _joined().where(c.item_id == item_id).order_by(c.agreement_id, c.objective)
    return [_row(row) for row in connection.execute(query)]


def clock_counts(
    connection: Connection, agreement_id: str, objective: str, period: str
) -> dict[str, int]:
    """Return how many of an objective's clocks of one period are in each state."""
    c = item_clocks.c
    rows = connection.execute(
        select(c.state, func.count())
        .where(c.agreement_id == agreement_id, c.objective == objective, c.period == period)
        .group_by(c.state)
    )
    counts = dict.fromkeys(STATES, 0)
    for state, count in rows:
        counts[state] = int(count)
    return counts
