"""The serving process's periodic work: the evaluation, and the alerts with their jobs in order."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.web.periodic import ALERTS, EVALUATION, periodic_work


def test_the_evaluation_and_the_alerts_run_at_their_configured_intervals(engine: Engine):
    settings = Settings(evaluation_interval=90, alert_tick=7)
    periodic = periodic_work(settings, engine)
    tasks = periodic.runner.tasks
    assert set(tasks) == {EVALUATION, ALERTS}
    assert (tasks[EVALUATION].interval, tasks[ALERTS].interval) == (90, 7)
    assert periodic.evaluation_task is tasks[EVALUATION]


def test_a_round_of_alerts_ticks_then_reminds_then_digests_then_sends(engine: Engine):
    alerts = periodic_work(Settings(), engine).runner.tasks[ALERTS]
    assert [job.name for job in alerts.jobs] == [
        "escalation tick",
        "disputes",
        "incidents",
        "review reminders",
        "silent feeds",
        "digests",
        "weekly team digests",
        "report delivery",
        "sending",
    ]
    alerts.run_round()
    assert not alerts.failures and set(alerts.last) == {
        "escalation tick",
        "disputes",
        "incidents",
        "review reminders",
        "silent feeds",
        "digests",
        "weekly team digests",
        "report delivery",
        "sending",
    }
