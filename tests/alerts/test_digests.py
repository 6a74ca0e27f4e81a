"""Digests and daily summaries: held messages go out together, once, in the reader's language."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.alerts.digests import Digests, digest_message
from slawatch.alerts.outbox import Outgoing, enqueue
from slawatch.alerts.preferences import OFF, Choices
from slawatch.alerts.recipients import Recipient
from slawatch.config import Settings
from slawatch.engine.instants import US
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import list_deliveries
from slawatch.store.notices import Notice
from slawatch.store.preferences import save_choices

T = 1_772_618_400 * US  # 2026-03-04 10:00 UTC, on a half-hour boundary
HOOK = "json://hooks.example.com/a"
WINDOW = 30 * 60 * US


def message(key: str, trigger: str, tier: int = 1, language: str = "en", at: int = T) -> Outgoing:
    return Outgoing(
        key=key,
        recipient=Recipient("lena@example.com", HOOK, language),
        title=f"{trigger} {key}",
        body=f"About {key}\nOpen it: http://x/escalations/1",
        queued_at=at,
        tier=tier,
        trigger=trigger,
    )


def queue(engine: Engine, *outgoing: Outgoing) -> list[bool]:
    with transaction(engine) as connection:
        return [enqueue(connection, o) for o in outgoing]


def deliveries(engine: Engine):
    with read_transaction(engine) as connection:
        return list_deliveries(connection, limit=50)


def job(engine: Engine) -> Digests:
    return Digests(engine, Settings(base_url="http://slawatch.test"), "p1")


def test_a_breach_goes_at_once_and_warnings_wait_for_one_digest(engine: Engine):
    queue(engine, message("b1", "breach"), message("w1", "warn", at=T + 60 * US))
    queue(engine, message("w2", "at_risk", at=T + 120 * US))
    assert [d.title for d in deliveries(engine)] == ["breach b1"]
    digests = job(engine)
    assert digests.run(T + WINDOW - 1).digests == 0  # the window is still open
    assert digests.run(T + WINDOW).digests == 1
    assert digests.run(T + 2 * WINDOW).digests == 0  # nothing is sent twice
    digest = deliveries(engine)[0]
    assert digest.title == "slawatch digest: 2 alerts"
    assert "• warn w1" in digest.body and "• at_risk w2" in digest.body
    assert "  About w1" in digest.body
    assert "http://slawatch.test/preferences" in digest.body


def test_a_trigger_turned_off_is_not_queued(engine: Engine):
    with transaction(engine) as connection:
        save_choices(connection, "lena@example.com", Choices(modes={"warn": OFF}), actor="t", now=T)
    assert queue(engine, message("w1", "warn")) == [False]
    assert job(engine).run(T + WINDOW).digests == 0
    assert deliveries(engine) == []


def test_a_digest_is_written_in_the_recipients_language():
    notice = Notice(
        id=1,
        recipient="a@x.io",
        url=HOOK,
        language="de",
        trigger="warn",
        tier=1,
        escalation_id=None,
        title="Gefährdet: X",
        body="b",
        zone="Europe/Berlin",
        mode="digest",
        created_at=T,
        release_at=T,
        delivery_id=None,
    )
    written = digest_message([notice], "de", "http://x")
    assert written.title == "slawatch-Sammelmeldung: 1 Meldung"
    assert "Ein Vorgang droht seine Frist zu verpassen: 1" in written.body
    assert "Meine Meldungen" in written.body


def test_the_daily_summary_lists_yesterdays_alerts_once(engine: Engine):
    queue(engine, message("b1", "breach"), message("w1", "warn"))
    digests = job(engine)
    digests.run(T + WINDOW)
    next_morning = T + 22 * 3600 * US + 1  # 2026-03-05 08:00 UTC
    report = digests.run(next_morning)
    assert report.summaries == 1
    summary = deliveries(engine)[0]
    assert summary.title == "slawatch: your alerts of Mar 4, 2026"
    assert "On Mar 4, 2026 you were sent 2 alerts:" in summary.body
    again = Digests(engine, Settings(), "p2")
    assert again.run(next_morning + 60 * US).summaries == 0


def test_no_daily_summary_for_someone_who_turned_it_off(engine: Engine):
    with transaction(engine) as connection:
        save_choices(connection, "lena@example.com", Choices(daily_summary=False), actor="t", now=T)
    queue(engine, message("b1", "breach"))
    assert job(engine).run(T + 22 * 3600 * US + 1).summaries == 0
    assert [d.title for d in deliveries(engine)] == ["breach b1"]


def test_two_replicas_never_put_one_entry_in_two_digests(engine: Engine):
    queue(engine, message("w1", "warn"), message("w2", "warn"))
    first, second = job(engine), Digests(engine, Settings(), "p2")
    assert first.run(T + WINDOW).digests == 1
    assert second.run(T + WINDOW).digests == 0
    assert len(deliveries(engine)) == 1
