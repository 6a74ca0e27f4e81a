"""The periodic work of a serving process, registered with the one background runner.

Two tasks, each in its thread: the evaluation (every `evaluation_interval`, and soon after an
ingestion), and the alerts (every `alert_tick`): the escalation tick, which also escalates
agreements whose evaluation keeps failing, then the disputes' ladders, then the incidents of
emergency plans (opened by their triggers, overdue steps escalated), then the review
reminders, then the silent feeds (`alerts/feeds.py`), then the reports of periods that closed,
then the sending of what is queued, so a ladder step's message goes out in the round that took
the step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from slawatch.alerts.delivery import send_due
from slawatch.alerts.digests import Digests
from slawatch.alerts.disputes import DisputeClimber
from slawatch.alerts.failing_evaluations import enqueue_failure_step
from slawatch.alerts.feeds import send_feed_alerts
from slawatch.alerts.incident_tick import run_incident_tick
from slawatch.alerts.notify import enqueue_step
from slawatch.alerts.reviews import send_review_reminders
from slawatch.alerts.tick import EscalationTicker
from slawatch.alerts.weekly_digest import send_weekly_digests
from slawatch.background import Runner, Task
from slawatch.config import Settings
from slawatch.evaluation.scheduler import BackgroundEvaluation
from slawatch.evaluation.service import process_owner
from slawatch.reports.delivery import deliver_reports
from slawatch.store.feeds import silent_now
from slawatch.wall_clock import now_us

EVALUATION = "evaluation"
ALERTS = "alerts"


@dataclass(frozen=True)
class Periodic:
    """The runner, and the evaluation task an ingestion asks for a round."""

    runner: Runner
    evaluation: BackgroundEvaluation
    evaluation_task: Task


def periodic_work(settings: Settings, engine: Engine) -> Periodic:
    """Register the evaluation and the alerts with a new runner."""
    runner = Runner()
    evaluation = BackgroundEvaluation(engine, interval=settings.evaluation_interval)
    task = runner.every(
        EVALUATION, settings.evaluation_interval, evaluation.refresh, job="background evaluation"
    )
    owner = process_owner()
    ticker = EscalationTicker(
        engine,
        lookback_days=settings.alert_lookback_days,
        notify=functools.partial(enqueue_step, settings=settings),
        notify_admins=functools.partial(enqueue_failure_step, settings=settings),
        evaluation_interval=settings.evaluation_interval,
        owner=owner,
    )
    runner.every(ALERTS, settings.alert_tick, ticker.tick, job="escalation tick")
    runner.then(ALERTS, "disputes", DisputeClimber(engine, settings, owner, now_us).climb)
    runner.then(ALERTS, "incidents", _incidents(settings, engine, owner))
    runner.then(ALERTS, "review reminders", _review_reminders(settings, engine))
    runner.then(ALERTS, "silent feeds", _feed_alerts(settings, engine))
    runner.then(ALERTS, "digests", functools.partial(_digests, Digests(engine, settings, owner)))
    runner.then(ALERTS, "weekly team digests", _weekly_digests(settings, engine))
    runner.then(
        ALERTS,
        "report delivery",
        lambda: deliver_reports(engine, now=now_us(), settings=settings),
    )
    runner.then(ALERTS, "sending", lambda: send_due(engine, now=now_us(), owner=owner))
    return Periodic(runner, evaluation, task)


def _incidents(settings: Settings, engine: Engine, owner: str) -> Callable[[], object]:
    """Open incidents for the plans' triggers and escalate overdue steps (alerts/incident_tick)."""

    def tick() -> object:
        return run_incident_tick(
            engine, now=now_us(), owner=owner, settings=settings, silent_feeds=silent_now
        )

    return tick


def _review_reminders(settings: Settings, engine: Engine) -> Callable[[], int]:
    """Remind the parties' department heads of due reviews, once per process and due date."""
    seen: set[str] = set()

    def remind() -> int:
        return send_review_reminders(engine, now=now_us(), settings=settings, seen=seen)

    return remind


def _feed_alerts(settings: Settings, engine: Engine) -> Callable[[], int]:
    """Tell the parties of a feed that went silent or came back, once per silence."""
    seen: set[str] = set()

    def alert() -> int:
        return send_feed_alerts(engine, now=now_us(), settings=settings, seen=seen)

    return alert


def _digests(digests: Digests) -> object:
    """Send the due digests and daily summaries (alerts/digests.py), every alert tick."""
    return digests.run(now_us())


def _weekly_digests(settings: Settings, engine: Engine) -> Callable[[], int]:
    """Send each manager their team's digest once a week (alerts/weekly_digest.py)."""
    seen: set[str] = set()

    def send() -> int:
        return send_weekly_digests(engine, now=now_us(), settings=settings, seen=seen)

    return send
