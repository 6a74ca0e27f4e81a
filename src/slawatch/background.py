"""The one runner of periodic work: tasks registered by name and interval, one lifespan.

Each task runs in a daemon thread of its own, once at start-up and then every `interval`
seconds; `request` asks for an earlier round (an ingestion asks for an evaluation). A task is
a list of jobs run in order in the same round (the escalation tick, then the reminders it
may owe, then the sending of what it queued), each on its own: a failing job is logged and
counted, and the jobs after it, the next round and every other task go on. Sharing work
among replicas (leases, claimed rows) is the jobs' business, not the runner's.

This module is generic: it knows threads and time, never what a job does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

log = logging.getLogger("slawatch.background")
STOP_TIMEOUT = 30.0  # seconds to let running rounds finish at shutdown; the threads are daemons

Work = Callable[[], object]


@dataclass(frozen=True)
class Job:
    """One piece of a task's round, named for the log."""

    name: str
    work: Work


class Task:
    """Run its jobs every `interval` seconds in a thread of its own, until stopped."""

    def __init__(self, name: str, interval: float) -> None:
        self.name = name
        self.interval = interval
        self.jobs: list[Job] = []
        self.rounds = 0
        self.failures: Counter[str] = Counter()  # by job name
        self.last: dict[str, object] = {}  # each job's result in the latest round it succeeded
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._due: float | None = None  # monotonic time of a round asked for by `request`
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def request(self, within: float) -> None:
        """Ask for a round `within` seconds from now, unless one is already asked for sooner."""
        with self._lock:
            due = time.monotonic() + within
            if self._due is None or due < self._due:
                self._due = due
        self._wake.set()

    def run_round(self) -> None:
        """Run every job once, in order; a failure is logged and counted, the next job runs."""
        for job in self.jobs:
            try:
                self.last[job.name] = job.work()
            except Exception:  # the thread must outlive a database hiccup or a bad job
                log.exception("%s failed; retrying in %.0f s", job.name, self.interval)
                self.failures[job.name] += 1
        self.rounds += 1

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"slawatch-{self.name}", daemon=True)
        self._thread.start()

    def signal_stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(max(0.0, timeout))

    def _run(self) -> None:
        next_round = time.monotonic()  # one round at start-up
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
                continue  # woken early by a request that is not due yet
            if now >= next_round:
                next_round = now + self.interval
            self.run_round()


class Runner:
    """Hold the process's periodic tasks; start them all, and stop them all, in one lifespan."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}

    def every(self, name: str, interval: float, work: Work, *, job: str = "") -> Task:
        """Register a task running `work` every `interval` seconds (and once at start-up).

        `job` names the work in the log (the task's name if not given).
        """
        if name in self.tasks:
            raise ValueError(f"a background task named {name!r} is registered already")
        task = Task(name, interval)
        task.jobs.append(Job(job or name, work))
        self.tasks[name] = task
        return task

    def then(self, task: str, name: str, work: Work) -> None:
        """Run `work` after the task's earlier jobs in each of its rounds, in the same thread."""
        self.tasks[task].jobs.append(Job(name, work))

    def start(self) -> None:
        for task in self.tasks.values():
            task.start()

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Stop every task: waiting ones at once, running ones when their round ends."""
        for task in self.tasks.values():
            task.signal_stop()
        deadline = time.monotonic() + timeout
        for task in self.tasks.values():
            task.join(deadline - time.monotonic())

    @asynccontextmanager
    async def lifespan(self, _app: object) -> AsyncIterator[None]:
        """Run the tasks while the app serves (the app's lifespan)."""
        self.start()
        try:
            yield
        finally:
            self.stop()
