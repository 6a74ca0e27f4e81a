"""Store faults answered, not crashed on: 503 with Retry-After, /ready not ready, recovery.

Tests run as root, for whom `chmod 444` does not stop a write; so a read-only database is made
the way SQLite itself meets one: connections opened while the file cannot be written are
read-only handles (here: opened with `mode=ro`, which is what SQLite falls back to), and they
stay read-only after the file is writable again unless they are thrown away. On PostgreSQL the
analogue is `default_transaction_read_only`, which a session keeps from its start. A full disk
is a small tmpfs filled up, where this machine lets the tests mount one.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from slawatch.config import Settings
from slawatch.store.db import make_engine, read_transaction, transaction
from slawatch.store.faults import RETRY_AFTER_SECONDS
from slawatch.store.migrate import upgrade
from slawatch.store.schema import events
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app

AT = "2026-03-02T09:00:00+01:00"


def lead(number: int, **extra: object) -> dict[str, object]:
    return {"item": f"lead-{number}", "type": "qualified", "at": AT, **extra}


def stored(engine: Engine) -> int:
    with read_transaction(engine) as connection:
        return int(connection.execute(select(func.count()).select_from(events)).scalar_one())


def client_for(engine: Engine) -> TestClient:
    with transaction(engine) as connection:
        secret = create_token(connection, name="ingest", scope="admin", created_by="test")
    app = create_app(Settings(), engine)
    app.state.readiness.seconds = 0  # probe on every /ready: the test moves faster than 5 s
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


@pytest.fixture
def read_only_switch(
    database_url: str, engine: Engine
) -> Iterator[tuple[Engine, Callable[[bool], None]]]:
    """A fresh engine on the test database, and a switch that makes its store read-only."""
    if engine.dialect.name == "sqlite":
        path = make_url(database_url).database
        read_only = [False]

        def connect() -> sqlite3.Connection:
            target = f"file:{path}?mode=ro" if read_only[0] else f"file:{path}"
            return sqlite3.connect(target, uri=True, timeout=30, check_same_thread=False)

        faulty = make_engine(database_url, creator=connect)

        def switch(on: bool) -> None:
            read_only[0] = on

    else:
        faulty = make_engine(database_url)
        name = make_url(database_url).database

        def switch(on: bool) -> None:
            setting = "SET default_transaction_read_only = on" if on else "RESET ALL"
            with engine.begin() as connection:  # the shared engine's sessions stay writable
                connection.exec_driver_sql(f'ALTER DATABASE "{name}" {setting}')

    try:
        yield faulty, switch
    finally:
        if engine.dialect.name != "sqlite":
            switch(False)
        faulty.dispose()


def test_a_read_only_store_answers_503_and_recovers_without_a_restart(
    read_only_switch: tuple[Engine, Callable[[bool], None]],
) -> None:
    engine, switch = read_only_switch
    client = client_for(engine)
    assert client.post("/api/v1/events", json=lead(1)).status_code == 200
    assert client.get("/ready").status_code == 200

    switch(True)
    engine.dispose()  # connections opened from now on meet the read-only store
    refused = client.post("/api/v1/events", json=[lead(2), lead(3)])
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "read-only" in refused.json()["detail"]
    ready = client.get("/ready")
    assert ready.status_code == 503 and "read-only" in ready.json()["status"]
    assert client.get("/api/v1/items/default/lead-1").status_code == 200  # reads still work

    switch(False)  # the operator fixes it; the same app, no restart
    assert client.get("/ready").status_code == 200
    again = client.post("/api/v1/events", json=[lead(2), lead(3)])
    assert again.status_code == 200 and again.json()["accepted"] == 2
    assert stored(engine) == 3  # what was acknowledged, and only that


def test_a_store_that_cannot_be_opened_gives_the_unavailable_page_in_the_readers_language(
    tmp_path: Path,
) -> None:
    healthy = make_engine(f"sqlite:///{tmp_path / 'slawatch.db'}")
    upgrade(healthy)
    client = client_for(healthy)
    missing = tmp_path / "gone" / "slawatch.db"

    def cannot_open() -> sqlite3.Connection:
        return sqlite3.connect(f"file:{missing}?mode=ro", uri=True, check_same_thread=False)

    broken = make_engine(f"sqlite:///{missing}", creator=cannot_open)
    client.app.state.engine = broken  # type: ignore[attr-defined]
    client.app.state.readiness.engine = broken  # type: ignore[attr-defined]
    page = client.get(
        "/items/default/L-1", headers={"Accept": "text/html", "Accept-Language": "de"}
    )
    assert page.status_code == 503
    assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Vorübergehend nicht verfügbar" in page.text
    assert "erreicht seine Datenbank nicht" in page.text
    api = client.get("/api/v1/items/default/L-1")
    assert api.status_code == 503 and "cannot be reached" in api.json()["detail"]
    broken.dispose()
    healthy.dispose()


# --- a full disk ------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, mounted for the test; skipped where this machine does not allow it."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill up needs root")
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 65_536)
    except OSError:
        pass
    try:
        while True:
            os.write(descriptor, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_answers_503_loses_nothing_acknowledged_and_recovers(small_disk: Path):
    engine = make_engine(f"sqlite:///{small_disk / 'slawatch.db'}")
    upgrade(engine)
    client = client_for(engine)
    filler = fill(small_disk)
    engine.dispose()
    acknowledged = 0
    refused: list[dict[str, object]] | None = None
    for batch_number in range(200):
        batch = [lead(batch_number * 50 + i, note="x" * 200) for i in range(50)]
        response = client.post("/api/v1/events", json=batch)
        if response.status_code != 200:
            refused = batch
            break
        acknowledged += response.json()["accepted"]
    assert refused is not None, "the disk never filled up"
    assert response.status_code == 503
    assert "disk is full" in response.json()["detail"]
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    ready = client.get("/ready")
    assert ready.status_code == 503 and "disk is full" in ready.json()["status"]

    filler.unlink()  # the operator frees space; the same app goes on
    assert client.get("/ready").status_code == 200
    assert client.post("/api/v1/events", json=refused).json()["accepted"] == len(refused)
    assert stored(engine) == acknowledged + len(refused)
    engine.dispose()


def test_a_read_only_file_system_answers_503_and_recovers_once_writable(small_disk: Path):
    """The real thing: the directory of the database and its WAL cannot be written at all."""
    url = f"sqlite:///{small_disk / 'slawatch.db'}"
    setup = make_engine(url)
    upgrade(setup)
    with transaction(setup) as connection:
        secret = create_token(connection, name="ingest", scope="admin", created_by="test")
    setup.dispose()
    del setup, connection
    gc.collect()  # closes the writer lock file, so that nothing holds the mount open for writing
    remount = subprocess.run(
        ["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, check=False
    )
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only here: {remount.stderr.decode().strip()}")
    engine = make_engine(url)
    app = create_app(Settings(), engine)
    app.state.readiness.seconds = 0
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {secret}"
    refused = client.post("/api/v1/events", json=lead(1))
    assert refused.status_code == 503, refused.text
    assert refused.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert client.get("/ready").status_code == 503

    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert client.get("/ready").status_code == 200
    assert client.post("/api/v1/events", json=lead(1)).json()["accepted"] == 1
    assert stored(engine) == 1
    engine.dispose()
