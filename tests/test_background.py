"""The background runner: tasks by name and interval, isolated jobs, one lifespan, prompt stop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from slawatch.background import Runner, Task

PATIENCE = 30.0  # seconds to wait for a thread on a loaded machine


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the background task did not get to it"
        time.sleep(0.01)


def test_a_task_is_registered_by_name_with_its_interval_and_jobs_in_order() -> None:
    runner = Runner()
    done: list[str] = []
    task = runner.every("alerts", 15.0, lambda: done.append("tick"), job="escalation tick")
    runner.then("alerts", "sending", lambda: done.append("send"))
    assert runner.tasks == {"alerts": task} and task.interval == 15.0
    assert [job.name for job in task.jobs] == ["escalation tick", "sending"]
    task.run_round()
    assert done == ["tick", "send"] and task.rounds == 1


def test_a_name_is_registered_once() -> None:
    runner = Runner()
    runner.every("evaluation", 60.0, lambda: None)
    with pytest.raises(ValueError, match="evaluation"):
        runner.every("evaluation", 60.0, lambda: None)


def test_a_task_runs_at_start_up_and_then_every_interval() -> None:
    runner = Runner()
    task = runner.every("often", 0.01, lambda: None)
    rare = runner.every("rare", 3600.0, lambda: None)
    runner.start()
    try:
        wait_for(lambda: task.rounds >= 3)
        assert rare.rounds == 1  # the round at start-up, then an hour's wait
    finally:
        runner.stop()


def test_a_failing_job_is_counted_and_the_others_keep_running() -> None:
    def broken() -> None:
        raise RuntimeError("the database went away")

    runner = Runner()
    failing = runner.every("alerts", 0.01, broken, job="escalation tick")
    runner.then("alerts", "sending", lambda: "sent")
    other = runner.every("evaluation", 0.01, lambda: "evaluated")
    runner.start()
    try:
        wait_for(lambda: failing.rounds >= 3 and other.rounds >= 3)
    finally:
        runner.stop()
    assert failing.failures["escalation tick"] >= 3 and not failing.failures["sending"]
    assert failing.last == {"sending": "sent"} and other.last == {"evaluation": "evaluated"}


def test_a_request_brings_a_round_forward_and_the_earlier_request_stands() -> None:
    task = Task("evaluation", 3600.0)
    task.request(3600.0)
    first = task._due
    task.request(3600.0)
    assert task._due == first  # ingestions in a burst ask for one round, not one each


def test_a_request_runs_a_round_before_the_interval_is_up() -> None:
    runner = Runner()
    task = runner.every("evaluation", 3600.0, lambda: None)
    runner.start()
    try:
        wait_for(lambda: task.rounds == 1)
        task.request(0.0)
        wait_for(lambda: task.rounds == 2)
    finally:
        runner.stop()


def test_stop_is_prompt_for_waiting_tasks_and_waits_for_a_running_round() -> None:
    started = threading.Event()
    release = threading.Event()
    finished: list[bool] = []

    def slow() -> None:
        started.set()
        release.wait(PATIENCE)
        finished.append(True)

    runner = Runner()
    runner.every("idle", 3600.0, lambda: None)
    runner.every("slow", 3600.0, slow)
    runner.start()
    started.wait(PATIENCE)
    threading.Timer(0.1, release.set).start()
    runner.stop()
    assert finished == [True]
    # The idle task waits an hour between rounds; were it not woken, it would outlive stop().
    names = {f"slawatch-{name}" for name in runner.tasks}
    assert not any(t.name in names and t.is_alive() for t in threading.enumerate())


def test_the_lifespan_starts_the_tasks_and_stops_them_at_the_end() -> None:
    runner = Runner()
    task = runner.every("evaluation", 3600.0, lambda: None)

    async def serve() -> None:
        async with runner.lifespan(object()):
            await asyncio.to_thread(wait_for, lambda: task.rounds == 1)

    # A thread of its own: the browser tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, serve()).result()
    assert not any(t.name == "slawatch-evaluation" and t.is_alive() for t in threading.enumerate())
