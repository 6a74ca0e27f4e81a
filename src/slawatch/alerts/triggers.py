"""What opens an escalation, and how its subject stands now.

Four triggers, each on a subject:
- `warn`: an item clock reached its warning point (state `at_risk`) — subject `item:<id>`;
- `breach`: an item clock ran past its deadline and is still running — `item:<id>`;
- `at_risk`: the running period's forecast says the objective will miss — `period:<label>`;
- `period_breached`: a period's objective is breached (closed, or already beyond saving
  while it runs) — `period:<label>`.

Only subjects that turned bad within the lookback open escalations, so loading last year's
history pages no one; what turned bad before the alerts watched the database at all (a
server's first start on a database of history) opens escalations marked `history` that are
listed but notify no one (`tick.py`). Warnings about a running period wait until the
agreement's `objective_warnings_after` share of it has passed.

One ladder per subject: a breach supersedes the item's warning, and a breached period its
at-risk forecast, in the transaction that opens the breach; the warning closes as
`superseded` and the breach starts its own ladder. Warnings never climb past tier 1 (an
item's never, a running period's not before it ends: `held_until`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from slawatch.alerts.escalation import NEVER, Condition
from slawatch.engine.results import ObjectiveResult
from slawatch.store.agreements import StoredAgreement
from slawatch.store.clock_states import ClockStanding, clocks_turned_bad
from slawatch.store.escalations import Escalation
from slawatch.store.escalations import opened_triggers as stored_triggers
from slawatch.store.results import StoredResult

ITEM_TRIGGERS = {"at_risk": "warn", "breached": "breach"}  # clock state → trigger
TRIGGERS = ("warn", "breach", "at_risk", "period_breached")
# The warnings a breach of the same subject closes as superseded.
SUPERSEDES = {"breach": ["warn"], "period_breached": ["at_risk"]}


@dataclass(frozen=True)
class Trigger:
    """A subject that turned bad and has no escalation for this trigger yet."""

    agreement_id: str
    objective: str
    subject: str
    trigger: str
    began_at: int  # when the subject turned bad, as far as the stored figures tell
    detail: dict[str, Any]
    item_id: int | None = None
    period: str | None = None


def item_subject(item_id: int) -> str:
    return f"item:{item_id}"


def period_subject(label: str) -> str:
    return f"period:{label}"


def item_triggers(connection: Connection, *, since_from: int, now: int) -> list[Trigger]:
    """Return the item clocks at risk or breached at `now` since `since_from`, unopened."""
    found = []
    for state, trigger in ITEM_TRIGGERS.items():
        for clock in clocks_turned_bad(
            connection, state=state, trigger=trigger, since_from=since_from, now=now
        ):
            found.append(
                Trigger(
                    agreement_id=clock.agreement_id,
                    objective=clock.objective,
                    subject=item_subject(clock.item_id),
                    trigger=trigger,
                    began_at=clock.since,
                    detail=clock_detail(clock),
                    item_id=clock.item_id,
                    period=clock.period,
                )
            )
    return found


def clock_detail(clock: ClockStanding) -> dict[str, Any]:
    """Return the numbers of an item clock worth keeping with the escalation."""
    return {
        "state": clock.state,
        "since": clock.since,
        "started_at": clock.started_at,
        "deadline": clock.deadline,
        "warn_at": clock.warn_at,
        "elapsed_us": clock.elapsed_us,
        "period": clock.period,
    }


def is_running(result: StoredResult) -> bool:
    return result.as_of < result.period_end


def period_trigger_of(result: StoredResult, status: str) -> str | None:
    """Return the trigger a period objective's status pulls, if any."""
    if status == "breached":
        return "period_breached"
    if status == "at_risk" and is_running(result):
        return "at_risk"
    return None


def too_early(result: StoredResult, share: float) -> bool:
    """Tell whether less than `share` of a running period has passed: too early to warn."""
    if not is_running(result):
        return False
    length = result.period_end - result.period_start
    return result.as_of - result.period_start < share * length


def period_triggers(
    connection: Connection,
    stored: StoredAgreement,
    results: Iterable[StoredResult],
    *,
    since_from: int,
) -> list[Trigger]:
    """Return the period objectives of an agreement that turned bad since `since_from`.

    A period's figures tell no instant of turning bad: a closed period turned breached when
    it closed, a running one as of its latest evaluation. A running period opens nothing
    before the agreement's `objective_warnings_after` share of it has passed.
    """
    opened = stored_triggers(connection, stored.id)
    found = []
    for result in results:
        began = min(result.period_end, result.as_of)
        if began < since_from or too_early(result, stored.agreement.objective_warnings_after):
            continue
        for objective in result.objectives:
            trigger = period_trigger_of(result, objective.status.value)
            subject = period_subject(result.period)
            if trigger is None or (objective.objective, subject, trigger) in opened:
                continue
            if objective.objective not in stored.agreement.objectives:
                continue
            found.append(
                Trigger(
                    agreement_id=stored.id,
                    objective=objective.objective,
                    subject=subject,
                    trigger=trigger,
                    began_at=began,
                    detail=period_detail(result, objective),
                    period=result.period,
                )
            )
    return found


def period_detail(result: StoredResult, objective: ObjectiveResult) -> dict[str, Any]:
    """Return the figures of a period objective worth keeping with the escalation."""
    document = objective.document()
    detail = {key: document[key] for key in ("kind", "status", "value", "target", "op")}
    return detail | {
        "period": result.period,
        "period_start": result.period_start,
        "period_end": result.period_end,
        "as_of": result.as_of,
    }


def held_until(trigger: str, detail: Mapping[str, Any], opened_at: int) -> int | None:
    """Return until when an escalation stays at tier 1: an item warning for good, a warning
    about a running period (or its early breach) until the period ends; None: it climbs."""
    if trigger == "warn":
        return NEVER
    end = detail.get("period_end")
    if trigger not in ("at_risk", "period_breached") or end is None:
        return None
    return int(end) if opened_at < int(end) else None


# -- how an open escalation's subject stands ---------------------------------------------


def item_condition(trigger: str, clock: ClockStanding | None) -> Condition:
    """Judge an item escalation's subject: a stopped, gone or back-on-time clock recovered."""
    if clock is None or clock.stopped_at is not None:
        return Condition.RECOVERED
    if clock.state == "paused":
        return Condition.WAITING
    bad = {"warn": ("at_risk", "breached"), "breach": ("breached",)}.get(trigger, ())
    return Condition.BAD if clock.state in bad else Condition.RECOVERED


def period_condition(trigger: str, status: str | None) -> Condition:
    """Judge a period escalation's subject by its objective's stored status."""
    bad = {"at_risk": ("at_risk", "breached"), "period_breached": ("breached",)}.get(trigger, ())
    return Condition.BAD if status in bad else Condition.RECOVERED


def _superseded(trigger: str, *, clock_state: str | None, status: str | None) -> bool:
    """Tell whether a breach has overtaken this warning or at-risk forecast."""
    if trigger == "warn":
        return clock_state == "breached"
    if trigger == "at_risk":
        return status == "breached"
    return False


@dataclass(frozen=True)
class Standing:
    """How an open escalation's subject stands: its condition, or overtaken by a breach."""

    condition: Condition
    superseded: bool = False


def standing_of(
    escalation: Escalation, clock: ClockStanding | None, results: Iterable[StoredResult]
) -> Standing:
    """Judge an open escalation's subject from its item clock or its period's stored status."""
    if escalation.item_id is not None:
        condition = item_condition(escalation.trigger, clock)
        clock_state, status = (clock.state if clock else None), None
    else:
        status = status_of(results, escalation.period or "", escalation.objective)
        condition = period_condition(escalation.trigger, status)
        clock_state = None
    if condition is Condition.RECOVERED:
        return Standing(condition)
    replaced = _superseded(escalation.trigger, clock_state=clock_state, status=status)
    return Standing(condition, superseded=replaced)


def status_of(results: Iterable[StoredResult], period: str, objective: str) -> str | None:
    """Return an objective's stored status in a period, or None when it is not stored."""
    for result in results:
        if result.period == period:
            found = result.result(objective)
            if found is not None:
                return found.status.value
    return None
