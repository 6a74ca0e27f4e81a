"""Report subscriptions, and the reports issued as periods close (once per agreement and period).

Issuing is claimed by inserting the (agreement, period) row, ignoring a conflict: of several
replicas that see the same period close, exactly one inserts it and queues the messages, in
the same transaction. The watermark says from when closing periods are reported at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Insert, Table, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.store.schema import (
    agreements,
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


def mark_new_agreements(connection: Connection, now: int) -> None:
    """Start reporting closing periods from `now` for every agreement not seen before."""
    unseen = select(agreements.c.id, literal(now)).where(
        ~select(report_watermarks.c.agreement_id)
        .where(report_watermarks.c.agreement_id == agreements.c.id)
        .exists()
    )
    connection.execute(
        _insert_ignoring_conflict(connection, report_watermarks).from_select(
            ["agreement_id", "since"], unseen
        )
    )


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


def unissued_closed_periods(connection: Connection) -> list[tuple[str, str]]:
    """Return (agreement, period) of the stored periods closed since their agreement's
    watermark whose report is not issued yet, by agreement, the earliest end first.

    Closed: the period had ended when its figures were computed. One query for every
    agreement, so that a round with nothing to send reads no agreement.
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
        select(results.c.agreement_id, results.c.period)
        .join(report_watermarks, report_watermarks.c.agreement_id == results.c.agreement_id)
        .where(
            results.c.period_end <= results.c.as_of,
            results.c.period_end >= report_watermarks.c.since,
            ~issued,
        )
        .order_by(results.c.agreement_id, results.c.period_end, results.c.period_start.desc())
    )
    return [(str(row.agreement_id), str(row.period)) for row in connection.execute(query)]


def external_ids(connection: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Return the external id of each stored item id (a report names items as people do)."""
    wanted = sorted(set(ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 5000):  # bounded IN lists on every backend
        chunk = wanted[start : start + 5000]
        query = select(items.c.id, items.c.external_id).where(items.c.id.in_(chunk))
        found.update({int(row.id): str(row.external_id) for row in connection.execute(query)})
    return found
