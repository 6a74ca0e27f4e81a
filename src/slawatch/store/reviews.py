"""Reviews of agreements: when they were held, who took part, what was decided.

A review keeps a snapshot of the figures it discussed (the stored results and credit
statements of the time, as JSON), so it still shows what the participants saw after the
results have been recomputed. Rows are added, and linked once to the agreement version a
decision created; nothing else changes them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from slawatch.store.schema import reviews


@dataclass(frozen=True)
class Review:
    """One recorded review; `snapshot` is empty in listings, which do not read it."""

    id: int
    agreement_id: str
    held_on: dt.date
    participants: list[str]
    notes: str
    decisions: str
    version: int | None  # the agreement version this review created, if any
    created_by: str
    created_at: int  # µs since the epoch
    snapshot: dict[str, Any]


_SUMMARY = (
    reviews.c.id,
    reviews.c.agreement_id,
    reviews.c.held_on,
    reviews.c.participants,
    reviews.c.notes,
    reviews.c.decisions,
    reviews.c.version,
    reviews.c.created_by,
    reviews.c.created_at,
)


def _review(row: Any, snapshot: dict[str, Any] | None = None) -> Review:
    return Review(
        id=row.id,
        agreement_id=row.agreement_id,
        held_on=row.held_on,
        participants=list(row.participants),
        notes=row.notes,
        decisions=row.decisions,
        version=row.version,
        created_by=row.created_by,
        created_at=row.created_at,
        snapshot=snapshot or {},
    )


def add_review(
    connection: Connection,
    *,
    agreement_id: str,
    held_on: dt.date,
    participants: Sequence[str],
    snapshot: dict[str, Any],
    notes: str,
    decisions: str,
    created_by: str,
    now: int,
) -> int:
    """Record a review and return its id (the N of "review #N")."""
    return int(
        connection.execute(
            insert(reviews)
            .values(
                agreement_id=agreement_id,
                held_on=held_on,
                participants=list(participants),
                snapshot=snapshot,
                notes=notes,
                decisions=decisions,
                created_by=created_by,
                created_at=now,
            )
            .returning(reviews.c.id)
        ).scalar_one()
    )


def link_version(connection: Connection, review_id: int, version: int) -> None:
    """Record the agreement version a review's decision created."""
    connection.execute(update(reviews).where(reviews.c.id == review_id).values(version=version))


def list_reviews(connection: Connection, agreement_id: str) -> list[Review]:
    """Return an agreement's reviews, most recently held first, without their snapshots."""
    rows = connection.execute(
        select(*_SUMMARY)
        .where(reviews.c.agreement_id == agreement_id)
        .order_by(reviews.c.held_on.desc(), reviews.c.id.desc())
    )
    return [_review(row) for row in rows]


def get_review(connection: Connection, agreement_id: str, review_id: int) -> Review | None:
    """Return one review of an agreement with its snapshot, or None."""
    row = connection.execute(
        select(reviews).where(reviews.c.agreement_id == agreement_id, reviews.c.id == review_id)
    ).first()
    return None if row is None else _review(row, row.snapshot)


def held_dates(connection: Connection) -> dict[str, list[dt.date]]:
    """Return the dates every agreement's reviews were held on, earliest first."""
    rows = connection.execute(
        select(reviews.c.agreement_id, reviews.c.held_on).order_by(reviews.c.held_on)
    )
    held: dict[str, list[dt.date]] = defaultdict(list)
    for agreement_id, held_on in rows:
        held[agreement_id].append(held_on)
    return dict(held)
