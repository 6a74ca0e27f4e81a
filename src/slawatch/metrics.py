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
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction
from slawatch.store.deliveries import delivery_counts, open_escalation_counts
from slawatch.store.health import all_health
from slawatch.store.results import stored_results

STATUSES = ("met", "on_track", "at_risk", "breached", "no_data")
SHARE_KINDS = frozenset({"clock", "ratio", "availability"})
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


def error_budget_remaining(objective: dict[str, Any]) -> float | None:
    """Return the unspent share of an objective's allowed failures; negative once overspent.

    With a target of "≥ 95 %", 5 % of the items (or of the time) may fail; at 98 % measured,
    2 of those 5 points are spent and 0.6 remains. With "≤ 10 %" (an error rate), 10 % may
    fail; at 4 % measured, 0.6 remains. Availability uses the engine's figure: downtime
    against the downtime the target allows over the whole period. Counts have no budget, and
    neither has a target of 100 % (or 0 % for a rate): nothing may fail.
    """
    if objective.get("kind") not in SHARE_KINDS:
        return None
    engine_figure = objective.get("error_budget_remaining")
    if engine_figure is not None:
        return float(engine_figure)
    value, target = objective.get("value"), float(objective["target"])
    if value is None:
        return None
    if objective["op"] in (">=", ">"):
        allowed, spent = 1.0 - target, 1.0 - float(value)
    else:
        allowed, spent = target, float(value)
    return None if allowed <= 0 else 1.0 - spent / allowed


def _gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


class StoredFigures(Collector):
    """Read every agreement's latest figures per objective from the database on each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        info = _gauge(
            "slawatch_objective_info",
            "An objective of an agreement's current version (always 1)",
            ["agreement", "objective", "owner", "kind", "op", "title"],
        )
        value = _gauge("slawatch_objective_value", "Measured value (shares as 0..1)", OBJECTIVE)
        target = _gauge("slawatch_objective_target", "Target (shares as 0..1)", OBJECTIVE)
        status = _gauge(
            "slawatch_objective_status",
            "1 for the objective's status, 0 for the others",
            [*OBJECTIVE, "status"],
        )
        budget = _gauge(
            "slawatch_error_budget_remaining",
            "Unspent share of the failures the target allows; negative when overspent",
            OBJECTIVE,
        )
        as_of = _gauge(
            "slawatch_results_as_of_seconds",
            "Evaluation instant of an agreement's stored results, Unix seconds",
            ["agreement"],
        )
        open_escalations = _gauge(
            "slawatch_escalations_open", "Escalations not closed", ["agreement", "objective"]
        )
        deliveries = _gauge("slawatch_deliveries", "Notification deliveries by status", ["status"])
        failing = _gauge(
            "slawatch_evaluation_failing",
            "1 while an agreement's latest evaluation failed (its results are frozen), else 0",
            ["agreement"],
        )
        failing_total = _gauge(
            "slawatch_evaluations_failing", "Agreements whose latest evaluation failed", []
        )
        since_success = _gauge(
            "slawatch_evaluation_seconds_since_success",
            "Seconds since an agreement's results were last stored by a successful evaluation",
            ["agreement"],
        )
        now = time.time()
        with read_transaction(self.engine) as connection:
            escalations = open_escalation_counts(connection)
            health = all_health(connection)
            for status_name, count in delivery_counts(connection).items():
                deliveries.add_metric([status_name], count)
            for stored in current_agreements(connection):
                agreement = stored.agreement
                standing = health.get(agreement.id)
                if standing is not None:
                    failing.add_metric([agreement.id], float(standing.failing))
                    if standing.last_success_at is not None:
                        age = max(0.0, now - standing.last_success_at / 1_000_000)
                        since_success.add_metric([agreement.id], age)
                latest = _latest_objectives(stored_results(connection, agreement.id))
                newest = max((row[2] for row in latest.values()), default=None)
                if newest is not None:
                    as_of.add_metric([agreement.id], newest / 1_000_000)
                for objective in agreement.objectives.values():
                    info.add_metric(
                        [
                            agreement.id,
                            objective.id,
                            objective.owner,
                            objective.kind,
                            objective.target.op.value,
                            objective.title,
                        ],
                        1,
                    )
                    count = escalations.get((agreement.id, objective.id), 0)
                    open_escalations.add_metric([agreement.id, objective.id], count)
                    if objective.id not in latest:
                        continue
                    period, figures, _ = latest[objective.id]
                    labels = [agreement.id, objective.id, period]
                    if figures.get("value") is not None:
                        value.add_metric(labels, float(figures["value"]))
                    target.add_metric(labels, float(figures["target"]))
                    for name in STATUSES:
                        status.add_metric([*labels, name], float(figures["status"] == name))
                    remaining = error_budget_remaining(figures)
                    if remaining is not None:
                        budget.add_metric(labels, remaining)
        failing_total.add_metric([], sum(1 for h in health.values() if h.failing))
        yield from (info, value, target, status, budget, as_of, open_escalations, deliveries)
        yield from (failing, failing_total, since_success)


def _latest_objectives(results: list[Any]) -> dict[str, tuple[str, dict[str, Any], int]]:
    """Return, per objective id, its latest stored period: (label, figures, as_of µs)."""
    latest: dict[str, tuple[str, dict[str, Any], int]] = {}
    for result in results:  # earliest first, so later periods win
        for period in result.payload.get("periods", []):
            for objective in period.get("objectives", []):
                latest[objective["id"]] = (result.period, objective, result.as_of)
    return latest


class _ProcessFigures(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from PROCESS.registry.collect()


def app_registry(engine: Engine) -> CollectorRegistry:
    """Return a registry of one app: its database's figures and this process's counters."""
    registry = CollectorRegistry()
    registry.register(StoredFigures(engine))
    registry.register(_ProcessFigures())
    return registry
