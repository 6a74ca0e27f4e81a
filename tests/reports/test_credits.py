"""Credits in a stored report: computed by the engine, as issued, and flagged when revised."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.evaluation.credits import issue_statements
from slawatch.reports import report_from_store
from slawatch.reports.credits import statement_from_json
from slawatch.store.credits import issued_statements, set_revision
from slawatch.store.db import read_transaction, transaction
from tests.reports.support import AS_OF, GENERATED, from_file, store_example


def september(engine: Engine):
    with read_transaction(engine) as connection:
        return report_from_store(connection, "marketing-sales", "2026-09", generated_at=GENERATED)


def test_an_issued_statement_reads_back_as_the_engines_statement(engine: Engine):
    store_example(engine)
    issue_statements(engine, "marketing-sales", now=AS_OF)
    with read_transaction(engine) as connection:
        (issued,) = issued_statements(connection, "marketing-sales", "2026-09")
    assert (
        statement_from_json(issued.statement, issued) == from_file("2026-09").credits[0].statement
    )


def test_an_issued_statement_is_shown_as_issued(engine: Engine):
    store_example(engine)
    issue_statements(engine, "marketing-sales", now=AS_OF)
    (credit,) = september(engine).credits
    assert credit.issued_at is not None
    assert credit.revised is None
    assert not credit.provisional
    assert credit.statement.total == 500.0


def test_a_statement_whose_numbers_changed_after_issue_is_flagged_with_the_new_total(
    engine: Engine,
):
    store_example(engine)
    issue_statements(engine, "marketing-sales", now=AS_OF)
    with transaction(engine) as connection:
        (issued,) = issued_statements(connection, "marketing-sales", "2026-09")
        revised = {**issued.statement, "total": "1000.00"}
        revised["lines"] = [{**issued.statement["lines"][0], "tier": 2, "amount": "1000.00"}]
        set_revision(connection, "marketing-sales", "2026-09", "sales", revised=revised, now=AS_OF)
    (credit,) = september(engine).credits
    assert credit.statement.total == 500.0  # the issued statement stands
    assert credit.revised is not None
    assert credit.revised.total == 1000.0
    assert credit.revised.lines[0].tier == 2
    assert credit.revised_at is not None


def test_a_period_not_yet_issued_is_computed(engine: Engine):
    store_example(engine, issue_credits=False)
    (credit,) = september(engine).credits
    assert credit.issued_at is None
    assert credit.statement == from_file("2026-09").credits[0].statement
