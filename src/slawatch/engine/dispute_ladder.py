"""When a dispute climbs its ladder, and when its resolution time runs out: pure timing.

A dispute opens at an instant; each ladder step (`after`, `tier`) falls due once `after` has
passed since then, and the resolution deadline once `resolve_within` has. Without a calendar
that is wall-clock time. With one, `m`/`h` count working time (a step never falls due while the
office is closed: `0h` is the first working instant at or after the opening, an exact fit is
an interval's close, as for escalations) and `bd` is the close of the N-th business day after
the opening's local date, as for clocks. The periodic job (`alerts/disputes.py`) takes every
step due at its `as_of`, in order, each once; a late job takes all that fell due meanwhile.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from slawatch.agreements.model import Duration, DurationUnit, EscalationStep
from slawatch.engine.calendar import WorkingCalendar, WorkingTime
from slawatch.engine.instants import US

OVERDUE = "overdue"  # the key of the step at the resolution deadline
OVERDUE_TIER = 3  # the deadline passed undecided: management hears of it


@dataclass(frozen=True)
class DisputeStep:
    """One step of a dispute's ladder: `key` is stable across runs (`tier-1`, …, `overdue`)."""

    key: str
    tier: int
    due_at: int  # µs


def due_after(opened_at: int, after: Duration, calendar: WorkingTime | None) -> int:
    """Return when `after` has passed since `opened_at` (µs), on `calendar` if given."""
    if calendar is None:
        if after.unit is DurationUnit.BUSINESS_DAYS:
            raise ValueError("business days need a calendar")
        return opened_at + after.amount * US
    if after.unit is DurationUnit.BUSINESS_DAYS:
        if not isinstance(calendar, WorkingCalendar):
            raise ValueError("business days need a working calendar")
        due = calendar.business_day_deadline(np.array([opened_at], dtype=np.int64), after.amount)
        return int(due[0])
    amount = after.amount * US
    reached = int(calendar.cumulative(np.array([opened_at], dtype=np.int64))[0]) + amount
    if amount > 0:
        return int(calendar.instant_at(np.array([reached], dtype=np.int64))[0])
    # One µs past the opening, less that µs: the opening itself inside working hours, or the
    # next opening outside them.
    return int(calendar.instant_at(np.array([reached + 1], dtype=np.int64))[0]) - 1


def schedule(
    opened_at: int,
    ladder: Sequence[EscalationStep],
    resolve_within: Duration,
    calendar: WorkingTime | None,
) -> list[DisputeStep]:
    """Return every step of a dispute opened at `opened_at`, by when it falls due.

    The ladder's steps come first at a tie with the deadline, so tier 3 of the ladder and
    the deadline at the same instant read in that order on the timeline.
    """
    steps = [
        DisputeStep(f"tier-{index + 1}", step.tier, due_after(opened_at, step.after, calendar))
        for index, step in enumerate(ladder)
    ]
    steps.append(DisputeStep(OVERDUE, OVERDUE_TIER, due_after(opened_at, resolve_within, calendar)))
    return sorted(steps, key=lambda s: s.due_at)  # stable: the ladder before the deadline


def due_steps(
    steps: Sequence[DisputeStep], taken: Collection[str], as_of: int, *, decided: bool
) -> list[DisputeStep]:
    """Return the steps due at `as_of` not taken yet, in order; none once decided."""
    if decided:
        return []
    return [s for s in steps if s.due_at <= as_of and s.key not in taken]


def next_due(steps: Sequence[DisputeStep], taken: Collection[str]) -> int | None:
    """Return when the next untaken step falls due, or None when all are taken."""
    pending = [s.due_at for s in steps if s.key not in taken]
    return min(pending) if pending else None


def deadline_of(steps: Sequence[DisputeStep]) -> int:
    """Return the resolution deadline of a schedule."""
    return next(s.due_at for s in steps if s.key == OVERDUE)
