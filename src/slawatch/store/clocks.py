"""The stored item clocks, written as a diff by the evaluator (pages read them: clock_lists.py).

A refresh computes every clock of an agreement, but writes only the rows that changed, so a
batch of new events costs rows in proportion to the batch, not to the million clocks stored.
A running clock's elapsed time grows every second without anything happening to it: that
alone is no change. A row changes when its state, period, start, stop, deadline, warning
point or `since` changes, or, once the clock stopped, its final elapsed or paused time; so
`elapsed_us`, `paused_us` and `as_of` of a running or paused clock are as of the last change.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import Connection, func, select

from slawatch.store.items import csv_aggregate, read_csv_parts, run_csv_queries
from slawatch.store.schema import evaluation_state, item_clocks

COLUMNS = (
    "agreement_id",
    "objective",
    "item_id",
    "period",
    "started_at",
    "stopped_at",
    "deadline",
    "warn_at",
    "elapsed_us",
    "paused_us",
    "state",
    "since",
    "as_of",
)
STATES = ("met", "breached", "paused", "at_risk", "running")
PENDING = ("at_risk", "running", "paused")  # the states of the at-risk queue
KEY = ("objective", "item_id")
TRACKED = ("period", "started_at", "stopped_at", "deadline", "warn_at", "state", "since")
FINAL = ("elapsed_us", "paused_us")  # compared only once the clock has stopped
COMPARED = KEY + TRACKED + FINAL  # what a previous frame must hold
DIGEST = ("objective", "item_id", "state", "digest")
_SCHEMA: dict[str, pl.DataType] = {
    "objective": pl.String(),
    "item_id": pl.Int64(),
    "period": pl.String(),
    "started_at": pl.Int64(),
    "stopped_at": pl.Int64(),
    "deadline": pl.Int64(),
    "warn_at": pl.Int64(),
    "state": pl.String(),
    "since": pl.Int64(),
    "elapsed_us": pl.Int64(),
    "paused_us": pl.Int64(),
}
_NULLABLE = ("stopped_at", "deadline", "warn_at")
_ROWS_PER_STATEMENT = 50_000  # bounds the parameters held in memory at once
# Item ids per aggregate when reading stored clocks back. Measured on 1,000,000 clocks:
# PostgreSQL reads slices side by side fastest (1.1 s against 1.7 s in one slice per
# objective), SQLite one slice per objective (2.7 s against 3.8 s in slices of 250,000).
_ITEMS_PER_READ = {"postgresql": 250_000, "sqlite": 1_000_000}
_ITEMS_PER_OBJECTIVE = 1 << 40  # the diff's key is objective × this + item id


@dataclass(frozen=True)
class Transition:
    """One clock's change of state: `old` is None for a new clock, `new` None for a gone one."""

    objective: str
    item_id: int
    old: str | None
    new: str | None
    since: int | None  # when the new state began


@dataclass(frozen=True, eq=False)
class ClockDiff:
    """How an agreement's stored clocks change: the rows to write and the state changes.

    Frames rather than lists of objects: an initial fill is a million rows and transitions.
    `rows` has the table's columns and `inserted` (True for a clock not stored before);
    `gone` the keys of the rows to delete; `transitions` (objective, item_id, old_state,
    new_state, since) is what alert triggers read.
    """

    agreement_id: str
    rows: pl.DataFrame = field(repr=False)
    gone: pl.DataFrame = field(repr=False)
    transitions: pl.DataFrame = field(repr=False)

    @property
    def inserted(self) -> int:
        return int(self.rows.get_column("inserted").sum())

    @property
    def updated(self) -> int:
        return self.rows.height - self.inserted

    @property
    def deleted(self) -> int:
        return self.gone.height

    @property
    def written(self) -> int:
        return self.rows.height + self.gone.height

    def __iter__(self) -> Iterator[Transition]:
        for objective, item_id, old, new, since in self.transitions.iter_rows():
            yield Transition(objective, item_id, old, new, since)


def clock_digest(frame: pl.DataFrame) -> pl.DataFrame:
    """Return (objective, item_id, state, digest): all a diff needs to know of stored rows.

    The digest hashes the columns whose change is a change of the row (the final times only
    once the clock stopped), so a diff compares one column instead of nine, and a process
    keeps four columns per clock in memory instead of eleven. Two different versions of a
    row share a digest with a chance of one in 2⁶⁴.
    """
    if "digest" in frame.columns:
        return frame.select(DIGEST)
    stopped = pl.col("stopped_at").is_not_null()
    columns = [pl.col(name) for name in TRACKED]
    columns += [pl.when(stopped).then(pl.col(name)) for name in FINAL]
    # One hash per column, each with its own seed, folded with XOR: 4x faster than hashing
    # a struct of the same columns.
    hashes = [column.hash(seed=seed) for seed, column in enumerate(columns)]
    digest = pl.reduce(lambda a, b: a ^ b, hashes).alias("digest")
    return frame.select("objective", "item_id", "state", digest)


def _keys(digest: pl.DataFrame, objectives: pl.Enum) -> npt.NDArray[np.int64]:
    """Return one integer per clock, so clocks are matched on one array instead of two."""
    ids = digest.get_column("item_id")
    if (ids >= _ITEMS_PER_OBJECTIVE).any():
        raise ValueError(f"item ids from {_ITEMS_PER_OBJECTIVE} on do not fit the diff's key")
    code = digest.get_column("objective").cast(objectives).to_physical().cast(pl.Int64)
    keys: npt.NDArray[np.int64] = (code * _ITEMS_PER_OBJECTIVE + ids).to_numpy()
    return keys


def _positions(old: npt.NDArray[np.int64], new: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return where each new key is among the old ones, or -1.

    A binary search over the sorted old keys: no hash table is built, and both arrays come
    nearly sorted (by objective, then item), so the sort and the searches stay cheap.
    """
    if not len(old):
        return np.full(len(new), -1, dtype=np.int64)
    order = np.argsort(old, kind="stable")
    ordered = old[order]
    slot = np.minimum(np.searchsorted(ordered, new), len(ordered) - 1)
    return np.where(ordered[slot] == new, order[slot], -1)


def diff_clocks(agreement_id: str, previous: pl.DataFrame, frame: pl.DataFrame) -> ClockDiff:
    """Return what changes from the stored clocks to `frame`: new, changed and gone clocks.

    `previous` holds what is stored: the COMPARED columns, or their `clock_digest`. Pure, so
    the evaluator works it out before it takes the write lock.
    """
    if (frame.get_column("agreement_id") != agreement_id).any():
        frame = frame.filter(pl.col("agreement_id") == agreement_id)
    old = clock_digest(previous)
    new = clock_digest(frame)
    names = [part.get_column("objective").unique() for part in (old, new)]
    objectives = pl.Enum(pl.concat(names).unique().sort())
    position = _positions(_keys(old, objectives), _keys(new, objectives))
    found = position >= 0
    write = ~found
    old_digest = old.get_column("digest").to_numpy()
    write[found] = new.get_column("digest").to_numpy()[found] != old_digest[position[found]]
    index = pl.Series(position[write])
    stored_row = pl.select(pl.when(index >= 0).then(index)).to_series()  # null: a new clock
    writes = frame.filter(pl.Series(write)).with_columns(
        pl.Series("inserted", ~found[write]),
        old.get_column("state").gather(stored_row).alias("state_old"),
    )
    kept = np.zeros(old.height, dtype=bool)
    kept[position[found]] = True
    gone = old.filter(pl.Series(~kept))
    transitions = pl.concat(
        [
            writes.filter(pl.col("state").ne_missing(pl.col("state_old"))).select(
                "objective",
                "item_id",
                pl.col("state_old").alias("old_state"),
                pl.col("state").alias("new_state"),
                "since",
            ),
            gone.select(
                "objective",
                "item_id",
                pl.col("state").alias("old_state"),
                pl.lit(None, dtype=pl.String).alias("new_state"),
                pl.lit(None, dtype=pl.Int64).alias("since"),
            ),
        ]
    )
    return ClockDiff(
        agreement_id,
        rows=writes.select(*COLUMNS, "inserted"),
        gone=gone.select(KEY),
        transitions=transitions,
    )


def write_clock_diff(
    connection: Connection,
    agreement_id: str,
    frame: pl.DataFrame,
    *,
    previous: pl.DataFrame | None,
) -> ClockDiff:
    """Bring the stored clocks of an agreement to `frame`, writing only the rows that changed.

    `previous` is what is stored now, as the caller kept it from its last write: a frame
    with the COMPARED columns or its `clock_digest` (four columns instead of eleven). None
    reads it from the database, which costs seconds per million clocks. Call it in the
    transaction that records the evaluation: the rows stored are then always those of the
    evaluation recorded.
    """
    if previous is None:
        previous = stored_clock_frame(connection, agreement_id)
    return write_clock_changes(connection, diff_clocks(agreement_id, previous, frame))


def write_clock_changes(connection: Connection, diff: ClockDiff) -> ClockDiff:
    """Write a diff worked out with `diff_clocks`; return it.

    Its `previous` must still be what is stored: the evaluator holds the agreement's lease
    from reading it to writing this, so nobody else writes them in between.
    """
    _upsert(connection, diff.rows.drop("inserted"))
    _delete(connection, diff.agreement_id, diff.gone)
    if connection.dialect.name == "postgresql" and diff.written >= ANALYZE_FROM:
        # Until autovacuum gets to it, the planner would plan the pages' reads of a freshly
        # filled table with no statistics: seconds instead of milliseconds per page.
        connection.exec_driver_sql("ANALYZE item_clocks")
    return diff


_UPDATE = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS[3:])
_CONFLICT = f"ON CONFLICT (agreement_id, objective, item_id) DO UPDATE SET {_UPDATE}"
_NAMES = ", ".join(COLUMNS)
_TYPES = {pl.String(): "varchar", pl.Int64(): "bigint"}
COPY_FROM = 10_000  # rows from which PostgreSQL gets them through COPY rather than arrays
ANALYZE_FROM = 100_000  # rows written from which PostgreSQL's statistics are refreshed at once


def _upsert(connection: Connection, rows: pl.DataFrame) -> None:
    """Insert new rows and overwrite changed ones, in bulk, in key order.

    An upsert rather than insert plus update: one pass, and a previous frame that missed a
    row cannot make the write fail. Key order keeps the primary key's index writes local.
    """
    rows = rows.select(COLUMNS).sort("objective", "item_id")
    if connection.dialect.name != "postgresql":
        _upsert_sqlite(connection, rows)
    elif rows.height >= COPY_FROM:
        _upsert_copy(connection, rows)
    else:
        arrays = ", ".join(f"%s::{_TYPES[rows.schema[name]]}[]" for name in COLUMNS)
        connection.exec_driver_sql(
            f"INSERT INTO item_clocks ({_NAMES}) SELECT * FROM unnest({arrays}) {_CONFLICT}",
            tuple(column.to_list() for column in rows),
        )


def _upsert_sqlite(connection: Connection, rows: pl.DataFrame) -> None:
    """Run one prepared statement per row in C; tuples are zipped from whole columns."""
    marks = ", ".join("?" for _ in COLUMNS)
    sql = f"INSERT INTO item_clocks ({_NAMES}) VALUES ({marks}) {_CONFLICT}"
    for start in range(0, rows.height, _ROWS_PER_STATEMENT):
        chunk = rows.slice(start, _ROWS_PER_STATEMENT)
        columns = [column.to_list() for column in chunk]
        connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


def _upsert_copy(connection: Connection, rows: pl.DataFrame) -> None:
    """Stream many rows as CSV into a temporary table, then upsert them in one statement.

    Arrays of a million Python values cost seconds to build and send; polars writes the CSV
    in native code and COPY parses it in the server.
    """
    buffer = io.BytesIO()
    rows.write_csv(buffer, include_header=False)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("CREATE TEMP TABLE clock_writes (LIKE item_clocks) ON COMMIT DROP")
        with cursor.copy(f"COPY clock_writes ({_NAMES}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        cursor.execute(
            f"INSERT INTO item_clocks ({_NAMES}) SELECT {_NAMES} FROM clock_writes {_CONFLICT}"
        )
        cursor.execute("DROP TABLE clock_writes")
    finally:
        cursor.close()


def _delete(connection: Connection, agreement_id: str, keys: pl.DataFrame) -> None:
    for start in range(0, keys.height, _ROWS_PER_STATEMENT):
        chunk = keys.slice(start, _ROWS_PER_STATEMENT)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(
                "DELETE FROM item_clocks AS c USING unnest(%s::varchar[], %s::bigint[]) "
                "AS d(objective, item_id) WHERE c.agreement_id = %s "
                "AND c.objective = d.objective AND c.item_id = d.item_id",
                (
                    chunk.get_column("objective").to_list(),
                    chunk.get_column("item_id").to_list(),
                    agreement_id,
                ),
            )
        else:
            connection.exec_driver_sql(
                "DELETE FROM item_clocks WHERE agreement_id = ? AND objective = ? AND item_id = ?",
                [(agreement_id, objective, item) for objective, item in chunk.iter_rows()],
            )


def stored_clock_frame(connection: Connection, agreement_id: str) -> pl.DataFrame:
    """Return an agreement's stored clocks (the COMPARED columns), for diffing after a restart.

    Read as CSV text rendered by the database, like the event table: a million rows cost no
    Python object each. Slices are read on connections of their own, so this sees committed
    rows only: read before writing, as `write_clock_diff` does. No field needs quoting:
    objective ids are `[a-z0-9-]`, periods are labels, states are words, the rest integers.
    """
    fields = [
        f"coalesce(CAST({name} AS TEXT), '')" if name in _NULLABLE else name for name in _SCHEMA
    ]
    where = (
        "agreement_id = :agreement AND objective = :objective AND item_id BETWEEN :low AND :high"
    )
    sql = csv_aggregate(connection, fields, "item_clocks", where)
    c = item_clocks.c
    spans = connection.execute(
        select(c.objective, func.min(c.item_id), func.max(c.item_id))
        .where(c.agreement_id == agreement_id)
        .group_by(c.objective)
    ).all()
    # Ranges of item ids within an objective are ranges of the primary key: each aggregate
    # reads its slice of the index, and the slices are read side by side.
    size = _ITEMS_PER_READ.get(connection.dialect.name, 1_000_000)
    queries = [
        (
            sql,
            {"agreement": agreement_id, "objective": objective, "low": low, "high": low + size - 1},
        )
        for objective, first, last in spans
        for low in range(first, last + 1, size)
    ]
    return read_csv_parts(run_csv_queries(connection, queries), _SCHEMA)


def clocks_written_at(connection: Connection, agreement_id: str) -> int | None:
    """Return when the agreement's clocks were last written, as a token for a kept frame.

    The evaluator writes clocks only in the transaction that records `computed_at`, so a
    process whose kept frame carries the current value knows the stored rows are its own.
    """
    value = connection.execute(
        select(evaluation_state.c.computed_at).where(
            evaluation_state.c.agreement_id == agreement_id
        )
    ).scalar()
    return None if value is None else int(value)
