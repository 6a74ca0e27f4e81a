"""Bounded reads of an agreement's stored results for pages: the recent periods of one kind.

An agreement measured daily for years holds thousands of periods; a page shows the last few
dozen. Period labels have one shape per kind (`2026-10-05`, `2026-W41`, `2026-10`, `2026-Q4`,
`2026`), so the periods of an objective's kind are found by their label, in SQL, without
reading every payload.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, select

from slawatch.agreements.model import PeriodKind
from slawatch.store.results import StoredResult, result_of_row
from slawatch.store.schema import results

# SQL LIKE patterns ('_' is any one character) that the labels of each kind match and no other.
_LABELS: dict[PeriodKind, tuple[str, tuple[str, ...]]] = {
    PeriodKind.DAY: ("____-__-__", ()),
    PeriodKind.WEEK: ("____-W__", ()),
    PeriodKind.MONTH: ("____-__", ("%Q%",)),
    PeriodKind.QUARTER: ("____-Q_", ()),
    PeriodKind.YEAR: ("____", ()),
}


def _of_kind(kind: PeriodKind) -> Any:
    pattern, excluded = _LABELS[kind]
    return and_(
        results.c.period.like(pattern), *(results.c.period.not_like(other) for other in excluded)
    )


def recent_results(
    connection: Connection, agreement_id: str, kind: PeriodKind, *, limit: int
) -> list[StoredResult]:
    """Return the latest `limit` stored periods of one kind, earliest first."""
    rows = connection.execute(
        select(results)
        .where(results.c.agreement_id == agreement_id, _of_kind(kind))
        .order_by(results.c.period_start.desc(), results.c.period.desc())
        .limit(limit)
    ).all()
    return [result_of_row(row) for row in reversed(rows)]


def latest_closed_result(connection: Connection, agreement_id: str) -> StoredResult | None:
    """Return the stored period that ended last before its figures were computed, if any.

    Reports are offered for closed periods: a running one's figures still move.
    """
    row = connection.execute(
        select(results)
        .where(results.c.agreement_id == agreement_id, results.c.period_end <= results.c.as_of)
        .order_by(results.c.period_end.desc(), results.c.period_start)
        .limit(1)
    ).first()
    return None if row is None else result_of_row(row)


def period_labels(
    connection: Connection, agreement_id: str, kind: PeriodKind, *, limit: int
) -> list[str]:
    """Return the labels of the latest `limit` stored periods of one kind, latest first."""
    query = (
        select(results.c.period)
        .where(results.c.agreement_id == agreement_id, _of_kind(kind))
        .order_by(results.c.period_start.desc(), results.c.period.desc())
        .limit(limit)
    )
    return list(connection.execute(query).scalars())
