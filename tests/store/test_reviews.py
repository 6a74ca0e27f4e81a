"""Stored reviews: added with a snapshot, listed newest first, linked to a version once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from slawatch.store.db import read_transaction, transaction
from slawatch.store.reviews import add_review, get_review, held_dates, link_version, list_reviews
from tests.evaluation.support import save_template

AGREEMENT = "marketing-sales"


def add(engine: Engine, held_on: dt.date, agreement: str = AGREEMENT) -> int:
    with transaction(engine) as connection:
        return add_review(
            connection,
            agreement_id=agreement,
            held_on=held_on,
            participants=["head.sales@example.com", "head.marketing@example.com"],
            snapshot={"periods": [{"period": "2026-03"}]},
            notes="Speed to lead slipped in March.",
            decisions="Keep the targets.",
            created_by="lena@example.com",
            now=42,
        )


def test_a_review_reads_back_with_its_snapshot(engine: Engine):
    save_template(engine)
    review_id = add(engine, dt.date(2026, 4, 2))
    with read_transaction(engine) as connection:
        review = get_review(connection, AGREEMENT, review_id)
        elsewhere = get_review(connection, "it-service", review_id)
    assert review is not None and elsewhere is None
    assert review.held_on == dt.date(2026, 4, 2) and review.version is None
    assert review.participants == ["head.sales@example.com", "head.marketing@example.com"]
    assert review.snapshot == {"periods": [{"period": "2026-03"}]}
    assert (review.notes, review.decisions) == (
        "Speed to lead slipped in March.",
        "Keep the targets.",
    )
    assert (review.created_by, review.created_at) == ("lena@example.com", 42)


def test_reviews_are_listed_most_recently_held_first_without_snapshots(engine: Engine):
    save_template(engine)
    first = add(engine, dt.date(2026, 4, 2))
    second = add(engine, dt.date(2026, 7, 1))
    with read_transaction(engine) as connection:
        listed = list_reviews(connection, AGREEMENT)
    assert [r.id for r in listed] == [second, first]
    assert all(r.snapshot == {} for r in listed)


def test_a_review_is_linked_to_the_version_it_created(engine: Engine):
    save_template(engine)
    review_id = add(engine, dt.date(2026, 4, 2))
    with transaction(engine) as connection:
        link_version(connection, review_id, 2)
        review = get_review(connection, AGREEMENT, review_id)
    assert review is not None and review.version == 2


def test_the_dates_reviews_were_held_are_grouped_by_agreement(engine: Engine):
    save_template(engine)
    save_template(engine, "it-service")
    add(engine, dt.date(2026, 7, 1))
    add(engine, dt.date(2026, 4, 2))
    add(engine, dt.date(2026, 5, 5), "it-service")
    with read_transaction(engine) as connection:
        held = held_dates(connection)
    assert held == {
        AGREEMENT: [dt.date(2026, 4, 2), dt.date(2026, 7, 1)],
        "it-service": [dt.date(2026, 5, 5)],
    }
