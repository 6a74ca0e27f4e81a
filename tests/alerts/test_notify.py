"""Queueing a ladder step's messages: who gets one, through which channel, in which language."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, Engine, insert

from slawatch.alerts.notify import enqueue_step
from slawatch.alerts.outbox import NO_ROUTE, LadderStep, url_hash
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import Delivery, list_deliveries
from slawatch.store.results import StoredResult, replace_results
from slawatch.store.routes import create_route
from slawatch.store.schema import escalations, item_clocks, items
from slawatch.store.users import create_user
from tests.evaluation.support import save_template

HOUR = 3_600_000_000
NOW = to_us(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC))
BASE_URL = "https://slawatch.example.com"
HOOK = "json://hooks.example.com/sales"


def settings(smtp_url: str = "") -> Settings:
    return Settings(smtp_url=smtp_url, base_url=BASE_URL)


def item_escalation(engine: Engine, *, trigger: str = "breach", party: str = "sales") -> int:
    """Store a breached speed-to-lead clock of item crm/L-7 and an escalation about it."""
    with transaction(engine) as connection:
        item_id = connection.execute(
            insert(items)
            .values(source="crm", external_id="L-7", kind="lead", attributes={})
            .returning(items.c.id)
        ).scalar_one()
        connection.execute(
            insert(item_clocks).values(
                agreement_id="marketing-sales",
                objective="speed-to-lead",
                item_id=item_id,
                period="2026-03",
                started_at=NOW - 60 * HOUR,
                deadline=NOW - 2 * HOUR,  # 09:00 in Berlin
                elapsed_us=50 * HOUR,
                paused_us=0,
                state="breached",
                since=NOW - 2 * HOUR,
                as_of=NOW,
            )
        )
        return escalation(
            connection, subject=f"item:{item_id}", item_id=item_id, trigger=trigger, party=party
        )


def escalation(connection: Connection, **values: object) -> int:
    row = {
        "agreement_id": "marketing-sales",
        "objective": "speed-to-lead",
        "subject": "period:2026-03",
        "trigger": "period_breached",
        "party": "sales",
        "opened_at": NOW,
        "tier": 1,
        "detail": {},
        **values,
    }
    inserted = connection.execute(insert(escalations).values(row).returning(escalations.c.id))
    return int(inserted.scalar_one())


def route(engine: Engine, target: str, url: str, language: str | None = None) -> None:
    with transaction(engine) as connection:
        create_route(connection, target=target, url=url, language=language, actor="ann", now=NOW)


def step(engine: Engine, escalation_id: int, *, step_id: int = 1, tier: int = 1, **kw: str) -> int:
    with transaction(engine) as connection:
        taken = LadderStep(escalation_id, step_id, tier, taken_at=NOW)
        return enqueue_step(connection, taken, settings=settings(**kw))


def queued(engine: Engine) -> list[Delivery]:
    with read_transaction(engine) as connection:
        return sorted(list_deliveries(connection), key=lambda d: d.id)


@pytest.fixture
def item_breach(engine: Engine) -> int:
    save_template(engine)
    return item_escalation(engine)


def test_a_step_goes_to_the_routes_of_the_contact_and_of_its_party(
    engine: Engine, item_breach: int
):
    route(engine, "tom.berg@example.com", HOOK)
    route(engine, "marketing-sales:sales", "json://hooks.example.com/sales-channel")
    route(engine, "lena.koch@example.com", "json://hooks.example.com/lena")  # another party
    assert step(engine, item_breach, step_id=5, smtp_url="mailto://ignored") == 2
    rows = queued(engine)
    assert [(r.recipient, r.url) for r in rows] == [
        ("tom.berg@example.com", HOOK),
        ("marketing-sales:sales", "json://hooks.example.com/sales-channel"),
    ]
    assert rows[0].dedup_key == f"step:5:tom.berg@example.com:{url_hash(HOOK)}"
    assert all(r.status == "pending" and r.escalation_id == item_breach for r in rows)
    assert all(r.next_attempt_at == NOW and r.attempts == 0 for r in rows)


def test_without_routes_the_contact_gets_mail_through_the_smtp_url(
    engine: Engine, item_breach: int
):
    smtp = "mailto://127.0.0.1:1025?from=slawatch@example.com"
    assert step(engine, item_breach, smtp_url=smtp) == 1
    (row,) = queued(engine)
    assert row.recipient == "tom.berg@example.com"
    assert row.url == "mailto://127.0.0.1:1025?from=slawatch@example.com&to=tom.berg@example.com"


def test_without_a_route_or_an_smtp_url_the_message_is_kept_failed_for_admins(
    engine: Engine, item_breach: int
):
    assert step(engine, item_breach) == 1
    (row,) = queued(engine)
    assert (row.status, row.url, row.last_error) == ("failed", "", NO_ROUTE)
    assert row.last_error == "no route and no SLAWATCH_SMTP_URL"
    assert row.title.startswith("Breached: First contact within 48 hours")


@pytest.mark.parametrize(
    ("tier", "contact"),
    [(1, "tom.berg@example.com"), (2, "head.sales@example.com"), (3, "head.sales@example.com")],
)
def test_the_tier_picks_its_contact_or_the_last_one_when_there_are_fewer(
    engine: Engine, tier: int, contact: str
):
    save_template(
        engine,
        replace=(
            "[tom.berg@example.com, head.sales@example.com, ceo@example.com]",
            "[tom.berg@example.com, head.sales@example.com]",
        ),
    )
    escalation_id = item_escalation(engine)
    step(engine, escalation_id, tier=tier, smtp_url="mailto://127.0.0.1:1025?from=s@example.com")
    (row,) = queued(engine)
    assert row.recipient == contact and row.url.endswith(f"to={contact}")
    assert f"tier {tier}" in row.title


def test_a_second_replica_taking_the_same_step_adds_nothing(engine: Engine, item_breach: int):
    route(engine, "tom.berg@example.com", HOOK)
    assert step(engine, item_breach, step_id=9) == 1
    assert step(engine, item_breach, step_id=9) == 0
    assert step(engine, item_breach, step_id=10, tier=2) == 1  # the next step is news
    assert [r.dedup_key.split(":")[1] for r in queued(engine)] == ["9", "10"]


def test_the_language_is_the_routes_then_the_users_then_english(engine: Engine, item_breach: int):
    with transaction(engine) as connection:
        create_user(connection, "tom.berg@example.com", "a long password", "viewer", "de")
    route(engine, "tom.berg@example.com", HOOK)  # no language: Tom's own
    route(engine, "marketing-sales:sales", "json://hooks.example.com/team", "en")
    step(engine, item_breach)
    tom, team = queued(engine)
    assert (tom.language, team.language) == ("de", "en")
    assert tom.title.startswith("Verletzt: First contact within 48 hours (Vorgang crm/L-7)")
    assert "Frist: 04.03.2026, 09:00:00 (Europe/Berlin)" in tom.body
    assert team.title.startswith("Breached:")


def test_an_item_step_tells_the_elapsed_time_the_deadline_and_the_link(
    engine: Engine, item_breach: int
):
    route(engine, "tom.berg@example.com", HOOK)
    step(engine, item_breach)
    (row,) = queued(engine)
    assert row.title == "Breached: First contact within 48 hours (item crm/L-7), tier 1"
    lines = row.body.splitlines()
    assert "Agreement: Lead handover between Marketing and Sales" in lines
    assert "Item: crm/L-7" in lines
    assert "Elapsed: 50 h of 48 h allowed" in lines
    assert "Deadline: Mar 4, 2026, 9:00:00\u202fAM (Europe/Berlin)" in lines
    assert f"Open the escalation to acknowledge it: {BASE_URL}/escalations/{item_breach}" in lines


def test_a_period_step_tells_the_stored_value_against_the_target(engine: Engine):
    save_template(engine)
    objective = {"id": "lead-acceptance", "owner": "marketing", "kind": "ratio", "value": 0.725}
    objective |= {"target": 0.8, "op": ">=", "status": "breached"}
    payload = {"periods": [{"period": "2026-03", "objectives": [objective]}]}
    start = to_us(dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC))
    with transaction(engine) as connection:
        replace_results(
            connection,
            "marketing-sales",
            [
                StoredResult(
                    "marketing-sales", "2026-03", 1, start, start + 31 * 24 * HOUR, NOW, payload
                )
            ],
        )
        escalation_id = escalation(
            connection, objective="lead-acceptance", party="marketing", period="2026-03"
        )
    route(engine, "marketing-sales:marketing", HOOK)
    step(engine, escalation_id, tier=2)
    (row,) = queued(engine)
    assert row.title == "Breached: Lead acceptance (period 2026-03), tier 2"
    assert "Value: 72.5%, target ≥ 80%" in row.body.splitlines()
    assert "Period: 2026-03" in row.body.splitlines()


def test_a_period_step_without_stored_figures_uses_the_escalations_own(engine: Engine):
    save_template(engine)
    detail = {"kind": "count", "value": 31, "target": 50, "op": ">="}
    with transaction(engine) as connection:
        escalation_id = escalation(
            connection,
            objective="qualified-leads",
            party="marketing",
            period="2026-03",
            detail=detail,
        )
    route(engine, "lena.koch@example.com", HOOK)
    step(engine, escalation_id)
    (row,) = queued(engine)
    assert "Value: 31, target ≥ 50" in row.body.splitlines()
