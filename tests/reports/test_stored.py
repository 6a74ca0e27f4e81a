"""A report read from the store equals the one evaluated from the file; both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from slawatch.engine.instants import to_us
from slawatch.engine.periods import PeriodLabelError
from slawatch.evaluation.service import refresh_all
from slawatch.i18n import translator
from slawatch.reports import Report, ReportNotFoundError, report_from_store
from slawatch.reports.model import MAX_BREACH_ROWS
from slawatch.reports.pdf import report_pdf
from slawatch.store.db import read_transaction
from tests.evaluation.support import save_template
from tests.reports.support import AS_OF, BERLIN, GENERATED, from_file, pdf_text, store_example


def stored(engine: Engine, period: str | None = None, *, with_items: bool = False) -> Report:
    with read_transaction(engine) as connection:
        return report_from_store(
            connection, "marketing-sales", period, generated_at=GENERATED, with_items=with_items
        )


def test_the_stored_report_of_the_latest_closed_period_equals_the_files(engine: Engine):
    store_example(engine)
    report = stored(engine)
    expected = from_file("2026-10")
    assert report.period.label == "2026-10"
    assert report.source == "store"
    assert report.agreement.version == 1
    assert [(s.id, s.value, s.status) for s in report.scores] == [
        (s.id, s.value, s.status) for s in expected.scores
    ]
    assert [f.period.label for f in report.history["conversion"]] == [
        f.period.label for f in expected.history["conversion"]
    ]
    assert report.breaches["speed-to-lead"] == expected.breaches["speed-to-lead"]
    assert report.breaches["request-resolution"].total == 2
    assert report.items == {}  # only the workbook reads every item


def test_the_workbook_report_reads_every_item_of_the_period_oldest_first(engine: Engine):
    store_example(engine)
    report = stored(engine, "2026-10", with_items=True)
    expected = from_file("2026-10")
    for name, listed in expected.items.items():
        assert [r.item for r in report.items[name].rows] == [r.item for r in listed.rows]
        assert report.items[name].total == listed.total


def test_a_named_period_is_reported_with_its_credits_as_the_engine_computes_them(engine: Engine):
    store_example(engine)
    report = stored(engine, "2026-09")
    assert report.period.label == "2026-09"
    assert [c.statement for c in report.credits] == [
        c.statement for c in from_file("2026-09").credits
    ]
    assert report.credits[0].statement.total == 500.0


def test_the_benchmarks_compare_with_stored_history(engine: Engine):
    store_example(engine)
    benchmark = stored(engine, "2026-10").benchmarks["speed-to-lead"]
    assert benchmark.comparison == from_file("2026-10").benchmarks["speed-to-lead"].comparison
    assert benchmark.references


def test_the_breaches_are_capped_but_counted(engine: Engine):
    store_example(engine)
    listed = stored(engine, "2026-10").breaches["speed-to-lead"]
    assert len(listed.rows) <= MAX_BREACH_ROWS
    assert listed.more == 0


def test_an_unknown_agreement_is_not_found(engine: Engine):
    with read_transaction(engine) as connection, pytest.raises(ReportNotFoundError) as caught:
        report_from_store(connection, "nope", generated_at=GENERATED)
    assert "there is no agreement 'nope'" in caught.value.message


def test_an_agreement_without_stored_results_says_they_are_coming(engine: Engine):
    save_template(engine)
    with pytest.raises(ReportNotFoundError, match="no stored results"):
        stored(engine)


def test_an_unknown_period_names_the_stored_ones(engine: Engine):
    store_example(engine)
    # As of 1 November 00:00, November has begun and is stored as running.
    with pytest.raises(ReportNotFoundError, match="stored periods run from 2026-01 to 2026-11"):
        stored(engine, "2025-03")


def test_a_bad_period_label_is_refused(engine: Engine):
    store_example(engine)
    with pytest.raises(PeriodLabelError):
        stored(engine, "2026-13")


def test_without_a_closed_period_the_default_is_refused_but_a_named_one_is_reported(
    engine: Engine,
):
    store_example(engine, as_of=to_us(dt.datetime(2026, 1, 20, tzinfo=BERLIN)))
    with pytest.raises(ReportNotFoundError, match="has closed yet"):
        stored(engine)
    running = stored(engine, "2026-01")
    assert not running.closed
    assert all(credit.provisional for credit in running.credits)


def test_a_new_version_with_the_same_figures_prints_no_revision_in_the_pdf(engine: Engine):
    store_example(engine)  # statements issued with version 1
    save_template(
        engine,
        replace=("title: Lead handover", "title: Handover of leads"),
        effective=dt.date(2026, 1, 1),
        retroactive=True,
        reason="a clearer title",
    )
    refresh_all(engine, as_of=AS_OF)
    report = stored(engine, "2026-09")
    assert report.agreement.version == 2  # the period is measured by version 2 now
    assert report.credits and all(c.revised is None for c in report.credits)
    assert "Revised after issue" not in pdf_text(report_pdf(report, translator("en")))
