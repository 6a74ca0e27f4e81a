"""Reference overrides and the bounded reads of stored results, on both backends."""

from __future__ import annotations

from sqlalchemy import Engine, insert

from slawatch.agreements import template_text
from slawatch.comparisons.industry import shipped_references
from slawatch.store.agreements import save_version
from slawatch.store.audit import entries
from slawatch.store.benchmarks import (
    comparison_results,
    delete_override,
    latest_results,
    reference_overrides,
    results_by_label,
    save_override,
    stored_overrides,
)
from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import StoredResult, replace_results
from slawatch.store.schema import benchmark_references

AGREEMENT = "marketing-sales"


def store_periods(engine: Engine, labels: list[str]) -> None:
    """Store the agreement and one result per label (start instants in label order)."""
    rows = [
        StoredResult(
            agreement_id=AGREEMENT,
            period=label,
            version=1,
            period_start=index * 1_000,
            period_end=index * 1_000 + 999,
            as_of=10**12,
            payload={"periods": [{"period": label, "objectives": []}]},
        )
        for index, label in enumerate(labels)
    ]
    with transaction(engine) as connection:
        save_version(connection, template_text(AGREEMENT), author="t", reason="test")
        replace_results(connection, AGREEMENT, rows)


def months(first_year: int, count: int) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(count)]


def test_an_override_is_stored_read_back_replaced_and_audited(engine: Engine):
    shipped = shipped_references()[0]
    edited = shipped.edited(figure={"value": 2, "unit": "hours"}, note="Ours.")
    with transaction(engine) as connection:
        save_override(connection, edited, actor="ada@example.com")
    with transaction(engine) as connection:
        save_override(connection, edited.edited(note="Ours, again."), actor="bo@example.com")
    with read_transaction(engine) as connection:
        overrides = stored_overrides(connection)
        assert reference_overrides(connection) == {shipped.key: overrides[shipped.key].reference}
        log = entries(connection, subject=f"benchmark:{shipped.key}")
    assert overrides[shipped.key].reference.note == "Ours, again."
    assert overrides[shipped.key].reference.figure.value == 2
    assert overrides[shipped.key].updated_by == "bo@example.com"
    assert [e["action"] for e in log] == ["benchmark.override", "benchmark.override"]


def test_deleting_an_override_returns_to_the_shipped_entry(engine: Engine):
    shipped = shipped_references()[0]
    with transaction(engine) as connection:
        save_override(connection, shipped.edited(note="x"), actor="ada@example.com")
    with transaction(engine) as connection:
        assert delete_override(connection, shipped.key, actor="ada@example.com")
        assert not delete_override(connection, shipped.key, actor="ada@example.com")
    with read_transaction(engine) as connection:
        assert reference_overrides(connection) == {}
        assert entries(connection, subject=f"benchmark:{shipped.key}")[0]["action"] == (
            "benchmark.reset"
        )


def test_an_override_that_no_longer_validates_is_left_out(engine: Engine):
    with transaction(engine) as connection:
        connection.execute(
            insert(benchmark_references).values(
                key="broken", reference={"key": "broken"}, updated_by="x", updated_at=1
            )
        )
    with read_transaction(engine) as connection:
        assert stored_overrides(connection) == {}


def test_the_latest_periods_of_each_kind_are_read_earliest_first(engine: Engine):
    weeks = [f"2026-W{w:02d}" for w in range(1, 21)]
    store_periods(engine, months(2024, 30) + weeks + ["2026-Q1", "2026-Q2"])
    with read_transaction(engine) as connection:
        latest = [r.period for r in latest_results(connection, AGREEMENT, per_kind=13)]
    assert latest == months(2024, 30)[-13:] + weeks[-13:] + ["2026-Q1", "2026-Q2"]


def test_a_comparison_reads_the_latest_period_the_twelve_before_and_a_year_ago(engine: Engine):
    store_periods(engine, months(2020, 80))  # 2020-01 … 2026-08
    with read_transaction(engine) as connection:
        labels = [r.period for r in comparison_results(connection, AGREEMENT)]
        assert [r.period for r in results_by_label(connection, AGREEMENT, [])] == []
    assert labels == months(2020, 80)[-13:]
    assert labels[0] == "2025-08" and labels[-1] == "2026-08"
