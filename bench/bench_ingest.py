"""Benchmark ingestion: POST /events against a bare insert, single-event latency, bulk loading.

    uv run --group bench python bench/bench_ingest.py [--backends sqlite postgresql] [--batches 100]
        [--load-events 5000000] [--wrk-seconds 10] [--workers 2]

- ingest: events/s through `POST /api/v1/events` in batches of 1,000 (a real uvicorn server on
  loopback, one client posting back to back, every batch new items), against the floor of the
  same rows inserted into the same tables of a fresh database in the same run by a bare
  `executemany` (SQLite, one transaction per 1,000 like the API) or `COPY` (PostgreSQL); on
  SQLite also by bare multi-row inserts, the statement slawatch itself uses.
- latency: p50/p95 of single-event POSTs from 20 concurrent connections (wrk, a Lua script
  giving every request a new item), against the same server.
- load: `load_event_table` over a store of `--load-events` events (5 per item), in full and
  after 1,000 new events (what the background evaluator reads).

PostgreSQL is at SLAWATCH_TEST_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import create_engine, text

from slawatch.store.db import make_engine, read_transaction, transaction
from slawatch.store.items import load_event_table
from slawatch.store.migrate import upgrade
from slawatch.store.tokens import create_token

POSTGRES = os.environ.get("SLAWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
T0 = 1_767_225_600_000_000
BATCH = 1_000
TYPES = ("qualified", "handed_over", "contacted", "accepted", "converted")


@contextmanager
def database(backend: str) -> Iterator[str]:
    """Yield the URL of a fresh, migrated database; drop it afterwards."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="slawatch-bench-"))
        url = f"sqlite:///{folder / 'bench.db'}"
        try:
            _migrate(url)
            yield url
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    admin = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    name = f"slawatch_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _migrate(f"{POSTGRES}/{name}")
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def server(url: str, workers: int) -> Iterator[str]:
    """Run `uvicorn` as a user would, on loopback; yield its base URL."""
    port = free_port()
    environment = os.environ | {
        "SLAWATCH_DATABASE_URL": url,
        "SLAWATCH_DEMO": "1",
        "SLAWATCH_BACKGROUND": "0",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "slawatch.web.server:app_from_env",
        "--factory",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def ingest_token(url: str) -> str:
    engine = make_engine(url)
    with transaction(engine) as connection:
        secret = create_token(connection, name="bench", scope="ingest", created_by="bench")
    engine.dispose()
    return secret


def batches(count: int, prefix: str) -> list[list[dict[str, object]]]:
    """Return `count` batches of 1,000 events: 200 new items with five events each."""
    result = []
    for b in range(count):
        batch: list[dict[str, object]] = []
        for i in range(BATCH // len(TYPES)):
            item = f"{prefix}-{b}-{i}"
            for t, kind in enumerate(TYPES):
                at = T0 + (b * BATCH + i) * 1_000_000 + t * 3_600_000_000
                batch.append({"item": item, "type": kind, "at": iso(at), "region": "EU"})
        result.append(batch)
    return result


def iso(us: int) -> str:
    seconds, micro = divmod(us, 1_000_000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{stamp}.{micro:06d}Z"


def post_rate(base: str, token: str, bodies: list[bytes], clients: int) -> float:
    """Post the bodies (after the first, a warm-up) from `clients` threads; return events/s."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(share: list[bytes]) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for body in share:
                response = client.post("/api/v1/events", content=body)
                response.raise_for_status()
                assert response.json()["accepted"] == BATCH, response.text

    send(bodies[:1])
    work = bodies[1:]
    shares = [work[i::clients] for i in range(clients)]
    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, shares))
    return len(work) * BATCH / (time.perf_counter() - began)


def floor_rates(backend: str, batches_: list[list[dict[str, object]]]) -> dict[str, float]:
    """Return the floors of the backend, each measured on a fresh database: {name: events/s}.

    SQLite has two: `executemany` (the one the targets are set against) and the same rows as
    multi-row inserts of a batch each, which is how slawatch itself writes them.
    """
    styles = ["executemany", "multi-row insert"] if backend == "sqlite" else ["COPY"]
    rates = {}
    for style in styles:
        with database(backend) as url:
            rates[style] = floor_rate(backend, url, batches_, multirow=style == "multi-row insert")
    return rates


def floor_rate(
    backend: str, url: str, batches_: list[list[dict[str, object]]], *, multirow: bool = False
) -> float:
    """Insert the same rows with the driver alone: what any store must pay at least."""
    item_rows: list[list[tuple[Any, ...]]] = []
    event_rows: list[list[tuple[Any, ...]]] = []
    item_id = 0
    for batch in batches_:
        rows_items: list[tuple[Any, ...]] = []
        rows_events: list[tuple[Any, ...]] = []
        ids: dict[object, int] = {}
        for element in batch:
            if element["item"] not in ids:
                item_id += 1
                ids[element["item"]] = item_id
                attributes = json.dumps({"region": ["EU", 0]})
                rows_items.append((item_id, "default", element["item"], None, attributes))
            at = int(np.datetime64(str(element["at"]).rstrip("Z"), "us").astype(np.int64))
            rows_events.append((ids[element["item"]], element["type"], at, None, T0))
        item_rows.append(rows_items)
        event_rows.append(rows_events)
    began = time.perf_counter()
    if backend == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        began = time.perf_counter()
        for rows_items, rows_events in zip(item_rows, event_rows, strict=True):
            connection.execute("BEGIN IMMEDIATE")
            items_sql = "INSERT INTO items (id, source, external_id, kind, attributes) VALUES "
            events_sql = (
                "INSERT INTO events (item_id, type, at, idempotency_key, received_at) VALUES "
            )
            if multirow:
                values = ", ".join(["(?, ?, ?, ?, ?)"] * len(rows_items))
                connection.execute(items_sql + values, [v for row in rows_items for v in row])
                values = ", ".join(["(?, ?, ?, ?, ?)"] * len(rows_events))
                connection.execute(events_sql + values, [v for row in rows_events for v in row])
            else:
                connection.executemany(items_sql + "(?, ?, ?, ?, ?)", rows_items)
                connection.executemany(events_sql + "(?, ?, ?, ?, ?)", rows_events)
            connection.execute("COMMIT")
        connection.close()
    else:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as postgres:
            began = time.perf_counter()
            for rows_items, rows_events in zip(item_rows, event_rows, strict=True):
                with postgres.transaction(), postgres.cursor() as cursor:
                    columns = "(id, source, external_id, kind, attributes)"
                    with cursor.copy(f"COPY items {columns} FROM STDIN") as copy:
                        for row in rows_items:
                            copy.write_row(row)
                    columns = "(item_id, type, at, idempotency_key, received_at)"
                    with cursor.copy(f"COPY events {columns} FROM STDIN") as copy:
                        for row in rows_events:
                            copy.write_row(row)
    return len(batches_) * BATCH / (time.perf_counter() - began)


WRK_SCRIPT = """
counter = 0
local thread_id = 0
function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"item": "wrk-%d-%d", "type": "qualified", "at": "2026-03-02T09:00:00Z"}', tid, counter)
  return wrk.format(nil, "/api/v1/events", nil, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %d\\n", summary.requests,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
"""


def latency(base: str, token: str, seconds: int) -> tuple[float, float, float, int]:
    """Return (requests/s, p50 ms, p95 ms, errors) of single-event POSTs, 20 connections."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    output = subprocess.run(
        ["wrk", "-t2", "-c20", f"-d{seconds}s", "-s", script.name, base],
        env=os.environ | {"BENCH_TOKEN": token},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    _, requests, duration, p50, p95, errors = line.split()
    return int(requests) / (int(duration) / 1e6), float(p50), float(p95), int(errors)


def populate(url: str, backend: str, n_events: int) -> None:
    """Fill a store with n_events events, five per item, as fast as the driver allows."""
    n_items = n_events // len(TYPES)
    rng = np.random.default_rng(1)
    starts = T0 + rng.integers(0, 365 * 86_400, n_items) * 1_000_000
    item_rows: list[tuple[Any, ...]] = [
        (i + 1, "default", f"lead-{i}", "lead", f'{{"kind": ["lead", 0], "region": ["EU", {i}]}}')
        for i in range(n_items)
    ]
    event_rows: list[tuple[Any, ...]] = [
        (i + 1, kind, int(starts[i]) + t * 3_600_000_000, None, T0)
        for i in range(n_items)
        for t, kind in enumerate(TYPES)
    ]
    if backend == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)", item_rows)
        connection.executemany(
            "INSERT INTO events (item_id, type, at, idempotency_key, received_at) "
            "VALUES (?, ?, ?, ?, ?)",
            event_rows,
        )
        connection.execute("COMMIT")
        connection.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as postgres:
        with postgres.cursor() as cursor:
            columns = "(id, source, external_id, kind, attributes)"
            with cursor.copy(f"COPY items {columns} FROM STDIN") as c:
                for row in item_rows:
                    c.write_row(row)
            columns = "(item_id, type, at, idempotency_key, received_at)"
            with cursor.copy(f"COPY events {columns} FROM STDIN") as c:
                for row in event_rows:
                    c.write_row(row)
            cursor.execute("SELECT setval('items_id_seq', (SELECT max(id) FROM items))")
        postgres.execute("ANALYZE")


def load_times(url: str, backend: str, n_events: int) -> tuple[float, float, int]:
    """Return (full load s, incremental load s after 1,000 new events, events loaded)."""
    populate(url, backend, n_events)
    engine = make_engine(url)
    began = time.perf_counter()
    with read_transaction(engine) as connection:
        loaded = load_event_table(connection)
    full = time.perf_counter() - began
    from slawatch.store.events import EventIn, store_events

    with transaction(engine) as connection:
        store_events(
            connection,
            [EventIn("default", f"lead-{i}", "on_hold", T0 + i) for i in range(BATCH)],
        )
    began = time.perf_counter()
    with read_transaction(engine) as connection:
        newer = load_event_table(connection, after_id=loaded.last_event_id)
    incremental = time.perf_counter() - began
    assert newer.table.events.height == BATCH
    engine.dispose()
    return full, incremental, loaded.table.events.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--load-events", type=int, default=5_000_000)
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip", nargs="*", default=[], choices=["ingest", "latency", "load"])
    arguments = parser.parse_args()
    rows = []
    for backend in arguments.backends:
        if "ingest" not in arguments.skip or "latency" not in arguments.skip:
            work = batches(arguments.batches + 1, f"bench-{uuid.uuid4().hex[:6]}")
            bodies = [json.dumps(batch).encode() for batch in work]
            with database(backend) as url:
                token = ingest_token(url)
                with server(url, arguments.workers) as base:
                    if "ingest" not in arguments.skip:
                        floors = floor_rates(backend, work[1:])
                        for clients in arguments.clients:
                            share = bodies[: arguments.batches + 1]
                            if clients != arguments.clients[0]:
                                work = batches(arguments.batches + 1, f"more-{clients}")
                                share = [json.dumps(batch).encode() for batch in work]
                            api = post_rate(base, token, share, clients)
                            rows.append(
                                (
                                    backend,
                                    f"POST /events, batches of 1,000, {clients} client(s), "
                                    f"{arguments.workers} worker(s)",
                                    f"{api:,.0f} events/s",
                                    "; ".join(
                                        f"floor {name} {floor:,.0f} events/s ({api / floor:.0%})"
                                        for name, floor in floors.items()
                                    ),
                                )
                            )
                    if "latency" not in arguments.skip:
                        rate, p50, p95, errors = latency(base, token, arguments.wrk_seconds)
                        rows.append(
                            (
                                backend,
                                f"single-event POST, 20 connections, {arguments.workers} worker(s)",
                                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
                                f"{rate:,.0f} requests/s, {errors} errors",
                            )
                        )
        if "load" not in arguments.skip:
            with database(backend) as url:
                full, incremental, n = load_times(url, backend, arguments.load_events)
            rows.append(
                (
                    backend,
                    f"load_event_table, {n:,} events",
                    f"full {full:.2f} s",
                    f"after 1,000 new: {incremental * 1000:.0f} ms",
                )
            )
        for row in rows:
            print(" | ".join(row), file=sys.stderr)
    print("| backend | measure | result | comparison |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
