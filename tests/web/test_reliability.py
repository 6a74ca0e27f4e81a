"""The running service under stress: kill -9 mid-stream, concurrent retries, disorder, floods.

These start the real server (`uvicorn slawatch.web.server:app_from_env --factory`) as a child
process on each backend and talk to it over loopback, as a client in production would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import polars as pl
import pytest
from sqlalchemy import Engine, func, select

import slawatch.agreements
from slawatch.agreement_files import load_agreement
from slawatch.commands.output import evaluation_json
from slawatch.engine.events import EventTable
from slawatch.engine.instants import to_us
from slawatch.engine.objectives import evaluate
from slawatch.store.db import read_transaction, transaction
from slawatch.store.items import load_event_table
from slawatch.store.schema import events
from slawatch.store.tokens import create_token

TEMPLATES = Path(slawatch.agreements.__file__).parent / "templates"
START = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
Event = dict[str, object]


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        environment = os.environ | {
            "SLAWATCH_DATABASE_URL": self.database_url,
            "SLAWATCH_DEMO": "1",
            "SLAWATCH_BACKGROUND": "0",
        }
        command = [sys.executable, "-m", "uvicorn", "slawatch.web.server:app_from_env"]
        command += ["--factory", "--port", str(port), "--log-level", "warning"]
        self.process = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start within 30 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def running() -> Iterator[dict[str, Server]]:
    """Servers shared by this module's tests, one per backend: starting one takes seconds."""
    servers: dict[str, Server] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture
def server(database_url: str, running: dict[str, Server]) -> Server:
    if database_url not in running:
        running[database_url] = Server(url="", database_url=database_url)
        running[database_url].start()
    return running[database_url]


@pytest.fixture
def token(engine: Engine) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name="stress", scope="ingest", created_by="test")


def client(server: Server, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def stored_count(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def stored_keys(engine: Engine) -> list[tuple[str, int]]:
    with read_transaction(engine) as connection:
        table = load_event_table(connection).table
    return list(zip(table.events["type"], table.events["at"], strict=True))


def numbered_batches(count: int, size: int) -> list[list[Event]]:
    """Return batches of distinct events, told apart by their instants alone."""
    moments = (START + dt.timedelta(seconds=n) for n in itertools.count())
    return [
        [
            {"item": f"lead-{b}-{i % 20}", "type": "qualified", "at": next(moments).isoformat()}
            for i in range(size)
        ]
        for b in range(count)
    ]


def test_every_acknowledged_event_survives_a_kill_9_exactly_once(
    server: Server, token: str, engine: Engine
) -> None:
    batches = numbered_batches(100, 100)
    acknowledged: list[int] = []
    enough = threading.Event()

    def stream() -> None:
        with client(server, token) as http:
            for index, batch in enumerate(batches):
                try:
                    response = http.post("/api/v1/events", json=batch)
                except httpx.HTTPError:
                    return  # the server is gone: this batch is unacknowledged
                if response.status_code == 200 and response.json()["accepted"] == len(batch):
                    acknowledged.append(index)
                if len(acknowledged) >= 10:
                    enough.set()

    streamer = threading.Thread(target=stream)
    streamer.start()
    assert enough.wait(timeout=60)
    server.kill()
    streamer.join(timeout=60)
    assert len(acknowledged) < len(batches), "the stream ended before the kill"
    server.start()  # the restarted server serves this module's later tests

    stored = stored_keys(engine)
    assert len(stored) == len(set(stored))  # nothing twice
    for index in acknowledged:
        wanted = {
            ("qualified", to_us(dt.datetime.fromisoformat(str(e["at"])))) for e in batches[index]
        }
        assert wanted <= set(stored)  # every acknowledged event is there
    # Resending everything (what a client does after a crash) completes the log, once.
    total = {"accepted": 0, "duplicate": 0}
    with client(server, token) as http:
        for batch in batches:
            result = http.post("/api/v1/events", json=batch).json()
            total["accepted"] += result["accepted"]
            total["duplicate"] += result["duplicate"]
    assert total["accepted"] + total["duplicate"] == 100 * 100
    assert total["duplicate"] >= 100 * len(acknowledged)
    assert stored_count(engine) == 100 * 100


def test_concurrent_duplicate_batches_store_each_event_once_and_the_counts_add_up(
    server: Server, token: str, engine: Engine
) -> None:
    batches = numbered_batches(12, 250)
    results: list[dict[str, int]] = []
    lock = threading.Lock()

    def send(seed: int) -> None:
        order = list(batches)
        random.Random(seed).shuffle(order)
        with client(server, token) as http:
            for batch in order:
                response = http.post("/api/v1/events", json=batch)
                assert response.status_code == 200, response.text
                with lock:
                    results.append(response.json())

    threads = [threading.Thread(target=send, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 4 * 12
    assert sum(r["accepted"] for r in results) == 12 * 250
    assert sum(r["duplicate"] for r in results) == 3 * 12 * 250
    assert stored_count(engine) == 12 * 250


def leads(count: int, seed: int) -> list[Event]:
    """Return a realistic handover log; some items change kind halfway (the later kind wins)."""
    rng = random.Random(seed)
    log: list[Event] = []
    for n in range(count):
        at = START + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        item = f"L-{n}"
        first_kind = "contact" if n % 4 == 0 else "lead"
        log.append({"item": item, "type": "qualified", "at": at, "kind": first_kind})
        at += dt.timedelta(hours=rng.randrange(1, 30))
        log.append({"item": item, "type": "handed_over", "at": at, "kind": "lead"})
        if rng.random() < 0.3:
            at += dt.timedelta(hours=rng.randrange(1, 10))
            log.append({"item": item, "type": "on_hold", "at": at})
            at += dt.timedelta(hours=rng.randrange(1, 40))
            log.append({"item": item, "type": "off_hold", "at": at})
        if rng.random() < 0.85:
            at += dt.timedelta(hours=rng.randrange(1, 80))
            log.append({"item": item, "type": "contacted", "at": at})
            outcome = rng.choice(["accepted", "rejected", "converted"])
            log.append({"item": item, "type": outcome, "at": at + dt.timedelta(days=2)})
    return log


def in_memory_table(log: list[Event]) -> EventTable:
    frame = pl.DataFrame(
        {
            "item": [e["item"] for e in log],
            "type": [e["type"] for e in log],
            "at": [to_us(e["at"]) for e in log],  # type: ignore[arg-type]
            "kind": [e.get("kind") for e in log],
        }
    )
    kinds = (
        frame.filter(pl.col("kind").is_not_null())
        .sort("at")
        .group_by("item")
        .agg(pl.col("kind").last())
    )
    return EventTable(events=frame.select("item", "type", "at"), items=kinds)


def test_events_posted_out_of_order_evaluate_as_if_they_came_in_order(
    server: Server, token: str, engine: Engine
) -> None:
    log = leads(400, seed=7)
    shuffled = list(log)
    random.Random(3).shuffle(shuffled)
    with client(server, token) as http:
        for start in range(0, len(shuffled), 97):
            chunk = [e | {"at": e["at"].isoformat()} for e in shuffled[start : start + 97]]  # type: ignore[attr-defined]
            assert http.post("/api/v1/events", json=chunk).status_code == 200
    agreement = load_agreement(TEMPLATES / "marketing-sales.yaml")
    as_of = to_us(START + dt.timedelta(days=40))
    with read_transaction(engine) as connection:
        stored = load_event_table(connection).table
    expected = evaluation_json(evaluate(agreement, in_memory_table(log), as_of=as_of))
    assert evaluation_json(evaluate(agreement, stored, as_of=as_of)) == expected


def test_a_20000_element_batch_is_refused_with_413_and_the_server_lives_on(
    server: Server, token: str, engine: Engine
) -> None:
    batch = numbered_batches(1, 20_000)[0]
    with client(server, token) as http:
        response = http.post("/api/v1/events", json=batch)
        assert response.status_code == 413
        assert "at most 10,000" in response.json()["detail"]
        assert http.post("/api/v1/events", json=batch[:10]).json()["accepted"] == 10
    assert stored_count(engine) == 10


def test_a_100_mb_upload_is_refused_with_413_and_the_server_lives_on(
    server: Server, token: str
) -> None:
    chunk = b" " * (1024 * 1024)

    def flood() -> Iterator[bytes]:
        yield b"["
        for _ in range(100):
            yield chunk
        yield b"]"

    with client(server, token) as http:
        declared = http.post(
            "/api/v1/events",
            content=b"[" + chunk * 100 + b"]",
            headers={"Content-Type": "application/json"},
        )
        assert declared.status_code == 413
        try:
            streamed = http.post("/api/v1/events", content=flood())
            assert streamed.status_code == 413
        except httpx.WriteError:
            pass  # the server answered 413 and closed while the client was still sending
        assert http.get("/health").status_code == 200
        one = {"item": "x", "type": "qualified", "at": "2026-03-02T09:00:00Z"}
        assert http.post("/api/v1/events", json=one).status_code == 200
