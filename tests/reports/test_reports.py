"""`slawatch report`: the shipped example's October as PDF, XLSX and CSV, and the exit codes."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from slawatch.agreement_files import load_agreement
from slawatch.agreements import parse_agreement
from slawatch.cli import app
from slawatch.cli import parse_as_of as as_of_of
from slawatch.engine.events import EventTable
from slawatch.engine.objectives import evaluate, item_clocks
from slawatch.engine.periods import parse_label
from slawatch.ingest.files import read_events
from slawatch.reports import Report, build_report
from slawatch.reports.csv import COLUMNS, DETAIL_COLUMNS, report_csv
from slawatch.reports.pdf import MAX_BREACH_ROWS, write_pdf
from slawatch.reports.xlsx import MAX_SHEET_NAME, sheet_name, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marketing-sales.yaml"
EVENTS = ROOT / "examples" / "marketing-sales-events.csv"
ARGS = ("--period", "2026-10", "--as-of", "2026-11-01")

runner = CliRunner()


def run(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, ["report", *(str(a) for a in args)])
    return result.exit_code, result.stderr


def october(yaml_text: str | None = None) -> Report:
    agreement = load_agreement(EXAMPLE) if yaml_text is None else parse_agreement(yaml_text)
    log = read_events(EVENTS)
    table = EventTable(log.events, log.items)
    instant = as_of_of("2026-11-01", agreement)
    window = parse_label("2026-10", ZoneInfo(agreement.timezone))
    clocks = {
        o.id: item_clocks(agreement, table, o.id, as_of=instant)
        for o in agreement.objectives.values()
        if o.kind == "clock"
    }
    return build_report(
        agreement,
        evaluate(agreement, table, as_of=instant, window=window),
        evaluate(agreement, table, as_of=instant),
        clocks,
    )


@pytest.fixture(scope="module")
def report() -> Report:
    return october()


def test_the_model_holds_one_score_per_objective_and_at_most_12_periods(report: Report):
    assert [s.objective for s in report.scores] == list(report.agreement.objectives)
    assert all(1 <= len(figures) <= 12 for figures in report.history.values())
    assert all(f.period.label <= "2026-10" for f in report.history["conversion"])
    assert report.history["conversion"][-1].period.label == "2026-10"


def test_clock_rows_are_the_items_started_in_the_period(report: Report):
    for score in report.scores:
        if score.result.kind == "clock":
            counted = sum(v or 0 for v in score.result.details.values())
            assert len(report.clocks[score.objective]) == counted
            assert all(row.started.month == 10 for row in report.clocks[score.objective])


def test_the_pdf_shows_the_title_every_objective_and_its_status(report: Report, tmp_path: Path):
    path = tmp_path / "report.pdf"
    write_pdf(report, path)
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert report.agreement.title in text
    for score in report.scores:
        line = next(line for line in text.splitlines() if line.startswith(score.objective + " "))
        assert score.result.status.value.replace("_", " ") in line
    assert f"page 1 of {len(reader.pages)}" in text
    assert "Breached items 2026-10" in text
    assert "L-0281" in text  # the one breached speed-to-lead item of October


def test_the_pdf_lists_at_most_200_breaches_per_objective(report: Report, tmp_path: Path):
    row = report.breaches("speed-to-lead")[0]
    many = tuple(dataclasses.replace(row, item=f"B-{n:04d}") for n in range(MAX_BREACH_ROWS + 5))
    crowded = dataclasses.replace(report, clocks={**report.clocks, "speed-to-lead": many})
    path = tmp_path / "report.pdf"
    write_pdf(crowded, path)
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    assert f"B-{MAX_BREACH_ROWS - 1:04d}" in text
    assert f"B-{MAX_BREACH_ROWS:04d}" not in text
    assert "and 5 more" in text


def test_the_pdf_writes_umlauts_and_replaces_what_latin1_lacks(tmp_path: Path):
    yaml_text = EXAMPLE.read_text(encoding="utf-8").replace(
        "title: Lead handover between Marketing and Sales",
        "title: Übergabe – Marketing ≥ Vertrieb …",
    )
    path = tmp_path / "report.pdf"
    write_pdf(october(yaml_text), path)
    text = PdfReader(path).pages[0].extract_text()
    assert "Übergabe - Marketing >= Vertrieb ..." in text


def test_the_workbook_has_a_scorecard_and_a_sheet_per_objective(report: Report, tmp_path: Path):
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Scorecard", *report.agreement.objectives]
    assert workbook["Scorecard"].max_row == 1 + len(report.scores)
    speed = workbook["speed-to-lead"]
    assert speed.freeze_panes == "A2"
    assert speed["A1"].font.bold
    assert speed.max_row == 1 + 79  # 77 met, 1 breached, 1 paused
    assert speed["B2"].value.tzinfo is None  # naive local time, as Excel wants
    assert "Europe/Berlin" in speed["B1"].comment.text
    assert workbook["conversion"].max_row == 1 + 10  # January to October
    assert workbook["conversion"]["A11"].value == "2026-10"


def test_sheet_names_are_cut_to_31_characters_and_kept_unique():
    taken = {"scorecard"}
    long = "a-very-long-objective-name-beyond-excel"
    first, second = sheet_name(long, taken), sheet_name(long, taken)
    assert len(first) == len(second) == MAX_SHEET_NAME
    assert first != second
    assert sheet_name("Scorecard", taken) == "Scorecard~2"
    assert sheet_name("a/b:c", taken) == "a_b_c"


def test_the_csv_is_the_scorecard_with_every_details_column(report: Report):
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert list(rows[0]) == [*COLUMNS, *DETAIL_COLUMNS]
    assert [row["objective"] for row in rows] == list(report.agreement.objectives)
    speed = next(row for row in rows if row["objective"] == "speed-to-lead")
    assert (speed["period"], speed["status"], speed["met"], speed["breached"]) == (
        "2026-10",
        "met",
        "77",
        "1",
    )
    conversion = next(row for row in rows if row["objective"] == "conversion")
    assert (conversion["numerator"], conversion["denominator"], conversion["met"]) == (
        "2",
        "79",
        "",
    )


def test_the_command_writes_the_format_the_suffix_names(tmp_path: Path):
    output = tmp_path / "october.csv"
    code, stderr = run(EXAMPLE, "--events", EVENTS, *ARGS, "-o", output)
    assert code == 0, stderr
    assert output.read_text(encoding="utf-8").startswith("period,objective,owner,kind,")


def test_a_bad_period_label_is_a_usage_error(tmp_path: Path):
    code, stderr = run(EXAMPLE, "--events", EVENTS, "--period", "2026-13", "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "--period" in stderr


def test_a_period_that_has_not_begun_is_a_usage_error(tmp_path: Path):
    code, stderr = run(
        EXAMPLE, "--events", EVENTS, "--period", "2026-12", "--as-of", "2026-11-01",
        "-o", tmp_path / "r.pdf",
    )  # fmt: skip
    assert code == 2
    assert "has not begun" in stderr


def test_a_missing_events_file_is_a_usage_error(tmp_path: Path):
    code, _ = run(EXAMPLE, "--events", tmp_path / "nope.csv", *ARGS, "-o", tmp_path / "r.pdf")
    assert code == 2


def test_an_unknown_suffix_without_format_is_a_usage_error(tmp_path: Path):
    code, stderr = run(EXAMPLE, "--events", EVENTS, *ARGS, "-o", tmp_path / "r.docx")
    assert code == 2
    assert "--format" in stderr


def test_bad_rows_fail_with_1_unless_skipped(tmp_path: Path):
    events = tmp_path / "events.csv"
    events.write_text(
        "item,type,at,kind\n"
        "L1,handed_over,2026-10-05T09:00:00+02:00,lead\n"
        "L1,contacted,not a time,lead\n",
        encoding="utf-8",
    )
    output = tmp_path / "r.csv"
    code, stderr = run(EXAMPLE, "--events", events, *ARGS, "-o", output)
    assert code == 1
    assert "--skip-bad-rows" in stderr
    assert not output.exists()
    code, stderr = run(EXAMPLE, "--events", events, *ARGS, "-o", output, "--skip-bad-rows")
    assert code == 0, stderr
    assert output.exists()
