"""A lead with a whole story: a paused clock, an owner change, an escalation, an audit entry."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from slawatch.agreements import template_text
from slawatch.engine.instants import to_us
from slawatch.store import audit
from slawatch.store.agreements import save_version
from slawatch.store.db import transaction
from slawatch.store.deliveries import add_delivery
from slawatch.store.directory import Person, put_people
from slawatch.store.escalations import (
    NewEscalation,
    acknowledge,
    open_escalation,
    snooze,
    take_ladder_step,
)
from slawatch.store.events import EventIn, store_events
from slawatch.store.item_story import item_audit_subject
from slawatch.store.items import item_detail

BERLIN = ZoneInfo("Europe/Berlin")
NOW = "2026-05-06T10:00"  # Wednesday


def berlin(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN))


def store_story(engine: Engine, item: str = "L-1") -> int:
    """Store the marketing-sales agreement and one lead's whole story; return the item's id.

    The lead is handed over on Monday 9:00, on hold 10:00–14:00, passed from Tom to Ana on
    Tuesday, and contacted Tuesday 11:00: met. It was escalated at 9:00 on Tuesday (its
    warning), the boss notified, snoozed and acknowledged; an editor noted something on it.
    """
    with transaction(engine) as connection:
        save_version(connection, template_text("marketing-sales"), author="t", reason="test")
        put_people(connection, [Person("tom", "Tom Berg"), Person("ana", "Ana Ruiz")], author="t")
        store_events(
            connection,
            [
                EventIn(
                    "default",
                    item,
                    "handed_over",
                    berlin("2026-05-04T09:00"),
                    "lead",
                    {"owner": "tom"},
                ),
                EventIn("default", item, "on_hold", berlin("2026-05-04T10:00")),
                EventIn("default", item, "off_hold", berlin("2026-05-04T14:00")),
                EventIn(
                    "default", item, "note", berlin("2026-05-05T08:00"), None, {"owner": "ana"}
                ),
                EventIn("default", item, "contacted", berlin("2026-05-05T11:00")),
            ],
        )
        detail = item_detail(connection, "default", item)
        assert detail is not None
        _escalate(connection, detail.id)
        audit.record(
            connection,
            actor="lena@example.com",
            action="item.note",
            subject=item_audit_subject(detail.id),
            reason="the customer called twice",
            channel="phone",
        )
    return detail.id


def _escalate(connection: Connection, item_id: int) -> None:
    opened = berlin("2026-05-05T09:00")
    escalation = open_escalation(
        connection,
        NewEscalation(
            agreement_id="marketing-sales",
            objective="speed-to-lead",
            subject=f"item:{item_id}",
            trigger="warn",
            party="sales",
            opened_at=opened,
            next_step_at=None,
            detail={},
            item_id=item_id,
        ),
    )
    assert escalation is not None
    step = take_ladder_step(connection, escalation, step=1, tier=2, at=opened + 60_000_000)
    assert step is not None
    add_delivery(
        connection,
        dedup_key=f"step:{step}:boss@example.com:none",
        recipient="boss@example.com",
        url="mailto://boss@example.com",
        language="en",
        title="t",
        body="b",
        now=opened + 60_000_000,
        escalation_id=escalation,
    )
    snooze(
        connection,
        escalation,
        at=opened + 120_000_000,
        until=opened + 3_600_000_000,
        by="sam@example.com",
        reason="calling the customer now",
    )
    acknowledge(
        connection,
        escalation,
        at=opened + 180_000_000,
        by="sam@example.com",
        comment="on it",
    )
