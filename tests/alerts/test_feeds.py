"""Silent-feed alerts: once per silence across ticks and replicas, a note when the feed is back."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from slawatch.alerts.feeds import feed_contacts, send_feed_alerts
from slawatch.alerts.outbox import About, Outgoing
from slawatch.alerts.preferences import FEED_SILENT, OFF, Choices
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.store.agreements import save_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import list_deliveries
from slawatch.store.events import EventIn, store_events
from slawatch.store.preferences import save_choices
from slawatch.store.users import create_user
from tests.agreements.support import parse

BERLIN = ZoneInfo("Europe/Berlin")
SMTP = Settings(smtp_url="mailto://smtp.example.com", base_url="https://sla.example.com")
AGREEMENT = """\
agreement: feeds
title: Lead feeds
timezone: Europe/Berlin
effective: 2026-03-05
parties:
  marketing: {name: Marketing, contacts: [lena.koch@example.com, head.marketing@example.com]}
  sales: {name: Sales, contacts: [tom.berg@example.com, head.sales@example.com]}
calendars:
  office: {hours: {mon-fri: "08:00-17:00"}}
objectives:
  qualified-leads:
    {owner: marketing, title: Qualified leads, count: qualified, target: ">= 50"}
  speed-to-lead:
    owner: sales
    title: First contact within 48 hours
    clock: {start: handed_over, stop: contacted}
    within: 48h
    target: ">= 95%"
  lead-acceptance: {owner: marketing, ratio: {count: accepted, of: handed_over}, target: ">= 80%"}
expect:
  handed_over: {every: 4h, calendar: office}
  invoice_sent: 1w
"""


def plain(text: str) -> str:
    """Return a text with Babel's narrow no-break spaces (before AM/PM) as spaces."""
    return text.replace("\u202f", " ")


def berlin(*parts: int) -> int:
    return to_us(dt.datetime(*parts, tzinfo=BERLIN))  # type: ignore[misc]


@dataclass
class Outbox:
    """A stand-in for slawatch.alerts.outbox.enqueue: one message per key."""

    messages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, connection: Connection, outgoing: Outgoing, subject: About) -> bool:
        if outgoing.key in self.messages:
            return False
        self.messages[outgoing.key] = {
            "language": outgoing.recipient.language,
            "title": outgoing.title,
            "body": outgoing.body,
            "trigger": subject.trigger,
            "objective": subject.objective,
        }
        return True


def save(engine: Engine, text: str = AGREEMENT) -> None:
    with transaction(engine) as connection:
        save_version(connection, text, author="lena@example.com", reason="feeds")


def handed_over(engine: Engine, *instants: int) -> None:
    batch = [EventIn(source="crm", item=f"lead-{t}", type="handed_over", at=t) for t in instants]
    with transaction(engine) as connection:
        store_events(connection, batch)


def test_a_silent_feed_is_told_once_to_every_party_reading_it(engine: Engine) -> None:
    save(engine)
    handed_over(engine, berlin(2026, 3, 9, 9))  # Monday 09:00: due by 13:00
    outbox, seen = Outbox(), set[str]()
    assert send_feed_alerts(engine, now=berlin(2026, 3, 9, 13), enqueue=outbox, seen=seen) == 0
    later = berlin(2026, 3, 9, 13, 1)
    assert send_feed_alerts(engine, now=later, enqueue=outbox, seen=seen) == 2
    since = berlin(2026, 3, 9, 13)
    assert set(outbox.messages) == {
        f"feed-silent:feeds:handed_over:{since}:tom.berg@example.com",
        f"feed-silent:feeds:handed_over:{since}:lena.koch@example.com",
    }
    assert send_feed_alerts(engine, now=later + 60_000_000, enqueue=outbox, seen=seen) == 0
    replica: set[str] = set()  # another process: nothing remembered, the keys still hold
    assert send_feed_alerts(engine, now=berlin(2026, 3, 10, 9), enqueue=outbox, seen=replica) == 0
    message = {
        k: plain(v)
        for k, v in outbox.messages[
            f"feed-silent:feeds:handed_over:{since}:tom.berg@example.com"
        ].items()
    }
    assert message["title"] == (
        "Feed silent: no handed_over since Mar 9, 2026, 1:00:00 PM (Lead feeds)"
    )
    assert "The last handed_over event arrived at Mar 9, 2026, 9:00:00 AM." in message["body"]
    assert "at least one every 4 h" in message["body"]
    assert "First contact within 48 hours, Lead acceptance" in message["body"]
    assert "/agreements/feeds#feeds" in message["body"]
    assert (message["trigger"], message["objective"]) == (FEED_SILENT, "speed-to-lead")


def test_the_real_outbox_queues_one_delivery_per_silence_and_one_when_back(
    engine: Engine,
) -> None:
    save(engine)
    with transaction(engine) as connection:
        create_user(connection, "tom.berg@example.com", "a long password 1", "viewer", "de")
    handed_over(engine, berlin(2026, 3, 9, 9))
    for now in (berlin(2026, 3, 9, 14), berlin(2026, 3, 9, 16), berlin(2026, 3, 10, 9)):
        send_feed_alerts(engine, now=now, settings=SMTP)
    handed_over(engine, berlin(2026, 3, 10, 10))
    for now in (berlin(2026, 3, 10, 10, 1), berlin(2026, 3, 10, 10, 2)):
        send_feed_alerts(engine, now=now, settings=SMTP)
    with read_transaction(engine) as connection:
        queued = list_deliveries(connection, status=None, limit=20)
    titles = sorted((d.recipient, plain(d.title)) for d in queued)
    assert titles == [
        ("lena.koch@example.com", "Feed is back: handed_over (Lead feeds)"),
        ("lena.koch@example.com",
         "Feed silent: no handed_over since Mar 9, 2026, 1:00:00 PM (Lead feeds)"),
        ("tom.berg@example.com",
         "Feed verstummt: kein handed_over seit 09.03.2026, 13:00:00 (Lead feeds)"),
        ("tom.berg@example.com", "Feed wieder aktiv: handed_over (Lead feeds)"),
    ]  # fmt: skip
    back = next(d for d in queued if d.title.startswith("Feed is back"))
    assert "the first came at Mar 10, 2026, 10:00:00 AM" in plain(back.body)


def test_old_silences_ended_by_imported_events_announce_nothing(engine: Engine) -> None:
    save(engine)
    # A gap long ago, imported later: nobody heard of that silence, so no "back" note.
    handed_over(engine, berlin(2026, 3, 9, 9), berlin(2026, 3, 11, 9), berlin(2026, 3, 11, 10))
    outbox = Outbox()
    assert send_feed_alerts(engine, now=berlin(2026, 3, 11, 11), enqueue=outbox) == 0


def test_a_feed_no_objective_reads_goes_to_every_partys_first_contact(engine: Engine) -> None:
    save(engine)
    outbox = Outbox()
    send_feed_alerts(engine, now=berlin(2026, 3, 12, 0, 1), enqueue=outbox)
    invoice = sorted(k.rsplit(":", 1)[1] for k in outbox.messages if ":invoice_sent:" in k)
    assert invoice == ["lena.koch@example.com", "tom.berg@example.com"]
    never = next(m for k, m in outbox.messages.items() if ":invoice_sent:" in k)
    assert "No invoice_sent event has arrived yet." in never["body"]
    agreement = parse(AGREEMENT)
    assert [c for _, c, _ in feed_contacts(agreement, "invoice_sent")] == [
        "lena.koch@example.com",
        "tom.berg@example.com",
    ]


def test_a_recipient_who_turned_feed_alerts_off_gets_none(engine: Engine) -> None:
    save(engine)
    with transaction(engine) as connection:
        save_choices(
            connection,
            "tom.berg@example.com",
            Choices(modes={FEED_SILENT: OFF}),
            actor="tom.berg@example.com",
            now=0,
        )
    handed_over(engine, berlin(2026, 3, 9, 9))
    send_feed_alerts(engine, now=berlin(2026, 3, 9, 14), settings=SMTP)
    with read_transaction(engine) as connection:
        queued = list_deliveries(connection, status=None, limit=20)
    assert {d.recipient for d in queued if "handed_over" in d.title} == {"lena.koch@example.com"}


def test_agreements_without_expectations_are_not_read(engine: Engine) -> None:
    save(engine, AGREEMENT.split("expect:", maxsplit=1)[0])
    assert send_feed_alerts(engine, now=berlin(2026, 6, 1), enqueue=Outbox()) == 0


def test_two_workers_at_once_queue_each_message_once(engine: Engine) -> None:
    save(engine)
    handed_over(engine, berlin(2026, 3, 9, 9))
    now = berlin(2026, 3, 9, 14)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            send_feed_alerts(engine, now=now, settings=SMTP, seen=set())
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with read_transaction(engine) as connection:
        queued = list_deliveries(connection, status=None, limit=20)
    assert sorted(d.recipient for d in queued if "handed_over" in d.title) == [
        "lena.koch@example.com",
        "tom.berg@example.com",
    ]
