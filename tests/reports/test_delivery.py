"""A closed period's report goes to each party's department head and the subscribers, once."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.reports.delivery import deliver_reports
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import list_deliveries
from slawatch.store.reports import issued_periods, subscribe, unsubscribe
from slawatch.store.results import want_all
from slawatch.store.users import create_user
from tests.reports.support import AS_OF, BERLIN, store_example

SMTP = "mailtos://user:secret@smtp.example.com:587?from=slawatch@example.com&to=x@example.com"
SETTINGS = Settings(smtp_url=SMTP, base_url="https://sla.example.com/")
OCTOBER_RUNNING = to_us(dt.datetime(2026, 10, 20, 9, tzinfo=BERLIN))
AFTER_CLOSE = AS_OF + 60 * 1_000_000


def _october_closes(engine: Engine) -> None:
    """Store the example as of 20 October, let the job see it, then let October close."""
    store_example(engine, OCTOBER_RUNNING)
    assert deliver_reports(engine, now=OCTOBER_RUNNING, settings=SETTINGS) == 0
    with transaction(engine) as connection:
        want_all(connection)
    refresh_all(engine, as_of=AS_OF)


def _queued(engine: Engine):
    with read_transaction(engine) as connection:
        return list_deliveries(connection, status=None, limit=100)


def test_history_is_not_sent_when_slawatch_first_sees_an_agreement(engine: Engine):
    store_example(engine)  # October closed before the job ever ran
    assert deliver_reports(engine, now=AFTER_CLOSE, settings=SETTINGS) == 0
    assert _queued(engine) == []


def test_a_closing_month_reaches_each_department_head_and_the_subscribers(engine: Engine):
    _october_closes(engine)
    with transaction(engine) as connection:
        create_user(connection, "anna@example.com", "a long password 1", "viewer", "de")
        subscribe(connection, "marketing-sales", "anna@example.com", AS_OF)
    assert deliver_reports(engine, now=AFTER_CLOSE, settings=SETTINGS) == 3
    sent = {d.recipient: d for d in _queued(engine)}
    assert set(sent) == {
        "head.marketing@example.com",
        "head.sales@example.com",
        "anna@example.com",
    }
    english, german = sent["head.sales@example.com"], sent["anna@example.com"]
    assert english.title.startswith("Report 2026-10 · Lead handover between Marketing and Sales")
    assert "objectives met" in english.title
    assert (
        "https://sla.example.com/agreements/marketing-sales/report.pdf?period=2026-10&lang=en"
        in english.body
    )
    assert "https://sla.example.com/agreements/marketing-sales/reports?period=2026-10" in (
        english.body
    )
    assert german.language == "de" and german.title.startswith("Bericht 2026-10")
    assert "lang=de" in german.body
    with read_transaction(engine) as connection:
        assert issued_periods(connection, "marketing-sales") == {"2026-10"}


def test_a_period_is_reported_once_however_often_and_wherever_the_job_runs(engine: Engine):
    _october_closes(engine)
    counts: list[int] = []

    def replica() -> None:
        counts.append(deliver_reports(engine, now=AFTER_CLOSE, settings=SETTINGS))

    replicas = [threading.Thread(target=replica) for _ in range(3)]
    for thread in replicas:
        thread.start()
    for thread in replicas:
        thread.join()
    assert sorted(counts) == [0, 0, 2]
    assert deliver_reports(engine, now=AFTER_CLOSE + 1, settings=SETTINGS) == 0
    assert len(_queued(engine)) == 2


def test_an_unsubscribed_user_gets_nothing(engine: Engine):
    _october_closes(engine)
    with transaction(engine) as connection:
        subscribe(connection, "marketing-sales", "anna@example.com", AS_OF)
        assert unsubscribe(connection, "marketing-sales", "anna@example.com")
        assert not unsubscribe(connection, "marketing-sales", "anna@example.com")
    deliver_reports(engine, now=AFTER_CLOSE, settings=SETTINGS)
    assert "anna@example.com" not in {d.recipient for d in _queued(engine)}


def test_weeks_and_longer_are_sent_and_days_are_not():
    from slawatch.reports.delivery import _reported

    assert [_reported(label) for label in ("2026-10", "2026-Q4", "2026-W41", "2026")] == [True] * 4
    assert not _reported("2026-10-05")
    assert not _reported("not a label")
