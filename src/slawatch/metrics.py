"""Prometheus metrics: objective figures from stored results, and this process's work.

Two kinds of figures. Objective values, targets, statuses, error budgets, open escalations,
deliveries and failing evaluations are read from the database on every scrape, so every
replica reports the same numbers and a restart loses nothing. Ingestion, evaluation and
sending are counted in this process (`record_*`), so each replica reports its own share, as
Prometheus expects.

Each app gets its own CollectorRegistry (never prometheus-client's global one), so two apps
in one test run see only their own database.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from slawatch.agreements.model import Agreement
from slawatch.engine.results import ObjectiveResult
from slawatch.feed_metrics import FeedFigures
from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction
from slawatch.store.deliveries import delivery_counts, open_escalation_counts
from slawatch.store.health import all_health
from slawatch.store.results import StoredResult, stored_results

STATUSES = ("met", "on_track", "at_risk", "breached", "no_data")
INGEST_OUTCOMES = ("accepted", "duplicate", "rejected")
DELIVERY_OUTCOMES = ("sent", "retried", "failed")
OBJECTIVE = ["agreement", "objective", "period"]
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)


class ProcessMetrics:
    """Counters and histograms of the work this process did since it started."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "slawatch_events_ingested",
            "Events received by this process, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.ingest_seconds = Histogram(
            "slawatch_ingest_duration_seconds",
            "Time to store one batch of events",
            buckets=SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.evaluations = Counter(
            "slawatch_evaluations",
            "Agreement evaluations run by this process",
            ["agreement"],
            registry=self.registry,
        )
        self.evaluation_seconds = Histogram(
            "slawatch_evaluation_duration_seconds",
            "Time to evaluate one agreement and store its results",
            ["agreement"],
            buckets=SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.evaluation_failures = Counter(
            "slawatch_evaluation_failures",
            "Agreement evaluations by this process that failed (the others went on)",
            ["agreement"],
            registry=self.registry,
        )
        self.background_failures = Counter(
            "slawatch_background_failures",
            "Escalation, reminder and sending work of one agreement or message that failed "
            "in this process (the rest went on), by stage",
            ["stage", "agreement"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "slawatch_delivery_attempts",
            "Notification attempts by this process, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in INGEST_OUTCOMES:
            self.events.labels(outcome)
        for outcome in DELIVERY_OUTCOMES:
            self.deliveries.labels(outcome)


PROCESS = ProcessMetrics()


def record_ingest(accepted: int, duplicate: int, rejected: int, seconds: float) -> None:
    """Count one batch of events (however it arrived) and how long storing it took."""
    for outcome, count in zip(INGEST_OUTCOMES, (accepted, duplicate, rejected), strict=True):
        if count:
            PROCESS.events.labels(outcome).inc(count)
    PROCESS.ingest_seconds.observe(seconds)


def record_evaluation(agreement_id: str, seconds: float) -> None:
    """Count one evaluation of an agreement and how long it took."""
    PROCESS.evaluations.labels(agreement_id).inc()
    PROCESS.evaluation_seconds.labels(agreement_id).observe(seconds)


def record_evaluation_failure(agreement_id: str) -> None:
    """Count one failed evaluation of an agreement (recorded in evaluation_health too)."""
    PROCESS.evaluation_failures.labels(agreement_id).inc()


def record_background_failure(stage: str, agreement_id: str = "") -> None:
    """Count one failure in the alert tick or sending that was logged and skipped."""
    PROCESS.background_failures.labels(stage, agreement_id).inc()


def record_delivery(outcome: str) -> None:
    """Count one notification attempt: sent, retried (failed for now) or failed for good."""
    PROCESS.deliveries.labels(outcome).inc()


def _gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


@dataclass
class _Families:
    """The gauges one scrape fills from the database."""

    info: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_objective_info",
            "An objective of an agreement's current version (always 1)",
            ["agreement", "objective", "owner", "kind", "op", "title"],
        )
    )
    value: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_objective_value", "Measured value (shares as 0..1)", OBJECTIVE
        )
    )
    target: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_objective_target", "Target (shares as 0..1)", OBJECTIVE
        )
    )
    status: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_objective_status",
            "1 for the objective's status, 0 for the others",
            [*OBJECTIVE, "status"],
        )
    )
    budget: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_error_budget_remaining",
            "Unspent share of the failures the target allows; negative when overspent",
            OBJECTIVE,
        )
    )
    as_of: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_results_as_of_seconds",
            "Evaluation instant of an agreement's stored results, Unix seconds",
            ["agreement"],
        )
    )
    open_escalations: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_escalations_open", "Escalations not closed", ["agreement", "objective"]
        )
    )
    deliveries: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_deliveries", "Notification deliveries by status", ["status"]
        )
    )
    failing: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_evaluation_failing",
            "1 while an agreement's latest evaluation failed (its results are frozen), else 0",
            ["agreement"],
        )
    )
    failing_total: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_evaluations_failing", "Agreements whose latest evaluation failed", []
        )
    )
    since_success: GaugeMetricFamily = field(
        default_factory=lambda: _gauge(
            "slawatch_evaluation_seconds_since_success",
            "Seconds since an agreement's results were last stored by a successful evaluation",
            ["agreement"],
        )
    )

    def all(self) -> tuple[GaugeMetricFamily, ...]:
        return (
            self.info,
            self.value,
            self.target,
            self.status,
            self.budget,
            self.as_of,
            self.open_escalations,
            self.deliveries,
            self.failing,
            self.failing_total,
            self.since_success,
        )


class StoredFigures(Collector):
    """Read every agreement's latest figures per objective from the database on each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        families = _Families()
        now = time.time()
        with read_transaction(self.engine) as connection:
            escalations = open_escalation_counts(connection)
            health = all_health(connection)
            for status_name, count in delivery_counts(connection).items():
                families.deliveries.add_metric([status_name], count)
            for stored in current_agreements(connection):
                _health_figures(families, stored.id, health.get(stored.id), now)
                latest = _latest_objectives(stored_results(connection, stored.id))
                newest = max((row[2] for row in latest.values()), default=None)
                if newest is not None:
                    families.as_of.add_metric([stored.id], newest / 1_000_000)
                _objective_figures(families, stored.agreement, latest, escalations)
        families.failing_total.add_metric([], sum(1 for h in health.values() if h.failing))
        yield from families.all()


def _health_figures(families: _Families, agreement_id: str, standing: Any, now: float) -> None:
    """Add whether an agreement's evaluation fails, and how long since it last succeeded."""
    if standing is None:
        return
    families.failing.add_metric([agreement_id], float(standing.failing))
    if standing.last_success_at is not None:
        age = max(0.0, now - standing.last_success_at / 1_000_000)
        families.since_success.add_metric([agreement_id], age)


def _objective_figures(
    families: _Families,
    agreement: Agreement,
    latest: dict[str, tuple[str, ObjectiveResult, int]],
    escalations: dict[tuple[str, str], int],
) -> None:
    """Add each objective's definition, open escalations and latest stored figures."""
    for objective in agreement.objectives.values():
        op = objective.target.op.value
        definition = [agreement.id, objective.id, objective.owner, objective.kind, op]
        families.info.add_metric([*definition, objective.title], 1)
        count = escalations.get((agreement.id, objective.id), 0)
        families.open_escalations.add_metric([agreement.id, objective.id], count)
        if objective.id not in latest:
            continue
        period, result, _ = latest[objective.id]
        labels = [agreement.id, objective.id, period]
        if result.value is not None:
            families.value.add_metric(labels, result.value)
        families.target.add_metric(labels, result.target)
        for name in STATUSES:
            families.status.add_metric([*labels, name], float(result.status.value == name))
        remaining = result.budget_left()
        if remaining is not None:
            families.budget.add_metric(labels, remaining)


def _latest_objectives(results: list[StoredResult]) -> dict[str, tuple[str, ObjectiveResult, int]]:
    """Return, per objective id, its latest stored period: (label, result, as_of µs)."""
    latest: dict[str, tuple[str, ObjectiveResult, int]] = {}
    for stored in results:  # earliest first, so later periods win
        for result in stored.objectives:
            latest[result.objective] = (stored.period, result, stored.as_of)
    return latest


class _ProcessFigures(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from PROCESS.registry.collect()


def app_registry(engine: Engine) -> CollectorRegistry:
    """Return a registry of one app: its database's figures and this process's counters."""
    registry = CollectorRegistry()
    registry.register(StoredFigures(engine))
    registry.register(FeedFigures(engine))
    registry.register(_ProcessFigures())
    return registry
