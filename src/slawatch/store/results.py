"""Stored evaluation results, and the claims on recomputing them.

Results: per agreement and period label, the `evaluate --format json` document of that one
period, read back as typed results by `StoredResult.objectives`. Claims: any replica may
recompute an agreement, but only the one whose conditional UPDATE on `evaluation_state`
matches a row does; the others find rowcount 0, meaning another
process got there first (the healthchecks `sendalerts` pattern, without a lock server).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from slawatch.engine.kinds import result_of
from slawatch.engine.results import ObjectiveResult
from slawatch.store.schema import evaluation_health, evaluation_state, events, results


@dataclass(frozen=True)
class StoredResult:
    """One period's stored `evaluate` JSON, and which version and instant it reflects."""

    agreement_id: str
    period: str
    version: int
    period_start: int
    period_end: int
    as_of: int
    payload: dict[str, Any]

    @cached_property
    def objectives(self) -> tuple[ObjectiveResult, ...]:
        """Return the period's results, typed: the one place a stored document is read."""
        periods = self.payload.get("periods") or [{}]
        return tuple(result_of(found) for found in periods[0].get("objectives", ()))

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.payload.get("warnings", ()))

    def result(self, objective_id: str) -> ObjectiveResult | None:
        """Return one objective's result in this period, if it was measured."""
        return next((r for r in self.objectives if r.objective == objective_id), None)


@dataclass(frozen=True)
class Claim:
    """Work this process now owns: recompute `agreement_id` up to change number `wanted`."""

    agreement_id: str
    owner: str
    wanted: int


def replace_results(
    connection: Connection, agreement_id: str, rows: Sequence[StoredResult]
) -> None:
    """Replace every stored period of an agreement at once: readers see old or new, never both."""
    connection.execute(delete(results).where(results.c.agreement_id == agreement_id))
    if rows:
        connection.execute(
            insert(results),
            [
                {
                    "agreement_id": row.agreement_id,
                    "period": row.period,
                    "version": row.version,
                    "period_start": row.period_start,
                    "period_end": row.period_end,
                    "as_of": row.as_of,
                    "payload": row.payload,
                }
                for row in rows
            ],
        )


def result_of_row(row: Any) -> StoredResult:
    """Turn a row of `results` into a StoredResult (for queries outside this module too)."""
    return StoredResult(
        agreement_id=row.agreement_id,
        period=row.period,
        version=row.version,
        period_start=row.period_start,
        period_end=row.period_end,
        as_of=row.as_of,
        payload=row.payload,
    )


def stored_result(connection: Connection, agreement_id: str, period: str) -> StoredResult | None:
    row = connection.execute(
        select(results).where(results.c.agreement_id == agreement_id, results.c.period == period)
    ).first()
    return None if row is None else result_of_row(row)


def stored_results(connection: Connection, agreement_id: str) -> list[StoredResult]:
    """Return an agreement's stored periods, earliest first."""
    rows = connection.execute(
        select(results)
        .where(results.c.agreement_id == agreement_id)
        .order_by(results.c.period_start, results.c.period)
    )
    return [result_of_row(row) for row in rows]


def stored_periods(connection: Connection, agreement_id: str) -> list[str]:
    """Return the labels of an agreement's stored periods, earliest first."""
    query = (
        select(results.c.period)
        .where(results.c.agreement_id == agreement_id)
        .order_by(results.c.period_start, results.c.period)
    )
    return list(connection.execute(query).scalars())


def latest_event_id(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one())


def _needs_work(latest_event: int, stale_before: int | None) -> Any:
    state = evaluation_state.c
    reasons = [state.wanted > state.done, state.last_event_id < latest_event]
    if stale_before is not None:
        reasons += [state.computed_at.is_(None), state.computed_at < stale_before]
    return or_(*reasons)


def _failed_recently(retry_before: int) -> Any:
    """Select agreements whose evaluation failed since `retry_before` with nothing saved since.

    New events do not make a failing agreement due again before `retry_before` passes (a
    stream of batches would retry a slow failure every second); a new version does at once.
    """
    state, health = evaluation_state.c, evaluation_health.c
    return (
        select(health.agreement_id)
        .where(
            health.agreement_id == state.agreement_id,
            health.failing_since.is_not(None),
            health.failed_wanted == state.wanted,
            health.last_attempt_at >= retry_before,
        )
        .exists()
    )


def agreements_needing_work(
    connection: Connection,
    *,
    now: int,
    latest_event: int,
    stale_before: int | None,
    retry_before: int | None = None,
) -> list[str]:
    """Return the agreements with changes (versions, events) or results older than allowed.

    With `retry_before`, an agreement whose evaluation failed at or after it, and has no
    new version since, waits: a failing agreement is tried again once per interval.
    """
    state = evaluation_state.c
    query = select(state.agreement_id).where(
        _needs_work(latest_event, stale_before),
        or_(state.lease_until.is_(None), state.lease_until < now),
    )
    if retry_before is not None:
        query = query.where(~_failed_recently(retry_before))
    return list(connection.execute(query.order_by(state.agreement_id)).scalars())


def claim(
    connection: Connection,
    agreement_id: str,
    *,
    owner: str,
    now: int,
    lease_until: int,
    latest_event: int,
    stale_before: int | None,
) -> Claim | None:
    """Take the lease on recomputing an agreement, or return None if there is nothing to take.

    The WHERE clause repeats the reasons for work: a process that saw work a moment ago, but
    lost the race to one that has since finished it, matches nothing and does not redo it.
    An expired lease (its owner died) is taken over.
    """
    state = evaluation_state.c
    claimed = connection.execute(
        update(evaluation_state)
        .where(
            state.agreement_id == agreement_id,
            or_(state.lease_until.is_(None), state.lease_until < now),
            _needs_work(latest_event, stale_before),
        )
        .values(lease_owner=owner, lease_until=lease_until)
        .returning(state.wanted)
    ).first()
    if claimed is None:
        return None  # another process got there first, or nothing is due
    return Claim(agreement_id=agreement_id, owner=owner, wanted=claimed.wanted)


def finish(connection: Connection, work: Claim, *, last_event_id: int, computed_at: int) -> bool:
    """Record the work as done and release the lease; False if the lease was lost meanwhile.

    The caller writes its results in the same transaction only when this returns True, so a
    process whose lease expired (and was taken over) never overwrites newer results.
    """
    state = evaluation_state.c
    updated = connection.execute(
        update(evaluation_state)
        .where(state.agreement_id == work.agreement_id, state.lease_owner == work.owner)
        .values(
            done=work.wanted,
            last_event_id=last_event_id,
            computed_at=computed_at,
            lease_owner=None,
            lease_until=None,
        )
    )
    return updated.rowcount == 1


def release(connection: Connection, work: Claim) -> None:
    """Give the lease back without recording work, after a failure."""
    state = evaluation_state.c
    connection.execute(
        update(evaluation_state)
        .where(and_(state.agreement_id == work.agreement_id, state.lease_owner == work.owner))
        .values(lease_owner=None, lease_until=None)
    )


def want_all(connection: Connection) -> None:
    """Mark every agreement's results as wanted again (e.g. after a bulk import)."""
    connection.execute(update(evaluation_state).values(wanted=evaluation_state.c.wanted + 1))


def evaluation_states(connection: Connection) -> list[dict[str, Any]]:
    rows = connection.execute(select(evaluation_state).order_by(evaluation_state.c.agreement_id))
    return [dict(row._mapping) for row in rows]


def count_events_between(connection: Connection, after_id: int, last_id: int) -> int:
    """Count the stored events with after_id < id ≤ last_id."""
    query = select(func.count()).where(events.c.id > after_id, events.c.id <= last_id)
    return int(connection.execute(query).scalar_one())
