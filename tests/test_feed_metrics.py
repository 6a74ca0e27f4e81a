"""GET /metrics reports each expected feed: silent or not, and its last event."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.engine.instants import US
from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from slawatch.wall_clock import now_us
from tests.evaluation.support import save_template
from tests.web.test_metrics import client, sample, scrape  # noqa: F401 - client is a fixture


def test_each_feed_reports_whether_it_is_silent_and_when_it_was_last_seen(
    engine: Engine,
    client,  # noqa: F811 - the fixture
) -> None:
    save_template(engine)
    recent = (now_us() // US - 60) * US  # a minute ago: within any allowance
    with transaction(engine) as connection:
        store_events(
            connection, [EventIn(source="crm", item="lead-1", type="handed_over", at=recent)]
        )
    samples = scrape(client)
    labels = {"agreement": "marketing-sales"}
    assert sample(samples, "slawatch_feed_silent", type="handed_over", **labels) == 0
    assert sample(samples, "slawatch_feed_last_seen_seconds", type="handed_over", **labels) == (
        recent / US
    )
    # Never seen since the agreement took effect on 1 January 2026: silent long since.
    assert sample(samples, "slawatch_feed_silent", type="qualified", **labels) == 1
    never = (
        "slawatch_feed_last_seen_seconds",
        (("agreement", "marketing-sales"), ("type", "qualified")),
    )
    assert never not in samples
