"""Late now at the instant asked, and breakdowns kept until the evaluator writes again."""

from __future__ import annotations

from slawatch.engine.breakdowns import NO_VALUE
from slawatch.evaluation.breakdowns import late_by_owner
from slawatch.store.breakdowns import OpenClock


def clock(item: int, owner: str | None, state: str, deadline: int, warn: int | None) -> OpenClock:
    return OpenClock(item, "default", f"L-{item}", owner, "2026-05", state, 0, deadline, warn)


def test_a_running_clock_is_late_once_its_deadline_passed_whatever_its_stored_state() -> None:
    clocks = [
        clock(1, "anna", "running", 100, 75),  # late at 100, although stored running
        clock(2, "anna", "running", 200, 150),  # past its warning point: at risk
        clock(3, "ben", "at_risk", 300, None),  # stored at risk
        clock(4, None, "breached", 50, 30),
        clock(5, "ben", "running", 400, 350),  # neither yet
    ]
    found = late_by_owner(clocks, now=160)
    assert {
        owner: [(c.clock.item_id, c.late) for c in owned] for owner, owned in found.items()
    } == {
        "anna": [(1, True), (2, False)],
        "ben": [(3, False)],
        NO_VALUE: [(4, True)],
    }


def test_a_deadline_at_the_very_instant_is_late() -> None:
    (owned,) = late_by_owner([clock(1, "anna", "running", 100, None)], now=100).values()
    assert owned[0].late
    assert late_by_owner([clock(1, "anna", "running", 100, None)], now=99) == {}
