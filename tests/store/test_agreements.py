"""Agreement versions: numbered, never rewritten, each with its parties and an audit entry."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from slawatch.agreements import AgreementError, template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import RetroactiveVersionError
from slawatch.engine.instants import from_us, to_us
from slawatch.store.agreements import (
    StoredAgreement,
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
from slawatch.wall_clock import now_us
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
    save_template(engine, effective=dt.date(2026, 4, 1), retroactive=True)
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
    save_template(engine, effective=dt.date(2026, 4, 1), retroactive=True)
    save_template(engine, effective=dt.date(2026, 4, 1), retroactive=True)  # a correction
    save_template(engine, effective=dt.date(2026, 2, 15), retroactive=True)
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


def test_a_later_version_without_a_date_is_in_force_from_the_day_it_is_saved(
    engine: Engine,
) -> None:
    save_template(engine)  # the YAML says effective: 2026-01-01
    before = now_us()
    save_template(engine, replace=('target: ">= 80%"', 'target: ">= 70%"'), reason="lower")
    with read_transaction(engine) as connection:
        first, second = all_versions(connection, "marketing-sales")
    today = from_us(before, ZoneInfo("Europe/Berlin")).date()
    assert first.effective == dt.date(2026, 1, 1) and not first.retroactive
    assert second.effective in (today, today + dt.timedelta(days=1))  # a save at midnight
    assert not second.retroactive


def test_a_later_version_from_a_past_day_is_refused_without_the_retroactive_choice(
    engine: Engine,
) -> None:
    save_template(engine)
    with pytest.raises(RetroactiveVersionError) as explicit:
        save_template(engine, effective=dt.date(2026, 4, 1))
    assert explicit.value.field == "effective" and "retroactive" in str(explicit.value)
    with pytest.raises(RetroactiveVersionError) as in_yaml:
        save_template(engine, replace=("effective: 2026-01-01", "effective: 2026-04-01"))
    assert "`effective:`" in in_yaml.value.field
    with pytest.raises(RetroactiveVersionError) as no_reason:
        save_template(engine, effective=dt.date(2026, 4, 1), retroactive=True, reason=" ")
    assert no_reason.value.field == "reason"
    with pytest.raises(RetroactiveVersionError) as not_past:
        save_template(engine, effective=dt.date(2199, 1, 1), retroactive=True)
    assert not_past.value.field == "retroactive"
    with read_transaction(engine) as connection:
        assert [v.version for v in list_versions(connection, "marketing-sales")] == [1]


def test_the_first_version_is_in_force_from_its_own_effective_date(engine: Engine) -> None:
    save_template(engine, "it-service", effective=dt.date(2025, 6, 1))
    with read_transaction(engine) as connection:
        (first,) = all_versions(connection, "it-service")
    assert first.effective == dt.date(2025, 6, 1) and not first.retroactive


def test_a_retroactive_version_is_audited_with_its_reason(engine: Engine) -> None:
    save_template(engine)
    save_template(
        engine, effective=dt.date(2026, 4, 1), retroactive=True, reason="the contract says April"
    )
    with read_transaction(engine) as connection:
        (latest, *_rest) = entries(connection, subject="agreement:marketing-sales")
        versions = list_versions(connection, "marketing-sales")
    assert latest["detail"]["retroactive"] is True
    assert latest["detail"]["reason"] == "the contract says April"
    assert latest["detail"]["effective"] == "2026-04-01"
    assert [v.retroactive for v in versions] == [False, True]


def test_a_sealed_version_never_governs_a_period_that_began_before_its_save() -> None:
    text = template_text("marketing-sales")
    agreement = parse_agreement(text)
    saved = to_us(dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC))

    def version(number: int, effective: dt.date, *, retroactive: bool = False) -> StoredAgreement:
        created = 0 if number == 1 else saved
        return StoredAgreement(
            "marketing-sales",
            number,
            effective,
            agreement,
            text,
            "t",
            "a",
            "r",
            created,
            retroactive,
        )

    sealed = [version(1, dt.date(2026, 1, 1)), version(2, dt.date(2026, 12, 7))]
    day_start = to_us(dt.datetime(2026, 12, 6, 23, tzinfo=dt.UTC))  # 12-07 00:00 in Berlin
    next_day = to_us(dt.datetime(2026, 12, 7, 23, tzinfo=dt.UTC))
    assert version_in_force(sealed, dt.date(2026, 12, 7), day_start).version == 1
    assert version_in_force(sealed, dt.date(2026, 12, 8), next_day).version == 2
    chosen = [version(1, dt.date(2026, 1, 1)), version(2, dt.date(2026, 12, 7), retroactive=True)]
    assert version_in_force(chosen, dt.date(2026, 12, 7), day_start).version == 2


DAY_US = 86_400_000_000
BASE = dt.date(2026, 1, 1)
TEMPLATE = parse_agreement(template_text("marketing-sales"))  # parsed once: it takes 0.1 s


@st.composite
def histories(draw: st.DrawFn) -> list[StoredAgreement]:
    """Draw version histories as saving allows them: later versions sealed or retroactive."""
    agreement = TEMPLATE
    versions = [
        StoredAgreement("m", 1, BASE, agreement, "", "", "", "", 0, False),
    ]
    saved = draw(st.integers(0, 40 * DAY_US))
    for number in range(2, draw(st.integers(2, 6)) + 1):
        saved += draw(st.integers(1, 20 * DAY_US))
        today = saved // DAY_US
        retroactive = draw(st.booleans()) and today > 0
        offset = draw(st.integers(-today, -1) if retroactive else st.integers(0, 30))
        effective = BASE + dt.timedelta(days=today + offset)
        versions.append(
            StoredAgreement("m", number, effective, agreement, "", "", "", "", saved, retroactive)
        )
    return versions


@given(histories(), st.integers(-10, 400))
def test_saving_a_version_changes_no_period_begun_before_it_unless_retroactive(
    versions: list[StoredAgreement], day: int
) -> None:
    first_day, start = BASE + dt.timedelta(days=day), day * DAY_US
    newest = versions[-1]
    with_it = version_in_force(versions, first_day, start).version
    without = version_in_force(versions[:-1], first_day, start).version
    if not newest.retroactive and start < newest.created_at:
        assert with_it == without
    if newest.retroactive and first_day < newest.effective:
        assert with_it == without
    if with_it == newest.version:
        assert newest.effective <= first_day
