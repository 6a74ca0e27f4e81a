"""A disputed credit statement is marked so in a stored report, its PDF and its workbook."""

from __future__ import annotations

import dataclasses

from sqlalchemy import Engine

from slawatch.evaluation.credits import issue_statements
from slawatch.i18n import translator
from slawatch.reports.model import Credit, Report, disputed_note
from slawatch.reports.pdf import report_pdf
from slawatch.store.db import transaction
from slawatch.store.disputes import NewDispute, open_dispute
from tests.reports.support import AS_OF, store_example
from tests.reports.test_credits import september
from tests.reports.test_pdf import DE, EN, pdf_text


def test_a_statement_held_by_an_open_figure_dispute_names_the_dispute(engine: Engine) -> None:
    store_example(engine)
    issue_statements(engine, "marketing-sales", now=AS_OF)
    with transaction(engine) as connection:
        number = open_dispute(
            connection,
            NewDispute(
                agreement_id="marketing-sales", subject="figure", disputing_party="sales",
                objective="speed-to-lead", period="2026-09", reason="Duplicates",
                opened_by="tom.berg@example.com", opened_at=AS_OF,
            ),
        )  # fmt: skip
    (credit,) = september(engine).credits
    assert credit.disputes == (number,)


def test_the_pdf_says_a_statement_is_disputed_in_both_languages(engine: Engine) -> None:
    store_example(engine)
    report: Report = september(engine)
    held = dataclasses.replace(
        report, credits=(Credit(report.credits[0].statement, disputes=(3,)),)
    )
    assert "Disputed (#3 open): not settled until decided." in pdf_text(report_pdf(held, EN))
    german = pdf_text(report_pdf(held, DE)).replace("\n", " ")
    assert "Strittig (#3 offen)" in german
    assert disputed_note(held.credits[0], translator("de")).startswith("Strittig")
