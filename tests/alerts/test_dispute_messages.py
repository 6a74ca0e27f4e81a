"""Dispute messages word for word, in English and German, from plain facts."""

from __future__ import annotations

from slawatch.alerts.dispute_messages import (
    DisputeFacts,
    decided_message,
    escalated_message,
    overdue_message,
)
from tests.alerts.support import berlin

FACTS = DisputeFacts(
    dispute_id=7,
    agreement_title="Lead handover",
    title="Tom called at 9:05.",
    disputing_party="Sales",
    subject="item",
    zone="Europe/Berlin",
    deadline=berlin("2026-03-11T17:00:00+01:00"),
    link="https://sla.example.com/agreements/ms/disputes/7",
    objective_title="First contact within 48 hours",
    item="crm/4711",
)


def test_a_ladder_step_names_the_subject_the_deadline_and_the_tier() -> None:
    english = escalated_message(FACTS, 2, "en")
    assert english.title == "Dispute #7 undecided: Lead handover"
    assert english.body.splitlines()[:3] == [
        "Sales disputes the verdict on item crm/4711 for “First contact within 48 hours” "
        "(agreement “Lead handover”).",
        "Reason: Tom called at 9:05.",
        "To be decided by Mar 11, 2026, 5:00:00\u202fPM.",
    ]
    assert "department head (tier 2)" in english.body
    german = escalated_message(FACTS, 2, "de")
    assert german.title == "Streitfall #7 nicht entschieden: Lead handover"
    assert german.body.splitlines()[0].startswith(
        "Sales bestreitet das Urteil über Vorgang crm/4711"
    )
    assert "Zu entscheiden bis 11.03.2026, 17:00:00." in german.body


def test_the_overdue_message_tells_management() -> None:
    assert overdue_message(FACTS, "en").title == "Dispute #7 overdue: Lead handover"
    german = overdue_message(FACTS, "de")
    assert german.title == "Streitfall #7 überfällig: Lead handover"
    assert "die Geschäftsleitung wird benachrichtigt" in german.body


def test_the_decision_says_who_decided_and_why() -> None:
    upheld = decided_message(FACTS, upheld=True, reason="Log shows 9:05", by="lena", language="en")
    assert upheld.title == "Dispute #7 upheld: Lead handover"
    assert "lena upheld the dispute." in upheld.body and "Why: Log shows 9:05" in upheld.body
    rejected = decided_message(FACTS, upheld=False, reason="Nein", by="lena", language="de")
    assert rejected.title == "Streitfall #7 abgelehnt: Lead handover"
    assert "lena hat den Streitfall abgelehnt." in rejected.body


def test_a_statement_and_a_figure_are_named_as_such() -> None:
    statement = FACTS.__class__(**{**FACTS.__dict__, "subject": "statement", "party": "Sales",
                                   "period": "2026-02"})  # fmt: skip
    assert "the credit statement of Sales for 2026-02" in escalated_message(statement, 1, "en").body
    figure = FACTS.__class__(**{**FACTS.__dict__, "subject": "figure", "period": "2026-02"})
    assert (
        "die Kennzahl „First contact within 48 hours“ für 2026-02"
        in escalated_message(figure, 1, "de").body
    )
