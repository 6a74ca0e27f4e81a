"""The incident tick: an outage opens one incident, also with two workers; overdue steps climb."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine, select

from slawatch.alerts.incident_tick import (
    escalate_overdue_steps,
    open_for_outages,
    open_for_silent_feeds,
    run_incident_tick,
)
from slawatch.alerts.incidents import step_statuses
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store.agreements import get_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.feeds import silent_now
from slawatch.store.incidents import get_incident, list_incidents
from slawatch.store.schema import deliveries
from tests.evaluation.support import save_template

HOUR = 3_600_000_000
MINUTE = HOUR // 60
NOW = to_us(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC))
SETTINGS = Settings(smtp_url="smtp://mail.example.com:25", base_url="https://slawatch.test")
AGREEMENT = "it-service"


def crm_down(engine: Engine, at: int) -> None:
    save_template(engine, AGREEMENT)
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "crm", "down", at, "service")])


def sent(engine: Engine) -> list[tuple[str, str]]:
    with read_transaction(engine) as connection:
        rows = connection.execute(select(deliveries.c.recipient, deliveries.c.title)).all()
    return sorted((r.recipient, r.title) for r in rows)


def test_two_workers_open_one_incident_per_outage_and_notify_once(engine: Engine):
    crm_down(engine, NOW - HOUR)
    start = threading.Barrier(2)

    def worker(owner: str, with_lease: bool) -> None:
        start.wait()
        if with_lease:
            run_incident_tick(engine, now=NOW, owner=owner, settings=SETTINGS)
        else:  # as if a slow tick's lease had run out: only the unique keys guard
            with transaction(engine) as connection:
                stored = get_version(connection, AGREEMENT)
                assert stored is not None
                open_for_outages(connection, stored, now=NOW, since=0, settings=SETTINGS)

    for with_lease in (True, False):
        threads = [threading.Thread(target=worker, args=(f"p{i}", with_lease)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        start.reset()
    with read_transaction(engine) as connection:
        found = list_incidents(connection, AGREEMENT)
    assert len(found) == 1
    assert found[0].trigger == "service-down" and found[0].started_at == NOW - HOUR
    assert "crm is down" in found[0].title
    contacts = ["head.it@example.com", "servicedesk.lead@example.com", "works.council@example.com"]
    opened = [recipient for recipient, title in sent(engine) if title.startswith("Incident:")]
    assert opened == contacts
    overdue = [title for _, title in sent(engine) if title.startswith("Overdue")]
    assert len(overdue) == 2  # steps 1 (30m) and 2 (1h) are past their limits: tier 1, once


def test_a_new_outage_opens_a_new_incident(engine: Engine):
    crm_down(engine, NOW - HOUR)
    run_incident_tick(engine, now=NOW, owner="p1", settings=SETTINGS)
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                EventIn("default", "crm", "up", NOW + HOUR, "service"),
                EventIn("default", "crm", "down", NOW + 2 * HOUR, "service"),
            ],
        )
    run_incident_tick(engine, now=NOW + 3 * HOUR, owner="p1", settings=SETTINGS)
    with read_transaction(engine) as connection:
        assert len(list_incidents(connection, AGREEMENT)) == 2


def test_an_overdue_step_climbs_the_ladder_until_it_is_checked_off(engine: Engine):
    crm_down(engine, NOW)
    run_incident_tick(engine, now=NOW, owner="p1", settings=SETTINGS)
    # Step 1 (30m) is due at NOW + 30m; the ladder: tier 1 at once, tier 2 after 2h.
    run_incident_tick(engine, now=NOW + 31 * MINUTE, owner="p1", settings=SETTINGS)
    run_incident_tick(engine, now=NOW + 31 * MINUTE, owner="p2", settings=SETTINGS)
    with read_transaction(engine) as connection:
        incident = list_incidents(connection, AGREEMENT)[0]
        incident = get_incident(connection, AGREEMENT, incident.id)
    assert incident is not None
    assert [s.tier for s in step_statuses(incident)] == [1, 0, 0]
    overdue = [title for _, title in sent(engine) if title.startswith("Overdue")]
    assert overdue == ["Overdue emergency step 1: Post a status note on the intranet, tier 1"]
    run_incident_tick(engine, now=NOW + 3 * HOUR, owner="p1", settings=SETTINGS)
    with read_transaction(engine) as connection:
        incident = get_incident(connection, AGREEMENT, incident.id)
    assert incident is not None
    assert [s.tier for s in step_statuses(incident)] == [2, 2, 1]  # step 2: due +1h, tier 2 +2h


def test_a_checked_step_does_not_escalate(engine: Engine):
    crm_down(engine, NOW)
    run_incident_tick(engine, now=NOW, owner="p1", settings=SETTINGS)
    with transaction(engine) as connection:
        incident = list_incidents(connection, AGREEMENT)[0]
        from slawatch.store.incidents import add_entry

        add_entry(connection, incident.id, at=NOW, action="checked", actor="it@x.de", step=1)
        full = get_incident(connection, AGREEMENT, incident.id)
        stored = get_version(connection, AGREEMENT)
        assert full is not None and stored is not None
        taken = escalate_overdue_steps(
            connection, stored.agreement, full, now=NOW + 31 * MINUTE, settings=SETTINGS
        )
    assert taken == 0


def test_the_silent_feed_hook_opens_one_incident_per_silence(engine: Engine):
    save_template(engine, "marketing-sales")
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "L-1", "handed_over", NOW - HOUR, "lead")])
        stored = get_version(connection, "marketing-sales")
        assert stored is not None
        first = open_for_silent_feeds(
            connection, stored, {"handed_over"}, now=NOW, settings=SETTINGS
        )
        again = open_for_silent_feeds(
            connection, stored, {"handed_over"}, now=NOW + HOUR, settings=SETTINGS
        )
        other = open_for_silent_feeds(connection, stored, {"contacted"}, now=NOW, settings=SETTINGS)
    assert (first, again, other) == (1, 0, 0)


def test_a_feed_silent_past_its_expectation_opens_the_plans_incident(engine: Engine):
    """`expect:` handed_over every 4 working hours; the plan triggers on its silence."""
    save_template(engine, "marketing-sales")
    monday = to_us(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))  # 09:00 in Berlin
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "L-1", "handed_over", monday, "lead")])
    tick = {"engine": engine, "owner": "p1", "settings": SETTINGS, "silent_feeds": silent_now}
    assert run_incident_tick(now=monday + 3 * HOUR, **tick).opened == 0  # within 4 h
    assert run_incident_tick(now=monday + 9 * HOUR, lease_us=1, **tick).opened == 1
    with read_transaction(engine) as connection:
        (incident,) = list_incidents(connection, "marketing-sales")
    assert "handed_over" in incident.trigger_key
