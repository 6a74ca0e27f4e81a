"""The escalation tick: open escalations for new triggers, climb ladders, close recovered ones.

One replica at a time runs a tick, holding the named lease "alerts". The lease is an
optimisation, not the guarantee: should a slow tick outlive its lease, the unique keys still
keep every escalation and every ladder step to one row, and a step's notification is queued
in the transaction that records the step, so a step and its messages exist together or not
at all. Each escalation is written in a transaction of its own, so one failure (a broken
notification route) does not hold back the others; it is retried on the next tick. Likewise
each agreement's triggers are read, and each trigger opened, on their own: one agreement's
bad figures are logged and counted, and every other agreement still escalates.

Agreements whose evaluation keeps failing are escalated to the admins here too
(`failing_evaluations.py`), with a one-rung ladder of their own.

The first tick ever on a database records since when the alerts watch it
(`watching_since`); nothing that turned bad before then opens an escalation, so a server
started on a database of history (the demo's first start) sends nothing about the past.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement, Calendar
from slawatch.alerts import failing_evaluations as failing
from slawatch.alerts.escalation import (
    Action,
    Close,
    Condition,
    EscalationState,
    Notify,
    Rung,
    StepClock,
    apply,
    due_actions,
    ladder_of,
    next_step_at,
    wall_clock,
    working_clock,
)
from slawatch.alerts.outbox import LadderStep
from slawatch.alerts.triggers import (
    SUPERSEDES,
    Standing,
    Trigger,
    held_until,
    item_triggers,
    period_triggers,
    standing_of,
)
from slawatch.engine.calendar import WorkingCalendar
from slawatch.engine.instants import US
from slawatch.evaluation.service import process_owner
from slawatch.metrics import record_background_failure
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.clock_states import as_of_now, clocks_of
from slawatch.store.db import read_transaction, transaction
from slawatch.store.escalations import (
    SYSTEM,
    CloseReason,
    Escalation,
    NewEscalation,
    close_escalation,
    lock_escalation,
    open_escalation,
    open_escalations,
    open_of_subject,
    set_next_step_at,
    take_ladder_step,
    watched_since,
    watching_since,
)
from slawatch.store.health import Health, failing_agreements
from slawatch.store.leases import release_lease, take_lease
from slawatch.store.results import StoredResult, stored_results
from slawatch.wall_clock import now_us

log = logging.getLogger("slawatch.alerts")
LEASE = "alerts"
HISTORY = "history"  # kept in an escalation's detail: it turned bad before slawatch watched
LEASE_US = 300 * US  # longer than any tick; a dead holder's lease runs out after it
EVALUATION_INTERVAL_US = 60 * US  # SLAWATCH_EVALUATION_INTERVAL's default


class NotifyStep(Protocol):
    """Queue the messages of one ladder step (notify.enqueue_step)."""

    def __call__(self, connection: Connection, step: LadderStep) -> object: ...


@dataclass
class TickReport:
    """What one tick did; `ran` is False when another replica held the lease."""

    ran: bool = False
    opened: int = 0
    notified: int = 0
    recovered: int = 0
    superseded: int = 0
    failed: list[int] = field(default_factory=list)  # escalations whose step failed
    failed_agreements: list[str] = field(default_factory=list)  # triggers that failed


@lru_cache(maxsize=64)
def _calendar_clock(calendar: Calendar) -> StepClock:
    # Expanding a calendar's years costs milliseconds and its spec never changes, so keep it;
    # it grows its tables on demand, so threads sharing it take turns.
    clock = working_clock(WorkingCalendar(calendar))
    lock = threading.Lock()

    def due(opened_at: int, after_us: int) -> int:
        with lock:
            return clock(opened_at, after_us)

    return due


@dataclass(frozen=True)
class Ladder:
    """An objective's rungs and the clock they are measured on."""

    rungs: tuple[Rung, ...]
    clock: StepClock

    def due(self, state: EscalationState, condition: Condition, as_of: int) -> list[Action]:
        return due_actions(state, self.rungs, condition, as_of, self.clock)

    def next_at(self, state: EscalationState) -> int | None:
        return next_step_at(state, self.rungs, self.clock)


def ladder_for(agreement: Agreement | None, objective: str) -> Ladder:
    """Return the agreement's ladder on the objective's calendar; none if either is gone."""
    if agreement is None or objective not in agreement.objectives:
        return Ladder((), wall_clock)
    calendar = agreement.calendar_of(objective)
    clock = wall_clock if calendar is None else _calendar_clock(calendar)
    return Ladder(ladder_of(agreement.escalation), clock)


def state_of(escalation: Escalation) -> EscalationState:
    return EscalationState(
        opened_at=escalation.opened_at,
        steps_taken=escalation.steps_taken,
        tier=escalation.tier,
        acknowledged=escalation.acknowledged_at is not None,
        closed=escalation.closed_at is not None,
        held_until=held_until(escalation.trigger, escalation.detail, escalation.opened_at),
        history=bool(escalation.detail.get(HISTORY)),
        snoozed_until=escalation.snoozed_until,
    )


def run_tick(
    engine: Engine,
    *,
    now: int,
    owner: str,
    lookback_us: int,
    notify: NotifyStep | None = None,
    notify_admins: NotifyStep | None = None,
    lease_us: int = LEASE_US,
    evaluation_interval_us: int = EVALUATION_INTERVAL_US,
) -> TickReport:
    """Run one tick at `now` if this process gets the lease; report what it did.

    `notify_admins` queues the message of an evaluation-failure escalation
    (failing_evaluations.enqueue_failure_step); one opens once an agreement's results are
    `STALE_INTERVALS` evaluation intervals old and its evaluation is failing.
    """
    with transaction(engine) as connection:
        if not take_lease(connection, LEASE, owner, now, now + lease_us):
            return TickReport()
    try:
        tick = Tick(
            engine,
            now=now,
            notify=notify,
            notify_admins=notify_admins,
            stale_after_us=failing.STALE_INTERVALS * evaluation_interval_us,
        )
        return tick.run(since_from=now - lookback_us)
    finally:
        with transaction(engine) as connection:
            release_lease(connection, LEASE, owner)


class Tick:
    """One round: the triggers first, then every open escalation, each in its transaction."""

    def __init__(
        self,
        engine: Engine,
        *,
        now: int,
        notify: NotifyStep | None,
        notify_admins: NotifyStep | None = None,
        stale_after_us: int = failing.STALE_INTERVALS * EVALUATION_INTERVAL_US,
    ) -> None:
        self.engine = engine
        self.now = now
        self.notify = notify
        self.notify_admins = notify_admins
        self.stale_after_us = stale_after_us
        self.report = TickReport(ran=True)
        self.agreements: dict[str, StoredAgreement] = {}
        self.results: dict[str, list[StoredResult]] = {}
        self.health: dict[str, Health] = {}
        self.unread: set[str] = set()  # agreements whose stored results could not be read
        self.watching_since = now

    def run(self, *, since_from: int) -> TickReport:
        with read_transaction(self.engine) as connection:
            watched = watched_since(connection)  # read-only on every tick but the first
        if watched is None:
            with transaction(self.engine) as connection:
                watched = watching_since(connection, self.now)
        self.watching_since = watched
        with read_transaction(self.engine) as connection:
            self.agreements = {s.id: s for s in current_agreements(connection)}
            self.health = failing_agreements(connection)
            triggers = item_triggers(connection, since_from=since_from, now=self.now)
        for stored in self.agreements.values():
            triggers += self._period_triggers(stored, since_from)
        for trigger in triggers:
            self._guarded(trigger.agreement_id, "open", self._open, trigger)
        stale = failing.stale_failures(
            self.health.values(), now=self.now, stale_after_us=self.stale_after_us
        )
        for health in stale:
            if health.agreement_id in self.agreements:
                self._guarded(health.agreement_id, "open", self._open_failure, health)
        with read_transaction(self.engine) as connection:
            escalations = open_escalations(connection)
            clocks = clocks_of(connection, escalations)
        for escalation in escalations:
            if escalation.agreement_id in self.unread:
                continue  # without its figures, a period escalation would look recovered
            try:
                self._advance(escalation, self._standing(escalation, clocks))
            except Exception:  # one escalation's failure must not hold back the others
                log.exception("escalation %s: step failed; retrying next tick", escalation.id)
                record_background_failure("escalation", escalation.agreement_id)
                self.report.failed.append(escalation.id)
        return self.report

    def _guarded(
        self, agreement_id: str, stage: str, work: Callable[[Any], None], arg: Any
    ) -> None:
        """Run one agreement's piece of the tick; log, count and skip it if it fails."""
        try:
            work(arg)
        except Exception:  # one agreement's bad figures must not stop another's escalations
            log.exception("%s: escalation %s failed; the others go on", agreement_id, stage)
            record_background_failure(stage, agreement_id)
            self.report.failed_agreements.append(agreement_id)

    def _period_triggers(self, stored: StoredAgreement, since_from: int) -> list[Trigger]:
        """Read one agreement's results and period triggers in a transaction of their own."""
        found: list[Trigger] = []

        def read(_: object) -> None:
            with read_transaction(self.engine) as connection:
                results = stored_results(connection, stored.id)
                self.results[stored.id] = results
                found.extend(period_triggers(connection, stored, results, since_from=since_from))

        self._guarded(stored.id, "triggers", read, None)
        if stored.id not in self.results:
            self.unread.add(stored.id)
        return found

    def _standing(
        self, escalation: Escalation, clocks: dict[tuple[str, str, int], Any]
    ) -> Standing:
        if failing.is_failure_escalation(escalation):
            health = self.health.get(escalation.agreement_id)
            return Standing(failing.failure_condition(escalation, health))
        clock = clocks.get((escalation.agreement_id, escalation.objective, escalation.item_id or 0))
        if clock is not None:
            clock = as_of_now(clock, self.now)
        return standing_of(escalation, clock, self.results.get(escalation.agreement_id, ()))

    def _ladder(self, escalation: Escalation) -> Ladder:
        if failing.is_failure_escalation(escalation):
            return Ladder(failing.ADMIN_RUNGS, wall_clock)
        stored = self.agreements.get(escalation.agreement_id)
        return ladder_for(stored.agreement if stored else None, escalation.objective)

    def _open_failure(self, health: Health) -> None:
        with transaction(self.engine) as connection:
            if open_escalation(connection, failing.failure_escalation(health, now=self.now)):
                self.report.opened += 1

    def _open(self, trigger: Trigger) -> None:
        stored = self.agreements.get(trigger.agreement_id)
        if stored is None or trigger.objective not in stored.agreement.objectives:
            return  # figures of an objective the current version no longer has
        ladder = ladder_for(stored.agreement, trigger.objective)
        # What turned bad before slawatch watched is listed, never sent (a first start).
        history = trigger.began_at < self.watching_since
        opened = EscalationState(
            opened_at=self.now,
            held_until=held_until(trigger.trigger, trigger.detail, self.now),
            history=history,
        )
        new = NewEscalation(
            agreement_id=trigger.agreement_id,
            objective=trigger.objective,
            subject=trigger.subject,
            trigger=trigger.trigger,
            party=stored.agreement.objectives[trigger.objective].owner,
            opened_at=self.now,
            next_step_at=ladder.next_at(opened),
            detail=trigger.detail
            | {"began_at": trigger.began_at, "version": stored.version}
            | ({HISTORY: True} if history else {}),
            item_id=trigger.item_id,
            period=trigger.period,
        )
        with transaction(self.engine) as connection:
            if open_escalation(connection, new) is None:
                return
            self.report.opened += 1
            # One ladder per subject: the breach takes over from the warning at once.
            warnings = SUPERSEDES.get(trigger.trigger, [])
            for warning in open_of_subject(
                connection, trigger.agreement_id, trigger.objective, trigger.subject, warnings
            ):
                self.report.superseded += self._close_id(connection, warning, "superseded")

    def _advance(self, escalation: Escalation, standing: Standing) -> None:
        """Take what is due for one escalation; write only when something is."""
        ladder = self._ladder(escalation)
        state = state_of(escalation)
        actions = ladder.due(state, standing.condition, self.now)
        following = ladder.next_at(apply(state, actions))
        if not standing.superseded and not actions and following == escalation.next_step_at:
            return  # the common case: nothing to write
        with transaction(self.engine) as connection:
            done = self._take(connection, escalation.id, standing, ladder)
        # Counted once committed: a step whose notification failed was rolled back.
        self.report.notified += done.notified
        self.report.recovered += done.recovered
        self.report.superseded += done.superseded

    def _take(
        self, connection: Connection, escalation_id: int, standing: Standing, ladder: Ladder
    ) -> TickReport:
        done = TickReport(ran=True)
        current = lock_escalation(connection, escalation_id)
        if current is None or current.closed_at is not None:
            return done
        if standing.superseded:
            done.superseded = self._close(connection, current, "superseded")
            return done
        # Decide again on the locked row: a user may have acknowledged it meanwhile.
        state = state_of(current)
        actions = ladder.due(state, standing.condition, self.now)
        for action in actions:
            if isinstance(action, Close):
                done.recovered = self._close(connection, current, "recovered")
                return done
            done.notified += self._notify(connection, current, action)
        set_next_step_at(connection, current.id, ladder.next_at(apply(state, actions)))
        return done

    def _notify(self, connection: Connection, escalation: Escalation, action: Notify) -> int:
        step_id = take_ladder_step(
            connection, escalation.id, step=action.step, tier=action.tier, at=self.now
        )
        if step_id is None:
            return 0  # another tick took this step
        notify = self.notify_admins if failing.is_failure_escalation(escalation) else self.notify
        if notify is not None:
            notify(connection, LadderStep(escalation.id, step_id, action.tier, self.now))
        return 1

    def _close(self, connection: Connection, escalation: Escalation, reason: CloseReason) -> int:
        return self._close_id(connection, escalation.id, reason)

    def _close_id(self, connection: Connection, escalation_id: int, reason: CloseReason) -> int:
        closed = close_escalation(connection, escalation_id, at=self.now, by=SYSTEM, reason=reason)
        return int(closed)


class EscalationTicker:
    """Run `run_tick` at the current time as this process, for the background runner."""

    def __init__(
        self,
        engine: Engine,
        *,
        lookback_days: int,
        notify: NotifyStep | None = None,
        notify_admins: NotifyStep | None = None,
        evaluation_interval: float = EVALUATION_INTERVAL_US / US,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.lookback_us = lookback_days * 86_400 * US
        self.notify = notify
        self.notify_admins = notify_admins
        self.evaluation_interval_us = int(evaluation_interval * US)
        self.owner = owner or process_owner()

    def tick(self) -> TickReport:
        """Run one tick now; a failure raises, and the runner tries again next round."""
        return run_tick(
            self.engine,
            now=now_us(),
            owner=self.owner,
            lookback_us=self.lookback_us,
            notify=self.notify,
            notify_admins=self.notify_admins,
            evaluation_interval_us=self.evaluation_interval_us,
        )
