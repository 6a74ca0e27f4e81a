"""Deliveries in the store: added once per key, claimed by one sender, settled by its owner."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert

from slawatch.store import audit
from slawatch.store.db import read_transaction, transaction
from slawatch.store.deliveries import (
    add_delivery,
    claim_delivery,
    delivery_counts,
    due_deliveries,
    escalation_subject,
    get_delivery,
    list_deliveries,
    open_escalation_counts,
    record_failure,
    record_retry,
    record_sent,
    release_delivery,
    retry_delivery,
)
from slawatch.store.schema import escalations, item_clocks, items
from tests.evaluation.support import save_template

NOW = 1_770_000_000_000_000
SECOND = 1_000_000


def add(connection: Connection, key: str, *, at: int = NOW, url: str = "json://h/x") -> bool:
    return add_delivery(
        connection,
        dedup_key=key,
        recipient="tom.berg@example.com",
        url=url,
        language="en",
        title=f"title {key}",
        body="body",
        now=at,
    )


def only_id(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        (delivery,) = list_deliveries(connection)
    return delivery.id


def test_a_second_insert_of_the_same_key_adds_nothing(engine: Engine):
    with transaction(engine) as connection:
        assert add(connection, "step:1:tom:abc")
        assert not add(connection, "step:1:tom:abc")
        assert add(connection, "step:1:tom:def")
    with read_transaction(engine) as connection:
        assert len(list_deliveries(connection)) == 2
        assert delivery_counts(connection) == {"pending": 2, "sent": 0, "failed": 0}


def test_due_deliveries_are_the_pending_unleased_ones_oldest_first(engine: Engine):
    with transaction(engine) as connection:
        add(connection, "later", at=NOW + 10 * SECOND)
        add(connection, "first", at=NOW - 10 * SECOND)
        add(connection, "second", at=NOW)
        add(connection, "nowhere", url="")
    with transaction(engine) as connection:
        due = due_deliveries(connection, now=NOW, limit=10)
        titles = [get_delivery(connection, i).title for i in due]  # type: ignore[union-attr]
        assert titles == ["title first", "title second", "title nowhere"]
        claim_delivery(connection, due[0], owner="a", now=NOW, lease_until=NOW + 60 * SECOND)
        assert len(due_deliveries(connection, now=NOW, limit=10)) == 2
        assert due_deliveries(connection, now=NOW, limit=1) == due[1:2]


def test_only_one_sender_claims_a_delivery_until_its_lease_runs_out(engine: Engine):
    with transaction(engine) as connection:
        add(connection, "k")
    delivery_id = only_id(engine)
    lease = NOW + 60 * SECOND
    with transaction(engine) as connection:
        claimed = claim_delivery(connection, delivery_id, owner="a", now=NOW, lease_until=lease)
        assert claimed is not None and claimed.lease_owner == "a"
        assert (
            claim_delivery(connection, delivery_id, owner="b", now=NOW, lease_until=lease) is None
        )
        taken = claim_delivery(
            connection, delivery_id, owner="b", now=lease + 1, lease_until=lease * 2
        )
        assert taken is not None and taken.lease_owner == "b"
        # The first owner lost its lease: what it reports is not recorded.
        assert not record_sent(connection, delivery_id, owner="a", now=lease + 2)
        assert record_sent(connection, delivery_id, owner="b", now=lease + 2)
        sent = get_delivery(connection, delivery_id)
    assert sent is not None
    assert (sent.status, sent.attempts, sent.sent_at, sent.lease_owner) == (
        "sent",
        1,
        lease + 2,
        None,
    )


def test_a_retry_counts_the_attempt_and_waits_and_a_failure_is_final(engine: Engine):
    with transaction(engine) as connection:
        add(connection, "k")
    delivery_id = only_id(engine)
    with transaction(engine) as connection:
        claim_delivery(connection, delivery_id, owner="a", now=NOW, lease_until=NOW + SECOND)
        assert record_retry(
            connection, delivery_id, owner="a", next_attempt_at=NOW + 30 * SECOND, error="500"
        )
        assert due_deliveries(connection, now=NOW + 29 * SECOND, limit=5) == []
        assert due_deliveries(connection, now=NOW + 30 * SECOND, limit=5) == [delivery_id]
        later = NOW + 30 * SECOND
        claim_delivery(connection, delivery_id, owner="a", now=later, lease_until=later + SECOND)
        assert record_failure(connection, delivery_id, owner="a", error="404 Not Found")
        failed = get_delivery(connection, delivery_id)
        assert failed is not None
        assert (failed.status, failed.attempts, failed.last_error) == ("failed", 2, "404 Not Found")
        assert due_deliveries(connection, now=later * 2, limit=5) == []


def test_a_released_lease_can_be_claimed_again_at_once(engine: Engine):
    with transaction(engine) as connection:
        add(connection, "k")
    delivery_id = only_id(engine)
    with transaction(engine) as connection:
        claim_delivery(connection, delivery_id, owner="a", now=NOW, lease_until=NOW + SECOND)
        assert release_delivery(connection, delivery_id, owner="a")
        assert claim_delivery(connection, delivery_id, owner="b", now=NOW, lease_until=NOW + 1)


def test_an_admin_sends_a_failed_delivery_again_with_fresh_attempts(engine: Engine):
    with transaction(engine) as connection:
        add(connection, "k")
        add_delivery(
            connection,
            dedup_key="nowhere",
            recipient="x@example.com",
            url="",
            language="en",
            title="t",
            body="b",
            now=NOW,
            failed_because="no route",
        )
    with read_transaction(engine) as connection:
        by_key = {d.dedup_key: d.id for d in list_deliveries(connection)}
    with transaction(engine) as connection:
        assert not retry_delivery(connection, by_key["k"], actor="ann", now=NOW)  # not failed
        claim_delivery(connection, by_key["k"], owner="a", now=NOW, lease_until=NOW + SECOND)
        record_failure(connection, by_key["k"], owner="a", error="404")
        assert retry_delivery(connection, by_key["k"], actor="ann@example.com", now=NOW + 5)
        assert not retry_delivery(connection, by_key["nowhere"], actor="ann", now=NOW)  # no URL
        again = get_delivery(connection, by_key["k"])
        assert again is not None
        assert (again.status, again.attempts, again.next_attempt_at) == ("pending", 0, NOW + 5)
        (entry,) = audit.entries(connection, subject=f"delivery:{by_key['k']}")
        assert (entry["actor"], entry["action"]) == ("ann@example.com", "delivery.retry")


def open_escalation_row(connection: Connection, **values: object) -> int:
    row = {
        "agreement_id": "marketing-sales",
        "objective": "speed-to-lead",
        "subject": "period:2026-03",
        "trigger": "period_breached",
        "party": "sales",
        "opened_at": NOW,
        "tier": 1,
        "detail": {},
        **values,
    }
    return int(
        connection.execute(insert(escalations).values(row).returning(escalations.c.id)).scalar_one()
    )


def test_an_escalation_is_read_with_its_item_and_its_clock(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        item_id = connection.execute(
            insert(items)
            .values(source="crm", external_id="L-7", kind="lead", attributes={})
            .returning(items.c.id)
        ).scalar_one()
        connection.execute(
            insert(item_clocks).values(
                agreement_id="marketing-sales",
                objective="speed-to-lead",
                item_id=item_id,
                period="2026-03",
                started_at=NOW - 50 * 3600 * SECOND,
                deadline=NOW - 2 * 3600 * SECOND,
                elapsed_us=50 * 3600 * SECOND,
                paused_us=0,
                state="breached",
                since=NOW,
                as_of=NOW,
            )
        )
        on_item = open_escalation_row(
            connection, subject=f"item:{item_id}", item_id=item_id, trigger="breach"
        )
        on_period = open_escalation_row(connection, period="2026-03", detail={"value": 0.5})
        item = escalation_subject(connection, on_item)
        period = escalation_subject(connection, on_period)
        assert escalation_subject(connection, on_period + 100) is None
    assert item is not None and period is not None
    assert (item.item_source, item.item_external_id) == ("crm", "L-7")
    assert (item.elapsed_us, item.deadline) == (50 * 3600 * SECOND, NOW - 2 * 3600 * SECOND)
    assert (period.item_source, period.elapsed_us, period.period) == (None, None, "2026-03")
    assert period.detail == {"value": 0.5}


def test_open_escalations_are_counted_per_objective(engine: Engine):
    save_template(engine)
    with transaction(engine) as connection:
        open_escalation_row(connection)
        open_escalation_row(connection, trigger="at_risk")
        open_escalation_row(connection, objective="conversion", closed_at=NOW)
        assert open_escalation_counts(connection) == {("marketing-sales", "speed-to-lead"): 2}
