"""Agreement versions: numbered, never rewritten, each with its parties and an audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from slawatch.agreements import AgreementError, template_text
from slawatch.store.agreements import (
    agreement_ids,
    all_versions,
    current_agreements,
    get_version,
    list_versions,
    save_version,
    version_in_force,
)
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import evaluation_states
from slawatch.store.schema import parties
from tests.evaluation.support import save_template


def test_versions_are_numbered_from_one_and_the_latest_is_current(engine: Engine) -> None:
    assert save_template(engine) == 1
    assert save_template(engine, replace=('">= 50"', '">= 60"'), reason="Q2 review") == 2
    with read_transaction(engine) as connection:
        current = current_agreements(connection)
        first = get_version(connection, "marketing-sales", 1)
        history = list_versions(connection, "marketing-sales")
    assert [(s.id, s.version) for s in current] == [("marketing-sales", 2)]
    assert '">= 60"' in current[0].yaml
    assert current[0].agreement.objectives["qualified-leads"].target.value == 60
    assert first is not None and '">= 50"' in first.yaml
    assert [(v.version, v.reason, v.author) for v in history] == [
        (1, "first version", "lena@example.com"),
        (2, "Q2 review", "lena@example.com"),
    ]


def test_effective_defaults_to_the_yaml_and_can_be_given(engine: Engine) -> None:
    save_template(engine)
    save_template(engine, effective=dt.date(2026, 4, 1))
    with read_transaction(engine) as connection:
        history = list_versions(connection, "marketing-sales")
    assert [v.effective for v in history] == [dt.date(2026, 1, 1), dt.date(2026, 4, 1)]


def test_each_version_keeps_its_own_parties(engine: Engine) -> None:
    save_template(engine)
    save_template(engine, replace=("name: Sales", "name: Sales Team"))
    with read_transaction(engine) as connection:
        rows = connection.execute(
            select(parties.c.version, parties.c.name).where(parties.c.party == "sales")
        ).all()
    assert sorted(tuple(row) for row in rows) == [(1, "Sales"), (2, "Sales Team")]


def test_saving_is_audited_and_asks_for_new_results(engine: Engine) -> None:
    save_template(engine)
    save_template(engine)
    with read_transaction(engine) as connection:
        audit = entries(connection, subject="agreement:marketing-sales")
        states = evaluation_states(connection)
    assert [entry["detail"]["version"] for entry in audit] == [2, 1]
    assert {entry["action"] for entry in audit} == {"agreement.version"}
    assert [(s["agreement_id"], s["wanted"], s["done"]) for s in states] == [
        ("marketing-sales", 2, 0)
    ]


def test_an_invalid_agreement_is_refused_and_nothing_is_stored(engine: Engine) -> None:
    text = template_text("marketing-sales").replace("within: 48h", "within: 48 hours")
    with pytest.raises(AgreementError) as raised, transaction(engine) as connection:
        save_version(connection, text, author="a@example.com", reason="")
    assert any(p.field.endswith("within") and p.line for p in raised.value.problems)
    with read_transaction(engine) as connection:
        assert agreement_ids(connection) == []


def test_unknown_agreements_and_versions_are_none(engine: Engine) -> None:
    save_template(engine)
    with read_transaction(engine) as connection:
        assert get_version(connection, "nope") is None
        assert get_version(connection, "marketing-sales", 2) is None
        assert list_versions(connection, "nope") == []


def test_a_period_is_evaluated_with_the_version_in_force_at_its_start(engine: Engine) -> None:
    save_template(engine)  # 2026-01-01
    save_template(engine, effective=dt.date(2026, 4, 1))
    save_template(engine, effective=dt.date(2026, 4, 1))  # a correction on the same date
    save_template(engine, effective=dt.date(2026, 2, 15))
    with read_transaction(engine) as connection:
        versions = all_versions(connection, "marketing-sales")

    def in_force(day: dt.date) -> int:
        return version_in_force(versions, day).version

    assert in_force(dt.date(2025, 12, 1)) == 1  # before every version: the first one
    assert in_force(dt.date(2026, 1, 1)) == 1
    assert in_force(dt.date(2026, 2, 1)) == 1
    assert in_force(dt.date(2026, 3, 1)) == 4  # effective 02-15: from the first period after
    assert in_force(dt.date(2026, 3, 31)) == 4
    assert in_force(dt.date(2026, 4, 1)) == 3
    assert in_force(dt.date(2027, 1, 1)) == 3
