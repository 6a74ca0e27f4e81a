"""The command-line contract of DESIGN: commands, formats, columns and exit codes."""

import csv
import io
import json
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from slawatch.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "marketing-sales.yaml"
EVENTS = ROOT / "examples" / "marketing-sales-events.csv"
AS_OF = "2026-11-01T00:00:00+01:00"

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small_events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at,kind\n"
        "L1,handed_over,2026-10-05T09:00:00+02:00,lead\n"
        "L1,contacted,2026-10-06T09:00:00+02:00,lead\n"
        "L2,handed_over,2026-10-05T09:00:00+02:00,lead\n"
        "L2,contacted,2026-10-09T09:00:00.500+02:00,lead\n"
        "L3,handed_over,2026-10-30T09:00:00+01:00,lead\n"
        "L3,on_hold,2026-10-30T10:00:00+01:00,lead\n"
        "L1,qualified,2026-10-01T00:00:00+02:00,lead\n"
        "L1,accepted,2026-10-07T09:00:00+02:00,lead\n",
        encoding="utf-8",
    )
    return path


def test_version_prints_the_installed_version_and_exits_0():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"slawatch {version('slawatch')}"


def test_check_prints_ok_and_one_line_per_objective():
    code, out, _ = run("check", EXAMPLE)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("ok: marketing-sales")
    assert len(lines) == 1 + 7
    assert any(line.strip().startswith("speed-to-lead (sales)") for line in lines)


def test_check_reports_every_problem_with_file_and_line_and_exits_1(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    text = (
        EXAMPLE.read_text()
        .replace("within: 48h", 'within: "48 hours"')
        .replace("owner: sales", "owner: salse", 1)
    )
    bad.write_text(text)
    code, _out, err = run("check", bad)
    assert code == 1
    assert "bad.yaml:" in err
    assert "48 hours" in err and "write 48h" in err
    assert "salse" in err


def test_usage_errors_exit_2(small_events: Path):
    assert run("evaluate", EXAMPLE, "--events", small_events, "--format", "xml")[0] == 2
    assert run("evaluate", EXAMPLE, "--events", small_events, "--as-of", "yesterday")[0] == 2
    assert run("evaluate", EXAMPLE, "--events", small_events, "--period", "Oct")[0] == 2
    assert run("clocks", EXAMPLE, "--events", small_events, "--objective", "conversion")[0] == 2
    assert run("evaluate", EXAMPLE, "--events", "missing.csv")[0] == 2
    assert run("frobnicate")[0] == 2


def test_evaluate_json_follows_the_contract(small_events: Path):
    code, out, _ = run(
        "evaluate",
        EXAMPLE,
        "--events",
        small_events,
        "--as-of",
        "2026-11-01T00:00:00+01:00",
        "--period",
        "2026-10",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    assert document["agreement"] == "marketing-sales"
    assert document["as_of"] == "2026-11-01T00:00:00+01:00"
    (period,) = document["periods"]
    assert period["period"] == "2026-10"
    assert period["start"] == "2026-10-01T00:00:00+02:00"
    assert period["end"] == "2026-11-01T00:00:00+01:00"
    objectives = {o["id"]: o for o in period["objectives"]}
    speed = objectives["speed-to-lead"]
    assert speed["kind"] == "clock" and speed["op"] == ">=" and speed["target"] == 0.95
    assert speed["counts"] == {"met": 1, "breached": 1, "paused": 1, "at_risk": 0, "running": 0}
    assert speed["value"] == 0.5 and speed["status"] == "breached"
    acceptance = objectives["lead-acceptance"]
    assert (acceptance["numerator"], acceptance["denominator"]) == (1, 3)
    assert objectives["qualified-leads"]["value"] == 1
    assert document["events"] == {"rows": 8, "duplicates": 0, "skipped": 0}


def test_clocks_csv_has_the_contract_columns(small_events: Path):
    code, out, _ = run(
        "clocks",
        EXAMPLE,
        "--events",
        small_events,
        "--objective",
        "speed-to-lead",
        "--as-of",
        "2026-11-01T00:00:00+01:00",
        "--format",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == [
        "item",
        "started_at",
        "stopped_at",
        "deadline",
        "elapsed_seconds",
        "paused_seconds",
        "state",
    ]
    by_item = {row["item"]: row for row in rows}
    assert by_item["L1"] == {
        "item": "L1",
        "started_at": "2026-10-05T09:00:00+02:00",
        "stopped_at": "2026-10-06T09:00:00+02:00",
        "deadline": "2026-10-07T09:00:00+02:00",
        "elapsed_seconds": "86400",
        "paused_seconds": "0",
        "state": "met",
    }
    assert by_item["L2"]["elapsed_seconds"] == str(96 * 3600)  # 96 h and half a second, floored
    assert by_item["L2"]["state"] == "breached"
    assert by_item["L3"]["deadline"] == ""  # suspended by the open pause
    assert by_item["L3"]["state"] == "paused"


def test_bad_rows_fail_with_their_line_unless_skipped(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at\n"
        "L1,handed_over,2026-10-05T09:00:00+02:00\n"
        "L2,handed_over,2026-10-05 09:00\n"
        "L3,handed_over,2026-10-05T09:00:00+02:00\n",
        encoding="utf-8",
    )
    code, _, err = run("evaluate", EXAMPLE, "--events", path, "--as-of", "2026-11-01")
    assert code == 1
    assert f"{path}:3:" in err
    assert "--skip-bad-rows" in err
    code, out, err = run(
        "evaluate",
        EXAMPLE,
        "--events",
        path,
        "--as-of",
        "2026-11-01",
        "--format",
        "json",
        "--skip-bad-rows",
    )
    assert code == 0
    assert json.loads(out)["events"] == {"rows": 3, "duplicates": 0, "skipped": 1}
    assert "skipped 1 of 3 rows" in err


def test_new_writes_a_template_and_never_overwrites_silently(tmp_path: Path):
    assert run("new", "--template", "it-service", "--dir", tmp_path)[0] == 0
    written = tmp_path / "it-service.yaml"
    assert run("check", written)[0] == 0
    assert run("new", "--template", "it-service", "--dir", tmp_path)[0] == 1
    assert run("new", "--template", "it-service", "--dir", tmp_path, "--force")[0] == 0
    assert run("new", "--template", "nope", "--dir", tmp_path)[0] == 2


def test_the_readme_command_evaluates_the_shipped_example():
    code, out, _ = run("evaluate", EXAMPLE, "--events", EVENTS, "--as-of", "2026-11-01")
    assert code == 0
    assert "speed-to-lead" in out and "2026-10" in out


def test_generate_events_is_deterministic(tmp_path: Path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        code, _, _ = run(
            "generate-events", EXAMPLE, "--items", "200", "--months", "2", "--seed", "3", "-o", path
        )
        assert code == 0
    assert first.read_bytes() == second.read_bytes()


def test_clocks_csv_writes_an_item_id_that_could_run_as_a_formula_as_quoted_text(tmp_path: Path):
    path = tmp_path / "events.jsonl"
    evil = '=HYPERLINK("http://evil.example","x")'
    lines = [
        {"item": evil, "type": "handed_over", "at": "2026-10-05T09:00:00+02:00"},
        {"item": "-42", "type": "handed_over", "at": "2026-10-05T09:00:00+02:00"},
        {"item": "L1", "type": "handed_over", "at": "2026-10-05T09:00:00+02:00"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    common = ("clocks", EXAMPLE, "--events", path, "--objective", "speed-to-lead")
    as_of = ("--as-of", "2026-10-06T00:00:00+02:00")
    code, out, _ = run(*common, *as_of, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(row["item"] for row in rows) == ["'-42", "'" + evil, "L1"]
    assert {row["elapsed_seconds"] for row in rows} == {rows[0]["elapsed_seconds"]}  # integers
    code, out, _ = run(*common, *as_of, "--format", "json")
    assert evil in {row["item"] for row in json.loads(out)}  # JSON is data: unchanged


def test_the_evaluate_table_writes_statuses_as_words_and_figures_as_the_pages_do():
    code, out, _ = run(
        "evaluate", EXAMPLE, "--events", EVENTS, "--as-of", "2026-03-10", "--period", "2026-03"
    )
    assert code == 0
    assert "on track" in out and "at risk" in out
    assert "on_track" not in out and "at_risk" not in out
    assert "71.4%" in out and "≥ 80%" in out  # the locale's one style, as on the pages


@pytest.mark.parametrize(
    "as_of", ["9999-12-31T23:59:59-01:00", "2200-01-02T00:00:01Z", "1969-12-31", "0001-01-01"]
)
def test_an_as_of_outside_the_range_exits_2_naming_the_range(small_events: Path, as_of: str):
    code, _, stderr = run("evaluate", EXAMPLE, "--events", small_events, "--as-of", as_of)
    assert code == 2
    assert "2200-01-02" in " ".join(stderr.split()) and "Traceback" not in stderr


def test_where_reads_the_attribute_as_of_the_evaluation_not_a_later_relabel(tmp_path: Path):
    events = tmp_path / "events.csv"
    events.write_text(
        "item,type,at,kind\n"
        "L1,qualified,2026-10-05T09:00:00+02:00,lead\n"
        "L2,qualified,2026-10-05T09:00:00+02:00,lead\n"
        "L1,relabelled,2026-11-20T09:00:00+01:00,partner\n",
        encoding="utf-8",
    )

    def qualified(as_of: str) -> int:
        code, stdout, _ = run(
            "evaluate",
            EXAMPLE,
            "--events",
            events,
            "--as-of",
            as_of,
            "--period",
            "2026-10",
            "--format",
            "json",
        )
        assert code == 0
        objectives = json.loads(stdout)["periods"][0]["objectives"]
        return next(o["value"] for o in objectives if o["id"] == "qualified-leads")

    assert qualified("2026-11-01T00:00:00+01:00") == 2  # nothing may depend on when one runs it
    assert qualified("2026-12-01T00:00:00+01:00") == 1


@given(
    label=st.one_of(
        st.builds("{:04d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 99)),
        st.builds("{:04d}-W{:02d}".format, st.integers(0, 9999), st.integers(0, 99)),
        st.integers(0, 9999).map("{:04d}".format),
        st.sampled_from(["9999-12", "0001", "9999-W52", "1969-12-31", "2200-Q1"]),
        st.text(max_size=10).filter(lambda text: not text.startswith("-")),
    )
)
@settings(max_examples=30, deadline=None)
def test_evaluate_answers_any_period_label_with_a_result_or_exit_code_2(label: str):
    code, _, err = run("evaluate", EXAMPLE, "--events", EVENTS, "--period", label, "--as-of", AS_OF)
    assert code in (0, 2), err
    assert "Traceback" not in err


def test_a_period_outside_the_measured_years_exits_2_naming_the_limit():
    code, _, err = run("evaluate", EXAMPLE, "--events", EVENTS, "--period", "9999-12")
    assert code == 2
    assert "from 1970 to 2199" in " ".join(err.split())


def test_clocks_lists_no_clock_that_started_before_the_agreement_took_effect(tmp_path: Path):
    agreement = tmp_path / "mid-month.yaml"
    agreement.write_text(
        EXAMPLE.read_text().replace("effective: 2026-01-01", "effective: 2026-01-15")
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "item,type,at,kind\n"
        "early,handed_over,2026-01-12T09:00:00+01:00,lead\n"
        "late,handed_over,2026-01-20T09:00:00+01:00,lead\n"
    )
    common = ("--events", events, "--as-of", "2026-02-01T00:00:00+01:00")
    code, out, _ = run(
        "clocks", agreement, *common, "--objective", "speed-to-lead", "--format", "csv"
    )
    assert code == 0
    assert [row["item"] for row in csv.DictReader(io.StringIO(out))] == ["late"]
    code, out, _ = run("evaluate", agreement, *common, "--period", "2026-01", "--format", "json")
    [objective] = [
        o for o in json.loads(out)["periods"][0]["objectives"] if o["id"] == "speed-to-lead"
    ]
    assert sum(objective["counts"].values()) == 1  # the same one clock
