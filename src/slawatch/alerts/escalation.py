"""The escalation ladder as a pure state machine: which steps are due at `as_of`.

An escalation climbs the agreement's ladder, step by step, measured from the instant it
opened: tier 1 (the responsible employee), then 2 (the department head), then 3 (management).
It stops climbing once someone acknowledges it, and closes itself when its subject recovers.
This module decides; it reads no clock and writes nothing, so the tick can be replayed and
tested at any instant. Nothing is skipped: a tick that runs late takes every step that fell
due meanwhile, in ladder order, so the timeline always shows the whole ladder.

On an objective with a `calendar:`, the ladder counts working time of that calendar: `4h` is
four working hours, and a step never falls due outside working hours (a breach at 3 a.m.
notifies tier 1 when the office opens). Without a calendar the ladder is wall-clock time.

Some escalations may not climb past tier 1 yet (`held_until`): a warning about an item never
does, a warning about a running period not before the period ends; the higher tiers then
follow as if the ladder had opened at that end. An escalation of history (its subject turned
bad before slawatch watched the database) is listed and closes on recovery, but never
notifies. A snoozed escalation notifies no one until the
snooze ends, and then takes the steps that fell due meanwhile, as after a pause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from slawatch.agreements.model import EscalationStep
from slawatch.engine.calendar import WorkingTime
from slawatch.engine.instants import US

# (opened_at, after_us) → the instant the step falls due.
StepClock = Callable[[int, int], int]

NEVER = 2**63 - 1  # `held_until` of a ladder that never climbs past tier 1


class Condition(StrEnum):
    """How the escalation's subject stands now."""

    BAD = "bad"  # still at risk or breached: the ladder climbs
    WAITING = "waiting"  # paused (waiting on someone else): open, but the ladder holds
    RECOVERED = "recovered"  # back within its promise, or done: the escalation closes


@dataclass(frozen=True)
class Rung:
    """One step of the ladder: notify `tier` once `after_us` has passed since opening."""

    after_us: int
    tier: int


@dataclass(frozen=True)
class EscalationState:
    """What the machine needs of a stored escalation."""

    opened_at: int
    steps_taken: int = 0  # ladder steps notified so far: the next one is ladder[steps_taken]
    tier: int = 0  # the highest tier notified so far; 0 before the first notification
    acknowledged: bool = False
    closed: bool = False
    held_until: int | None = None  # tiers above 1 wait until then (NEVER: for good)
    history: bool = False  # turned bad before slawatch watched: listed, never notified
    snoozed_until: int | None = None  # no notification before then

    def snoozed_at(self, as_of: int) -> bool:
        return self.snoozed_until is not None and as_of < self.snoozed_until


@dataclass(frozen=True)
class Notify:
    """Notify a tier: ladder step number `step` (from 1), due since `due_at`."""

    step: int
    tier: int
    due_at: int


@dataclass(frozen=True)
class Close:
    """Close the escalation, e.g. as `recovered`."""

    reason: str


Action = Notify | Close


def ladder_of(steps: Sequence[EscalationStep]) -> tuple[Rung, ...]:
    """Turn an agreement's `escalation:` steps into rungs in µs."""
    return tuple(Rung(after_us=step.after.seconds * US, tier=step.tier) for step in steps)


def wall_clock(opened_at: int, after_us: int) -> int:
    """Return when a step falls due without a calendar: `after` of real time."""
    return opened_at + after_us


def working_clock(calendar: WorkingTime) -> StepClock:
    """Return a StepClock counting `after` in working time of `calendar`.

    A step falls due at the first instant `after` working time has passed since opening: an
    exact fit is an interval's close (17:00, still office hours), and `0h` is the first working
    instant at or after the opening, so no step ever falls due while the calendar is closed.
    """

    def due(opened_at: int, after_us: int) -> int:
        reached = int(calendar.cumulative(np.array([opened_at]))[0]) + after_us
        if after_us > 0:
            return int(calendar.instant_at(np.array([reached]))[0])
        # One µs of working time past the opening, less that µs: the next opening, or the
        # opening instant itself when it lies inside working hours.
        return int(calendar.instant_at(np.array([reached + 1]))[0]) - 1

    return due


def due_actions(
    state: EscalationState,
    ladder: Sequence[Rung],
    condition: Condition,
    as_of: int,
    clock: StepClock = wall_clock,
) -> list[Action]:
    """Return what is due at `as_of`: the notifications the ladder owes, or closing it.

    A recovered subject closes the escalation and notifies no one, even if a step was due;
    acknowledged, closed, waiting and snoozed escalations take no step.
    """
    if state.closed:
        return []
    if condition is Condition.RECOVERED:
        return [Close("recovered")]
    if state.acknowledged or state.history or condition is Condition.WAITING:
        return []
    if state.snoozed_at(as_of):
        return []
    actions: list[Action] = []
    for index in range(state.steps_taken, len(ladder)):
        rung = ladder[index]
        due_at = step_due_at(state, rung, clock)
        if due_at is None or due_at > as_of:
            break
        actions.append(Notify(step=index + 1, tier=rung.tier, due_at=due_at))
    return actions


def step_due_at(state: EscalationState, rung: Rung, clock: StepClock = wall_clock) -> int | None:
    """Return when a rung falls due; None if it is held for good (a warning's higher tiers)."""
    opened = state.opened_at
    if rung.tier > 1 and state.held_until is not None:
        if state.held_until >= NEVER:
            return None
        opened = max(opened, state.held_until)
    return clock(opened, rung.after_us)


def apply(state: EscalationState, actions: Sequence[Action]) -> EscalationState:
    """Return the state after taking `actions` (the tick stores the same in its rows)."""
    for action in actions:
        if isinstance(action, Notify):
            state = replace(state, steps_taken=action.step, tier=max(state.tier, action.tier))
        else:
            state = replace(state, closed=True)
    return state


def next_step_at(
    state: EscalationState, ladder: Sequence[Rung], clock: StepClock = wall_clock
) -> int | None:
    """Return when the ladder climbs next, or None when it cannot (done, acknowledged, closed,
    held for good); a step due during a snooze is taken when the snooze ends."""
    if state.closed or state.acknowledged or state.history or state.steps_taken >= len(ladder):
        return None
    due = step_due_at(state, ladder[state.steps_taken], clock)
    if due is None or state.snoozed_until is None:
        return due
    return max(due, state.snoozed_until)
