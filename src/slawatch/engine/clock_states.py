"""The state of a stored clock at a later instant, without evaluating it again.

A running clock's deadline and warning point are fixed until an event arrives (and an event
makes the evaluator rewrite the clock), so passing them needs no evaluation: a running clock
past its deadline is breached since the deadline, one past its warning point at risk since
the warning point. The store selects clocks by this rule in SQL (store/clock_states.py); its
tests hold that query to this function on random clocks.
"""

from __future__ import annotations

from typing import Final

from slawatch.engine.clock import ClockState

BREACHED: Final = ClockState.BREACHED.label
AT_RISK: Final = ClockState.AT_RISK.label
RUNNING: Final = ClockState.RUNNING.label
TICKING: Final = (RUNNING, AT_RISK)  # the states whose deadline can still pass


def state_at(
    state: str,
    since: int,
    *,
    stopped_at: int | None,
    deadline: int | None,
    warn_at: int | None,
    now: int,
) -> tuple[str, int]:
    """Return (state, since) of a stored clock at `now`, a time at or after its evaluation.

    A deadline or warning point that `now` has reached counts as passed: the tick escalates
    at the deadline itself, not a microsecond later.
    """
    if stopped_at is not None or state not in TICKING:
        return state, since
    if deadline is not None and deadline <= now:
        return BREACHED, deadline
    if state == RUNNING and warn_at is not None and warn_at <= now:
        return AT_RISK, warn_at
    return state, since
