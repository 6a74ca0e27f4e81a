"""`exclude:` on the command line: `check` names it, `evaluate` measures as without the items."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.test_cli import AS_OF, EVENTS, EXAMPLE, run


def test_check_names_the_standing_exclusion(tmp_path: Path):
    agreement = tmp_path / "excluding.yaml"
    agreement.write_text(EXAMPLE.read_text() + "\nexclude:\n  where: {source: ads}\n")
    code, out, _ = run("check", agreement)
    assert code == 0
    assert "excluded from every objective: items where source = ads" in out


def test_evaluate_with_an_exclusion_equals_the_file_without_those_items(tmp_path: Path):
    agreement = tmp_path / "excluding.yaml"
    agreement.write_text(EXAMPLE.read_text() + "\nexclude:\n  where: {source: ads}\n")
    with EVENTS.open(newline="") as source:
        rows = list(csv.DictReader(source))
    ads = {row["item"] for row in rows if row["source"] == "ads"}
    assert ads
    kept = tmp_path / "without-ads.csv"
    with kept.open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if row["item"] not in ads)
    args = ("--as-of", AS_OF, "--format", "json")
    code, excluded, _ = run("evaluate", agreement, "--events", EVENTS, *args)
    assert code == 0
    _, removed, _ = run("evaluate", EXAMPLE, "--events", kept, *args)
    _, everything, _ = run("evaluate", EXAMPLE, "--events", EVENTS, *args)
    assert json.loads(excluded)["periods"] == json.loads(removed)["periods"]
    assert json.loads(excluded)["periods"] != json.loads(everything)["periods"]
