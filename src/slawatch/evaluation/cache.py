"""The process's copy of the event table, kept current by appending only the newer events.

Loading a million leads from the database takes seconds; appending the last thousand events
takes milliseconds. Events are append-only, so the newest id read so far says what is
missing — except on PostgreSQL, where ids are handed out at insert and a slow transaction
can commit a lower id after a higher one was read. Each refresh therefore counts the events
in the recent, not yet settled id range and re-reads that range when the count is short.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import Engine

from slawatch.engine.events import EventTable
from slawatch.store.db import read_transaction
from slawatch.store.items import load_event_table
from slawatch.store.results import count_events_between, latest_event_id
from slawatch.wall_clock import now_us

SETTLE_US = 120 * 1_000_000  # no insert transaction stays open this long after taking its id
_KEY = ["item", "type", "at"]


@dataclass(frozen=True)
class _Load:
    at: int  # µs, when this load ran
    last_event_id: int
    rows: int  # cached events after this load


def _encoded(events: pl.DataFrame) -> pl.DataFrame:
    # The engine casts types to categoricals on every evaluation; done once here, that is free.
    return events.with_columns(pl.col("type").cast(pl.Categorical))


def _insert_sorted(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Insert rows into a frame sorted by item, keeping it sorted by item.

    The engine's joins and group-bys by item run 3-4x faster on events grouped by item than
    on events in arrival order, but re-sorting 4.5 M rows per refresh would cost seconds: the
    stored rows are sliced at the insertion points (no copy) and copied once. A new event goes
    after its item's stored ones whatever its instant: the engine needs items grouped, not
    events ordered within an item.
    """
    if new.height == 0:
        return old
    for name in new.columns:
        if name not in old.columns:  # an attribute no cached item carries yet
            old = old.with_columns(pl.lit(None, dtype=new.schema[name]).alias(name))
    new = new.sort("item").select(
        pl.col(name) if name in new.columns else pl.lit(None, dtype=old.schema[name]).alias(name)
        for name in old.columns
    )
    slots = old.get_column("item").search_sorted(new.get_column("item"), side="right")
    points, firsts, lengths = np.unique(slots.to_numpy(), return_index=True, return_counts=True)
    parts = []
    previous = 0
    for slot, first, length in zip(points.tolist(), firsts.tolist(), lengths.tolist(), strict=True):
        parts += [old.slice(previous, slot - previous), new.slice(first, length)]
        previous = slot
    parts.append(old.slice(previous))
    return pl.concat(parts, how="vertical_relaxed", rechunk=True)


def _changed_items(items: pl.DataFrame, touched: pl.DataFrame) -> pl.DataFrame:
    """Return the touched items that are new or whose kind or attributes changed."""
    if not set(touched.columns) <= set(items.columns):
        return touched
    known = items.filter(pl.col("item").is_in(touched.get_column("item").implode()))
    same = touched.join(
        known.select(touched.columns), on=touched.columns, how="semi", nulls_equal=True
    )
    return touched.join(same.select("item"), on="item", how="anti")


def _append_history(history: pl.DataFrame | None, new: EventTable) -> pl.DataFrame | None:
    """Add the history rows of the touched items that the cache does not hold yet.

    History rows are only ever inserted, so the new load of a touched item holds all of its
    cached rows and perhaps some more; only those more are appended (no copy of the rest).
    """
    if history is None or new.attributes is None or new.attributes.height == 0:
        return history if history is not None else new.attributes
    touched = new.attributes.get_column("item").unique().implode()
    known = history.filter(pl.col("item").is_in(touched))
    fresh = new.attributes.join(known, on=["item", "name", "at"], how="anti")
    return pl.concat([history, fresh], rechunk=False) if fresh.height else history


CHANGES_KEPT = 256  # appends whose changed items are remembered (a few ids each)


class EventCache:
    """Hold every stored event and item as an engine table; `current()` brings it up to date.

    Every change of the table moves its `generation`; the items each append changed (new,
    or with another kind or attribute) are remembered for the last CHANGES_KEPT
    generations, so a caller that used generation g can ask which items changed since.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: EventTable | None = None
        self._loads: deque[_Load] = deque()
        self.full_loads = 0  # how often everything was read: for tests and benchmarks
        self.generation = 0
        self._changes: deque[tuple[int, pl.Series]] = deque(maxlen=CHANGES_KEPT)
        self._known_from = 0  # the generation since which every change is remembered

    def snapshot(self, engine: Engine) -> tuple[EventTable, int, int]:
        """Return `current()` and the generation of the table returned."""
        with self._lock:
            table, last_event_id = self._current(engine)
            return table, last_event_id, self.generation

    def changed_since(self, generation: int) -> pl.Series | None:
        """Return the items new or changed after `generation`, or None if not remembered."""
        with self._lock:
            if generation < self._known_from or generation > self.generation:
                return None
            found = [items for at, items in self._changes if at > generation]
            if not found:
                return pl.Series("item", [], dtype=pl.Int64)
            return pl.concat(found).unique()

    @property
    def last_event_id(self) -> int:
        return self._loads[-1].last_event_id if self._loads else 0

    def current(self, engine: Engine) -> tuple[EventTable, int]:
        """Return the table with every committed event, and the newest event id in it."""
        with self._lock:
            return self._current(engine)

    def _current(self, engine: Engine) -> tuple[EventTable, int]:
        with read_transaction(engine) as connection:
            latest = latest_event_id(connection)
            if self._table is None or latest < self.last_event_id:
                # Nothing cached yet, or the database went back in time (a restored backup).
                loaded = load_event_table(connection)
                self._table = EventTable(
                    _encoded(loaded.table.events).sort("item", "at"),
                    loaded.table.items.sort("item"),
                    loaded.table.attributes,
                )
                self._loads.clear()
                self._remember(loaded.last_event_id)
                self.full_loads += 1
                self.generation += 1
                self._changes.clear()
                self._known_from = self.generation
                return self._table, self.last_event_id
            settled = self._settled()
            if settled is not None and settled.last_event_id < self.last_event_id:
                stored = count_events_between(connection, settled.last_event_id, self.last_event_id)
                if stored != self._loads[-1].rows - settled.rows:
                    # An event below the newest id read committed late: read the range again.
                    loaded = load_event_table(connection, after_id=settled.last_event_id)
                    self._append(loaded.table, unseen_only=True)
                    self._loads = deque([settled])
                    self._remember(loaded.last_event_id)
                    return self._table, self.last_event_id
            if latest > self.last_event_id:
                loaded = load_event_table(connection, after_id=self.last_event_id)
                self._append(loaded.table, unseen_only=False)
                self._remember(loaded.last_event_id)
            return self._table, self.last_event_id

    def _settled(self) -> _Load | None:
        """Return the newest load old enough that no event below its id can still commit."""
        horizon = now_us() - SETTLE_US
        while len(self._loads) > 1 and self._loads[1].at <= horizon:
            self._loads.popleft()
        return self._loads[0] if self._loads[0].at <= horizon else None

    def _remember(self, last_event_id: int) -> None:
        assert self._table is not None
        self._loads.append(_Load(now_us(), last_event_id, self._table.events.height))

    def _append(self, new: EventTable, *, unseen_only: bool) -> None:
        """Add new events, and replace the items they touch (their attributes may have changed)."""
        assert self._table is not None
        events = _encoded(new.events)
        if unseen_only:
            events = events.join(self._table.events, on=_KEY, how="anti")
        items = self._table.items
        changed = _changed_items(items, new.items)
        if changed.height:
            # Most batches touch items without changing them: the million rows stay as they are.
            kept = items.filter(~pl.col("item").is_in(changed.get_column("item").implode()))
            items = _insert_sorted(kept, changed)
        history = _append_history(self._table.attributes, new)
        self._table = EventTable(_insert_sorted(self._table.events, events), items, history)
        self.generation += 1
        if len(self._changes) == self._changes.maxlen:
            self._known_from = self._changes[0][0]  # the oldest is forgotten next
        self._changes.append((self.generation, changed.get_column("item")))
