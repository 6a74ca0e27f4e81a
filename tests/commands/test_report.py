"""`slawatch report`: from an event file, from the database (both backends), and --document."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.config import get_settings
from tests.reports.support import EVENTS, EXAMPLE, pdf_text, store_example

ARGS = ("--period", "2026-10", "--as-of", "2026-11-01")
runner = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stored(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the command at a database holding the example, evaluated as of 1 November."""
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    store_example(engine)
    yield
    get_settings.cache_clear()


# From an event file ---------------------------------------------------------------------------


def test_a_report_from_a_file_writes_the_format_the_suffix_names(tmp_path: Path):
    output = tmp_path / "october.csv"
    code, out, err = run(EXAMPLE, "--events", EVENTS, *ARGS, "-o", output)
    assert code == 0, err
    assert "wrote the csv report of marketing-sales 2026-10" in out
    assert output.read_text(encoding="utf-8").startswith("period,objective,owner,kind,")


def test_a_german_pdf_from_a_file(tmp_path: Path):
    output = tmp_path / "oktober.pdf"
    code, _, err = run(EXAMPLE, "--events", EVENTS, *ARGS, "-o", output, "--language", "de")
    assert code == 0, err
    assert "Service-Level-Bericht" in pdf_text(output)


def test_a_report_from_a_file_needs_the_period(tmp_path: Path):
    code, _, err = run(EXAMPLE, "--events", EVENTS, "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "--period" in err


def test_with_events_the_agreement_must_be_a_file(tmp_path: Path):
    code, _, err = run("marketing-sales", "--events", EVENTS, *ARGS, "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "not a file" in err


def test_a_bad_period_label_is_a_usage_error(tmp_path: Path):
    code, _, err = run(EXAMPLE, "--events", EVENTS, "--period", "2026-13", "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "--period" in err


def test_a_period_that_has_not_begun_is_a_usage_error(tmp_path: Path):
    code, _, err = run(
        EXAMPLE, "--events", EVENTS, "--period", "2026-12", "--as-of", "2026-11-01",
        "-o", tmp_path / "r.pdf",
    )  # fmt: skip
    assert code == 2
    assert "has not begun" in err


def test_a_period_that_begins_exactly_at_as_of_has_begun_and_is_reported(tmp_path: Path):
    output = tmp_path / "november.csv"
    code, _, err = run(
        EXAMPLE, "--events", EVENTS, "--period", "2026-11", "--as-of", "2026-11-01T00:00:00+01:00",
        "-o", output,
    )  # fmt: skip
    assert code == 0, err
    assert "2026-11" in output.read_text(encoding="utf-8")


def test_a_missing_events_file_is_a_usage_error(tmp_path: Path):
    code, _, _ = run(EXAMPLE, "--events", tmp_path / "nope.csv", *ARGS, "-o", tmp_path / "r.pdf")
    assert code == 2


def test_an_unknown_suffix_without_format_is_a_usage_error(tmp_path: Path):
    code, _, err = run(EXAMPLE, "--events", EVENTS, *ARGS, "-o", tmp_path / "r.docx")
    assert code == 2
    assert "--format" in err


def test_an_unknown_language_is_a_usage_error(tmp_path: Path):
    code, _, _ = run(
        EXAMPLE, "--events", EVENTS, *ARGS, "-o", tmp_path / "r.pdf", "--language", "fr"
    )
    assert code == 2


def test_bad_rows_fail_with_1_unless_skipped(tmp_path: Path):
    events = tmp_path / "events.csv"
    events.write_text(
        "item,type,at,kind\n"
        "L1,handed_over,2026-10-05T09:00:00+02:00,lead\n"
        "L1,contacted,not a time,lead\n",
        encoding="utf-8",
    )
    output = tmp_path / "r.csv"
    code, _, err = run(EXAMPLE, "--events", events, *ARGS, "-o", output)
    assert code == 1
    assert "--skip-bad-rows" in err
    assert not output.exists()
    code, _, err = run(EXAMPLE, "--events", events, *ARGS, "-o", output, "--skip-bad-rows")
    assert code == 0, err
    assert output.exists()


# From the database ----------------------------------------------------------------------------


def test_a_stored_report_defaults_to_the_latest_closed_period(stored: None, tmp_path: Path):
    output = tmp_path / "latest.pdf"
    code, out, err = run("marketing-sales", "-o", output)
    assert code == 0, err
    assert "wrote the pdf report of marketing-sales 2026-10" in out
    text = pdf_text(output)
    assert "Source: stored results" in text
    assert "Version: 1" in text
    assert "L-0281" in text


def test_a_stored_workbook_of_a_named_period_in_german(stored: None, tmp_path: Path):
    output = tmp_path / "september.xlsx"
    code, _, err = run("marketing-sales", "--period", "2026-09", "-o", output, "--language", "de")
    assert code == 0, err
    workbook = openpyxl.load_workbook(io.BytesIO(output.read_bytes()))
    assert workbook.sheetnames[0] == "Übersicht"
    assert workbook["speed-to-lead"].max_row > 1  # every item of September
    credits = list(workbook["Gutschriften"].iter_rows(min_row=2, values_only=True))
    assert credits[-1][8] == 500.0


def test_a_stored_csv_with_an_explicit_format(stored: None, tmp_path: Path):
    output = tmp_path / "scorecard.txt"
    code, _, err = run("marketing-sales", "--period", "2026-10", "--format", "csv", "-o", output)
    assert code == 0, err
    assert "2026-10,speed-to-lead,sales,clock," in output.read_text(encoding="utf-8")


def test_an_unknown_agreement_or_period_in_the_database_fails_with_1(stored: None, tmp_path: Path):
    code, _, err = run("nope", "-o", tmp_path / "r.pdf")
    assert code == 1
    assert "there is no agreement 'nope'" in err
    code, _, err = run("marketing-sales", "--period", "2025-01", "-o", tmp_path / "r.pdf")
    assert code == 1
    assert "stored periods run from 2026-01 to 2026-11" in err  # November began as of


def test_a_bad_label_for_a_stored_report_is_a_usage_error(stored: None, tmp_path: Path):
    code, _, err = run("marketing-sales", "--period", "October", "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "--period" in err


def test_an_agreement_file_without_events_is_a_usage_error(tmp_path: Path):
    code, _, err = run(EXAMPLE, "--period", "2026-10", "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "--events" in err


def test_options_of_the_file_mode_are_refused_for_a_stored_report(tmp_path: Path):
    code, _, err = run("marketing-sales", "--as-of", "2026-11-01", "-o", tmp_path / "r.pdf")
    assert code == 2
    assert "--as-of" in err


# The agreement document -----------------------------------------------------------------------


def test_the_document_of_an_agreement_file(tmp_path: Path):
    output = tmp_path / "agreement.pdf"
    code, out, err = run(EXAMPLE, "--document", "-o", output)
    assert code == 0, err
    assert "wrote the agreement document of marketing-sales" in out
    text = pdf_text(output)
    assert "Responsibilities" in text
    assert "First contact within 48 hours" in text
    assert "For Sales" in text


def test_the_german_document_of_a_stored_agreement(stored: None, tmp_path: Path):
    output = tmp_path / "vereinbarung.pdf"
    code, _, err = run("marketing-sales", "--document", "-o", output, "--language", "de")
    assert code == 0, err
    text = pdf_text(output)
    assert "Version 1, gültig ab 01.01.2026" in text
    assert "Unterschriften" in text


def test_the_document_of_an_unknown_agreement_fails_with_1(stored: None, tmp_path: Path):
    code, _, err = run("nope", "--document", "-o", tmp_path / "d.pdf")
    assert code == 1
    assert "no agreement 'nope'" in err


def test_the_document_is_a_pdf_of_the_agreement_alone(tmp_path: Path):
    code, _, err = run(EXAMPLE, "--document", "--format", "xlsx", "-o", tmp_path / "d.xlsx")
    assert code == 2
    assert "--format" in err
    code, _, err = run(EXAMPLE, "--document", "--period", "2026-10", "-o", tmp_path / "d.pdf")
    assert code == 2
    assert "--period" in err


# --database and --locale --------------------------------------------------------------------


def test_database_names_the_store_to_read(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    store_example(engine)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", "sqlite:///elsewhere.db")
    get_settings.cache_clear()
    given = database_url
    if database_url.startswith("sqlite:///"):
        given = database_url.removeprefix("sqlite:///")  # a plain file path works too
    output = tmp_path / "october.csv"
    code, _, err = run("marketing-sales", "--period", "2026-10", "-o", output, "--database", given)
    get_settings.cache_clear()
    assert code == 0, err
    assert "2026-10,speed-to-lead" in output.read_text(encoding="utf-8")
    assert not (tmp_path / "elsewhere.db").exists()


def test_a_missing_database_file_is_refused_and_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SLAWATCH_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    code, _, err = run("marketing-sales", "-o", tmp_path / "r.pdf")
    assert code == 2
    err = " ".join(err.split())
    assert f"there is no database at {tmp_path / 'slawatch.db'}" in err and "--database" in err
    assert not (tmp_path / "slawatch.db").exists()
    code, _, err = run("marketing-sales", "-o", tmp_path / "r.pdf", "--database", "nope.db")
    assert code == 2 and f"there is no database at {tmp_path / 'nope.db'}" in " ".join(err.split())
    assert not (tmp_path / "nope.db").exists()
    get_settings.cache_clear()


def test_database_does_not_go_with_events(tmp_path: Path):
    code, _, err = run(
        EXAMPLE, "--events", EVENTS, *ARGS, "-o", tmp_path / "r.csv", "--database", "x.db"
    )
    assert code == 2 and "--database" in err


def test_a_german_csv_in_german_conventions(tmp_path: Path):
    output = tmp_path / "oktober.csv"
    code, _, err = run(
        EXAMPLE, "--events", EVENTS, *ARGS, "-o", output, "--format", "csv", "--locale", "de"
    )
    assert code == 0, err
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfperiod;objective;owner;kind;value;")
    assert b"0,987179" in data


def test_a_report_of_a_range_of_days_from_a_file(tmp_path: Path):
    output = tmp_path / "half.csv"
    code, out, err = run(
        EXAMPLE, "--events", EVENTS, "--period", "2026-10-01..2026-10-15",
        "--as-of", "2026-11-01", "-o", output,
    )  # fmt: skip
    assert code == 0, err
    assert "2026-10-01..2026-10-15" in out
    assert output.read_text(encoding="utf-8").splitlines()[1].startswith("2026-10-01..2026-10-15,")
