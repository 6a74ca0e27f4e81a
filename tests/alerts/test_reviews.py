"""Review cycles: due dates from the cadence, reminders once 14 days ahead, frozen snapshots."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, Engine

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import RetroactiveVersionError
from slawatch.alerts.channels import mail_url
from slawatch.alerts.outbox import Outgoing
from slawatch.alerts.reviews import (
    add_months,
    next_due_date,
    overdue_reminder,
    overdue_since,
    record_review,
    reminders_due,
    review_due_dates,
    reviewer_contacts,
    send_review_reminders,
    unreviewed_due_dates,
    version_reason,
)
from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.evaluation.credits import issue_statements
from slawatch.store.agreements import get_version, list_versions
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import list_deliveries
from slawatch.store.results import stored_result
from slawatch.store.reviews import get_review, list_reviews
from slawatch.store.users import create_user
from tests.evaluation.support import save_template
from tests.evaluation.test_credits import (
    AGREEMENT,
    LATER,
    evaluated_and_stated,
    late_leads_in_april,
)

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*parts: int) -> int:
    return to_us(dt.datetime(*parts, tzinfo=BERLIN))  # type: ignore[misc]


def marketing_sales(**changes: str):
    text = template_text(AGREEMENT)
    for old, new in changes.items():
        text = text.replace(old, new)
    return parse_agreement(text)


@dataclass
class Outbox:
    """A stand-in for slawatch.alerts.outbox.enqueue: one message per key."""

    messages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __call__(self, connection: Connection, outgoing: Outgoing) -> bool:
        if outgoing.key in self.messages:
            return False
        recipient = outgoing.recipient
        self.messages[outgoing.key] = {
            "recipient": recipient.target,
            "url": recipient.url,
            "language": recipient.language,
            "title": outgoing.title,
            "body": outgoing.body,
        }
        return True


def test_quarterly_reviews_fall_due_every_three_months_from_the_effective_date():
    agreement = marketing_sales()
    assert review_due_dates(agreement, until=dt.date(2027, 1, 1)) == [
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
    ]
    assert review_due_dates(agreement, until=dt.date(2026, 3, 31)) == []


def test_monthly_dates_count_from_the_effective_day_and_stop_at_short_months_ends():
    agreement = marketing_sales(**{"review: quarterly": "review: monthly"})
    agreement = agreement.model_copy(update={"effective": dt.date(2026, 1, 31)})
    assert review_due_dates(agreement, until=dt.date(2026, 5, 1)) == [
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -3) == dt.date(2025, 12, 15)


def test_yearly_and_missing_cadences():
    yearly = marketing_sales(**{"review: quarterly": "review: yearly"})
    assert review_due_dates(yearly, until=dt.date(2028, 6, 1)) == [
        dt.date(2027, 1, 1),
        dt.date(2028, 1, 1),
    ]
    never = marketing_sales(**{"review: quarterly ": ""})
    assert review_due_dates(never, until=dt.date(2030, 1, 1)) == []
    assert next_due_date(never, today=dt.date(2026, 5, 1)) is None


def test_the_next_due_date_is_the_first_on_or_after_today():
    agreement = marketing_sales()
    assert next_due_date(agreement, today=dt.date(2025, 6, 1)) == dt.date(2026, 4, 1)
    assert next_due_date(agreement, today=dt.date(2026, 4, 1)) == dt.date(2026, 4, 1)
    assert next_due_date(agreement, today=dt.date(2026, 4, 2)) == dt.date(2026, 7, 1)


def test_a_reminder_is_due_from_fourteen_days_before_until_the_date_unless_reviewed():
    agreement = marketing_sales()
    april = dt.date(2026, 4, 1)
    assert reminders_due(agreement, today=dt.date(2026, 3, 17), held=[]) == []
    assert reminders_due(agreement, today=dt.date(2026, 3, 18), held=[]) == [april]
    assert reminders_due(agreement, today=april, held=[]) == [april]
    assert reminders_due(agreement, today=dt.date(2026, 4, 2), held=[]) == []
    assert reminders_due(agreement, today=dt.date(2026, 3, 20), held=[dt.date(2026, 3, 19)]) == []
    earlier_cycle = [dt.date(2026, 1, 1)]
    assert reminders_due(agreement, today=dt.date(2026, 3, 20), held=earlier_cycle) == [april]


def test_every_partys_department_head_is_reminded_or_its_last_contact():
    assert reviewer_contacts(marketing_sales()) == [
        ("marketing", "head.marketing@example.com"),
        ("sales", "head.sales@example.com"),
    ]
    hr = parse_agreement(template_text("hr-requests"))
    assert [contact for _, contact in reviewer_contacts(hr)] == [
        "head.hr@example.com",
        "works.council@example.com",
    ]


def test_reminders_go_out_exactly_once_fourteen_days_before_the_due_date(engine: Engine):
    save_template(engine)
    outbox = Outbox()
    seen: set[str] = set()
    before = berlin(2026, 3, 17, 23, 59)
    assert send_review_reminders(engine, now=before, enqueue=outbox, seen=seen) == 0
    opening = berlin(2026, 3, 18, 0, 0)
    assert send_review_reminders(engine, now=opening, enqueue=outbox, seen=seen) == 2
    assert set(outbox.messages) == {
        "review:marketing-sales:2026-04-01:head.marketing@example.com",
        "review:marketing-sales:2026-04-01:head.sales@example.com",
    }
    assert send_review_reminders(engine, now=opening + 60_000_000, enqueue=outbox, seen=seen) == 0
    replica = set()  # another process: nothing remembered, the keys still hold
    assert send_review_reminders(engine, now=berlin(2026, 3, 25), enqueue=outbox, seen=replica) == 0
    assert len(replica) == 2 and len(outbox.messages) == 2
    assert send_review_reminders(engine, now=berlin(2026, 6, 17), enqueue=outbox) == 4
    assert len(outbox.messages) == 6  # the July review's reminders, and April's as overdue


def test_a_reminder_says_what_is_due_where_to_record_it_and_speaks_the_readers_language(
    engine: Engine,
):
    save_template(engine)
    with transaction(engine) as connection:
        create_user(connection, "head.sales@example.com", "a long password 1", "viewer", "de")
    outbox = Outbox()
    smtp = "mailtos://user:secret@smtp.example.com:587?from=slawatch@example.com&to=x@example.com"
    send_review_reminders(
        engine,
        now=berlin(2026, 3, 20, 9),
        enqueue=outbox,
        settings=Settings(smtp_url=smtp, base_url="https://sla.example.com/"),
    )
    sales = outbox.messages["review:marketing-sales:2026-04-01:head.sales@example.com"]
    marketing = outbox.messages["review:marketing-sales:2026-04-01:head.marketing@example.com"]
    assert marketing["language"] == "en" and sales["language"] == "de"
    assert marketing["recipient"] == "head.marketing@example.com"
    assert marketing["url"] == mail_url(smtp, "head.marketing@example.com")
    assert marketing["url"].endswith("from=slawatch@example.com&to=head.marketing@example.com")
    assert (
        marketing["title"] == "Review due on Apr 1, 2026: Lead handover between Marketing and Sales"
    )
    assert "https://sla.example.com/agreements/marketing-sales/reviews" in marketing["body"]
    assert "quarterly review" in marketing["body"]
    assert sales["title"].startswith("Überprüfung fällig am 01.04.2026")
    assert "vierteljährliche" in sales["body"]


def test_reminders_without_a_mail_server_are_queued_without_a_channel(engine: Engine):
    save_template(engine)
    outbox = Outbox()
    send_review_reminders(
        engine, now=berlin(2026, 3, 20, 9), enqueue=outbox, settings=Settings(smtp_url="")
    )
    assert {m["url"] for m in outbox.messages.values()} == {""}


def test_the_real_queue_keeps_one_delivery_per_reminder(engine: Engine):
    save_template(engine)
    for now in (berlin(2026, 3, 18, 9), berlin(2026, 3, 19, 9)):
        send_review_reminders(
            engine, now=now, settings=Settings(smtp_url="mailto://smtp.example.com")
        )
    with read_transaction(engine) as connection:
        queued = list_deliveries(connection, status=None, limit=10)
    assert sorted(d.recipient for d in queued) == [
        "head.marketing@example.com",
        "head.sales@example.com",
    ]


def record(engine: Engine, held_on: dt.date, **extra: Any):
    with transaction(engine) as connection:
        stored = get_version(connection, AGREEMENT)
        assert stored is not None
        return record_review(
            connection,
            stored,
            held_on=held_on,
            participants=["head.sales@example.com", "head.marketing@example.com"],
            notes="April and May missed speed-to-lead.",
            decisions=extra.pop("decisions", "Keep the targets."),
            actor="lena@example.com",
            now=LATER,
            **extra,
        )


def test_a_recorded_review_stops_the_reminders_of_its_cycle(engine: Engine):
    save_template(engine)
    record(engine, dt.date(2026, 3, 19))
    outbox = Outbox()
    assert send_review_reminders(engine, now=berlin(2026, 3, 20, 9), enqueue=outbox) == 0


def test_a_review_freezes_the_cycles_periods_and_their_statements(engine: Engine):
    evaluated_and_stated(engine)
    review = record(engine, dt.date(2026, 7, 1))
    snapshot = review.snapshot
    assert [p["period"] for p in snapshot["periods"]] == ["2026-04", "2026-05", "2026-06"]
    speed = next(o for o in snapshot["periods"][0]["objectives"] if o["id"] == "speed-to-lead")
    assert speed["title"] == "First contact within 48 hours" and speed["status"] == "breached"
    assert {(c["period"], c["party"], c["amount"]) for c in snapshot["credits"]} >= {
        ("2026-04", "sales", "500.00"),
        ("2026-05", "sales", "500.00"),
    }
    assert snapshot["version"] == 1
    frozen = copy.deepcopy(snapshot)
    late_leads_in_april(engine)
    issue_statements(engine, AGREEMENT, now=LATER)
    with read_transaction(engine) as connection:
        april = stored_result(connection, AGREEMENT, "2026-04")
        again = get_review(connection, AGREEMENT, review.id)
    assert (
        april is not None
        and april.payload["periods"][0]["objectives"] != (snapshot["periods"][0]["objectives"])
    )
    assert again is not None and again.snapshot == frozen


def test_a_decision_to_change_targets_creates_the_next_version_from_a_date(engine: Engine):
    save_template(engine)
    text = template_text(AGREEMENT).replace('target: ">= 50"', 'target: ">= 60"')
    review = record(
        engine,
        dt.date(2026, 3, 30),
        decisions="Raise qualified leads to 60 a month.\nKeep the rest.",
        yaml_text=text,
        effective=dt.date(2199, 4, 1),
    )
    assert review.version == 2
    with read_transaction(engine) as connection:
        versions = list_versions(connection, AGREEMENT)
        current = get_version(connection, AGREEMENT)
        log = entries(connection, subject=f"agreement:{AGREEMENT}")
    assert (versions[-1].effective, versions[-1].reason) == (
        dt.date(2199, 4, 1),
        f"review #{review.id}: Raise qualified leads to 60 a month.",
    )
    assert (
        current is not None and current.agreement.objectives["qualified-leads"].target.value == 60
    )
    assert any(e["action"] == "review.record" and e["detail"]["version"] == 2 for e in log)


def test_a_versions_reason_names_the_review_and_its_first_decision():
    assert version_reason(3, "\n  Lower the rejection target.  \nMore") == (
        "review #3: Lower the rejection target."
    )
    assert version_reason(4, "") == "review #4: targets changed"
    assert version_reason(5, "x" * 300).endswith("…")


def test_a_review_cannot_create_a_version_in_force_from_a_past_day(engine: Engine):
    save_template(engine)
    text = template_text(AGREEMENT).replace('target: ">= 50"', 'target: ">= 60"')
    with pytest.raises(RetroactiveVersionError):
        record(engine, dt.date(2026, 3, 30), yaml_text=text, effective=dt.date(2026, 4, 1))
    with read_transaction(engine) as connection:
        assert [v.version for v in list_versions(connection, AGREEMENT)] == [1]
        assert list_reviews(connection, AGREEMENT) == []


def test_a_review_is_overdue_from_the_day_after_its_due_date_until_one_is_recorded():
    agreement = marketing_sales()  # quarterly from 1 January 2026
    april, july, october = dt.date(2026, 4, 1), dt.date(2026, 7, 1), dt.date(2026, 10, 1)
    assert overdue_since(agreement, today=april, held=[]) is None  # due today, not overdue
    assert overdue_since(agreement, today=dt.date(2026, 4, 2), held=[]) == april
    assert overdue_since(agreement, today=dt.date(2026, 12, 7), held=[]) == april
    assert unreviewed_due_dates(agreement, today=dt.date(2026, 12, 7), held=[]) == [
        april,
        july,
        october,
    ]
    early, late = dt.date(2026, 3, 25), dt.date(2026, 7, 20)
    assert overdue_since(agreement, today=dt.date(2026, 12, 7), held=[early]) == july
    assert overdue_since(agreement, today=dt.date(2026, 12, 7), held=[early, late]) is None
    assert overdue_since(agreement, today=dt.date(2027, 1, 2), held=[early, late]) == dt.date(
        2027, 1, 1
    )
    catching_up = dt.date(2026, 11, 20)  # one late review answers every date it missed
    assert overdue_since(agreement, today=dt.date(2026, 12, 7), held=[catching_up]) is None


def test_an_overdue_review_is_reminded_of_its_latest_missed_date():
    agreement = marketing_sales()
    december = dt.date(2026, 12, 7)
    assert overdue_reminder(agreement, today=december, held=[]) == dt.date(2026, 10, 1)
    assert overdue_reminder(agreement, today=december, held=[dt.date(2026, 9, 20)]) is None


def test_an_overdue_review_is_reminded_once_per_missed_date_not_every_tick(engine: Engine):
    save_template(engine)
    outbox = Outbox()
    seen: set[str] = set()
    december = berlin(2026, 12, 7, 9)
    assert send_review_reminders(engine, now=december, enqueue=outbox, seen=seen) == 2
    assert set(outbox.messages) == {
        "review-overdue:marketing-sales:2026-10-01:head.marketing@example.com",
        "review-overdue:marketing-sales:2026-10-01:head.sales@example.com",
    }
    message = outbox.messages[
        "review-overdue:marketing-sales:2026-10-01:head.marketing@example.com"
    ]
    # The key holds the latest missed date; the text names the first, as the pages do.
    assert message["title"] == (
        "Review overdue since Apr 1, 2026: Lead handover between Marketing and Sales"
    )
    assert "was due on Apr 1, 2026 and has not been recorded" in message["body"]
    for tick in range(1, 4):  # later ticks, and another replica, queue nothing more
        assert send_review_reminders(engine, now=december + tick * 60_000_000, enqueue=outbox) == 0
    assert len(outbox.messages) == 2
