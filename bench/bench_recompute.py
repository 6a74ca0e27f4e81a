"""Time to bring a 1,000,000-lead agreement's stored results up to date after 1,000 new events.

Usage:
    uv run --group bench python bench/bench_recompute.py [--backend sqlite|postgresql|both] \
        [--runs 5]

Loads the generated marketing-sales file (1,125,000 items: 1,000,000 leads and 125,000
requests, 12 months, seed 42; bench/bench_evaluate.py makes it) into a fresh store in bulk,
holding back the latest `runs × 1,000` events. Then, in one process with one event cache:
- cold: the first refresh (every event loaded from the database, every version evaluated);
- per run: 1,000 held-back events stored through `store_events` (the API's path, timed
  apart), then the refresh that brings the stored results and the stored item clocks up to
  date — the target figure;
- restart: a second Recomputer (sharing the event cache, but keeping no clocks) refreshes:
  it reads the stored clocks back to diff against them, and must write nothing.
The cold refresh includes the initial fill of `item_clocks` (about a million rows), timed apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Connection, Engine, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_evaluate import generate  # noqa: E402

from slawatch.engine.instants import to_us  # noqa: E402
from slawatch.evaluation import service  # noqa: E402
from slawatch.evaluation.cache import EventCache  # noqa: E402
from slawatch.evaluation.clocks import item_clock_frame  # noqa: E402
from slawatch.evaluation.service import Recomputer, evaluate_history  # noqa: E402
from slawatch.ingest.files import EventLog, read_events  # noqa: E402
from slawatch.store.agreements import all_versions, save_version  # noqa: E402
from slawatch.store.clock_lists import at_risk_queue, clock_counts, clock_page  # noqa: E402
from slawatch.store.clocks import COMPARED, diff_clocks, stored_clock_frame  # noqa: E402
from slawatch.store.db import make_engine, read_transaction, transaction  # noqa: E402
from slawatch.store.events import EventIn, store_events  # noqa: E402
from slawatch.store.migrate import upgrade  # noqa: E402

AGREEMENT = ROOT / "examples" / "marketing-sales.yaml"
AS_OF = to_us(dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")))  # after all 12 months
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
BATCH = 1_000


def fresh_database(backend: str, name: str = "recompute") -> Engine:
    """Return a new, migrated database of this benchmark's own (`name`: its file or database)."""
    if backend == "sqlite":
        path = ROOT / "bench" / "out" / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
    else:
        database = f"slawatch_bench_{name}"
        admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        engine = make_engine(f"{POSTGRES}/{database}")
    upgrade(engine)
    return engine


def item_rows(log: EventLog, ids: dict[str, int], last_at: dict[str, int]) -> pl.DataFrame:
    names = [c for c in log.items.columns if c not in ("item", "kind")]
    rows = []
    for row in log.items.iter_rows(named=True):
        at = last_at[row["item"]]
        stamped = {"kind": [row["kind"], at]} if row["kind"] else {}
        stamped |= {name: [row[name], at] for name in names if row[name]}
        rows.append((ids[row["item"]], row["item"], row["kind"], json.dumps(stamped)))
    return pl.DataFrame(
        rows, schema=["id", "external_id", "kind", "attributes"], orient="row"
    ).with_columns(pl.lit("default").alias("source"))


def bulk_load(engine: Engine, log: EventLog, held_back: int) -> pl.DataFrame:
    """Insert items and all but the latest `held_back` events; return those held back."""
    events = log.events.sort("at", "item", "type")
    kept, back = events.head(events.height - held_back), events.tail(held_back)
    ids = {item: index + 1 for index, item in enumerate(log.items.get_column("item"))}
    last_at = dict(events.group_by("item").agg(pl.col("at").max()).iter_rows())
    items = item_rows(log, ids, last_at).select("id", "source", "external_id", "kind", "attributes")
    rows = kept.select(
        pl.int_range(1, kept.height + 1, dtype=pl.Int64).alias("id"),
        pl.col("item").replace_strict(ids, return_dtype=pl.Int64).alias("item_id"),
        "type",
        "at",
        pl.col("at").alias("received_at"),
    )
    with transaction(engine) as connection:
        raw = connection.connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            with raw.cursor() as cursor:  # type: ignore[union-attr]
                for table, frame in (("items", items), ("events", rows)):
                    buffer = io.BytesIO()
                    frame.write_csv(buffer, include_header=False)
                    columns = ", ".join(frame.columns)
                    copy_sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)"
                    with cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
                        copy.write(buffer.getvalue())
                for table in ("items", "events"):
                    cursor.execute(  # type: ignore[union-attr]
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
        else:
            cursor = raw.cursor()  # type: ignore[union-attr]
            cursor.executemany(
                "INSERT INTO items (id, source, external_id, kind, attributes) "
                "VALUES (?, ?, ?, ?, ?)",
                items.iter_rows(),
            )
            cursor.executemany(
                "INSERT INTO events (id, item_id, type, at, received_at) VALUES (?, ?, ?, ?, ?)",
                rows.iter_rows(),
            )
    return back


def as_input(frame: pl.DataFrame) -> list[EventIn]:
    return [EventIn("default", item, kind, at) for item, kind, at in frame.iter_rows()]


class Timed:
    """Wrap a function of the service module to record how long each call took."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.inner: Callable[..., Any] = getattr(service, name)
        self.seconds: list[float] = []
        self.results: list[Any] = []
        setattr(service, name, self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = self.inner(*args, **kwargs)
        self.seconds.append(time.perf_counter() - started)
        self.results.append(result)
        return result


def page_reads(connection: Connection) -> dict[str, float]:
    """Time the reads the pages make of the stored clocks (best of three each)."""
    agreement, objective = "marketing-sales", "speed-to-lead"

    def page(**filters: Any) -> Callable[[], object]:
        arguments: dict[str, Any] = {"period": None, "states": None, "attributes": None}
        arguments |= filters
        return lambda: clock_page(connection, agreement, objective, limit=50, offset=0, **arguments)

    reads: dict[str, Callable[[], object]] = {
        "item list, first page": page(),
        "item list of a month": page(period="2026-06"),
        "item list, at risk, of a month": page(period="2026-06", states=["at_risk"]),
        "item list by attribute": page(attributes={"region": "west"}),
        "item list of a month by attribute": page(period="2026-06", attributes={"region": "west"}),
        "at-risk queue, 50": lambda: at_risk_queue(connection, limit=50),
        "counts of a month": lambda: clock_counts(connection, agreement, objective, "2026-06"),
    }
    figures = {}
    for name, read in reads.items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            read()
            times.append(time.perf_counter() - started)
        figures[name] = round(min(times), 3)
    return figures


def run(backend: str, log: EventLog, runs: int) -> dict[str, object]:
    engine = fresh_database(backend)
    with transaction(engine) as connection:
        save_version(connection, AGREEMENT.read_text(), author="bench", reason="bench")
    started = time.perf_counter()
    back = bulk_load(engine, log, runs * BATCH)
    print(f"{backend}: bulk load {time.perf_counter() - started:.1f} s")
    recomputer = Recomputer(engine, "bench", EventCache())
    clocks, diffs = Timed("item_clock_frame"), Timed("diff_clocks")
    writes = Timed("write_clock_changes")
    started = time.perf_counter()
    assert recomputer.refresh(as_of=AS_OF) == ["marketing-sales"]
    cold = time.perf_counter() - started
    fill, filled = writes.seconds[-1], writes.results[-1].inserted
    print(f"{backend}: cold refresh (full load + evaluate + store) {cold:.2f} s")
    print(f"{backend}: of which the initial fill of {filled:,} item clocks {fill:.2f} s")
    stores, refreshes, written, clock_seconds = [], [], [], []
    for index in range(runs):
        batch = as_input(back.slice(index * BATCH, BATCH).select("item", "type", "at"))
        started = time.perf_counter()
        with transaction(engine) as connection:
            assert store_events(connection, batch).accepted == BATCH
        stores.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert recomputer.refresh(as_of=AS_OF) == ["marketing-sales"]
        refreshes.append(time.perf_counter() - started)
        written.append(writes.results[-1].written)
        clock_seconds.append(clocks.seconds[-1] + diffs.seconds[-1] + writes.seconds[-1])
        print(
            f"{backend}: run {index + 1}: store {stores[-1]:.3f} s, refresh {refreshes[-1]:.3f} s "
            f"(clocks {clock_seconds[-1]:.3f} s, {written[-1]:,} rows written)"
        )
    restarted = Recomputer(engine, "bench-restart", recomputer.cache)
    started = time.perf_counter()
    assert restarted.refresh(as_of=AS_OF, stale_after=0) == ["marketing-sales"]
    restart = time.perf_counter() - started
    assert writes.results[-1].written == 0, "a restart must not rewrite clocks"
    print(f"{backend}: refresh of a restarted process (reads the stored clocks) {restart:.2f} s")
    # Where the time of one refresh goes: appending to the cache, evaluating, the rest.
    started = time.perf_counter()
    table, _ = recomputer.cache.current(engine)
    append = time.perf_counter() - started
    with read_transaction(engine) as connection:
        versions = all_versions(connection, "marketing-sales")
    started = time.perf_counter()
    evaluate_history(versions, table, as_of=AS_OF)
    evaluating = time.perf_counter() - started
    started = time.perf_counter()
    frame = item_clock_frame(versions, table, as_of=AS_OF)
    computing_clocks = time.perf_counter() - started
    started = time.perf_counter()
    diff_clocks("marketing-sales", frame.select(COMPARED), frame)
    diffing = time.perf_counter() - started
    with read_transaction(engine) as connection:
        started = time.perf_counter()
        stored_clock_frame(connection, "marketing-sales")
        reading_clocks = time.perf_counter() - started
        pages = page_reads(connection)
    engine.dispose()
    return {
        "backend": backend,
        "events": table.events.height,
        "cold_s": round(cold, 3),
        "store_1000_median_s": round(statistics.median(stores), 3),
        "refresh_after_1000_median_s": round(statistics.median(refreshes), 3),
        "refresh_after_1000_min_s": round(min(refreshes), 3),
        "refresh_after_1000_max_s": round(max(refreshes), 3),
        "of_which_evaluate_s": round(evaluating, 3),
        "of_which_clocks_median_s": round(statistics.median(clock_seconds), 3),
        "clock_rows_written_median": statistics.median(written),
        "clock_rows_written_max": max(written),
        "computing_clocks_s": round(computing_clocks, 3),
        "diffing_clocks_s": round(diffing, 3),
        "clocks_stored": frame.height,
        "initial_fill_s": round(fill, 3),
        "reading_stored_clocks_s": round(reading_clocks, 3),
        "refresh_after_restart_s": round(restart, 3),
        "cache_check_without_new_events_s": round(append, 3),
        "page_reads_s": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=1_125_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    started = time.perf_counter()
    log = read_events(generate(options.items))
    print(f"read {log.events.height:,} events in {time.perf_counter() - started:.1f} s")
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    figures = [run(backend, log, options.runs) for backend in backends]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
