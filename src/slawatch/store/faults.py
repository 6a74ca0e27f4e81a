"""Store faults: the database cannot take writes (read-only, disk full) or cannot be reached.

They are the operator's to fix, not the client's, and they pass: the API answers 503 with
`Retry-After`, pages say so in words, `/ready` says not ready. A connection that met one is
thrown away, because it would keep the fault after it is gone: SQLite keeps a handle opened on
a read-only file read-only, PostgreSQL keeps a session's `default_transaction_read_only`.
Errors are told apart by their codes (SQLite's result code, PostgreSQL's SQLSTATE), never by
their wording.
"""

from __future__ import annotations

import os
import sqlite3
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, Engine, event, exc
from sqlalchemy.engine import ExceptionContext

MIN_FREE_BYTES = 1 << 20  # below this, an SQLite database's disk counts as full for /ready
RETRY_AFTER_SECONDS = 30  # an operator has to act; clients should not hammer meanwhile
RETRY_AFTER_BUSY_SECONDS = 5


class Fault(StrEnum):
    """What stops the store, as pages and /ready name it."""

    READ_ONLY = "read_only"
    FULL = "full"
    UNREACHABLE = "unreachable"
    BUSY = "busy"


_REASONS = {
    Fault.READ_ONLY: "the database is read-only (a read-only file, directory or file system, or "
    "a read-only PostgreSQL); nothing was stored",
    Fault.FULL: "the database's disk is full; nothing was stored",
    Fault.UNREACHABLE: "the database cannot be reached or opened, or is out of connections or "
    "memory; nothing was stored",
    Fault.BUSY: "the database stayed locked by another writer for 30 s; nothing was stored",
}


class StoreUnavailableError(Exception):
    """The store cannot do its work now; the request may be sent again later, unchanged."""

    status_code = 503

    def __init__(self, fault: Fault, detail: str = "") -> None:
        self.fault = fault
        self.retry_after = RETRY_AFTER_BUSY_SECONDS if fault is Fault.BUSY else RETRY_AFTER_SECONDS
        reason = _REASONS[fault] + (f" ({detail})" if detail else "")
        super().__init__(f"{reason}; try again in {self.retry_after} s")


# SQLite primary result codes (the low byte of the extended code).
_SQLITE = {
    5: Fault.BUSY,  # SQLITE_BUSY
    6: Fault.BUSY,  # SQLITE_LOCKED
    8: Fault.READ_ONLY,  # SQLITE_READONLY
    10: Fault.UNREACHABLE,  # SQLITE_IOERR: the file system failed under the database
    13: Fault.FULL,  # SQLITE_FULL
    14: Fault.UNREACHABLE,  # SQLITE_CANTOPEN
}
# PostgreSQL SQLSTATEs and classes.
_POSTGRES = {"25006": Fault.READ_ONLY, "53100": Fault.FULL, "55P03": Fault.BUSY}
# Class 53 is "insufficient resources": only 53100 is the disk; the others (out of memory or
# connections) leave the server unable to serve, as if unreachable.
_POSTGRES_CLASSES = {"08": Fault.UNREACHABLE, "53": Fault.UNREACHABLE, "57": Fault.UNREACHABLE}
# A connection that met these keeps the fault after it is gone (see the module docstring).
_STALE = frozenset({Fault.READ_ONLY, Fault.UNREACHABLE})


def fault_of(error: BaseException) -> Fault | None:
    """Return what stops the store if `error` is a store fault, else None."""
    if isinstance(error, StoreUnavailableError):
        return error.fault
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated and error.orig is None:
            return Fault.UNREACHABLE
        return fault_of(error.orig) if error.orig is not None else None
    if isinstance(error, sqlite3.Error):
        return _SQLITE.get(getattr(error, "sqlite_errorcode", -1) & 0xFF)
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _POSTGRES.get(sqlstate) or _POSTGRES_CLASSES.get(sqlstate[:2])
    if type(error).__module__.startswith("psycopg") and type(error).__name__ == "OperationalError":
        return Fault.UNREACHABLE  # refused or lost before the server said anything
    return None


def unavailable(error: BaseException) -> StoreUnavailableError | None:
    """Return the StoreUnavailableError that `error` amounts to, if it is a store fault."""
    if isinstance(error, StoreUnavailableError):
        return error
    fault = fault_of(error)
    if fault is None:
        return None
    orig = error.orig if isinstance(error, exc.DBAPIError) else error
    return StoreUnavailableError(fault, str(orig).strip().splitlines()[0] if str(orig) else "")


def drop_if_stale(connection: Connection, error: BaseException) -> None:
    """Invalidate a connection that met a lasting fault, and every pooled one with it.

    The pool may hold other connections opened during the fault (read-only SQLite handles);
    disposing of it makes every later request open a fresh one.
    """
    if fault_of(error) in _STALE:
        if not connection.invalidated:
            connection.invalidate()
        connection.engine.dispose()


def _on_error(context: ExceptionContext) -> None:
    # SQLAlchemy then invalidates the connection and the pool's older ones itself.
    if fault_of(context.original_exception) in _STALE:
        context.is_disconnect = True


def watch_faults(engine: Engine) -> None:
    """Make errors met through SQLAlchemy drop connections that would keep a lasting fault."""
    event.listen(engine, "handle_error", _on_error)


def write_fault(engine: Engine) -> StoreUnavailableError | None:
    """Probe whether the store takes writes now: a write rolled back, and the free disk.

    The write changes nothing (`alembic_version` set to itself) and is rolled back, so it is
    cheap and safe on any number of replicas; on PostgreSQL it waits at most 2 s for a lock
    (a migration holding `alembic_version`). A rolled-back write never reaches the disk, so an
    SQLite database's free space is measured too; PostgreSQL's own disk shows only in writes
    that fail, which /ready also reports. A lasting fault is probed twice: the first may have
    met a connection left from the fault (dropped then), only the second tells it is still on.
    """
    found = _probe_write(engine)
    if found is not None and found.fault in _STALE:
        found = _probe_write(engine)
    return found or _disk_full(engine)


def _probe_write(engine: Engine) -> StoreUnavailableError | None:
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
                connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
            except Exception as error:
                drop_if_stale(connection, error)
                raise
            finally:
                transaction.rollback()
    except Exception as error:
        if (found := unavailable(error)) is not None:
            return found
        raise
    return None


def _disk_full(engine: Engine) -> StoreUnavailableError | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    directory = Path(database).resolve().parent
    try:
        stats = os.statvfs(directory)
    except (OSError, AttributeError):  # no statvfs on Windows
        return None
    free = stats.f_bavail * stats.f_frsize
    if free >= MIN_FREE_BYTES:
        return None
    return StoreUnavailableError(Fault.FULL, f"{free:,} bytes free in {directory}")
