"""The background evaluation reads the agreement's incidents and pauses the plan's clocks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.incidents import NewIncident, close_incident, open_incident
from slawatch.store.schema import item_clocks
from tests.evaluation.support import save_template

AGREEMENT = "it-service"


def berlin(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(f"{text}+01:00"))


def clock(engine: Engine, objective: str) -> tuple[int, int | None]:
    with read_transaction(engine) as connection:
        row = connection.execute(
            select(item_clocks.c.paused_us, item_clocks.c.deadline).where(
                item_clocks.c.objective == objective
            )
        ).one()
    return int(row.paused_us), row.deadline


def test_a_closed_incident_pushes_the_paused_objectives_deadline_only(engine: Engine):
    save_template(engine, AGREEMENT)
    opened = berlin("2026-03-03T09:00:00")  # a Tuesday; service desk hours from 08:00
    with transaction(engine) as connection:
        store_events(
            connection, [EventIn("default", "T-1", "opened", opened, "ticket", {"priority": "P2"})]
        )
    as_of = berlin("2026-03-03T11:00:00")
    refresh_all(engine, as_of=as_of)
    paused_before, deadline_before = clock(engine, "ticket-response")
    assert paused_before == 0
    with transaction(engine) as connection:
        incident = open_incident(
            connection,
            NewIncident(
                agreement_id=AGREEMENT,
                trigger="declared",
                trigger_key="declared:t",
                title="CRM down",
                started_at=berlin("2026-03-03T09:30:00"),
                declared_by="t",
                version=1,
                plan={"pause": ["ticket-response"]},
            ),
            now=as_of,
        )
        assert incident is not None
        close_incident(connection, incident, at=berlin("2026-03-03T10:00:00"), actor="t", note="ok")
    assert refresh_all(engine, as_of=as_of) == [AGREEMENT]  # the incident made it due
    paused, deadline = clock(engine, "ticket-response")
    assert paused == 30 * 60 * 1_000_000
    assert deadline is not None and deadline_before is not None
    assert deadline - deadline_before == 30 * 60 * 1_000_000
    paused_resolution, _ = clock(engine, "ticket-resolution")
    assert paused_resolution == 0  # not listed under pause:
