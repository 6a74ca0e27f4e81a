"""Time to bring a 1,000,000-lead agreement's stored results up to date after 1,000 new events.

Usage: uv run python bench/bench_recompute.py [--backend sqlite|postgresql|both] [--runs 5]

Loads the generated marketing-sales file (1,125,000 items: 1,000,000 leads and 125,000
requests, 12 months, seed 42; bench/bench_evaluate.py makes it) into a fresh store in bulk,
holding back the latest `runs × 1,000` events. Then, in one process with one event cache:
- cold: the first refresh (every event loaded from the database, every version evaluated);
- per run: 1,000 held-back events stored through `store_events` (the API's path, timed
  apart), then the refresh that brings the stored results up to date — the target figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_evaluate import generate  # noqa: E402

from slawatch.engine.instants import to_us  # noqa: E402
from slawatch.evaluation.cache import EventCache  # noqa: E402
from slawatch.evaluation.service import Recomputer, evaluate_history  # noqa: E402
from slawatch.ingest.files import EventLog, read_events  # noqa: E402
from slawatch.store.agreements import all_versions, save_version  # noqa: E402
from slawatch.store.db import make_engine, read_transaction, transaction  # noqa: E402
from slawatch.store.events import EventIn, store_events  # noqa: E402
from slawatch.store.migrate import upgrade  # noqa: E402

AGREEMENT = ROOT / "examples" / "marketing-sales.yaml"
AS_OF = to_us(dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")))  # after all 12 months
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
BATCH = 1_000


def fresh_database(backend: str) -> Engine:
    if backend == "sqlite":
        path = ROOT / "bench" / "out" / "recompute.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
    else:
        admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "slawatch_bench" WITH (FORCE)'))
            connection.execute(text('CREATE DATABASE "slawatch_bench"'))
        admin.dispose()
        engine = make_engine(f"{POSTGRES}/slawatch_bench")
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


def run(backend: str, log: EventLog, runs: int) -> dict[str, object]:
    engine = fresh_database(backend)
    with transaction(engine) as connection:
        save_version(connection, AGREEMENT.read_text(), author="bench", reason="bench")
    started = time.perf_counter()
    back = bulk_load(engine, log, runs * BATCH)
    print(f"{backend}: bulk load {time.perf_counter() - started:.1f} s")
    recomputer = Recomputer(engine, "bench", EventCache())
    started = time.perf_counter()
    assert recomputer.refresh(as_of=AS_OF) == ["marketing-sales"]
    cold = time.perf_counter() - started
    print(f"{backend}: cold refresh (full load + evaluate + store) {cold:.2f} s")
    stores, refreshes = [], []
    for index in range(runs):
        batch = as_input(back.slice(index * BATCH, BATCH).select("item", "type", "at"))
        started = time.perf_counter()
        with transaction(engine) as connection:
            assert store_events(connection, batch).accepted == BATCH
        stores.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert recomputer.refresh(as_of=AS_OF) == ["marketing-sales"]
        refreshes.append(time.perf_counter() - started)
        print(
            f"{backend}: run {index + 1}: store {stores[-1]:.3f} s, refresh {refreshes[-1]:.3f} s"
        )
    # Where the time of one refresh goes: appending to the cache, evaluating, the rest.
    started = time.perf_counter()
    table, _ = recomputer.cache.current(engine)
    append = time.perf_counter() - started
    with read_transaction(engine) as connection:
        versions = all_versions(connection, "marketing-sales")
    started = time.perf_counter()
    evaluate_history(versions, table, as_of=AS_OF)
    evaluating = time.perf_counter() - started
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
        "cache_check_without_new_events_s": round(append, 3),
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
