"""The agreement as a document for signing, read back as text, in English and German."""

from __future__ import annotations

import datetime as dt

import pytest

from slawatch.agreements import template_text
from slawatch.agreements.model import Agreement
from slawatch.agreements.parse import parse_agreement
from slawatch.i18n import translator
from slawatch.reports.document import agreement_pdf, responsibility
from tests.reports.support import pdf_text

EN, DE = translator("en"), translator("de")
PRINTED = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
BARE = """\
agreement: bare
title: Bare minimum
timezone: Europe/Berlin
effective: 2026-03-01
parties:
  a: {name: Alpha}
objectives:
  things:
    owner: a
    count: done
    target: ">= 5"
"""


def document(agreement: Agreement, language: str = "en") -> str:
    return pdf_text(agreement_pdf(agreement, translator(language), generated_at=PRINTED))


@pytest.fixture(scope="module")
def agreement() -> Agreement:
    return parse_agreement(template_text("marketing-sales")).model_copy(update={"version": 3})


@pytest.fixture(scope="module")
def english(agreement: Agreement) -> str:
    return document(agreement)


@pytest.fixture(scope="module")
def german(agreement: Agreement) -> str:
    return document(agreement, "de")


def test_a_responsibility_is_task_owner_timeframe_and_target(agreement: Agreement):
    speed = agreement.objectives["speed-to-lead"]
    assert responsibility(agreement, speed, EN) == (
        "First contact within 48 hours",
        "Sales",
        "within 48 h, around the clock",
        "≥ 95% of items per month",
    )
    assert responsibility(agreement, agreement.objectives["request-resolution"], DE) == (
        "Request resolution",
        "Marketing",
        "innerhalb von 3 Arbeitstagen, Kalender office",
        "≥ 90\xa0% der Vorgänge pro Monat",
    )
    response = responsibility(agreement, agreement.objectives["request-response"], EN)
    assert response[2] == "within 24 h, around the clock"
    leads = responsibility(agreement, agreement.objectives["qualified-leads"], EN)
    assert leads == ("Qualified leads per month\nfor kind = lead", "Marketing", "per month", "≥ 50")


def test_the_document_has_the_title_version_and_effective_date(english: str):
    assert "Service level agreement" in english
    assert "Lead handover between Marketing and Sales" in english
    assert "Agreement marketing-sales, version 3, effective from Jan 1, 2026" in english


def test_the_document_lists_parties_with_their_contacts_per_tier(english: str):
    assert "Tier 2: department head" in english
    line = next(line for line in english.splitlines() if line.startswith("Sales "))
    assert "tom.berg@example.com" in line and "head.sales@example.com" in line


def test_the_document_has_the_responsibilities_table(english: str):
    line = next(line for line in english.splitlines() if "First contact within 48 hours" in line)
    assert "Sales" in line
    assert "within 48 h, around the clock" in english
    assert ">= 95% of items per month" in english


def test_the_document_has_calendars_escalation_credits_and_review(english: str):
    assert "Calendar office" in english
    assert "Monday 08:00-12:00, 13:00-17:00" in english
    assert "Saturday closed" in english
    assert "Public holidays: DE-BY" in english
    assert "Also closed on: Dec 24, 2026, Dec 31, 2026" in english
    assert "Escalation path" in english
    assert "1 d Tier 3: management" in english
    assert "Fee per period: 10,000.00 EUR" in english
    assert "below 90% 10% of the fee" in english
    assert "The parties review this agreement and its results quarterly." in english


def test_the_document_ends_with_a_signature_block_per_party(english: str):
    assert "Signatures" in english
    for party in ("For Marketing", "For Sales"):
        assert party in english
    for field in ("Name", "Role", "Date", "Signature"):
        assert english.count(field) >= 2


def test_the_german_document_speaks_german(german: str):
    assert "Service-Level-Vereinbarung" in german
    assert "Vereinbarung marketing-sales, Version 3, gültig ab 01.01.2026" in german
    assert "Verantwortlichkeiten" in german
    assert "innerhalb von 48 Std., rund um die Uhr" in german
    assert ">= 95 % der Vorgänge pro Monat" in german
    assert "Montag 08:00-12:00, 13:00-17:00" in german
    assert "Eskalationspfad" in german
    assert "Entgelt je Zeitraum: 10.000,00 EUR" in german
    assert "Die Parteien überprüfen diese Vereinbarung" in german
    assert "Unterschriften" in german
    assert "Für Marketing" in german
    assert "Unterschrift" in german and "Funktion" in german and "Datum" in german


def test_a_bare_agreement_says_what_it_does_not_set():
    text = document(parse_agreement(BARE))
    assert "version not recorded" in text
    assert "This agreement sets no escalation path." in text
    assert "This agreement sets no service credits." in text
    assert "This agreement sets no review cycle." in text
    assert "Working calendars" not in text
    assert "For Alpha" in text


def test_working_time_is_named_as_such():
    agreement = parse_agreement(template_text("it-service"))
    row = responsibility(agreement, agreement.objectives["ticket-response"], EN)
    assert row[2] == "within 4 h of working time, calendar service-desk"


def test_every_template_prints_in_both_languages():
    for name in ("hr-requests", "it-service", "marketing-sales"):
        agreement = parse_agreement(template_text(name))
        for language in ("en", "de"):
            assert agreement.title in document(agreement, language).replace("\n", " ")


def test_umlauts_and_symbols_in_the_agreement_do_not_break_the_document():
    text = template_text("marketing-sales").replace(
        "title: Lead handover between Marketing and Sales", "title: Übergabe ≥ 48 h – €"
    )
    printed = document(parse_agreement(text.replace("name: Sales", "name: Vertrieb „Süd“")), "de")
    assert "Übergabe >= 48 h - EUR" in printed
    assert 'Für Vertrieb "Süd"' in printed
