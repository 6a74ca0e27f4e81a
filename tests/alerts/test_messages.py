"""Escalation messages say what, where, how late and whom, in English and in German."""

from __future__ import annotations

import datetime as dt

import pytest

from slawatch.alerts.messages import ClockFigures, PeriodFigures, StepFacts, step_message
from slawatch.engine.instants import to_us

DEADLINE = to_us(dt.datetime(2026, 3, 4, 16, 30, tzinfo=dt.UTC))  # 17:30 in Berlin
LINK = "https://slawatch.example.com/escalations/7"


def clock_facts(**changes: object) -> StepFacts:
    facts = StepFacts(
        agreement_title="Lead handover between Marketing and Sales",
        objective_title="First contact within 48 hours",
        trigger="breach",
        tier=1,
        zone="Europe/Berlin",
        link=LINK,
        item="crm/L-1001",
        clock=ClockFigures(
            elapsed_seconds=50 * 3600 + 15 * 60,
            allowance_seconds=48 * 3600,
            allowance_business_days=None,
            deadline=DEADLINE,
        ),
    )
    return StepFacts(**{**facts.__dict__, **changes})  # type: ignore[arg-type]


def period_facts(kind: str, value: float | None, target: float, op: str) -> StepFacts:
    return StepFacts(
        agreement_title="Lead handover between Marketing and Sales",
        objective_title="Lead acceptance",
        trigger="period_breached",
        tier=2,
        zone="Europe/Berlin",
        link=LINK,
        period="2026-03",
        figures=PeriodFigures(kind=kind, value=value, target=target, op=op),
    )


def test_a_breached_item_names_the_item_the_elapsed_time_the_deadline_and_the_link():
    message = step_message(clock_facts(), "en")
    assert message.title == "Breached: First contact within 48 hours (item crm/L-1001), tier 1"
    assert message.body.splitlines() == [
        "Agreement: Lead handover between Marketing and Sales",
        "Objective: First contact within 48 hours",
        "Item: crm/L-1001",
        "Elapsed: 50 h 15 min of 48 h allowed",
        "Deadline: Mar 4, 2026, 5:30:00\u202fPM (Europe/Berlin)",
        "",
        "You are notified as the responsible contact (tier 1).",
        f"Open the escalation to acknowledge it: {LINK}",
    ]


def test_the_german_message_uses_the_product_words_and_german_formats():
    message = step_message(clock_facts(trigger="warn", tier=2), "de")
    assert message.title == "Gefährdet: First contact within 48 hours (Vorgang crm/L-1001), Stufe 2"
    body = message.body
    assert "Vereinbarung: Lead handover between Marketing and Sales" in body
    assert "Verstrichen: 50 Std. 15 Min. (erlaubt: 48 Std.)" in body
    assert "Frist: 04.03.2026, 17:30:00 (Europe/Berlin)" in body
    assert "als Abteilungsleitung benachrichtigt (Stufe 2)" in body
    assert f"Öffnen Sie die Eskalation, um sie zu bestätigen: {LINK}" in body


@pytest.mark.parametrize(
    ("kind", "value", "target", "op", "line"),
    [
        ("ratio", 0.725, 0.8, ">=", "Value: 72.5%, target ≥ 80%"),
        ("count", 31, 50, ">=", "Value: 31, target ≥ 50"),
        ("availability", 0.99712, 0.999, ">=", "Value: 99.71%, target ≥ 99.9%"),
        ("ratio", None, 0.1, "<=", "Value: –, target ≤ 10%"),
    ],
)
def test_a_period_message_shows_the_value_against_the_target(kind, value, target, op, line):
    message = step_message(period_facts(kind, value, target, op), "en")
    assert message.title == "Breached: Lead acceptance (period 2026-03), tier 2"
    assert "Period: 2026-03" in message.body
    assert line in message.body.splitlines()
    assert "Item:" not in message.body


def test_german_shares_use_a_decimal_comma():
    message = step_message(period_facts("ratio", 0.725, 0.8, ">="), "de")
    assert "Wert: 72,5\xa0%, Zielwert ≥ 80\xa0%" in message.body
    assert "Zeitraum: 2026-03" in message.body


def test_business_day_allowances_are_counted_in_days():
    clock = ClockFigures(
        elapsed_seconds=30 * 3600, allowance_seconds=None, allowance_business_days=3, deadline=None
    )
    english = step_message(clock_facts(clock=clock), "en").body
    german = step_message(clock_facts(clock=clock), "de").body
    assert "Elapsed: 30 h of 3 business days allowed" in english
    assert "(erlaubt: 3 Arbeitstage)" in german
    assert "Deadline" not in english  # a suspended clock has no deadline


@pytest.mark.parametrize(
    ("tier", "words"),
    [
        (1, "responsible contact (tier 1)"),
        (2, "department head (tier 2)"),
        (3, "management (tier 3)"),
        (4, "management (tier 3)"),
    ],
)
def test_each_tier_says_in_which_role_the_reader_is_notified(tier, words):
    assert words in step_message(clock_facts(tier=tier), "en").body


def test_an_unknown_language_falls_back_to_english():
    assert step_message(clock_facts(), "fr").title.startswith("Breached:")


def test_a_breached_availability_never_reads_as_its_target():
    facts = period_facts("availability", 0.99899, 0.999, ">=")
    facts = StepFacts(
        **{
            **facts.__dict__,
            "figures": PeriodFigures("availability", 0.99899, 0.999, ">=", "breached"),
        }
    )  # type: ignore[arg-type]
    assert "Value: 99.899%, target ≥ 99.9%" in step_message(facts, "en").body.splitlines()


def test_elapsed_and_allowed_are_rounded_alike_so_used_up_time_is_not_shown_as_within():
    clock = ClockFigures(
        elapsed_seconds=47 * 3600 + 58 * 60 + 45,
        allowance_seconds=48 * 3600,
        allowance_business_days=None,
        deadline=DEADLINE,
    )
    body = step_message(clock_facts(clock=clock, trigger="warn"), "en").body
    assert "Elapsed: 47 h 59 min of 48 h allowed" in body
