"""Database engines and transactions: SQLite (embedded default) or PostgreSQL.

A request or a job owns its transaction: `transaction(engine)` commits on success and rolls
back on any error, so nothing half-written is ever acknowledged. A store fault (read-only, disk
full, unreachable) leaves both as a `StoreUnavailableError` carrying its HTTP status.
"""

from __future__ import annotations

import errno
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from slawatch.store.faults import (
    Fault,
    StoreUnavailableError,
    drop_if_stale,
    unavailable,
    watch_faults,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: SQLite's busy timeout alone
    fcntl = None  # type: ignore[assignment]


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            json_serializer=_json_text,
            json_deserializer=orjson.loads,
            **options,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            json_serializer=_json_text,
            json_deserializer=orjson.loads,
            **options,
        )
    watch_faults(engine)
    return engine


def _json_text(value: Any) -> str:
    """Serialise a JSON column with orjson (items' attributes are written by the thousand)."""
    return orjson.dumps(value).decode()


def _sqlite_begin(connection: Connection) -> None:
    # pysqlite's own transaction handling defers BEGIN; take it over so that a writer takes
    # the lock up front (BEGIN IMMEDIATE, waiting up to the busy timeout) instead of failing
    # with "database is locked" when a read transaction later tries to write.
    # Straight to the driver: SQLAlchemy's statement machinery around a bare BEGIN cost a
    # tenth of a single-event request.
    readonly = connection.get_execution_options().get("readonly", False)
    connection.connection.driver_connection.execute(  # type: ignore[union-attr]
        "BEGIN" if readonly else "BEGIN IMMEDIATE"
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit at the driver; we issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class _SqliteWriters:
    """Queue SQLite writers of this process (a thread lock) and of others (flock on a file).

    SQLite's own busy handler sleeps up to 100 ms between tries, so under concurrent writes the
    slowest requests wait ten times longer than the work takes. Threads of one process queue on
    a lock that wakes the next at once; processes (uvicorn workers) poll a file lock every
    millisecond or so, giving up after the same 30 s as SQLite's busy timeout.
    """

    def __init__(self, database: str | None) -> None:
        self.threads = threading.Lock()
        self.descriptor: int | None = None
        if database and database != ":memory:" and fcntl is not None:
            try:
                self.descriptor = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:
                fault = _FILE_FAULTS.get(error.errno or 0, Fault.UNREACHABLE)
                raise StoreUnavailableError(
                    fault, f"{database}-writer.lock: {error.strerror}"
                ) from error
            weakref.finalize(self, os.close, self.descriptor)

    def _lock_file(self, descriptor: int) -> None:
        deadline = time.monotonic() + 30
        pause = 0.0002
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    message = "another process has held the SQLite write lock for 30 s"
                    raise StoreUnavailableError(Fault.BUSY, message) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.threads:
            if self.descriptor is None:
                yield
                return
            self._lock_file(self.descriptor)
            try:
                yield
            finally:
                fcntl.flock(self.descriptor, fcntl.LOCK_UN)


_FILE_FAULTS = {
    errno.ENOSPC: Fault.FULL,
    errno.EROFS: Fault.READ_ONLY,
    errno.EACCES: Fault.READ_ONLY,
    errno.EPERM: Fault.READ_ONLY,
}
_writers: weakref.WeakKeyDictionary[Engine, _SqliteWriters] = weakref.WeakKeyDictionary()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """Yield a connection inside one transaction: commit on success, roll back on error."""
    with _faults_answered():
        if is_sqlite(engine):
            if engine not in _writers:
                _writers[engine] = _SqliteWriters(engine.url.database)
            with _writers[engine].held(), _begin(engine) as connection:
                yield connection
            return
        with _begin(engine) as connection:
            yield connection


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """Yield a connection for reading only: on SQLite it does not take the write lock."""
    with _faults_answered(), _begin(engine.execution_options(readonly=True)) as connection:
        yield connection


@contextmanager
def _begin(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()`, dropping the connection if it met a fault it would keep.

    The hot paths write through the driver directly, past SQLAlchemy's own error handling.
    """
    with engine.begin() as connection:
        try:
            yield connection
        except BaseException as error:
            drop_if_stale(connection, error)
            raise


@contextmanager
def _faults_answered() -> Iterator[None]:
    """Turn a store fault, raised by SQLAlchemy or by the driver, into StoreUnavailableError."""
    try:
        yield
    except StoreUnavailableError:
        raise
    except Exception as error:
        if (fault := unavailable(error)) is not None:
            raise fault from error
        raise
