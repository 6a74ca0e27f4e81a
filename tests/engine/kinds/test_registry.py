"""The registry: each kind's result survives its JSON document; the example's evaluate JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slawatch.agreements.model import Comparison
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.events import EventTable
from slawatch.engine.instants import to_us
from slawatch.engine.kinds import KINDS, clocked, detail_columns, kind_of, result_of
from slawatch.engine.objectives import evaluate
from slawatch.engine.results import ObjectiveResult
from slawatch.engine.status import Status
from slawatch.ingest.files import read_events

ROOT = Path(__file__).resolve().parents[3]
EXPECTED = Path(__file__).parent / "expected" / "marketing-sales-2026-11-01.json"
COMMON = {
    "objective": "o",
    "owner": "p",
    "value": 0.75,
    "target": 0.9,
    "op": Comparison.AT_LEAST,
    "status": Status.AT_RISK,
}
FIGURES: dict[str, dict[str, object]] = {
    "count": {"value": 12.0, "target": 19.354838709677416},
    "ratio": {"numerator": 3, "denominator": 4},
    "clock": {"met": 3, "breached": 1, "paused": 2, "at_risk": 1, "running": 5},
    "availability": {
        "services": 2,
        "eligible_seconds": 2_678_400,
        "downtime_seconds": 5_400,
        "failures": 3,
        "mttr_seconds": 1_800,
        "mttf_seconds": None,
        "mtbf_seconds": 892_800,
        "error_budget_seconds": 2_678,
        "error_budget_remaining": -1.016,
    },
}


def one_of(name: str) -> ObjectiveResult:
    return kind_of(name).result(**(COMMON | FIGURES[name]))  # type: ignore[arg-type]


def test_every_kind_has_an_example_here() -> None:
    assert set(FIGURES) == set(KINDS)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_a_result_read_back_from_its_json_document_is_the_same_result(name: str) -> None:
    result = one_of(name)
    document = json.loads(json.dumps(result.document()))
    assert document["kind"] == name
    assert result_of(document) == result
    assert result_of(document).document() == result.document()


def test_the_csv_columns_are_every_kinds_own_figures_in_the_registrys_order() -> None:
    clock = ("met", "breached", "paused", "at_risk", "running")
    assert detail_columns()[:7] == (*clock, "numerator", "denominator")
    assert detail_columns()[-1] == "error_budget_remaining"


def test_the_evaluate_json_of_the_example_is_the_committed_document() -> None:
    agreement = parse_agreement((ROOT / "examples" / "marketing-sales.yaml").read_text())
    log = read_events(ROOT / "examples" / "marketing-sales-events.csv")
    as_of = to_us(dt.datetime(2026, 11, 1, tzinfo=ZoneInfo("Europe/Berlin")))
    evaluation = evaluate(agreement, EventTable(log.events, log.items), as_of=as_of)
    written = json.dumps(evaluation.document(), indent=2, ensure_ascii=False)
    assert written == EXPECTED.read_text(encoding="utf-8").rstrip("\n")


def test_every_stored_objective_of_the_example_reads_back_to_its_document() -> None:
    document = json.loads(EXPECTED.read_text(encoding="utf-8"))
    for period in document["periods"]:
        for objective in period["objectives"]:
            assert result_of(objective).document() == objective


def test_only_the_objectives_of_a_kind_with_item_clocks_are_clocked() -> None:
    agreement = parse_agreement((ROOT / "examples" / "it-service.yaml").read_text("utf-8"))
    for objective in agreement.objectives.values():
        timed = clocked(objective)
        assert (timed is objective) is kind_of(objective.kind).item_clocks
        assert (timed is None) is not kind_of(objective.kind).item_clocks
