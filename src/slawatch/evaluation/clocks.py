"""Build every item clock of an agreement's clock objectives as rows of the `item_clocks` table.

Pages and alert triggers read clock states from the store instead of evaluating on a request,
so the background evaluator computes these rows next to the period results and by the same
rule: a clock belongs to the period of its objective that holds its start, and is measured
with the agreement version in force for that period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from slawatch.agreements.model import Agreement, DurationUnit
from slawatch.engine.calendar import AlwaysOpen, WorkingTime
from slawatch.engine.clock import (
    Clocks,
    ClockState,
    apply_pauses,
    clip_pauses,
)
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import ClockItems, EventTable
from slawatch.engine.incidents import IncidentWindow
from slawatch.engine.instants import NO_INSTANT, Instants, from_us
from slawatch.engine.kinds import clocked
from slawatch.engine.kinds.base import TimedObjective
from slawatch.engine.kinds.clock import measure_clocks
from slawatch.store.agreements import StoredAgreement, version_in_force

CLOCK_SCHEMA: dict[str, pl.DataType] = {
    "agreement_id": pl.String(),
    "objective": pl.String(),
    "item_id": pl.Int64(),
    "period": pl.String(),
    "started_at": pl.Int64(),
    "stopped_at": pl.Int64(),
    "deadline": pl.Int64(),
    "warn_at": pl.Int64(),
    "elapsed_us": pl.Int64(),
    "paused_us": pl.Int64(),
    "allowance_us": pl.Int64(),  # not stored, like `version`: the item page draws it
    "state": pl.String(),
    "since": pl.Int64(),
    "as_of": pl.Int64(),
    "version": pl.Int64(),  # the agreement version that measured the clock: not stored
}
_LABELS = pl.Series("state", [state.label for state in sorted(ClockState)], dtype=pl.String)


@dataclass(frozen=True)
class MeasuredVersion:
    """A version that governs at least one begun period, measured from the common start."""

    stored: StoredAgreement
    agreement: Agreement  # `effective` moved to the earliest effective date of all versions


def measured_versions(versions: Sequence[StoredAgreement], *, as_of: int) -> list[MeasuredVersion]:
    """Return the versions to evaluate, oldest first, each measured from the earliest start.

    All versions are measured from the earliest effective date of any of them, so each one
    yields the same periods and a period can be taken from whichever version governs it.
    Versions that govern no begun period are left out: evaluating them would be wasted.
    """
    if not versions:
        return []
    every = list(versions)
    start = min(min(v.effective, v.agreement.effective) for v in every)
    latest_day = from_us(as_of, dt.UTC).date() + dt.timedelta(days=1)  # today in any zone
    measured = []
    for stored in sorted(every, key=lambda v: v.version):
        if not _may_govern(stored, every, start, latest_day):
            continue
        agreement = stored.agreement
        if agreement.effective != start:
            agreement = agreement.model_copy(update={"effective": start})
        measured.append(MeasuredVersion(stored, agreement))
    return measured


def _may_govern(
    stored: StoredAgreement, versions: list[StoredAgreement], start: dt.date, latest_day: dt.date
) -> bool:
    """Say whether any begun period can pick this version, so others are not evaluated.

    A version replaced on its own date (a correction) or in force only from a future date
    governs nothing yet, unless it is the fallback for periods before every effective date.
    """
    if stored.version == min(v.version for v in versions):
        return True
    if version_in_force(versions, start).version == stored.version:
        return True
    wins_own_date = version_in_force(versions, stored.effective).version == stored.version
    return wins_own_date and stored.effective <= latest_day


EvaluatorFactory = Callable[..., Evaluator]


def empty_clock_frame(item_dtype: pl.DataType | None = None) -> pl.DataFrame:
    """Return a frame of no clocks with the table's columns: what an agreement without any has.

    Item ids are the store's integers unless `item_dtype` says otherwise (a file's strings).
    """
    if item_dtype is None or item_dtype.is_integer():
        return pl.DataFrame(schema=CLOCK_SCHEMA)
    return pl.DataFrame(schema=CLOCK_SCHEMA | {"item_id": pl.String()})


def file_version(agreement: Agreement) -> StoredAgreement:
    """Return an agreement read from a file as the only version there is of it."""
    return StoredAgreement(
        id=agreement.id,
        version=1,
        effective=agreement.effective,
        agreement=agreement,
        yaml="",
        title=agreement.title,
        author="",
        reason="",
        created_at=0,
    )


def item_clock_frame(
    versions: Sequence[StoredAgreement],
    table: EventTable,
    *,
    as_of: int,
    objectives: Collection[str] | None = None,
    evaluator: EvaluatorFactory = Evaluator,
    incidents: Sequence[IncidentWindow] = (),
) -> pl.DataFrame:
    """Return one row per item clock of every clock objective, with the table's columns.

    This is the one computation of an item's clock: the stored clocks, the item page, the
    item API and `slawatch clocks` all read its rows, so they cannot disagree. A clock belongs
    to the period of its objective that holds its start and is measured with the version in
    force for that period (column `version`). A clock whose start lies before every period
    (before the agreement took effect) is not measured and has no row. Should two versions
    with different clock definitions put one item's clock in two periods, the later start
    wins: the table holds one clock per item and objective.

    Item ids keep the table's type: the store's integers, or a file's strings. `objectives`
    limits the rows to those objectives' clocks. `evaluator` builds the engine's evaluator;
    the item page passes one that shares calendars between requests. `incidents` are the
    agreement's declared incidents, which pause the clocks its emergency plan names.
    """
    frames = [empty_clock_frame(table.items.schema.get("item"))]
    measured = measured_versions(versions, as_of=as_of)
    for version in measured:
        engine = evaluator(version.agreement, table, as_of=as_of, incidents=incidents)
        for each in version.agreement.objectives.values():
            objective = clocked(each)
            if objective is not None and (objectives is None or objective.id in objectives):
                frames.append(_objective_rows(engine, objective, version, versions))
    rows = pl.concat(frames, how="vertical")
    if len(measured) > 1:
        rows = rows.sort("objective", "item_id", "started_at").unique(
            ["objective", "item_id"], keep="last", maintain_order=True
        )
    return rows


def _objective_rows(
    evaluator: Evaluator,
    objective: TimedObjective,
    measured: MeasuredVersion,
    versions: Sequence[StoredAgreement],
) -> pl.DataFrame:
    """Return the rows of one objective's clocks whose period this version governs."""
    periods = evaluator.periods(objective, None)
    if not periods:
        return empty_clock_frame(evaluator.table.items.schema.get("item"))
    every = list(versions)
    governs = np.array(
        [
            version_in_force(every, p.first, p.start).version == measured.stored.version
            for p in periods
        ]
    )
    items, clocks = measure_clocks(evaluator, objective)
    inputs = items.inputs
    index = evaluator.assign(inputs.start, periods)  # nothing before `effective`
    keep = index >= 0
    keep[keep] = governs[index[keep]]
    calendar = (
        AlwaysOpen()
        if objective.within.unit is DurationUnit.WALL
        else evaluator.calendar(objective.calendar)
    )
    warn_at = (
        np.full(len(inputs.start), NO_INSTANT, dtype=np.int64)
        if objective.warn is None
        else warn_instants(items, clocks, objective.warn, calendar, as_of=evaluator.as_of)
    )
    since = _since(items, clocks, warn_at)
    chosen = pl.Series(keep)
    labels = pl.Series("period", [p.label for p in periods], dtype=pl.String)
    frame = pl.DataFrame(
        {
            "item_id": _item_ids(items.items.filter(chosen)),
            "period": labels.gather(index[keep]),
            "started_at": inputs.start[keep],
            "stopped_at": inputs.stop[keep],
            "deadline": clocks.deadline[keep],
            "warn_at": warn_at[keep],
            "elapsed_us": clocks.elapsed[keep],
            "paused_us": clocks.paused[keep],
            "allowance_us": clocks.allowance[keep],
            "state": _LABELS.gather(clocks.state[keep].astype(np.int64)),
            "since": since[keep],
        }
    )
    nullable = ("stopped_at", "deadline", "warn_at")
    return frame.select(
        pl.lit(measured.stored.id, dtype=pl.String).alias("agreement_id"),
        pl.lit(objective.id, dtype=pl.String).alias("objective"),
        *[
            pl.when(pl.col(name) != NO_INSTANT).then(pl.col(name)).alias(name)
            if name in nullable
            else pl.col(name)
            for name in frame.columns
        ],
        pl.lit(evaluator.as_of, dtype=pl.Int64).alias("as_of"),
        pl.lit(measured.stored.version, dtype=pl.Int64).alias("version"),
    )


def _item_ids(items: pl.Series) -> pl.Series:
    """Return store ids as the table's Int64, and a file's ids (categorical) as strings."""
    if items.dtype.is_integer():
        return items.cast(pl.Int64)
    return items.cast(pl.String)


def warn_instants(
    items: ClockItems, clocks: Clocks, warn: float, calendar: WorkingTime, *, as_of: int
) -> Instants:
    """Return when each clock reaches `warn` × its allowance; NO_INSTANT while suspended.

    It is the deadline of the same clock with the smaller allowance: the engine's threshold
    (a clock is at risk once elapsed ≥ ⌈warn × allowance⌉), placed on the calendar and pushed
    by the pauses that begin before it, exactly as the deadline is. A pause still open that
    began before it suspends it.
    """
    inputs = items.inputs
    start = np.ascontiguousarray(inputs.start, dtype=np.int64)
    stop = np.ascontiguousarray(inputs.stop, dtype=np.int64)
    threshold = np.ceil(warn * clocks.allowance.astype(np.float64)).astype(np.int64)
    cum_start = calendar.cumulative(start)
    instant = np.where(threshold > 0, calendar.instant_at(cum_start + threshold), start)
    pauses = clip_pauses(inputs, start, stop, as_of)
    if not len(pauses.item):
        return instant
    n = len(start)
    out = Clocks(
        elapsed=np.zeros(n, dtype=np.int64),
        paused=np.zeros(n, dtype=np.int64),
        deadline=instant,
        allowance=threshold,
        state=np.zeros(n, dtype=np.int8),
    )
    end = np.where(stop != NO_INSTANT, stop, as_of)
    is_open = np.zeros(n, dtype=bool)
    apply_pauses(pauses, cum_start, end, out=out, lo=0, calendar=calendar, is_open=is_open)
    return out.deadline


def _since(items: ClockItems, clocks: Clocks, warn_at: Instants) -> Instants:
    """Return when each clock's current state began.

    met: the stop; breached: the deadline; at risk: the warning point; paused: the start of
    the open pause (the earliest, should several overlap); running: the end of the last pause,
    or the start when there was none.
    """
    inputs = items.inputs
    start = inputs.start
    state = clocks.state
    began = np.array(start, dtype=np.int64)
    pause_item = inputs.pause_item
    if len(pause_item):
        clipped = np.maximum(inputs.pause_start, start[pause_item])
        open_ = inputs.pause_end == NO_INSTANT
        paused_since = np.full(len(start), NO_INSTANT, dtype=np.int64)
        np.minimum.at(paused_since, pause_item[open_], clipped[open_])
        resumed = np.array(start, dtype=np.int64)
        closed = ~open_
        np.maximum.at(resumed, pause_item[closed], inputs.pause_end[closed])
        paused_since = np.where(paused_since != NO_INSTANT, paused_since, start)
        began = np.where(state == ClockState.PAUSED, paused_since, resumed)
    return np.select(
        [state == ClockState.MET, state == ClockState.BREACHED, state == ClockState.AT_RISK],
        [inputs.stop, clocks.deadline, np.where(warn_at != NO_INSTANT, warn_at, start)],
        default=began,
    )
