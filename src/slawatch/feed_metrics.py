"""Prometheus gauges of the expected feeds: silent or not, and when each was last seen.

Read from the database on each scrape like the objective figures (`metrics.py`), so every
replica reports the same; silence is decided by `engine/feeds.py` as of the scrape.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from slawatch.engine.instants import US
from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction
from slawatch.store.feeds import read_feeds
from slawatch.wall_clock import now_us

FEED = ["agreement", "type"]


class FeedFigures(Collector):
    """Report each expected feed of every agreement's current version."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        silent = GaugeMetricFamily(
            "slawatch_feed_silent",
            "1 while an expected event type has been silent longer than its agreement allows",
            labels=FEED,
        )
        last_seen = GaugeMetricFamily(
            "slawatch_feed_last_seen_seconds",
            "The latest event of an expected type, Unix seconds (absent before the first)",
            labels=FEED,
        )
        now = now_us()
        with read_transaction(self.engine) as connection:
            for stored in current_agreements(connection):
                for state in read_feeds(connection, stored.agreement, as_of=now):
                    labels = [stored.id, state.event_type]
                    silent.add_metric(labels, float(state.silent))
                    if state.last_seen is not None:
                        last_seen.add_metric(labels, state.last_seen / US)
        yield silent
        yield last_seen
