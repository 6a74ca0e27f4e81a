"""Stored incidents: opened once per trigger key, an append-only timeline, closed once."""

from __future__ import annotations

from sqlalchemy import Engine, select

from slawatch.engine.incidents import IncidentWindow
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.incidents import (
    NewIncident,
    add_entry,
    close_incident,
    get_incident,
    incident_windows,
    incidents_for_agreement,
    list_incidents,
    open_incident,
    open_incidents,
    open_outages,
)
from slawatch.store.schema import evaluation_state
from tests.evaluation.support import save_template

AGREEMENT = "it-service"
HOUR = 3_600_000_000


def new(key: str = "declared:1", started_at: int = 10 * HOUR) -> NewIncident:
    return NewIncident(
        agreement_id=AGREEMENT,
        trigger="declared",
        trigger_key=key,
        title="CRM down",
        started_at=started_at,
        declared_by="lena@example.com",
        version=1,
        plan={"steps": [], "contacts": [], "pause": ["ticket-response"]},
    )


def wanted(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        return int(
            connection.execute(
                select(evaluation_state.c.wanted).where(
                    evaluation_state.c.agreement_id == AGREEMENT
                )
            ).scalar_one()
        )


def test_a_trigger_key_opens_one_incident(engine: Engine):
    save_template(engine, AGREEMENT)
    before = wanted(engine)
    with transaction(engine) as connection:
        first = open_incident(connection, new(), now=11 * HOUR)
        again = open_incident(connection, new(), now=12 * HOUR)
    assert first is not None and again is None
    assert wanted(engine) == before + 1  # the paused clocks need evaluating
    with read_transaction(engine) as connection:
        incident = get_incident(connection, AGREEMENT, first)
        elsewhere = get_incident(connection, "marketing-sales", first)
    assert incident is not None and elsewhere is None
    assert [(e.action, e.actor) for e in incident.timeline] == [("opened", "lena@example.com")]


def test_the_timeline_records_each_action_on_a_step_once(engine: Engine):
    save_template(engine, AGREEMENT)
    with transaction(engine) as connection:
        incident_id = open_incident(connection, new(), now=HOUR)
        assert incident_id is not None
        assert add_entry(connection, incident_id, at=2 * HOUR, action="checked", actor="a", step=1)
        assert not add_entry(
            connection, incident_id, at=3 * HOUR, action="checked", actor="b", step=1
        )
        assert add_entry(
            connection, incident_id, at=3 * HOUR, action="escalated", actor="s", step=1, tier=2
        )
    with read_transaction(engine) as connection:
        incident = get_incident(connection, AGREEMENT, incident_id)
    assert incident is not None
    assert [(e.action, e.actor, e.step, e.tier) for e in incident.timeline] == [
        ("opened", "lena@example.com", 0, 0),
        ("checked", "a", 1, 0),
        ("escalated", "s", 1, 2),
    ]


def test_closing_keeps_the_note_and_ends_the_window(engine: Engine):
    save_template(engine, AGREEMENT)
    with transaction(engine) as connection:
        incident_id = open_incident(connection, new(), now=HOUR)
        assert incident_id is not None
        assert close_incident(connection, incident_id, at=20 * HOUR, actor="a", note="Fixed.")
        assert not close_incident(connection, incident_id, at=21 * HOUR, actor="b", note="x")
        open_incident(connection, new("declared:2", started_at=30 * HOUR), now=30 * HOUR)
    with read_transaction(engine) as connection:
        windows = incident_windows(connection, AGREEMENT)
        still_open = open_incidents(connection, AGREEMENT)
        listed = list_incidents(connection, AGREEMENT)
        closed = get_incident(connection, AGREEMENT, incident_id)
    assert windows == (IncidentWindow(10 * HOUR, 20 * HOUR), IncidentWindow(30 * HOUR, None))
    assert [i.started_at for i in still_open] == [30 * HOUR]
    assert [i.started_at for i in listed] == [30 * HOUR, 10 * HOUR]
    assert closed is not None and (closed.note, closed.closed_by) == ("Fixed.", "a")


def test_incidents_for_agreement_returns_those_overlapping_a_half_open_range(engine: Engine):
    save_template(engine, AGREEMENT)
    with transaction(engine) as connection:
        first = open_incident(connection, new(), now=HOUR)
        assert first is not None
        close_incident(connection, first, at=20 * HOUR, actor="a", note="Fixed.")
        open_incident(connection, new("declared:2", started_at=30 * HOUR), now=30 * HOUR)
    with read_transaction(engine) as connection:

        def starts(a: int, b: int) -> list[int]:
            found = incidents_for_agreement(connection, AGREEMENT, a * HOUR, b * HOUR)
            return [i.started_at // HOUR for i in found]

        assert starts(0, 10) == []  # ends where the first begins
        assert starts(0, 11) == [10]
        assert starts(20, 30) == []  # the first ended at 20; the second begins at 30
        assert starts(19, 31) == [10, 30]
        assert starts(100, 200) == [30]  # still open


def test_open_outages_start_at_the_first_down_after_the_last_up(engine: Engine):
    save_template(engine, AGREEMENT)
    events = [
        EventIn("default", "crm", "down", 1 * HOUR, "service"),
        EventIn("default", "crm", "up", 2 * HOUR, "service"),
        EventIn("default", "crm", "down", 5 * HOUR, "service"),
        EventIn("default", "crm", "down", 6 * HOUR, "service"),
        EventIn("default", "mail", "down", 3 * HOUR, "service"),
        EventIn("default", "mail", "up", 4 * HOUR, "service"),
    ]
    with transaction(engine) as connection:
        store_events(connection, events)
    with read_transaction(engine) as connection:
        found = open_outages(connection, down="down", up="up", external_id=None, since=0)
        named = open_outages(connection, down="down", up="up", external_id="mail", since=0)
        recent = open_outages(connection, down="down", up="up", external_id=None, since=6 * HOUR)
    assert [(o.external_id, o.began_at) for o in found] == [("crm", 5 * HOUR)]
    assert named == [] and recent == []
