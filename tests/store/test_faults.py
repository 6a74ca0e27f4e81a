"""Store faults told apart by their codes, and the write probe behind /ready."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from slawatch.store.db import make_engine, transaction
from slawatch.store.faults import Fault, StoreUnavailableError, fault_of, write_fault
from slawatch.store.migrate import upgrade


def test_sqlite_and_postgresql_errors_are_told_apart_by_their_codes(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        read_only.execute("INSERT INTO t VALUES (1)")
    assert fault_of(raised.value) is Fault.READ_ONLY
    with pytest.raises(sqlite3.OperationalError) as raised:
        read_only.execute("SELECT * FROM missing")
    assert fault_of(raised.value) is None  # a bug, not a fault of the store: still a 500

    class PostgresError(Exception):
        def __init__(self, sqlstate: str) -> None:
            self.sqlstate = sqlstate

    assert fault_of(PostgresError("25006")) is Fault.READ_ONLY
    assert fault_of(PostgresError("53100")) is Fault.FULL
    assert fault_of(PostgresError("57P01")) is Fault.UNREACHABLE
    assert fault_of(PostgresError("53300")) is Fault.UNREACHABLE  # too many connections
    assert fault_of(PostgresError("23505")) is None  # a unique violation is a bug's


def test_a_write_to_a_read_only_sqlite_store_is_a_store_unavailable_error(tmp_path: Path):
    path = tmp_path / "slawatch.db"
    upgrade(make_engine(f"sqlite:///{path}"))

    def read_only() -> sqlite3.Connection:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    engine = make_engine(f"sqlite:///{path}", creator=read_only)
    with pytest.raises(StoreUnavailableError) as raised, transaction(engine) as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
    assert (raised.value.fault, raised.value.status_code) == (Fault.READ_ONLY, 503)
    probed = write_fault(engine)
    assert probed is not None and probed.fault is Fault.READ_ONLY
    assert write_fault(make_engine(f"sqlite:///{path}")) is None
