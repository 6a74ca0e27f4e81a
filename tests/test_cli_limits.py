"""The command line and agreement files over a limit: exit 2 with file, line and limit.

And the ends of the date range agreements may use evaluate end to end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.config import get_settings

runner = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def bomb(levels: int = 12) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "agreement: bomb\n" + "\n".join(lines) + "\n"  # unused: refused all the same


@pytest.mark.parametrize("command", ["check", "evaluate", "clocks"])
def test_an_alias_bomb_exits_2_naming_file_line_and_limit(tmp_path: Path, command: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb(), encoding="utf-8")
    events = tmp_path / "events.csv"
    events.write_text("item,type,at\n", encoding="utf-8")
    extra = {"check": [], "evaluate": ["--events", events]}
    arguments = extra.get(command, ["--events", events, "--objective", "x"])
    code, _out, err = run(command, path, *arguments)
    assert code == 2
    assert f"{path}:6: with its aliases written out" in err  # 9**5 values by a4
    assert "SLAWATCH_MAX_AGREEMENT_NODES" in err
    assert "Traceback" not in err


def test_a_file_ending_in_an_open_bracket_is_an_ordinary_problem(tmp_path: Path) -> None:
    path = tmp_path / "open.yaml"
    path.write_text("agreement: x\ntimezone: UTC\nx: [\n", encoding="utf-8")
    code, _out, err = run("check", path)
    assert code == 1
    assert f"{path}:3: malformed YAML: the file ends before" in err


def test_deep_nesting_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    code, _out, err = run("check", path)
    assert code == 2
    assert f"{path}:1: values nest more than 32 levels deep here" in err


def test_a_file_over_the_size_setting_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 5_000 + "\n", encoding="utf-8")
    monkeypatch.setenv("SLAWATCH_MAX_AGREEMENT_BYTES", "4096")
    code, _out, err = run("check", path)
    assert code == 2
    assert f"{path}: the agreement is 5,003 bytes, over the limit of 4,096 bytes" in err
    assert "SLAWATCH_MAX_AGREEMENT_BYTES" in err


def test_a_limit_setting_that_is_not_a_number_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("agreement: x\n", encoding="utf-8")
    monkeypatch.setenv("SLAWATCH_MAX_AGREEMENT_DEPTH", "deep")
    code, _out, err = run("check", path)
    assert code == 2
    assert "SLAWATCH_MAX_AGREEMENT_DEPTH" in err


def test_an_effective_date_out_of_range_exits_1_with_the_range(tmp_path: Path) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(agreement("0001-01-01", "2026-12-24"), encoding="utf-8")
    code, _out, err = run("check", path)
    assert code == 1
    assert f"{path}:3: effective: 0001-01-01 is out of range" in err
    assert "1970-01-01 to 2199-12-31" in err


# ---------------------------------------------------------------- the ends of the date range


AVAILABLE = '">= 99%"'


def agreement(effective: str, closed: str) -> str:
    """Every objective kind, every period kind, a calendar with holidays and a closed date."""
    kinds = {
        "count": "count: qualified",
        "clock": "clock: {start: handed_over, stop: contacted}\n    within: 2bd\n"
        "    calendar: office",
        "ratio": "ratio: {count: contacted, of: handed_over}",
        "availability": "availability: {down: down, up: up}\n    calendar: office",
    }
    targets = {"count": '">= 1"', "clock": '">= 50%"', "ratio": '">= 50%"'}
    objectives = "".join(
        f"  {kind}-{period}:\n    owner: sales\n    {body}\n    period: {period}\n"
        f"    target: {targets.get(kind, AVAILABLE)}\n"
        for kind, body in kinds.items()
        for period in ("day", "week", "month", "quarter", "year")
    )
    return (
        f"agreement: edge\ntimezone: Europe/Berlin\neffective: {effective}\n"
        "parties: {sales: {name: Sales}}\n"
        "calendars:\n  office:\n"
        '    hours: {mon-fri: "09:00-17:00"}\n    holidays: DE-BY\n'
        f"    closed: [{closed}]\n"
        f"objectives:\n{objectives}"
    )


def events(day: str) -> str:
    return (
        "item,type,at\n"
        f"L1,qualified,{day}T09:00:00+01:00\n"
        f"L1,handed_over,{day}T10:00:00+01:00\n"
        f"L1,contacted,{day}T11:00:00+01:00\n"
        f"S1,down,{day}T12:00:00+01:00\n"
        f"S1,up,{day}T12:30:00+01:00\n"
    )


@pytest.mark.parametrize(
    ("effective", "closed", "day", "as_of", "periods"),
    [
        ("1970-01-01", "1970-01-02", "1970-01-05", "1970-02-01", {"1970-01", "1970-W02", "1970"}),
        ("2199-12-01", "2199-12-31", "2199-12-02", "2200-01-02", {"2199-12", "2199-Q4", "2199"}),
    ],
    ids=["first", "last"],
)
def test_the_ends_of_the_date_range_evaluate_end_to_end(
    tmp_path: Path, effective: str, closed: str, day: str, as_of: str, periods: set[str]
) -> None:
    path = tmp_path / "edge.yaml"
    path.write_text(agreement(effective, closed), encoding="utf-8")
    log = tmp_path / "events.csv"
    log.write_text(events(day), encoding="utf-8")
    assert run("check", path)[0] == 0
    code, out, err = run("evaluate", path, "--events", log, "--as-of", as_of, "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    labels = {period["period"] for period in document["periods"]}
    assert periods <= labels
    statuses = {
        objective["status"] for period in document["periods"] for objective in period["objectives"]
    }
    assert statuses <= {"met", "breached", "no_data", "at_risk", "on_track"}
    assert "met" in statuses
    clocks = ["--events", log, "--objective", "clock-day", "--as-of", as_of, "--format", "csv"]
    code, out, err = run("clocks", path, *clocks)
    assert code == 0, err
    assert out.splitlines()[1].startswith("L1,")
