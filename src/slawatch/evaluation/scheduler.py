"""Background evaluation inside `slawatch serve`: one thread per process, started by the lifespan.

The thread wakes every `evaluation_interval` seconds (the running period's figures move with
time) and `evaluation_delay` seconds after an ingestion (so a stream of batches is evaluated
once per delay, not once per batch). Replicas share the work through the claims in
`store/results.py`; each keeps its own event cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.service import Recomputer, process_owner

log = logging.getLogger("slawatch.evaluation")


class Scheduler:
    """Run `Recomputer.refresh` on a timer and shortly after each ingestion, until stopped."""

    def __init__(self, engine: Engine, *, interval: float, delay: float) -> None:
        self.recomputer = Recomputer(engine, process_owner(), EventCache())
        self.interval = interval
        self.delay = delay
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._due: float | None = None  # monotonic time of the refresh an ingestion asked for
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.rounds = 0

    def after_ingest(self) -> None:
        """Ask for a refresh `delay` seconds from now, unless one is already asked for sooner."""
        with self._lock:
            due = time.monotonic() + self.delay
            if self._due is None or due < self._due:
                self._due = due
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="slawatch-evaluation", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        next_round = time.monotonic()  # evaluate once at start-up
        while not self._stopping.is_set():
            with self._lock:
                wake_at = next_round if self._due is None else min(next_round, self._due)
            self._wake.wait(max(0.0, wake_at - time.monotonic()))
            self._wake.clear()
            if self._stopping.is_set():
                break
            now = time.monotonic()
            with self._lock:
                asked = self._due is not None and self._due <= now
                if asked:
                    self._due = None
            if not asked and now < next_round:
                continue
            if now >= next_round:
                next_round = now + self.interval
            self._refresh()

    def _refresh(self) -> None:
        try:
            # Half the interval: a result computed just after the last round is due by the next
            # one instead of the one after, and replicas still share each refresh.
            # A failing agreement is tried once per round, not after every ingestion.
            self.recomputer.refresh(stale_after=self.interval / 2, retry_after=self.interval / 2)
        except Exception:  # a failed round is logged and retried on the next; the thread lives
            log.exception("background evaluation failed; retrying in %.0f s", self.interval)
        self.rounds += 1


def install_scheduler(app: FastAPI) -> None:
    """Start re-evaluating stored results in the background for the app's lifetime."""
    settings = app.state.settings
    scheduler = Scheduler(
        app.state.engine,
        interval=settings.evaluation_interval,
        delay=settings.evaluation_delay,
    )
    app.state.scheduler = scheduler
    app.state.after_ingest = scheduler.after_ingest
    outer: Callable[[Any], AbstractAsyncContextManager[Any]] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with outer(application) as state:
            scheduler.start()
            try:
                yield state
            finally:
                scheduler.stop()

    app.router.lifespan_context = lifespan
