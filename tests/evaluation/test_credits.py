"""Issuing credit statements from stored results: the engine's amounts, once, revisions flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.credits import credit_statements
from slawatch.engine.events import EventTable
from slawatch.engine.instants import to_us
from slawatch.engine.objectives import evaluate
from slawatch.evaluation.credits import (
    accept_revision,
    issue_statements,
    money,
    period_order,
    statement_differences,
)
from slawatch.evaluation.service import refresh_all
from slawatch.ingest.files import read_events
from slawatch.store.agreements import save_version
from slawatch.store.audit import entries
from slawatch.store.credits import issued_statement, issued_statements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.results import replace_results, stored_results
from tests.evaluation.support import AS_OF, EXAMPLE_EVENTS, store_example_events

AGREEMENT = "marketing-sales"
SPEED_TIERS = "  speed-to-lead: [{below: 95%, credit: 5%}, {below: 90%, credit: 10%}]"
MORE_TIERS = (
    "\n  lead-acceptance: [{below: 80%, credit: 2.5%}, {below: 70%, credit: 5%}]"
    "\n  qualified-leads: [{below: 50, credit: 1.5%}]"
)
ISSUED_AT = AS_OF + 3_600_000_000
LATER = ISSUED_AT + 86_400_000_000


def credited_yaml(fee: str = "10000 EUR") -> str:
    """The marketing-sales template with tiers for both parties (Sales and Marketing owe)."""
    text = template_text(AGREEMENT).replace(SPEED_TIERS, SPEED_TIERS + MORE_TIERS)
    return text.replace("fee: 10000 EUR", f"fee: {fee}")


def save_credited(
    engine: Engine,
    *,
    fee: str = "10000 EUR",
    effective: dt.date | None = None,
    retroactive: bool = False,
):
    with transaction(engine) as connection:
        save_version(
            connection,
            credited_yaml(fee),
            author="lena@example.com",
            reason="credits for both parties",
            effective=effective,
            retroactive=retroactive,
        )


def evaluated_and_stated(engine: Engine) -> None:
    """Store the agreement, the example events and their results, then issue statements."""
    save_credited(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    issue_statements(engine, AGREEMENT, now=ISSUED_AT)


def late_leads_in_april(engine: Engine, count: int = 20) -> None:
    """Hand over leads in April that Sales never contacts: speed-to-lead falls below 90 %."""
    at = to_us(dt.datetime(2026, 4, 15, 9, 0, tzinfo=dt.UTC))
    batch = [
        EventIn("default", f"late-{n}", "handed_over", at + n, "lead", {}) for n in range(count)
    ]
    with transaction(engine) as connection:
        store_events(connection, batch)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)


def test_issued_statements_equal_the_engines_for_every_closed_period_and_party(engine: Engine):
    evaluated_and_stated(engine)
    log = read_events(EXAMPLE_EVENTS)
    agreement = parse_agreement(credited_yaml())
    expected = credit_statements(
        agreement, evaluate(agreement, EventTable(log.events, log.items), as_of=AS_OF)
    )
    with read_transaction(engine) as connection:
        stored = issued_statements(connection, AGREEMENT)
    assert [(s.period, s.party) for s in stored] == [(e.period, e.party) for e in expected]
    for row, statement in zip(stored, expected, strict=True):
        assert row.amount == money(statement.total) == Decimal(row.statement["total"])
        assert row.currency == "EUR" and row.version == 1 and row.issued_at == ISSUED_AT
        lines = [
            (line["objective"], line["value"], line["tier"], Decimal(line["amount"]))
            for line in row.statement["lines"]
        ]
        assert lines == [
            (line.objective, line.value, line.tier, money(line.amount)) for line in statement.lines
        ]
    april = {s.party: s.amount for s in stored if s.period == "2026-04"}
    assert april == {"marketing": Decimal("250.00"), "sales": Decimal("500.00")}


def test_a_period_owing_nothing_still_gets_a_statement_and_the_running_one_none(engine: Engine):
    evaluated_and_stated(engine)
    with read_transaction(engine) as connection:
        january = issued_statement(connection, AGREEMENT, "2026-01", "sales")
        july = issued_statements(connection, AGREEMENT, "2026-07")
    assert january is not None and january.amount == Decimal("0.00")
    assert january.statement["lines"][0]["tier"] is None
    assert july == []  # July has begun as of 1 July; it is not closed


def test_issuing_again_without_changes_changes_nothing(engine: Engine):
    evaluated_and_stated(engine)
    report = issue_statements(engine, AGREEMENT, now=LATER)
    assert not report.changed
    with read_transaction(engine) as connection:
        assert {s.issued_at for s in issued_statements(connection, AGREEMENT)} == {ISSUED_AT}


def test_the_first_call_reports_what_it_issued(engine: Engine):
    save_credited(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    report = issue_statements(engine, AGREEMENT, now=ISSUED_AT)
    assert len(report.issued) == 12 and report.revised == () and report.cleared == ()
    assert report.issued[0] == ("2026-01", "marketing")


def test_a_change_after_issue_is_flagged_and_not_applied(engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine)
    report = issue_statements(engine, AGREEMENT, now=LATER)
    # The late leads also lower Marketing's acceptance rate (more handed over, none accepted).
    assert report.revised == (("2026-04", "marketing"), ("2026-04", "sales"))
    assert report.issued == ()
    with read_transaction(engine) as connection:
        april = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert april is not None and april.changed_after_issue and april.revised_at == LATER
    assert april.amount == Decimal("500.00") and april.statement["total"] == "500.00"
    assert april.revised is not None and april.revised["total"] == "1000.00"
    changes = {
        (d["objective"], d["field"]) for d in statement_differences(april.statement, april.revised)
    }
    assert changes == {
        (None, "total"),
        ("speed-to-lead", "value"),
        ("speed-to-lead", "tier"),
        ("speed-to-lead", "threshold"),
        ("speed-to-lead", "credit_share"),
        ("speed-to-lead", "amount"),
    }
    assert not issue_statements(engine, AGREEMENT, now=LATER + 1).changed


def test_a_revision_is_cleared_when_the_numbers_return_to_the_issued_ones(engine: Engine):
    save_credited(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    with read_transaction(engine) as connection:
        original = stored_results(connection, AGREEMENT)
    issue_statements(engine, AGREEMENT, now=ISSUED_AT)
    late_leads_in_april(engine)
    issue_statements(engine, AGREEMENT, now=LATER)
    with transaction(engine) as connection:
        replace_results(connection, AGREEMENT, original)
    report = issue_statements(engine, AGREEMENT, now=LATER + 1)
    assert report.cleared == (("2026-04", "marketing"), ("2026-04", "sales"))
    with read_transaction(engine) as connection:
        april = issued_statement(connection, AGREEMENT, "2026-04", "sales")
    assert april is not None and april.revised is None and april.revised_at is None


def test_accepting_a_revision_issues_it_and_audits_the_replaced_statement(engine: Engine):
    evaluated_and_stated(engine)
    late_leads_in_april(engine)
    issue_statements(engine, AGREEMENT, now=LATER)
    with transaction(engine) as connection:
        stale = accept_revision(
            connection,
            AGREEMENT,
            "2026-04",
            "sales",
            seen_revised_at=LATER - 1,
            actor="admin@example.com",
            now=LATER + 5,
        )
        accepted = accept_revision(
            connection,
            AGREEMENT,
            "2026-04",
            "sales",
            seen_revised_at=LATER,
            actor="admin@example.com",
            now=LATER + 5,
        )
        log = entries(connection, subject=f"agreement:{AGREEMENT}")
    assert stale is None
    assert accepted is not None and accepted.amount == Decimal("1000.00")
    assert accepted.issued_at == LATER + 5 and not accepted.changed_after_issue
    assert accepted.statement["total"] == "1000.00"
    entry = next(e for e in log if e["action"] == "credits.accept_revision")
    assert entry["actor"] == "admin@example.com"
    assert entry["detail"]["replaced_amount"] == "500.00"
    assert entry["detail"]["replaced_statement"]["total"] == "500.00"
    assert not issue_statements(engine, AGREEMENT, now=LATER + 6).changed


def test_a_statement_carries_the_version_that_measured_its_period(engine: Engine):
    save_credited(engine)
    save_credited(engine, fee="20000 EUR", effective=dt.date(2026, 4, 1), retroactive=True)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    issue_statements(engine, AGREEMENT, now=ISSUED_AT)
    with read_transaction(engine) as connection:
        stated = {(s.period, s.party): s for s in issued_statements(connection, AGREEMENT)}
    march, april = stated[("2026-03", "sales")], stated[("2026-04", "sales")]
    assert (march.version, march.statement["fee"]) == (1, "10000.00")
    assert (april.version, april.statement["fee"], april.amount) == (
        2,
        "20000.00",
        Decimal("1000.00"),
    )


def test_statements_are_issued_in_the_callers_transaction(engine: Engine):
    save_credited(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    with transaction(engine) as connection:
        report = issue_statements(connection, AGREEMENT, now=ISSUED_AT)
        assert len(issued_statements(connection, AGREEMENT)) == len(report.issued) == 12


def test_an_agreement_without_credits_or_results_issues_nothing(engine: Engine):
    assert not issue_statements(engine, "nothing-here", now=ISSUED_AT).changed
    text = (
        template_text(AGREEMENT)
        .replace(SPEED_TIERS, "")
        .replace("credits:\n  fee: 10000 EUR                   # per period\n", "")
    )
    with transaction(engine) as connection:
        save_version(connection, text, author="lena@example.com", reason="no credits")
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    assert not issue_statements(engine, AGREEMENT, now=ISSUED_AT).changed


def test_periods_sort_by_their_first_day_and_length():
    labels = ["2026-Q1", "2026-02", "2026-W05", "2026-01", "2026", "nonsense"]
    assert sorted(labels, key=period_order) == [
        "2026-01",
        "2026-Q1",
        "2026",
        "2026-W05",
        "2026-02",
        "nonsense",
    ]


def test_money_is_exact_cents():
    assert money(0.15) == Decimal("0.15") and str(money(10000.0)) == "10000.00"
    assert money("500.00") == Decimal("500") and str(money(Decimal("0.145"))) == "0.15"


def test_the_background_evaluation_issues_the_statements_of_closed_periods(engine: Engine):
    save_credited(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    with read_transaction(engine) as connection:
        stated = issued_statements(connection, AGREEMENT)
    assert len(stated) == 12
    assert {statement.issued_at for statement in stated} == {AS_OF}


def test_a_new_version_with_the_same_figures_revises_no_statement(engine: Engine):
    evaluated_and_stated(engine)
    renamed = credited_yaml().replace("title: Lead handover", "title: Handover of leads")
    with transaction(engine) as connection:
        save_version(
            connection,
            renamed,
            author="admin@example.com",
            reason="a clearer title",
            effective=dt.date(2026, 1, 1),
            retroactive=True,
        )
    refresh_all(engine, as_of=AS_OF, issue_credits=False)
    report = issue_statements(engine, AGREEMENT, now=LATER)
    with read_transaction(engine) as connection:
        versions = {row.version for row in stored_results(connection, AGREEMENT)}
        stated = issued_statements(connection, AGREEMENT)
    assert versions == {2}  # every period is measured by version 2 now …
    assert not report.changed  # … with the same figures: no statement is revised
    assert stated and not any(s.changed_after_issue for s in stated)
    assert {s.version for s in stated} == {1}
