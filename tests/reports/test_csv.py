"""The scorecard as CSV: one fixed header, the same data in every language."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from slawatch.reports.cells import csv_text
from slawatch.reports.csv import COLUMNS, DETAIL_COLUMNS, report_csv
from tests.reports.support import from_file


def test_the_csv_is_the_scorecard_with_every_details_column():
    report = from_file("2026-10")
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert list(rows[0]) == [*COLUMNS, *DETAIL_COLUMNS, "corrections"]
    assert [row["objective"] for row in rows] == list(report.agreement.objectives)
    speed = next(row for row in rows if row["objective"] == "speed-to-lead")
    assert (speed["period"], speed["status"], speed["met"], speed["breached"]) == (
        "2026-10",
        "met",
        "77",
        "1",
    )
    assert speed["value"] == "0.9871794871794872"
    conversion = next(row for row in rows if row["objective"] == "conversion")
    assert (conversion["numerator"], conversion["denominator"], conversion["met"]) == (
        "2",
        "79",
        "",
    )
    leads = next(row for row in rows if row["objective"] == "qualified-leads")
    assert (leads["value"], leads["target"]) == ("86", "50")


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_could_run_as_a_formula_gets_a_leading_quote(text: str):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -0.25, 0, "L-1", "speed-to-lead", ""])
def test_numbers_and_ordinary_text_are_written_as_they_are(value: object):
    assert csv_text(value) == value


def test_a_scorecard_text_cell_from_the_agreement_is_neutralised_and_numbers_are_not():
    report = from_file("2026-10")
    score = report.scores[0]
    tampered = dataclasses.replace(
        score,
        objective=dataclasses.replace(score.objective, owner="=cmd|' /C calc'!A0", value=-3),
    )
    report = dataclasses.replace(report, scores=(tampered, *report.scores[1:]))
    row = next(csv.DictReader(io.StringIO(report_csv(report))))
    assert row["owner"] == "'=cmd|' /C calc'!A0"
    assert row["value"] == "-3"


def test_german_conventions_open_in_german_excel():
    from slawatch.reports.csv import BOM, GERMAN

    text = report_csv(from_file("2026-10"), GERMAN)
    assert text.startswith(BOM + "period;objective;owner;kind;value")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))
    speed = next(row for row in rows if row["objective"] == "speed-to-lead")
    assert (speed["value"], speed["target"], speed["met"]) == ("0,987179", "0,95", "77")
    leads = next(row for row in rows if row["objective"] == "qualified-leads")
    assert (leads["value"], leads["target"]) == ("86", "50")


def test_english_conventions_stay_the_contract():
    from slawatch.reports.csv import CsvConventions

    report = from_file("2026-10")
    assert report_csv(report, CsvConventions.of("en")) == report_csv(report)
    assert not report_csv(report).startswith("\ufeff")


@pytest.mark.parametrize(
    ("value", "written"),
    [(0.9583333333333334, "0,958333"), (1.0, "1"), (-0.25, "-0,25"), (12, "12"), (1e-9, "0")],
)
def test_german_numbers_have_a_decimal_comma_and_at_most_six_decimals(value, written):
    from slawatch.reports.csv import GERMAN

    assert GERMAN.number(value) == written
