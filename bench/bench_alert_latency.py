"""From an item passing its deadline to its tier-1 message arriving at a real SMTP server.

Usage:
    uv run --group bench python bench/bench_alert_latency.py [--tick 15] [--items 12] \
        [--backend sqlite]

What runs is what `slawatch serve` runs: the stored item clocks written by the evaluator, the
runner's alerts task (triggers, the ladder, queuing the step's mail) and its sending job, with
the mail going through apprise to aiosmtpd on 127.0.0.1. Each item's deadline falls at a
different moment between two ticks (the worst case is just after a tick). The latency of an
item is the arrival time of its "Breached" message at the SMTP server minus its deadline.
Target: at most the tick + 5 s.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.alerts.mail_sink import MailSink  # noqa: E402

from slawatch.alerts.delivery import send_due  # noqa: E402
from slawatch.alerts.notify import enqueue_step  # noqa: E402
from slawatch.alerts.tick import EscalationTicker  # noqa: E402
from slawatch.background import Runner  # noqa: E402
from slawatch.config import Settings  # noqa: E402
from slawatch.evaluation.service import refresh_all  # noqa: E402
from slawatch.store.agreements import save_version  # noqa: E402
from slawatch.store.db import make_engine, transaction  # noqa: E402
from slawatch.store.events import EventIn, store_events  # noqa: E402
from slawatch.store.migrate import upgrade  # noqa: E402
from slawatch.wall_clock import now_us  # noqa: E402

US = 1_000_000
AGREEMENT = """\
agreement: hotline
title: Hotline callbacks
timezone: Europe/Berlin
effective: 2026-01-01
parties:
  support:
    name: Support
    contacts: [agent@example.com, head.support@example.com, cto@example.com]
objectives:
  callback:
    owner: support
    title: Call back within two minutes
    clock: {start: called, stop: called_back}
    within: 2m
    target: ">= 95%"
escalation:
  - {after: 0m, tier: 1}
  - {after: 1h, tier: 2}
"""


def run(url: str, *, tick: float, items: int) -> list[float]:
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as connection:
        save_version(connection, AGREEMENT, author="bench", reason="latency benchmark")
    start = time.time()
    # Deadlines spread over two ticks, starting once the clocks are stored and the ticker runs.
    lead = 20.0
    deadlines = {f"call-{n}": start + lead + n * (2 * tick / items) for n in range(items)}
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                EventIn("hotline", item, "called", int((deadline - 120) * US), "call", {})
                for item, deadline in deadlines.items()
            ],
        )
    refresh_all(engine)
    with MailSink() as sink:
        settings = Settings(smtp_url=sink.smtp_url, alert_tick=tick)
        ticker = EscalationTicker(
            engine, lookback_days=7, notify=functools.partial(enqueue_step, settings=settings)
        )
        runner = Runner()
        runner.every("alerts", tick, ticker.tick, job="escalation tick")
        runner.then("alerts", "sending", lambda: send_due(engine, now=now_us(), owner="bench"))
        runner.start()
        arrived: dict[str, float] = {}
        until = max(deadlines.values()) + 3 * tick + 30
        while len(arrived) < items and time.time() < until:
            with sink.lock:
                for message in sink.messages:
                    subject = str(message["Subject"])
                    for item in deadlines:
                        if f"hotline/{item})" in subject and "Breached" in subject:
                            arrived.setdefault(item, time.time())
            time.sleep(0.05)
        runner.stop()
    engine.dispose()
    missing = sorted(set(deadlines) - set(arrived))
    if missing:
        raise SystemExit(f"no message arrived for {missing}")
    return [arrived[item] - deadline for item, deadline in deadlines.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tick", type=float, default=15.0, help="the alert tick, seconds")
    parser.add_argument("--items", type=int, default=12)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if arguments.backend == "sqlite":
            url = f"sqlite:///{folder}/latency.db"
        else:
            url = "postgresql+psycopg://postgres@127.0.0.1:5432/slawatch_latency"
            from sqlalchemy import create_engine, text

            admin = create_engine(
                "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as connection:
                connection.execute(text("DROP DATABASE IF EXISTS slawatch_latency WITH (FORCE)"))
                connection.execute(text("CREATE DATABASE slawatch_latency"))
        latencies = sorted(run(url, tick=arguments.tick, items=arguments.items))
    print(
        f"{arguments.backend}, tick {arguments.tick:g} s, {len(latencies)} items: "
        f"median {statistics.median(latencies):.1f} s, "
        f"p95 {latencies[max(0, round(0.95 * len(latencies)) - 1)]:.1f} s, "
        f"max {latencies[-1]:.1f} s, min {latencies[0]:.1f} s "
        f"(target ≤ tick + 5 s = {arguments.tick + 5:g} s)"
    )


if __name__ == "__main__":
    main()
