"""Report subscriptions, and the reports issued as periods close (once per agreement and period).

Issuing is claimed by inserting the (agreement, period) row, ignoring a conflict: of several
replicas that see the same period close, exactly one inserts it and queues the messages, in
the same transaction. The watermark says from when closing periods are reported at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Insert, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store.schema import (
    items,
    report_issues,
    report_subscriptions,
    report_watermarks,
    results,
)


def _insert_ignoring_conflict(connection: Connection, table: Table) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(table).on_conflict_do_nothing()
    return statement


def subscribe(connection: Connection, agreement_id: str, email: str, now: int) -> bool:
    """Subscribe `email` to the agreement's reports; False if it was already."""
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    added = connection.execute(
        _insert_ignoring_conflict(connection, report_subscriptions)
        .values(agreement_id=agreement_id, email=email, created_at=now)
        .returning(report_subscriptions.c.email)
    ).first()
    return added is not None


def unsubscribe(connection: Connection, agreement_id: str, email: str) -> bool:
    """End a subscription; False if there was none."""
    removed = connection.execute(
        delete(report_subscriptions).where(
            report_subscriptions.c.agreement_id == agreement_id,
            report_subscriptions.c.email == email,
        )
    )
    return removed.rowcount == 1


def subscribers(connection: Connection, agreement_id: str) -> list[str]:
    """Return the emails subscribed to the agreement's reports, in order."""
    query = (
        select(report_subscriptions.c.email)
        .where(report_subscriptions.c.agreement_id == agreement_id)
        .order_by(report_subscriptions.c.email)
    )
    return list(connection.execute(query).scalars())


def is_subscribed(connection: Connection, agreement_id: str, email: str) -> bool:
    return email in subscribers(connection, agreement_id)


def watermark(connection: Connection, agreement_id: str, now: int) -> int:
    """Return from when the agreement's closing periods are reported; set it to `now` at first."""
    connection.execute(
        _insert_ignoring_conflict(connection, report_watermarks).values(
            agreement_id=agreement_id, since=now
        )
    )
    since = connection.execute(
        select(report_watermarks.c.since).where(report_watermarks.c.agreement_id == agreement_id)
    ).scalar_one()
    return int(since)


def claim_issue(connection: Connection, agreement_id: str, period: str, now: int) -> bool:
    """Claim the report of one closed period; False if it was issued (or claimed) before."""
    claimed = connection.execute(
        _insert_ignoring_conflict(connection, report_issues)
        .values(agreement_id=agreement_id, period=period, issued_at=now, messages=0)
        .returning(report_issues.c.period)
    ).first()
    return claimed is not None


def record_messages(connection: Connection, agreement_id: str, period: str, messages: int) -> None:
    """Record how many messages the issue of a period's report queued."""
    connection.execute(
        report_issues.update()
        .where(report_issues.c.agreement_id == agreement_id, report_issues.c.period == period)
        .values(messages=messages)
    )


def issued_periods(connection: Connection, agreement_id: str) -> set[str]:
    query = select(report_issues.c.period).where(report_issues.c.agreement_id == agreement_id)
    return set(connection.execute(query).scalars())


def unissued_closed_periods(connection: Connection, agreement_id: str, since: int) -> list[str]:
    """Return the stored periods that closed at or after `since` and whose report is not issued.

    Closed: the period had ended when its figures were computed. Earliest end first; a month
    before the quarter that ends with it.
    """
    issued = (
        select(report_issues.c.period)
        .where(
            report_issues.c.agreement_id == results.c.agreement_id,
            report_issues.c.period == results.c.period,
        )
        .exists()
    )
    query = (
        select(results.c.period)
        .where(
            results.c.agreement_id == agreement_id,
            results.c.period_end <= results.c.as_of,
            results.c.period_end >= since,
            ~issued,
        )
        .order_by(results.c.period_end, results.c.period_start.desc())
    )
    return list(connection.execute(query).scalars())


def external_ids(connection: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Return the external id of each stored item id (a report names items as people do)."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):  # bounded IN lists on every backend
        chunk = wanted[start : start + 5000]
        query = select(items.c.id, items.c.external_id).where(items.c.id.in_(chunk))
        found.update({int(row.id): str(row.external_id) for row in connection.execute(query)})
    return found
