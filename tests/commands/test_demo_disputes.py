"""The demo's open dispute: on last month's speed-to-lead, with evidence, a comment, tier 1."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.commands.demo_disputes import AGREEMENT, open_demo_dispute
from slawatch.store.db import read_transaction, transaction
from slawatch.store.disputes import get_dispute
from tests.alerts.support import NOW, agreement


def test_the_demo_opens_one_dispute_of_last_months_figure_with_its_first_step_taken(
    engine: Engine,
) -> None:
    agreement(engine)
    with transaction(engine) as connection:
        number = open_demo_dispute(connection, now=NOW)
    assert number is not None
    with read_transaction(engine) as connection:
        dispute = get_dispute(connection, AGREEMENT, number)
    assert dispute is not None and dispute.is_open
    assert (dispute.subject, dispute.objective, dispute.period) == (
        "figure", "speed-to-lead", "2026-02"
    )  # fmt: skip
    assert [e.kind for e in dispute.entries] == ["opened", "escalated", "comment"]
    assert dispute.next_step_at is not None and dispute.next_step_at > NOW


def test_without_the_agreement_the_demo_opens_nothing(engine: Engine) -> None:
    with transaction(engine) as connection:
        assert open_demo_dispute(connection, now=NOW) is None
