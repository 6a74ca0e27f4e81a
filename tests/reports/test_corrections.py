"""A stored period's report lists the approved corrections that concern it, in every format."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import Engine, select

from slawatch.i18n import translator
from slawatch.reports import Report, report_from_store
from slawatch.reports.csv import report_csv
from slawatch.reports.pdf import report_pdf
from slawatch.reports.xlsx import report_xlsx
from slawatch.store.corrections import CorrectionAction, CorrectionDraft, propose
from slawatch.store.db import read_transaction, transaction
from slawatch.store.schema import item_clocks
from tests.reports.support import GENERATED, pdf_text, store_example


def _report(engine: Engine, period: str) -> Report:
    with read_transaction(engine) as connection:
        return report_from_store(connection, "marketing-sales", period, generated_at=GENERATED)


def _excluded_in_october(engine: Engine) -> None:
    store_example(engine)
    with read_transaction(engine) as connection:
        item = connection.execute(
            select(item_clocks.c.item_id).where(
                item_clocks.c.objective == "speed-to-lead", item_clocks.c.period == "2026-10"
            )
        ).first()
    assert item is not None
    draft = CorrectionDraft(
        "marketing-sales",
        CorrectionAction.EXCLUDE,
        int(item.item_id),
        "a test lead from the sandbox",
        objective="speed-to-lead",
    )
    with transaction(engine) as connection:
        propose(connection, draft, actor="lena.koch@example.com", now=GENERATED, applies=True)


def test_the_period_lists_its_corrections_in_the_pdf_the_workbook_and_the_csv(engine: Engine):
    _excluded_in_october(engine)
    report = _report(engine, "2026-10")
    (listed,) = report.corrections
    assert listed.action == "exclude" and listed.reason == "a test lead from the sandbox"
    assert listed.decided_by == "lena.koch@example.com"
    t = translator("en")
    assert "Corrections and exclusions 2026-10" in pdf_text(report_pdf(report, t))
    assert "a test lead from the sandbox" in pdf_text(report_pdf(report, t))
    sheet = load_workbook(io.BytesIO(report_xlsx(report, t)))["Corrections"]
    assert [c.value for c in sheet[2]][2:4] == [
        "Exclude from speed-to-lead",
        "a test lead from the sandbox",
    ]
    rows = {row["objective"]: row for row in csv.DictReader(io.StringIO(report_csv(report)))}
    assert rows["speed-to-lead"]["corrections"] == "1" and rows["conversion"]["corrections"] == "0"


def test_a_period_the_item_has_no_event_in_lists_none(engine: Engine):
    _excluded_in_october(engine)
    assert _report(engine, "2026-01").corrections == ()
