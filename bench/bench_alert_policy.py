"""How many messages the demo's first 15 minutes send, with and without the delivery policy.

Usage: uv run --group bench python bench/bench_alert_policy.py [--minutes 15]

Builds the demo database (as `slawatch demo` does) at the current instant, then replays what
`slawatch serve` does, on simulated time: an evaluation every 60 s, an alert tick every 15 s
(triggers, ladder steps, queuing), the digest job. Nothing is sent; the queued deliveries are
counted. Run once with every message at once (the policy switched off) and once with the
default preferences, each on a fresh copy of the same database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slawatch.alerts import outbox  # noqa: E402
from slawatch.alerts.digests import Digests  # noqa: E402
from slawatch.alerts.notify import enqueue_step  # noqa: E402
from slawatch.alerts.preferences import NOW, Decision  # noqa: E402
from slawatch.alerts.tick import run_tick  # noqa: E402
from slawatch.config import Settings, get_settings  # noqa: E402
from slawatch.engine.instants import US, to_us  # noqa: E402
from slawatch.evaluation.service import refresh_all  # noqa: E402
from slawatch.store.db import make_engine, read_transaction  # noqa: E402
from slawatch.store.deliveries import list_deliveries  # noqa: E402

TICK_US = 15 * US
MAIL = "mailto://127.0.0.1:1025?from=slawatch@example.com"


def build(path: Path, now: dt.datetime) -> None:
    os.environ["SLAWATCH_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["SLAWATCH_SMTP_URL"] = MAIL
    get_settings.cache_clear()
    from slawatch.commands.serve import load_demo

    load_demo(now=now)


def replay(path: Path, start: int, minutes: int) -> Counter[str]:
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings(database_url=f"sqlite:///{path}", smtp_url=MAIL)
    digests = Digests(engine, settings, "bench")
    notify = functools.partial(enqueue_step, settings=settings)
    for n in range(minutes * 60 * US // TICK_US + 1):
        now = start + n * TICK_US
        if n % 4 == 0:
            refresh_all(engine, as_of=now)
        run_tick(engine, now=now, owner="bench", lookback_us=7 * 86_400 * US, notify=notify)
        digests.run(now)
    with read_transaction(engine) as connection:
        queued = list_deliveries(connection, limit=100_000)
    counts: Counter[str] = Counter()
    for delivery in queued:
        counts["all"] += 1
        counts[f"to {delivery.recipient}"] += 1
        if delivery.dedup_key.startswith("digest:"):
            counts["digests"] += 1
    engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=15)
    args = parser.parse_args()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "demo.db"
        build(base, now)
        policy, everything = Path(folder) / "policy.db", Path(folder) / "all.db"
        for copy in (policy, everything):  # the backup API: the WAL's pages included
            with sqlite3.connect(base) as source, sqlite3.connect(copy) as target:
                source.backup(target)
        with_policy = replay(policy, to_us(now), args.minutes)
        original = outbox.decide
        outbox.decide = lambda *a, now, **k: Decision(NOW, now)  # type: ignore[assignment]
        try:
            without = replay(everything, to_us(now), args.minutes)
        finally:
            outbox.decide = original
    print(f"first {args.minutes} minutes of the demo, started {now:%Y-%m-%d %H:%M} UTC")
    print(f"  every message at once: {without['all']}")
    print(f"  with the delivery policy: {with_policy['all']} ({with_policy['digests']} digests)")
    for key in sorted(k for k in without if k.startswith("to ")):
        print(f"    {key}: {without[key]} -> {with_policy.get(key, 0)}")


if __name__ == "__main__":
    main()
