"""The import pipeline on SQLite and PostgreSQL: counts that add up, idempotence, rejected files."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from slawatch.agreements import template_text
from slawatch.engine.instants import to_us
from slawatch.ingest.imports import ImportOptionError, ImportSummary, rejected_path, run_import
from slawatch.ingest.mappings import ImportFileError, TimezoneNeededError
from slawatch.store.agreements import save_version
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.imports import recent_imports
from slawatch.store.schema import events, items

ROOT = Path(__file__).resolve().parents[2]
HUBSPOT = ROOT / "examples" / "hubspot-contacts.csv"
SALESFORCE = ROOT / "examples" / "salesforce-leads.csv"


def us(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text))


def stored(engine: Engine) -> list[tuple[str, str, int]]:
    query = (
        select(items.c.external_id, events.c.type, events.c.at)
        .join(items, items.c.id == events.c.item_id)
        .order_by(items.c.external_id, events.c.at, events.c.type)
    )
    with read_transaction(engine) as connection:
        return [tuple(row) for row in connection.execute(query)]


def event_count(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def assert_adds_up(summary: ImportSummary) -> None:
    assert summary.imported + summary.duplicate + summary.rejected == summary.rows_read


def write(tmp_path: Path, text: str, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_first_import_stores_every_row_and_a_repeat_finds_only_duplicates(
    engine: Engine, tmp_path: Path
):
    path = tmp_path / HUBSPOT.name
    path.write_bytes(HUBSPOT.read_bytes())
    first = run_import(path, "hubspot", engine=engine, actor="test", timezone="Europe/Berlin")
    assert (first.rows_read, first.imported, first.duplicate, first.rejected) == (30, 30, 0, 0)
    assert first.events == event_count(engine) > 30
    again = run_import(path, "hubspot", engine=engine, actor="test", timezone="Europe/Berlin")
    assert (again.imported, again.duplicate, again.rejected, again.events) == (0, 30, 0, 0)
    assert again.rejected_file is None and not rejected_path(path).exists()


def test_a_newer_export_imports_the_contacts_that_progressed_and_counts_the_rest_as_duplicates(
    engine: Engine, tmp_path: Path
):
    header = "Record ID,Create Date,Owner assigned date\n"
    before = "".join(f"{n},2026-10-05T08:00:00Z,\n" for n in range(1, 11))
    run_import(write(tmp_path, header + before), "hubspot", engine=engine, actor="test")
    after = "".join(
        f"{n},2026-10-05T08:00:00Z,{'2026-10-05T09:00:00Z' if n in (3, 7, 8) else ''}\n"
        for n in range(1, 13)
    )
    summary = run_import(write(tmp_path, header + after), "hubspot", engine=engine, actor="test")
    assert (summary.imported, summary.duplicate, summary.rejected) == (5, 7, 0)  # 3, 7, 8, 11, 12
    assert summary.events == 5
    assert event_count(engine) == 15


def test_a_row_repeated_in_the_file_counts_as_a_duplicate(engine: Engine, tmp_path: Path):
    text = "item,type,at\nL-1,created,2026-10-05T08:00:00Z\nL-1,created,2026-10-05T08:00:00Z\n"
    summary = run_import(write(tmp_path, text, "events.csv"), "generic", engine=engine, actor="t")
    assert (summary.imported, summary.duplicate) == (1, 1)


def test_rejected_rows_are_written_with_line_reason_and_original_fields(
    engine: Engine, tmp_path: Path
):
    text = (
        "Record ID,Name,Create Date\n"
        "1,Anna,2026-10-05T08:00:00Z\n"
        ',"Kraus, Ben",2026-10-05T08:00:00Z\n'
        "3,Clara,tomorrow\n"
        "4,Dirk,2026-10-05T08:00:00Z,extra\n"
    )
    path = write(tmp_path, text)
    summary = run_import(path, "hubspot", engine=engine, actor="test")
    assert_adds_up(summary)
    assert (summary.imported, summary.rejected) == (1, 3)
    assert summary.rejected_file == tmp_path / "contacts.rejected.csv"
    with summary.rejected_file.open(encoding="utf-8", newline="") as file:
        written = list(csv.reader(file))
    assert written[0] == ["line", "reason", "Record ID", "Name", "Create Date"]
    assert [row[0] for row in written[1:]] == ["3", "4", "5"]
    assert written[1][1].startswith("Record ID is empty")
    assert written[1][2:] == ["", "Kraus, Ben", "2026-10-05T08:00:00Z"]
    assert written[2][1].startswith("Create Date: 'tomorrow' is not a date")
    assert written[3][1].startswith("4 fields but the header has 3")
    assert written[3][2:] == ["4", "Dirk", "2026-10-05T08:00:00Z", "extra"]


def test_a_clean_import_removes_the_rejected_file_of_an_earlier_one(engine: Engine, tmp_path: Path):
    path = write(tmp_path, "Record ID,Create Date\n1,never\n")
    assert run_import(path, "hubspot", engine=engine, actor="t").rejected_file is not None
    write(tmp_path, "Record ID,Create Date\n1,2026-10-05T08:00:00Z\n")
    assert run_import(path, "hubspot", engine=engine, actor="t").rejected_file is None
    assert not rejected_path(path).exists()


def test_the_import_is_recorded_with_its_counts_and_audited(engine: Engine, tmp_path: Path):
    path = write(tmp_path, "Record ID,Create Date\n1,2026-10-05T08:00:00Z\n2,never\n")
    summary = run_import(path, "hubspot", engine=engine, actor="lena@example.com", source="crm")
    with read_transaction(engine) as connection:
        (row,) = recent_imports(connection)
        (entry,) = entries(connection, subject=f"import:{summary.import_id}")
        (source,) = connection.execute(select(items.c.source)).scalars()
    assert (row["mapping"], row["rows_read"], row["imported"], row["rejected"]) == (
        "hubspot",
        2,
        1,
        1,
    )
    assert row["actor"] == entry["actor"] == "lena@example.com"
    assert entry["action"] == "import" and entry["detail"]["events"] == 1
    assert source == "crm"


def test_salesforce_converted_dates_fall_on_midnight_of_the_agreements_zone(
    engine: Engine, tmp_path: Path
):
    with transaction(engine) as connection:
        save_version(connection, template_text("marketing-sales"), author="t", reason="first")
    text = "Id,CreatedDate,ConvertedDate\n00Q1,2026-10-05T07:30:00.000+0000,2026-10-20\n"
    run_import(
        write(tmp_path, text), "salesforce", engine=engine, actor="t", agreement="marketing-sales"
    )
    assert ("00Q1", "converted", us("2026-10-20T00:00:00+02:00")) in stored(engine)


def test_an_agreement_warns_about_unused_event_types_and_objectives_without_events(
    engine: Engine, tmp_path: Path
):
    with transaction(engine) as connection:
        save_version(connection, template_text("marketing-sales"), author="t", reason="first")
    summary = run_import(
        SALESFORCE,
        "salesforce",
        engine=engine,
        actor="t",
        agreement="marketing-sales",
        write_rejected=False,
    )
    warnings = "\n".join(summary.warnings)
    created = summary.unused_event_types[0]
    assert (created.name, created.did_you_mean) == ("created", None)
    assert f"created ({created.count} rows): no objective of marketing-sales uses this" in warnings
    assert "objective speed-to-lead of marketing-sales needs 'handed_over' events" in warnings
    assert "qualified-leads" in warnings
    assert "converted (" not in warnings and "contacted (" not in warnings


def test_unknown_agreement_and_bad_options_are_refused_before_anything_is_stored(
    engine: Engine, tmp_path: Path
):
    path = write(tmp_path, "Record ID,Create Date\n1,2026-10-05 08:00\n")
    with pytest.raises(ImportOptionError, match="no agreement 'nope'") as error:
        run_import(path, "hubspot", engine=engine, actor="t", agreement="nope")
    assert error.value.option == "--agreement"
    with pytest.raises(ImportOptionError, match="choose one of generic, hubspot, salesforce"):
        run_import(path, "pipedrive", engine=engine, actor="t")
    with pytest.raises(ImportOptionError, match="IANA"):
        run_import(path, "hubspot", engine=engine, actor="t", timezone="Mars/Olympus")
    with pytest.raises(TimezoneNeededError, match=r"contacts.csv: Create Date holds"):
        run_import(path, "hubspot", engine=engine, actor="t")
    assert event_count(engine) == 0


def test_counts_add_up_over_many_chunks_with_mixed_rows(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("slawatch.ingest.imports.CHUNK_ROWS", 7)
    lines = ["item,type,at"]
    for n in range(60):
        at = "bad" if n % 11 == 0 else f"2026-10-05T08:{n % 20:02d}:00Z"
        lines.append(f"L-{n % 25},created,{at}")
    path = write(tmp_path, "\n".join(lines) + "\n", "events.csv")
    progress: list[tuple[int, int]] = []
    summary = run_import(
        path, "generic", engine=engine, actor="t", progress=lambda *p: progress.append(p)
    )
    assert_adds_up(summary)
    assert summary.rejected == 6
    assert summary.imported == event_count(engine) == summary.events
    assert progress[-1] == (60, 60)
    again = run_import(path, "generic", engine=engine, actor="t")
    assert (again.imported, again.duplicate, again.rejected) == (0, 54, 6)


def test_a_json_lines_export_imports_like_a_csv_one(engine: Engine, tmp_path: Path):
    text = (
        '{"hs_object_id": 5, "createdate": 1759656600000, "hs_lead_status": "NEW"}\n'
        '{"hs_object_id": 6, "createdate": "2025-10-05T09:30:00Z"}\n'
        "[1, 2]\n"
    )
    summary = run_import(
        write(tmp_path, text, "contacts.jsonl"), "hubspot", engine=engine, actor="t"
    )
    assert (summary.rows_read, summary.imported, summary.rejected) == (3, 2, 1)
    assert summary.rejected_rows[0].line == 3
    assert ("5", "created", 1_759_656_600_000_000) in stored(engine)


def test_a_source_longer_than_the_store_allows_is_refused(engine: Engine, tmp_path: Path):
    path = write(tmp_path, "item,type,at\nL-1,created,2026-10-05T08:00:00Z\n", "events.csv")
    with pytest.raises(ImportOptionError, match="1 to 100 characters") as error:
        run_import(path, "generic", engine=engine, actor="t", source="x" * 101)
    assert error.value.option == "--source"


def test_an_export_with_more_columns_than_allowed_is_refused_naming_the_setting(
    engine: Engine, tmp_path: Path
):
    header = "item,type,at," + ",".join(f"c{n}" for n in range(1_200))
    path = write(tmp_path, header + "\nL-1,created,2026-01-05T09:00:00Z\n")
    with pytest.raises(ImportFileError, match="SLAWATCH_MAX_IMPORT_COLUMNS"):
        run_import(path, "generic", engine=engine, actor="test")
    assert event_count(engine) == 0


def test_a_generic_file_with_more_attribute_columns_than_allowed_is_refused(
    engine: Engine, tmp_path: Path
):
    header = "item,type,at," + ",".join(f"c{n}" for n in range(101))
    path = write(tmp_path, header + "\nL-1,created,2026-01-05T09:00:00Z\n")
    with pytest.raises(ImportFileError, match="101 attributes; at most 100 per event"):
        run_import(path, "generic", engine=engine, actor="test")


def test_rows_with_too_long_a_value_or_an_instant_out_of_range_are_rejected_with_their_line(
    engine: Engine, tmp_path: Path
):
    path = write(
        tmp_path,
        "item,type,at,note\n"
        "L-1,created,2026-01-05T09:00:00Z,fine\n"
        f"L-2,created,2026-01-05T09:00:00Z,{'x' * 1_001}\n"
        "L-3,created,9999-12-31T23:59:59-01:00,fine\n",
    )
    summary = run_import(path, "generic", engine=engine, actor="test")
    assert_adds_up(summary)
    reasons = {row.line: row.reason for row in summary.rejected_rows}
    assert sorted(reasons) == [3, 4]
    assert "SLAWATCH_MAX_ATTRIBUTE_VALUE" in reasons[3]
    assert "2200-01-02T00:00:00Z" in reasons[4]
    assert stored(engine) == [("L-1", "created", us("2026-01-05T09:00:00Z"))]


def test_hubspot_epoch_milliseconds_past_the_range_are_rejected(engine: Engine, tmp_path: Path):
    path = write(tmp_path, "Record ID,Create Date\n1,1767605400000\n2,999999999999999\n")
    summary = run_import(path, "hubspot", engine=engine, actor="test")
    assert [row.line for row in summary.rejected_rows] == [3]
    assert "2200-01-02" in summary.rejected_rows[0].reason
