"""The report PDF, read back as text: cover, scorecard, charts, breaches, credits, benchmarks."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from slawatch.i18n import translator
from slawatch.reports import Credit, Items, Report
from slawatch.reports.model import MAX_BREACH_ROWS
from slawatch.reports.pdf import report_pdf
from tests.reports.support import EXAMPLE, from_file, page_count, pdf_text

EN, DE = translator("en"), translator("de")


@pytest.fixture(scope="module")
def october() -> Report:
    return from_file("2026-10")


@pytest.fixture(scope="module")
def september() -> Report:
    return from_file("2026-09")


@pytest.fixture(scope="module")
def english(october: Report) -> str:
    return pdf_text(report_pdf(october, EN))


@pytest.fixture(scope="module")
def german(october: Report) -> str:
    return pdf_text(report_pdf(october, DE))


def test_the_cover_names_the_agreement_period_version_and_parties(english: str):
    assert "Service level report" in english
    assert "Lead handover between Marketing and Sales" in english
    assert "Period: 2026-10 (Oct 1, 2026 to Oct 31, 2026)" in english
    assert "Generated at: Nov 2, 2026, 09:30" in english
    assert "Agreement: marketing-sales" in english
    assert "Version: not recorded" in english  # the example file has no version
    assert "tier 2, department head: head.sales@example.com" in english


def test_the_scorecard_shows_each_objective_with_value_target_and_status(english: str):
    line = next(line for line in english.splitlines() if "(speed-to-lead)" in line)
    assert "98.7%" in line and ">= 95%" in line and "met" in line
    line = next(line for line in english.splitlines() if "(conversion)" in line)
    assert "breached" in line


def test_every_objective_has_a_chart_of_its_periods(english: str, october: Report):
    for score in october.scores:
        assert f"{score.id}: {score.title}" in english
    assert "target >= 15%, the last 10 periods" in english


def test_the_breaches_list_the_breached_items(english: str):
    assert "Breached items 2026-10" in english
    assert "speed-to-lead: 1 breached item" in english
    assert "L-0281" in english
    assert "request-response: 0 breached items" in english


def test_at_most_200_breaches_are_listed_then_and_n_more(october: Report):
    row = october.breaches["speed-to-lead"].rows[0]
    rows = tuple(dataclasses.replace(row, item=f"B-{n:04d}") for n in range(MAX_BREACH_ROWS))
    crowded = dataclasses.replace(
        october, breaches={**october.breaches, "speed-to-lead": Items(rows, MAX_BREACH_ROWS + 5)}
    )
    text = pdf_text(report_pdf(crowded, EN))
    assert f"B-{MAX_BREACH_ROWS - 1:04d}" in text
    assert "speed-to-lead: 205 breached items" in text
    assert "and 5 more" in text


def test_the_credit_statement_shows_tier_credit_and_amount(september: Report):
    text = pdf_text(report_pdf(september, EN))
    assert "Service credits 2026-09" in text
    assert "Fee per period: 10,000.00 EUR" in text
    assert "Sales: 500.00 EUR" in text
    assert "tier 1 (threshold 95%)" in text
    assert "Total (at most the fee)" in text


def test_a_revised_statement_is_flagged_beside_the_issued_one(september: Report):
    issued = september.credits[0].statement
    revised = dataclasses.replace(issued, total=1000.0)
    when = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    flagged = dataclasses.replace(
        september,
        credits=(Credit(issued, issued_at=when, revised=revised, revised_at=when),),
    )
    text = pdf_text(report_pdf(flagged, EN)).replace("\n", " ")
    assert "Issued on Nov 20, 2026, 08:00." in text
    assert "Revised after issue" in text
    assert "would now owe 1,000.00 EUR" in text
    german = pdf_text(report_pdf(flagged, DE)).replace("\n", " ")
    assert "Nach Ausstellung geändert" in german


def test_a_running_periods_statement_is_marked_provisional(september: Report):
    provisional = dataclasses.replace(
        september, credits=(Credit(september.credits[0].statement, provisional=True),)
    )
    assert "Provisional: the period is still running." in pdf_text(report_pdf(provisional, EN))


def test_the_benchmarks_set_the_period_beside_its_past_and_external_figures(english: str):
    assert "Benchmarks 2026-10" in english
    assert "Previous period (2026-09)" in english
    assert "Previous 12 periods" in english
    assert "(external figure)" in english
    assert "Harvard Business Review, 2011" in english


def test_the_german_report_speaks_german(german: str):
    assert "Service-Level-Bericht" in german
    assert "Zeitraum: 2026-10 (01.10.2026 bis 31.10.2026)" in german
    assert "Übersicht 2026-10" in german
    assert "erfüllt" in german and "verletzt" in german
    assert "98,7" in german
    assert "Verletzte Vorgänge 2026-10" in german
    assert "Gutschriften 2026-10" in german
    assert "Vergleichswerte 2026-10" in german
    assert "(externer Wert)" in german
    assert "Seite 1 von" in german


def test_the_footer_counts_pages(october: Report):
    data = report_pdf(october, EN)
    assert f"page 1 of {page_count(data)}" in pdf_text(data)


def test_umlauts_print_and_what_latin1_lacks_is_replaced():
    yaml_text = EXAMPLE.read_text(encoding="utf-8").replace(
        "title: Lead handover between Marketing and Sales",
        "title: Übergabe – Marketing ≥ Vertrieb … für 5 € (Łódź)",
    )
    text = pdf_text(report_pdf(from_file("2026-10", yaml_text), DE))
    assert "Übergabe - Marketing >= Vertrieb ... für 5 EUR (Lódz)" in text.replace("\n", " ")
