"""The report workbook, opened with openpyxl: scorecard, a sheet per objective, credits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.workbook import Workbook

from slawatch.i18n import translator
from slawatch.reports import Items, Report
from slawatch.reports.xlsx import MAX_SHEET_NAME, report_xlsx, sheet_name
from tests.reports.support import from_file

EN, DE = translator("en"), translator("de")


def opened(report: Report, language: str = "en") -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(report_xlsx(report, translator(language))))


@pytest.fixture(scope="module")
def october() -> Report:
    return from_file("2026-10")


def test_the_workbook_has_a_scorecard_a_sheet_per_objective_and_the_credits(october: Report):
    workbook = opened(october)
    assert workbook.sheetnames == ["Scorecard", *october.agreement.objectives, "Credits"]
    scorecard = workbook["Scorecard"]
    assert scorecard.max_row == 1 + len(october.scores)
    assert [c.value for c in scorecard[1]][:5] == ["Period", "Objective", "Title", "Owner", "Value"]
    speed = next(row for row in scorecard.iter_rows(values_only=True) if row[1] == "speed-to-lead")
    assert speed[4] == pytest.approx(0.9871794871794872)  # a number, formatted as a percentage
    assert speed[7] == "met"


def test_a_clock_objectives_sheet_lists_its_items_with_real_local_datetimes(october: Report):
    speed = opened(october)["speed-to-lead"]
    assert speed.freeze_panes == "A2"
    assert speed["A1"].font.bold
    assert speed.max_row == 1 + 79  # 77 met, 1 breached, 1 paused
    assert isinstance(speed["B2"].value, dt.datetime)
    assert speed["B2"].value.tzinfo is None  # naive local time, as Excel wants
    assert "Europe/Berlin" in speed["B1"].comment.text


def test_a_clock_sheet_says_how_many_items_were_left_out(october: Report):
    listed = october.items["speed-to-lead"]
    capped = dataclasses.replace(
        october, items={**october.items, "speed-to-lead": Items(listed.rows[:3], 1000)}
    )
    speed = opened(capped)["speed-to-lead"]
    assert speed.max_row == 1 + 3 + 1
    assert speed.cell(row=5, column=1).value == "and 997 more"


def test_another_objectives_sheet_lists_its_periods(october: Report):
    conversion = opened(october)["conversion"]
    assert conversion.max_row == 1 + 10  # January to October
    assert conversion["A11"].value == "2026-10"
    assert conversion["B11"].value == dt.datetime(2026, 10, 1)
    assert conversion["D11"].number_format == "0.0%"


def test_the_credits_sheet_lists_each_statement_line_and_its_total():
    credits = opened(from_file("2026-09"))["Credits"]
    rows = list(credits.iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("2026-09", "Sales", "speed-to-lead")
    assert rows[0][5:10] == (1, 0.95, 0.05, 500.0, "EUR")
    assert rows[1][2] == "Total (at most the fee)"
    assert rows[1][8] == 500.0


def test_the_german_workbook_has_german_headings_and_statuses(october: Report):
    workbook = opened(october, "de")
    assert workbook.sheetnames[0] == "Übersicht"
    assert workbook.sheetnames[-1] == "Gutschriften"
    scorecard = workbook["Übersicht"]
    assert scorecard["B1"].value == "Ziel"
    assert {row[7] for row in scorecard.iter_rows(min_row=2, values_only=True)} == {
        "erfüllt",
        "verletzt",
    }
    assert workbook["speed-to-lead"]["A1"].value == "Vorgang"


def test_sheet_names_are_cut_to_31_characters_and_kept_unique():
    taken = {"scorecard"}
    long = "a-very-long-objective-name-beyond-excel"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == len(second) == MAX_SHEET_NAME
    assert first != second
    assert sheet_name("Scorecard", taken) == "Scorecard~2"
    assert sheet_name("a/b:c", taken) == "a_b_c"


EVIL = '=HYPERLINK("http://evil.example","x")'


@pytest.mark.parametrize("text", [EVIL, "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_an_item_id_that_could_run_as_a_formula_is_stored_as_text(october: Report, text: str):
    listed = october.items["speed-to-lead"]
    first = dataclasses.replace(listed.rows[0], item=text)
    changed = Items((first, *listed.rows[1:]), listed.total)
    report = dataclasses.replace(october, items={**october.items, "speed-to-lead": changed})
    cell = opened(report)["speed-to-lead"]["A2"]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert cell.value == text.replace("\r", "\n")  # XML reads a carriage return back as \n


def test_numbers_stay_numbers_when_text_is_neutralised(october: Report):
    listed = october.items["speed-to-lead"]
    first = dataclasses.replace(listed.rows[0], item=EVIL, elapsed_seconds=-5)
    changed = Items((first, *listed.rows[1:]), listed.total)
    report = dataclasses.replace(october, items={**october.items, "speed-to-lead": changed})
    sheet = opened(report)["speed-to-lead"]
    # a number formatted as a duration: openpyxl reads it back as one
    assert sheet["E2"].value == dt.timedelta(seconds=-5)
    assert sheet["A3"].quotePrefix is False  # ordinary ids are left as they are


def test_every_sheet_is_a_table_with_a_frozen_header_and_an_autofilter(october: Report):
    workbook = opened(october)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")


def test_values_carry_formats_shares_durations_counts_and_money(october: Report):
    workbook = opened(october)
    scorecard = workbook["Scorecard"]
    rows = {row[1].value: row for row in scorecard.iter_rows(min_row=2)}
    assert rows["speed-to-lead"][4].number_format.endswith("%")
    assert rows["qualified-leads"][4].number_format == "#,##0"
    assert isinstance(rows["qualified-leads"][4].value, int)
    clocks = workbook["speed-to-lead"]
    assert [c.value for c in clocks[1]][4:6] == ["Elapsed", "Paused"]
    assert clocks["E2"].number_format == "[h]:mm"
    assert isinstance(clocks["E2"].value, dt.timedelta)
    conversion = workbook["conversion"]
    header = [c.value for c in conversion[1]]
    numerator = conversion.cell(row=2, column=header.index("numerator") + 1)
    assert isinstance(numerator.value, int) and numerator.number_format == "#,##0"
    credits = workbook["Credits"]
    amounts = [row[8] for row in credits.iter_rows(min_row=2) if row[8].value is not None]
    assert amounts and all(cell.number_format == '#,##0.00 "EUR"' for cell in amounts)
