"""Disputes in the store: opened with a timeline, steps taken once, decided once; both backends."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from slawatch.store import audit
from slawatch.store.db import read_transaction, transaction
from slawatch.store.disputes import (
    NewDispute,
    add_comment,
    decide,
    disputes_for_item,
    due_disputes,
    get_dispute,
    list_disputes,
    open_counts,
    open_dispute,
    statement_disputes,
    take_step,
    title_of,
)
from tests.alerts.support import AGREEMENT, HOUR, NOW, add_item, agreement


@pytest.fixture
def item(engine: Engine) -> int:
    agreement(engine)
    return add_item(engine, "lead-1")


def new(**fields: object) -> NewDispute:
    values: dict[str, object] = {
        "agreement_id": AGREEMENT,
        "subject": "figure",
        "disputing_party": "marketing",
        "reason": "The count misses the leads of the trade fair.\nSee the list.",
        "opened_by": "lena.koch@example.com",
        "opened_at": NOW,
        "objective": "qualified-leads",
        "period": "2026-02",
        "links": ("https://crm.example.com/list/7",),
        "next_step_at": NOW,
    }
    values.update(fields)
    return NewDispute(**values)  # type: ignore[arg-type]


def open_one(engine: Engine, dispute: NewDispute) -> int:
    with transaction(engine) as connection:
        return open_dispute(connection, dispute)


def test_an_opened_dispute_has_its_reason_and_evidence_on_its_timeline(
    engine: Engine, item: int
) -> None:
    dispute_id = open_one(engine, new())
    with read_transaction(engine) as connection:
        dispute = get_dispute(connection, AGREEMENT, dispute_id)
        logged = audit.entries(connection, subject=f"dispute:{dispute_id}")
    assert dispute is not None and dispute.is_open
    assert dispute.title == "The count misses the leads of the trade fair."
    [opened] = dispute.entries
    assert (opened.kind, opened.actor) == ("opened", "lena.koch@example.com")
    assert opened.links == ("https://crm.example.com/list/7",)
    assert [e["action"] for e in logged] == ["dispute.open"]


def test_an_item_dispute_names_its_item_and_is_found_for_the_item_story(
    engine: Engine, item: int
) -> None:
    dispute_id = open_one(
        engine, new(subject="item", objective="speed-to-lead", item_id=item, period=None)
    )
    open_one(engine, new())
    with transaction(engine) as connection:
        add_comment(
            connection, dispute_id, actor="tom.berg@example.com", text="Called at 9", now=NOW + HOUR
        )
    with read_transaction(engine) as connection:
        found = disputes_for_item(connection, item)
    assert [d.id for d in found] == [dispute_id]
    assert found[0].item == "crm/lead-1"
    assert [e.kind for e in found[0].entries] == ["opened", "comment"]


def test_a_ladder_step_is_taken_once_even_by_two_workers_at_once(engine: Engine, item: int) -> None:
    dispute_id = open_one(engine, new())
    taken: list[int | None] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        with transaction(engine) as connection:
            taken.append(
                take_step(connection, dispute_id, step="tier-1", kind="escalated", tier=1, now=NOW)
            )

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(t is None for t in taken) == [False, True]
    with read_transaction(engine) as connection:
        dispute = get_dispute(connection, AGREEMENT, dispute_id)
    assert dispute is not None and dispute.tier == 1


def test_a_dispute_is_decided_once_and_leaves_the_due_and_open_lists(
    engine: Engine, item: int
) -> None:
    dispute_id = open_one(engine, new())
    with read_transaction(engine) as connection:
        assert [d.id for d in due_disputes(connection, NOW)] == [dispute_id]
        assert open_counts(connection) == {AGREEMENT: 1}
    with transaction(engine) as connection:
        first = decide(
            connection,
            dispute_id,
            upheld=True,
            reason="Leads found",
            actor="a@x",
            now=NOW,
            correction_id="17",
        )
        second = decide(connection, dispute_id, upheld=False, reason="No", actor="b@x", now=NOW)
    assert (first, second) == (True, False)
    with read_transaction(engine) as connection:
        dispute = get_dispute(connection, AGREEMENT, dispute_id)
        assert due_disputes(connection, NOW + HOUR) == []
        assert open_counts(connection) == {}
        assert [d.id for d in list_disputes(connection, AGREEMENT, status="decided")] == [
            dispute_id
        ]
    assert dispute is not None
    assert (dispute.status, dispute.decided_by, dispute.correction_id) == ("upheld", "a@x", "17")
    assert [e.kind for e in dispute.entries] == ["opened", "decided"]


def test_a_statement_is_held_by_its_own_dispute_and_by_disputes_of_its_partys_figures(
    engine: Engine, item: int
) -> None:
    figure = open_one(engine, new())
    statement = open_one(engine, new(subject="statement", objective=None, party="marketing"))
    open_one(engine, new(subject="statement", objective=None, party="sales"))
    open_one(engine, new(period="2026-01"))
    with read_transaction(engine) as connection:
        held = statement_disputes(
            connection, AGREEMENT, "2026-02", "marketing", {"qualified-leads"}
        )
        other = statement_disputes(connection, AGREEMENT, "2026-02", "marketing", set())
    assert sorted(d.id for d in held) == sorted([figure, statement])
    assert [d.id for d in other] == [statement]


def test_a_long_reason_makes_a_short_title() -> None:
    assert title_of("x" * 300) == "x" * 119 + "…"
    assert title_of("  \n") == ""
