"""The demo's past incident: a CRM outage in lead management, worked around and written up.

It gives the demo an incident page with a full timeline (opened, contacts notified, every step
acknowledged and checked off by its party, a note, the close) and a post-incident note that the
reviews page shows. It is history: no message is queued for it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.alerts.incidents import plan_snapshot
from slawatch.engine.instants import to_us
from slawatch.store.agreements import get_version
from slawatch.store.incidents import NewIncident, add_entry, close_incident, open_incident

AGREEMENT = "marketing-sales"
NOTE = (
    "The CRM's lead import stopped at 09:20 after an expired API key. Marketing mailed the "
    "backup list at 09:45, Sales worked it by phone, status went out every two hours. "
    "The key was renewed at 12:30 and the import caught up by 12:45.\n"
    "Changes: the key now expires with a reminder 30 days ahead, and the integration "
    "owner is on the contact list of the emergency plan."
)


def add_past_incident(connection: Connection, *, today: dt.date) -> int | None:
    """Store a closed incident of marketing-sales on the last weekday at least 6 days back."""
    stored = get_version(connection, AGREEMENT)
    if stored is None or stored.agreement.emergency is None:
        return None
    zone = ZoneInfo(stored.agreement.timezone)
    day = today - dt.timedelta(days=6)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)

    def at(hour: int, minute: int) -> int:
        return to_us(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone))

    incident = open_incident(
        connection,
        NewIncident(
            agreement_id=AGREEMENT,
            trigger="declared",
            trigger_key=f"declared:demo:{day.isoformat()}",
            title="CRM lead import stopped",
            started_at=at(9, 30),
            declared_by="head.sales@example.com",
            version=stored.version,
            plan=plan_snapshot(stored.agreement.emergency),
        ),
        now=at(9, 30),
    )
    if incident is None:
        return None
    contacts = ", ".join(stored.agreement.emergency.contacts)
    add_entry(
        connection, incident, at=at(9, 30), action="notified", actor="slawatch", comment=contacts
    )
    for step, who, acked, checked in (
        (1, "lena.koch@example.com", at(9, 35), at(9, 45)),
        (2, "tom.berg@example.com", at(9, 50), at(10, 40)),
        (3, "lena.koch@example.com", at(10, 0), at(11, 30)),
    ):
        add_entry(connection, incident, at=acked, action="acknowledged", actor=who, step=step)
        add_entry(connection, incident, at=checked, action="checked", actor=who, step=step)
    add_entry(
        connection,
        incident,
        at=at(11, 0),
        action="note",
        actor="head.marketing@example.com",
        tier=1,
        comment="IT found an expired API key; renewal under way.",
    )
    close_incident(connection, incident, at=at(12, 45), actor="head.sales@example.com", note=NOTE)
    return incident
