"""How many messages the demo's first minutes send, by tier and by trigger, on a fake clock.

Usage: uv run --group bench python bench/bench_alert_count.py [--minutes 15]
       [--now 2026-12-07T09:00:00Z]

The demo is loaded (`commands/serve.py`'s `load_demo`) into a temporary SQLite file at a fixed
`now`, then the background work `slawatch serve` registers (`web/periodic.py`: the evaluation
every `SLAWATCH_EVALUATION_INTERVAL`, the alerts task every `SLAWATCH_ALERT_TICK` with its
escalation tick, reminders and sending) runs round by round on a simulated clock from `now`
to `now + minutes`, every round at the instant it would run in a real process. Mail goes to a
local SMTP server. Printed: the messages queued (deliveries) and the mails that arrived, by
tier and by trigger. Target (issue 12): at most a third of the release before's count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from tests.alerts.mail_sink import MailSink  # noqa: E402

import slawatch.evaluation.service  # noqa: E402, F401 - imported before the clock is faked
from slawatch import wall_clock  # noqa: E402
from slawatch.commands.serve import load_demo  # noqa: E402
from slawatch.config import Settings, get_settings  # noqa: E402
from slawatch.store.db import make_engine  # noqa: E402
from slawatch.store.schema import deliveries, escalation_steps, escalations  # noqa: E402
from slawatch.web.periodic import periodic_work  # noqa: E402

US = 1_000_000
REAL_NOW = wall_clock.now_us


@contextmanager
def fake_clock(read: Callable[[], int]) -> Iterator[None]:
    """Make every slawatch module's `now_us` read the simulated clock, then put it back."""
    patched = []
    for name, module in list(sys.modules.items()):
        if name.startswith("slawatch") and getattr(module, "now_us", None) is REAL_NOW:
            setattr(module, "now_us", read)  # noqa: B010 - a module attribute, on purpose
            patched.append(module)
    try:
        yield
    finally:
        for module in patched:
            setattr(module, "now_us", REAL_NOW)  # noqa: B010


def simulate(settings: Settings, start: int, minutes: float) -> None:
    """Run the serving process's periodic tasks on a simulated clock, in due order."""
    engine = make_engine(settings.database_url)
    now = [start]
    with fake_clock(lambda: now[0]):
        periodic = periodic_work(settings, engine)
        tasks = list(periodic.runner.tasks.values())
        due = {task.name: start for task in tasks}  # every task runs a round at start-up
        end = start + int(minutes * 60 * US)
        while min(due.values()) <= end:
            name = min(due, key=lambda n: (due[n], n != "evaluation"))
            now[0] = due[name]
            task = periodic.runner.tasks[name]
            task.run_round()
            due[name] += int(task.interval * US)
    engine.dispose()


def tally(settings: Settings) -> tuple[Counter[tuple[str, str]], int]:
    """Count queued messages by (tier, trigger); the tier is the ladder step's."""
    engine = make_engine(settings.database_url)
    counted: Counter[tuple[str, str]] = Counter()
    with engine.connect() as connection:
        tiers = {row.id: row.tier for row in connection.execute(select(escalation_steps))}
        triggers = {row.id: row.trigger for row in connection.execute(select(escalations))}
        rows = list(connection.execute(select(deliveries)))
    for row in rows:
        key = row.dedup_key.split(":")
        # Messages of no escalation are named by their key: digest, summary, weekly, report …
        trigger = triggers.get(row.escalation_id, key[0]) if row.escalation_id else key[0]
        tier = tiers.get(int(key[1])) if key[0] == "step" and key[1].isdigit() else None
        counted[(f"tier {tier}" if tier else "-", trigger)] += 1
    engine.dispose()
    return counted, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--now", default="2026-12-07T09:00:00+00:00", help="the demo's start")
    parser.add_argument("--keep", type=Path, help="keep the demo database in this file")
    arguments = parser.parse_args()
    now = dt.datetime.fromisoformat(arguments.now)
    start = int(now.timestamp()) * US
    with tempfile.TemporaryDirectory() as folder, MailSink() as sink:
        database_file = arguments.keep or Path(folder) / "demo.db"
        database_file.unlink(missing_ok=True)
        os.environ["SLAWATCH_DATABASE_URL"] = f"sqlite:///{database_file.resolve()}"
        os.environ["SLAWATCH_DEMO"] = "1"
        os.environ["SLAWATCH_SMTP_URL"] = sink.smtp_url
        get_settings.cache_clear()
        with fake_clock(lambda: start):
            load_demo(now=now)
        settings = get_settings()
        simulate(settings, start, arguments.minutes)
        counted, queued = tally(settings)
        with sink.lock:
            arrived = len(sink.messages)
    print(
        f"demo from {now.isoformat()}, {arguments.minutes:g} simulated minutes, "
        f"tick {settings.alert_tick:g} s: {queued} messages queued, {arrived} mails arrived"
    )
    for tier in sorted({t for t, _ in counted}):
        print(f"  {tier}: {sum(n for (t, _), n in counted.items() if t == tier)}")
    for trigger in sorted({g for _, g in counted}):
        print(f"  {trigger}: {sum(n for (_, g), n in counted.items() if g == trigger)}")
    for (tier, trigger), count in sorted(counted.items()):
        print(f"    {tier:7} {trigger:18} {count}")


if __name__ == "__main__":
    main()
