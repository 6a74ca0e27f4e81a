"""Stored breakdown figures: one row per agreement, objective, period and grouping.

The evaluator writes them with the clocks they add up (`evaluation/breakdown_figures.py`), so
a breakdown of a period is one primary-key read instead of a period's worth of item lookups.
A period's rows are replaced as a whole: its total row (grouping "") says the period was
grouped, and a grouping without a row (an attribute with too many values to keep) is read
from the stored clocks instead.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select

from slawatch.engine.breakdowns import GroupFigures
from slawatch.store.schema import period_breakdowns

TOTAL = ""  # the grouping of a period's total row
TEAM = "team"  # the grouping by the owners' teams in the directory
_PAIRS_PER_DELETE = 200  # bounds the size of one DELETE's condition


@dataclass(frozen=True)
class PeriodGroups:
    """One period's figures by one grouping, as stored (`directory` only for teams)."""

    objective: str
    period: str
    grouping: str
    groups: Mapping[str, GroupFigures]
    directory: str | None = None


@dataclass(frozen=True)
class PeriodTotal:
    """One period's figures over all its items, and the attribute names its items carry.

    `digest` identifies a ratio's items and hits as grouped (None for clocks, whose changes
    the evaluator knows from the clocks it writes).
    """

    objective: str
    period: str
    total: GroupFigures | None
    seen: frozenset[str]
    digest: str | None = None


@dataclass(frozen=True)
class StoredPair:
    """What is stored of a grouped period: its team row's directory, its total's digest."""

    directory: str | None
    digest: str | None


def directory_digest(teams: Mapping[str, str | None]) -> str:
    """Return what identifies an owner → team mapping: a team grouping is valid for it only."""
    text = json.dumps(sorted(teams.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _document(figures: GroupFigures | None) -> dict[str, Any] | None:
    return None if figures is None else dataclasses.asdict(figures)


def _figures(document: Mapping[str, Any] | None) -> GroupFigures | None:
    return None if document is None else GroupFigures(**document)


def replace_periods(
    connection: Connection,
    agreement_id: str,
    totals: Sequence[PeriodTotal],
    groupings: Sequence[PeriodGroups],
) -> None:
    """Replace the stored figures of every (objective, period) that `totals` names."""
    pairs = sorted({(t.objective, t.period) for t in totals})
    c = period_breakdowns.c
    for start in range(0, len(pairs), _PAIRS_PER_DELETE):
        chunk = pairs[start : start + _PAIRS_PER_DELETE]
        connection.execute(
            delete(period_breakdowns).where(
                c.agreement_id == agreement_id,
                or_(*(and_(c.objective == o, c.period == p) for o, p in chunk)),
            )
        )
    rows: list[dict[str, Any]] = [
        {
            "agreement_id": agreement_id,
            "objective": t.objective,
            "period": t.period,
            "grouping": TOTAL,
            "directory": None,
            "digest": t.digest,
            "figures": {"total": _document(t.total), "seen": sorted(t.seen)},
        }
        for t in totals
    ]
    rows += [
        {
            "agreement_id": agreement_id,
            "objective": g.objective,
            "period": g.period,
            "grouping": g.grouping,
            "directory": g.directory,
            "digest": None,
            "figures": {"groups": [_document(f) for f in g.groups.values()]},
        }
        for g in groupings
    ]
    if rows:
        connection.execute(insert(period_breakdowns), rows)


def stored_pairs(connection: Connection, agreement_id: str) -> dict[tuple[str, str], StoredPair]:
    """Return the grouped (objective, period) pairs: their team row's directory and digest."""
    c = period_breakdowns.c
    query = select(c.objective, c.period, c.grouping, c.directory, c.digest).where(
        c.agreement_id == agreement_id, c.grouping.in_([TOTAL, TEAM])
    )
    directories: dict[tuple[str, str], str | None] = {}
    digests: dict[tuple[str, str], str | None] = {}
    for objective, period, grouping, directory, digest in connection.execute(query):
        if grouping == TOTAL:
            digests[(objective, period)] = digest
        else:
            directories[(objective, period)] = directory
    return {pair: StoredPair(directories.get(pair), digest) for pair, digest in digests.items()}


def read_period(
    connection: Connection,
    agreement_id: str,
    objective: str,
    period: str,
    grouping: str,
    *,
    directory: str | None = None,
) -> tuple[PeriodTotal, PeriodGroups] | None:
    """Return a period's stored total and its groups by `grouping`, or None if not stored.

    A team grouping is returned only if it was grouped with the directory given.
    """
    c = period_breakdowns.c
    query = select(c.grouping, c.directory, c.figures).where(
        c.agreement_id == agreement_id,
        c.objective == objective,
        c.period == period,
        c.grouping.in_([TOTAL, grouping]),
    )
    rows = {row.grouping: row for row in connection.execute(query)}
    total, groups = rows.get(TOTAL), rows.get(grouping)
    if total is None or groups is None or groups.directory != directory:
        return None
    stored = _loaded(total.figures)
    listed = (_figures(document) for document in _loaded(groups.figures)["groups"])
    return (
        PeriodTotal(objective, period, _figures(stored["total"]), frozenset(stored["seen"])),
        PeriodGroups(
            objective,
            period,
            grouping,
            {f.key: f for f in listed if f is not None},
            groups.directory,
        ),
    )


def _loaded(value: Any) -> dict[str, Any]:
    """Return a JSON column's value; a driver may hand it back as text."""
    loaded: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return loaded


def stored_groupings(
    connection: Connection, agreement_id: str, objective: str, periods: Iterable[str]
) -> set[tuple[str, str]]:
    """Return the (period, grouping) pairs stored for an objective's periods (tests, tools)."""
    c = period_breakdowns.c
    query = select(c.period, c.grouping).where(
        c.agreement_id == agreement_id, c.objective == objective, c.period.in_(list(periods))
    )
    return {(period, grouping) for period, grouping in connection.execute(query)}
