"""The weekly team digest: Monday 08:00 in the manager's zone, once per week and manager."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from slawatch.alerts.outbox import Outgoing
from slawatch.alerts.weekly_digest import digest_week, send_weekly_digests
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store.db import read_transaction
from slawatch.store.schema import deliveries
from tests.web.directory_support import owned_leads

BERLIN = ZoneInfo("Europe/Berlin")
MAIL = Settings(smtp_url="mailto://smtp.example.com", base_url="https://sla.example.com/")


def berlin(day: int, hour: int, minute: int = 0) -> int:
    return to_us(dt.datetime(2026, 6, day, hour, minute, tzinfo=BERLIN))


def test_the_digest_window_opens_monday_at_eight_and_lasts_a_day() -> None:
    assert digest_week(berlin(15, 7, 59), BERLIN) is None  # Monday, before eight
    week = digest_week(berlin(15, 8), BERLIN)
    assert week is not None and week.label == "2026-W25"
    assert (week.last_week_start, week.last_week_end) == (berlin(8, 0), berlin(15, 0))
    assert digest_week(berlin(16, 7, 59), BERLIN) == week  # Tuesday, still the window
    assert digest_week(berlin(16, 8), BERLIN) is None
    assert digest_week(berlin(12, 9), BERLIN) is None  # a Friday


def collect(into: list[Outgoing]):  # type: ignore[no-untyped-def]
    def enqueue(_connection: Connection, outgoing: Outgoing) -> bool:
        into.append(outgoing)
        return True

    return enqueue


def test_each_manager_gets_their_teams_late_items_and_last_weeks_counts(engine: Engine) -> None:
    owned_leads(engine)  # Hanna Vogt (German) manages Tom Berg and Anna Roth
    sent: list[Outgoing] = []
    count = send_weekly_digests(engine, now=berlin(15, 9), settings=MAIL, enqueue=collect(sent))
    assert count == 1
    (message,) = sent
    assert message.recipient.target == "head.sales@example.com"
    assert message.key == "weekly:head.sales:2026-W25:head.sales@example.com"
    assert message.title == "Ihr Team diese Woche: 3 verspätet"
    body = message.body
    assert "Anna Roth: 1 jetzt verspätet · letzte Woche 0 erfüllt, 0 verletzt" in body
    assert "Tom Berg: 2 jetzt verspätet · letzte Woche 1 erfüllt, 0 verletzt" in body
    assert "  – L-1: First contact within 48 hours," in body
    assert "https://sla.example.com/people/tom.berg" in body


def test_outside_the_window_nothing_is_sent(engine: Engine) -> None:
    owned_leads(engine)
    sent: list[Outgoing] = []
    assert send_weekly_digests(engine, now=berlin(17, 9), settings=MAIL, enqueue=collect(sent)) == 0
    assert sent == []


def test_replicas_queue_each_managers_digest_once_per_week(engine: Engine) -> None:
    owned_leads(engine)
    first = send_weekly_digests(engine, now=berlin(15, 8), settings=MAIL, seen=set())
    again = send_weekly_digests(engine, now=berlin(15, 8, 1), settings=MAIL, seen=set())
    seen: set[str] = set()
    later = send_weekly_digests(engine, now=berlin(15, 12), settings=MAIL, seen=seen)
    assert (first, again, later) == (1, 0, 0)
    assert seen == {"head.sales:2026-W25"}
    with read_transaction(engine) as connection:
        assert connection.execute(select(func.count()).select_from(deliveries)).scalar() == 1
    next_week = send_weekly_digests(engine, now=berlin(22, 8), settings=MAIL, seen=seen)
    assert next_week == 1
