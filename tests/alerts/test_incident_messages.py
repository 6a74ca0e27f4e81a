"""The emergency plan's messages, word for word in English and German."""

from __future__ import annotations

import datetime as dt

from slawatch.alerts.incident_messages import (
    IncidentFacts,
    PlannedStep,
    opened_message,
    overdue_message,
)
from slawatch.engine.instants import to_us

STEP = PlannedStep(1, "Sales works new leads from the backup list", "Sales", "2h")
FACTS = IncidentFacts(
    agreement_title="Lead handover",
    title="CRM unreachable",
    trigger="service-down",
    started_at=to_us(dt.datetime(2026, 3, 4, 10, 5, tzinfo=dt.UTC)),
    zone="Europe/Berlin",
    link="https://slawatch.test/agreements/marketing-sales/incidents/7",
    steps=(STEP,),
    paused=("First contact within 48 hours",),
)


def test_the_opened_message_lists_the_plan_and_the_paused_clocks():
    message = opened_message(FACTS, "en")
    assert message.title == "Incident: CRM unreachable (Lead handover)"
    assert message.body.splitlines() == [
        "Agreement: Lead handover",
        "Since: Mar 4, 2026, 11:05:00\u202fAM (Europe/Berlin)",
        "Trigger: a service is down",
        "",
        "Emergency plan:",
        "1. Sales works new leads from the backup list — Sales, within 2h",
        "",
        "Clocks paused while the incident is open: First contact within 48 hours",
        "",
        "Open the incident: https://slawatch.test/agreements/marketing-sales/incidents/7",
    ]


def test_the_german_opened_message_uses_the_product_words_and_german_formats():
    message = opened_message(FACTS, "de")
    assert message.title == "Störung: CRM unreachable (Lead handover)"
    lines = message.body.splitlines()
    assert lines[1] == "Seit: 04.03.2026, 11:05:00 (Europe/Berlin)"
    assert lines[2] == "Auslöser: ein Dienst ist ausgefallen"
    assert lines[4] == "Notfallplan:"
    assert lines[5] == "1. Sales works new leads from the backup list — Sales, innerhalb von 2h"


def test_the_overdue_message_names_the_step_and_the_tier_in_both_languages():
    english = overdue_message(FACTS, STEP, 2, "en")
    german = overdue_message(FACTS, STEP, 2, "de")
    assert english.title == (
        "Overdue emergency step 1: Sales works new leads from the backup list, tier 2"
    )
    assert "Step 1 (Sales) was due within 2h and is not checked off." in english.body
    assert "department head (tier 2)" in english.body
    assert german.title.startswith("Überfälliger Schritt 1 des Notfallplans")
    assert "Stufe 2" in german.title and "Abteilungsleitung" in german.body
    assert german.body.endswith(
        "Öffnen Sie die Störung, um den Schritt abzuhaken: "
        "https://slawatch.test/agreements/marketing-sales/incidents/7"
    )
