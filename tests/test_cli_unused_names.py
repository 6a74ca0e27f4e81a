"""The command line reports event types and `where:` attributes nothing uses, without failing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slawatch.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "marketing-sales.yaml"
AS_OF = "2026-11-01T00:00:00+01:00"

runner = CliRunner()


def run(*args: object) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def typo_events(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at,kind,segment\n"
        "L1,qualified,2026-10-01T09:00:00+02:00,lead,smb\n"
        "L1,handed_over,2026-10-05T09:00:00+02:00,lead,\n"
        "L1,contaced,2026-10-06T09:00:00+02:00,,\n"
        "L2,handed_over,2026-10-05T09:00:00+02:00,lead,\n"
        "L2,contaced,2026-10-06T09:00:00+02:00,,\n"
        "L3,handed_over,2026-10-05T09:00:00+02:00,lead,\n"
        "L3,contaced,2026-10-06T09:00:00+02:00,,\n"
        "L3,created,2026-10-01T09:00:00+02:00,,\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def segmnt_agreement(tmp_path: Path) -> Path:
    path = tmp_path / "marketing-sales.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text.replace("where: {kind: lead}", "where: {kind: lead, segmnt: smb}"))
    return path


def evaluate_json(agreement: Path, events: Path) -> tuple[int, dict, str]:
    code, out, err = run(
        "evaluate", agreement, "--events", events, "--as-of", AS_OF, "--format", "json"
    )
    return code, json.loads(out), err


def test_evaluate_reports_a_typo_of_an_event_type_with_its_count_and_the_intended_type(
    typo_events: Path,
):
    code, document, err = evaluate_json(EXAMPLE, typo_events)
    assert code == 0
    assert document["unused_event_types"] == [
        {"type": "contaced", "count": 3, "did_you_mean": "contacted"},
        {"type": "created", "count": 1, "did_you_mean": None},
    ]
    assert document["unused_where_attributes"] == []
    assert (
        f"warning: {typo_events}: contaced (3 rows): no objective uses this type; "
        "did you mean contacted?"
    ) in err
    assert "created (1 row): no objective uses this type\n" in err


def test_the_new_keys_come_after_every_existing_key_and_leave_them_as_they_were(
    typo_events: Path,
):
    _, document, _ = evaluate_json(EXAMPLE, typo_events)
    keys = list(document)
    assert keys[-2:] == ["unused_event_types", "unused_where_attributes"]
    assert keys[:-2] == ["agreement", "as_of", "periods", "events"]
    assert document["events"] == {"rows": 8, "duplicates": 0, "skipped": 0}
    speed = {o["id"]: o for o in document["periods"][-1]["objectives"]}["speed-to-lead"]
    assert speed["counts"]["met"] == 0  # the typo still breaks the clock: it is only reported


def test_a_file_that_uses_only_known_names_gets_empty_lists_and_no_warning(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at,kind\nL1,handed_over,2026-10-05T09:00:00+02:00,lead\n"
        "L1,contacted,2026-10-06T09:00:00+02:00,lead\n",
        encoding="utf-8",
    )
    code, document, err = evaluate_json(EXAMPLE, path)
    assert code == 0
    assert document["unused_event_types"] == [] and document["unused_where_attributes"] == []
    assert "warning" not in err


def test_evaluate_reports_a_where_attribute_no_item_has_with_the_closest_one(
    typo_events: Path, segmnt_agreement: Path
):
    code, document, err = evaluate_json(segmnt_agreement, typo_events)
    assert code == 0
    assert document["unused_where_attributes"] == [
        {"attribute": "segmnt", "objectives": ["qualified-leads"], "did_you_mean": "segment"}
    ]
    assert "segmnt: no item has this attribute; did you mean segment?" in err


def test_evaluate_as_a_table_warns_on_stderr_and_keeps_its_exit_code(typo_events: Path):
    code, out, err = run("evaluate", EXAMPLE, "--events", typo_events, "--as-of", AS_OF)
    assert code == 0
    assert "contaced" not in out
    assert "did you mean contacted?" in err


def test_check_with_events_checks_the_file_against_the_agreement_without_evaluating(
    typo_events: Path, segmnt_agreement: Path
):
    code, out, err = run("check", segmnt_agreement, "--events", typo_events)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("ok: marketing-sales")
    assert lines[-1] == "events: 8 in 3 items, 4 types (2 not used by any objective)"
    assert "contaced (3 rows): no objective uses this type; did you mean contacted?" in err
    assert "segmnt: no item has this attribute; did you mean segment?" in err
    assert "periods" not in out


def test_check_with_events_lists_bad_rows_and_still_reports_unused_names_then_exits_1(
    tmp_path: Path,
):
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at\nL1,contaced,2026-10-06T09:00:00+02:00\nL2,contacted,yesterday\n",
        encoding="utf-8",
    )
    code, _out, err = run("check", EXAMPLE, "--events", path)
    assert code == 1
    assert f"{path}:3: at 'yesterday' is not an ISO 8601 instant" in err
    assert f"{path}: 1 of 2 rows are bad; fix them" in err
    assert "--skip-bad-rows" not in err
    assert "contaced (1 row)" in err


def test_check_without_events_prints_exactly_what_it_printed_before():
    code, out, err = run("check", EXAMPLE)
    assert code == 0 and err == ""
    assert not any(line.startswith("events:") for line in out.splitlines())
