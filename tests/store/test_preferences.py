"""Stored alert preferences and notices, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, select

from slawatch.alerts.preferences import DIGEST, NOW, OFF, Choices
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import queue_delivery
from slawatch.store.notices import add_notice, claim_notices, held_notices
from slawatch.store.preferences import choices_of, save_choices
from slawatch.store.schema import audit_log

T = 1_772_618_400_000_000


def test_a_recipient_who_never_chose_has_the_defaults(engine: Engine):
    with read_transaction(engine) as connection:
        choices = choices_of(connection, "nobody@example.com")
    assert choices == Choices()
    assert choices.mode_for("breach") == NOW and choices.mode_for("warn") == DIGEST


def test_saved_choices_replace_the_old_ones_and_are_audited(engine: Engine):
    first = Choices(modes={"warn": OFF, "at_risk": NOW}, quiet_hours="never", daily_summary=False)
    with transaction(engine) as connection:
        save_choices(connection, "Lena.Koch@Example.com", first, actor="lena", now=T)
        saved = save_choices(
            connection, "lena.koch@example.com", Choices(modes={"warn": NOW}), actor="lena", now=T
        )
    assert saved == Choices(modes={"warn": NOW})
    with read_transaction(engine) as connection:
        assert choices_of(connection, "LENA.KOCH@example.com") == saved
        actions = connection.execute(select(audit_log.c.action)).scalars().all()
    assert actions == ["alert_preferences.save", "alert_preferences.save"]


def notice(key: str, **values: object) -> dict[str, object]:
    return {
        "dedup_key": key,
        "recipient": "a@x.io",
        "url": "json://hook",
        "language": "en",
        "trigger": "warn",
        "tier": 1,
        "title": key,
        "body": "b",
        "zone": "UTC",
        "mode": DIGEST,
        "created_at": T,
        "release_at": T + 10,
    } | values


def test_held_notices_are_released_in_time_and_claimed_once(engine: Engine):
    with transaction(engine) as connection:
        assert add_notice(connection, **notice("n1"))
        assert not add_notice(connection, **notice("n1"))
        assert add_notice(connection, **notice("n2", release_at=T + 99))
    with read_transaction(engine) as connection:
        assert held_notices(connection, now=T + 9) == []
        (due,) = held_notices(connection, now=T + 10)
    with transaction(engine) as connection:
        delivery = queue_delivery(
            connection,
            dedup_key="d",
            recipient="a@x.io",
            url="json://hook",
            language="en",
            title="t",
            body="b",
            now=T,
        )
        assert delivery is not None
        assert claim_notices(connection, [due.id], delivery) == 1
        assert claim_notices(connection, [due.id], delivery) == 0
    with read_transaction(engine) as connection:
        assert [n.title for n in held_notices(connection, now=T + 100)] == ["n2"]
