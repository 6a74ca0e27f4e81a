"""The demo's past incident: closed, with its timeline and post-incident note."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from slawatch.alerts.incidents import step_statuses
from slawatch.commands.demo_incidents import add_past_incident
from slawatch.store.db import read_transaction, transaction
from slawatch.store.incidents import get_incident
from tests.evaluation.support import save_template


def test_the_demo_has_a_past_incident_with_every_step_done_and_a_note(engine: Engine):
    save_template(engine, "marketing-sales")
    with transaction(engine) as connection:
        incident_id = add_past_incident(connection, today=dt.date(2026, 11, 27))
        again = add_past_incident(connection, today=dt.date(2026, 11, 27))
    assert incident_id is not None and again is None
    with read_transaction(engine) as connection:
        incident = get_incident(connection, "marketing-sales", incident_id)
    assert incident is not None and not incident.open
    assert incident.note is not None and "expired API key" in incident.note
    assert all(step.checked is not None for step in step_statuses(incident))
    assert [e.action for e in incident.timeline][:2] == ["opened", "notified"]
    assert incident.timeline[-1].action == "closed"
    assert dt.datetime.fromtimestamp(incident.started_at / 1e6, dt.UTC).date() == dt.date(
        2026, 11, 20
    )  # the Friday before: 21 November is a Saturday
