"""Bounded reads of an agreement's stored results for pages: the recent periods of one kind.

An agreement measured daily for years holds thousands of periods; a page shows the last few
dozen. Period labels have one shape per kind (`2026-10-05`, `2026-W41`, `2026-10`, `2026-Q4`,
`2026`), so the periods of an objective's kind are found by their label, in SQL, without
reading every payload; the SQL patterns are derived from engine/periods' label writer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Connection, and_, select

from slawatch.agreements.model import PeriodKind
from slawatch.engine.periods import label_of
from slawatch.store.results import StoredResult, result_of_row
from slawatch.store.schema import results


def label_pattern(kind: PeriodKind) -> str:
    """Return the SQL LIKE pattern of a kind's labels: its label with every digit a wildcard.

    Derived from the one label writer (`label_of`), so the grammar lives in engine/periods.
    """
    return re.sub(r"\d", "_", label_of(kind, dt.date(2000, 1, 1)))


def _of_kind(kind: PeriodKind) -> Any:
    # '_' also matches a letter, so a month's pattern takes a quarter's label too: leave out
    # the labels of every other kind whose sample label the kind's own pattern would take.
    own = label_pattern(kind)
    wider = re.compile(own.replace("_", "."))
    others = (label_pattern(other) for other in PeriodKind if other is not kind)
    return and_(
        results.c.period.like(own),
        *(results.c.period.not_like(other) for other in others if wider.fullmatch(other)),
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
