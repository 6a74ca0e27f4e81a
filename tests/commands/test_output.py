"""`slawatch clocks --format table`: readable at 80 columns; CSV and JSON keep their contract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.commands import common
from slawatch.commands.output import clocks_table
from slawatch.engine.instants import NO_INSTANT, to_us

ROOT = Path(__file__).resolve().parents[2]
AGREEMENT = ROOT / "examples" / "marketing-sales.yaml"
EVENTS = ROOT / "examples" / "marketing-sales-events.csv"
BERLIN = dt.timezone(dt.timedelta(hours=1))
runner = CliRunner()


def at(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN))


def clocks(**columns: list[object]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema_overrides={"started_at": pl.Int64})


def rendered(table: object, width: int = 80) -> list[str]:
    console = Console(width=width, record=True, color_system=None)
    console.print(table)
    return console.export_text().splitlines()


def two_clocks() -> pl.DataFrame:
    return clocks(
        item=["L-0001234", "L-2"],
        started_at=[at("2026-11-30T16:05:00"), at("2026-12-01T09:00:00")],
        stopped_at=[at("2026-12-02T08:17:00"), NO_INSTANT],
        deadline=[at("2026-12-02T16:05:00"), NO_INSTANT],
        elapsed_seconds=[101_520, 130_320],  # 1 d 4 h 12 min; 36 h 12 min
        paused_seconds=[0, 5_400],
        state=["met", "paused"],
    )


def test_the_table_fits_80_columns_and_cuts_no_timestamp():
    lines = rendered(clocks_table(two_clocks(), "Europe/Berlin", "ms · speed", wall_time=True))
    assert max(len(line.rstrip()) for line in lines) <= 80
    text = "\n".join(lines)
    assert "…" not in text
    assert "times in Europe/Berlin" in lines[0]
    for date, minute in (("2026-11-30", "16:05"), ("2026-12-02", "08:17"), ("2026-12-02", "16:05")):
        assert date in text and minute in text
    assert "L-0001234" in text  # an item id is never wrapped
    assert " met" in text and " paused" in text
    assert "+01:00" not in text and "T16:05" not in text


def test_the_widest_rows_close_up_and_fold_a_long_id_rather_than_cut_anything():
    crowded = two_clocks().with_columns(
        pl.Series("item", ["CRM-2026-LEAD-000000123456789", "L-2"]),
        pl.Series("paused_seconds", [45_000, 5_400]),
        pl.Series("state", ["breached", "at_risk"]),
    )
    lines = rendered(clocks_table(crowded, "Europe/Berlin", "t", wall_time=False))
    assert max(len(line.rstrip()) for line in lines) <= 80
    text = "\n".join(lines)
    for words in ("28 h 12 min", "12 h 30 min", "36 h 12 min", "breached", "at risk"):
        assert words in text
    assert "".join(line.split()[0] for line in lines[3:6]) == "CRM-2026-LEAD-000000123456789"


def test_a_wide_terminal_shows_each_clock_on_one_line():
    lines = rendered(
        clocks_table(two_clocks(), "Europe/Berlin", "ms · speed", wall_time=True, width=140),
        width=140,
    )
    row = next(line for line in lines if "L-0001234" in line)
    assert "2026-11-30 16:05  2026-12-02 08:17  2026-12-02 16:05" in row


def test_durations_read_in_words_never_in_seconds():
    wall = "\n".join(rendered(clocks_table(two_clocks(), "Europe/Berlin", "t", wall_time=True)))
    assert "1 d 4 h" in wall and "1 d 12 h" in wall and "1 h 30 min" in wall
    assert "101520" not in wall and "130320" not in wall and "5400" not in wall
    working = "\n".join(rendered(clocks_table(two_clocks(), "Europe/Berlin", "t", wall_time=False)))
    assert "28 h 12 min" in working and "36 h 12 min" in working
    assert " d " not in working  # a working day is not a day


def test_an_open_clock_leaves_stopped_and_deadline_empty_and_says_its_state():
    lines = rendered(clocks_table(two_clocks(), "Europe/Berlin", "t", wall_time=True))
    row = next(line for line in lines if line.lstrip().startswith("L-2 "))
    assert row.split()[-1] == "paused"
    assert "2026-12-01" in row and row.count("2026-") == 1


def cli(*options: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(common.out, "width", 80)
    result = runner.invoke(
        app,
        ["clocks", str(AGREEMENT), "--events", str(EVENTS), "--objective", "speed-to-lead",
         "--as-of", "2026-11-01", *options],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_clocks_command_prints_the_readable_table_at_80_columns(
    monkeypatch: pytest.MonkeyPatch,
):
    out = cli(monkeypatch=monkeypatch)
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
    assert "marketing-sales · speed-to-lead · times in Europe/Berlin" in out
    assert " min " in out and "…" not in out


def test_csv_and_json_keep_iso_instants_and_whole_seconds(monkeypatch: pytest.MonkeyPatch):
    header, first = cli("--format", "csv", monkeypatch=monkeypatch).splitlines()[:2]
    assert header == "item,started_at,stopped_at,deadline,elapsed_seconds,paused_seconds,state"
    assert first.split(",")[1].endswith("+01:00")
    row = json.loads(cli("--format", "json", monkeypatch=monkeypatch))[0]
    assert list(row) == header.split(",")
    assert isinstance(row["elapsed_seconds"], int)
