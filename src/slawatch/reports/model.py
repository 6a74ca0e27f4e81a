"""The data a report shows, computed once from evaluations and item clocks.

Pure: the caller evaluates (once for the report's period, once without a window for the
history) and computes the clocks; this module only selects and shapes. Every writer
(`pdf`, `xlsx`, `csv`) reads the same `Report`, so the three formats cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import polars as pl

from slawatch.agreements.model import Agreement
from slawatch.engine.instants import NO_INSTANT, from_us
from slawatch.engine.objectives import Evaluation, ItemClocks, ObjectiveResult
from slawatch.engine.periods import Period
from slawatch.render import INSTANT_COLUMNS, STATE_NAMES, clock_columns

HISTORY_PERIODS = 12


@dataclass(frozen=True)
class Score:
    """One objective's line on the scorecard of the report's period."""

    title: str
    owner_name: str
    result: ObjectiveResult

    @property
    def objective(self) -> str:
        return self.result.objective


@dataclass(frozen=True)
class PeriodFigure:
    period: Period
    result: ObjectiveResult


@dataclass(frozen=True)
class ClockRow:
    """One item's clock; instants are naive local times of the agreement's zone, for Excel."""

    item: str
    started: dt.datetime
    stopped: dt.datetime | None
    deadline: dt.datetime | None
    elapsed_seconds: int
    paused_seconds: int
    state: str


@dataclass(frozen=True)
class Report:
    agreement: Agreement
    period: Period
    as_of: dt.datetime  # aware, in the agreement's zone
    scores: tuple[Score, ...]
    history: Mapping[str, tuple[PeriodFigure, ...]]  # objective → up to 12 periods, oldest first
    clocks: Mapping[str, tuple[ClockRow, ...]]  # clock objective → items started in the period
    warnings: tuple[str, ...] = ()

    def breaches(self, objective: str) -> list[ClockRow]:
        return [row for row in self.clocks.get(objective, ()) if row.state == "breached"]


def build_report(
    agreement: Agreement,
    scorecard: Evaluation,
    history: Evaluation,
    clocks: Mapping[str, ItemClocks],
) -> Report:
    """Shape a report from the period's evaluation, the windowless one and the item clocks.

    `scorecard` must hold exactly one period: the one evaluated with `window=`.
    """
    if len(scorecard.periods) != 1:
        raise ValueError("the scorecard evaluation must hold exactly one period")
    zone = ZoneInfo(agreement.timezone)
    period = scorecard.periods[0].period
    scores = tuple(
        Score(
            title=agreement.objectives[result.objective].title,
            owner_name=_party_name(agreement, result.owner),
            result=result,
        )
        for result in scorecard.periods[0].objectives
    )
    return Report(
        agreement=agreement,
        period=period,
        as_of=from_us(scorecard.as_of, zone),
        scores=scores,
        history=_history(history, period),
        clocks={name: _clock_rows(table, period, zone) for name, table in clocks.items()},
        warnings=scorecard.warnings,
    )


def _party_name(agreement: Agreement, owner: str) -> str:
    party = agreement.parties.get(owner)
    return owner if party is None else party.name


def _history(evaluation: Evaluation, period: Period) -> dict[str, tuple[PeriodFigure, ...]]:
    # Periods that begin after the report's period are left out: a report of October
    # printed in December shows October as the last bar.
    figures: dict[str, list[PeriodFigure]] = {}
    for group in evaluation.periods:
        if group.period.start >= period.end:
            continue
        for result in group.objectives:
            figures.setdefault(result.objective, []).append(PeriodFigure(group.period, result))
    return {name: tuple(rows[-HISTORY_PERIODS:]) for name, rows in figures.items()}


def _clock_rows(clocks: ItemClocks, period: Period, zone: ZoneInfo) -> tuple[ClockRow, ...]:
    # An item belongs to the period its clock started in, as in the clock objective's tally.
    def local(name: str) -> pl.Expr:
        stamp = pl.from_epoch(pl.col(name), time_unit="us").dt.convert_time_zone(zone.key)
        naive = stamp.dt.replace_time_zone(None)
        return pl.when(pl.col(name) == NO_INSTANT).then(None).otherwise(naive).alias(name)

    frame = (
        clock_columns(clocks)
        .filter((pl.col("started_at") >= period.start) & (pl.col("started_at") < period.end))
        .with_columns(local(name) for name in INSTANT_COLUMNS)
    )
    return tuple(ClockRow(*row) for row in frame.iter_rows())


def value_text(result: ObjectiveResult, value: float | None) -> str:
    """Format a value or a target as people read it: 86, 98.7 %, 99.95 %."""
    if value is None:
        return "-"
    if result.kind == "count":
        return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return f"{value * 100:.2f} %" if result.kind == "availability" else f"{value * 100:.1f} %"


def target_text(result: ObjectiveResult) -> str:
    return f"{result.op.value} {value_text(result, result.target)}"


def elapsed_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d} h"


def details_text(result: ObjectiveResult) -> str:
    d = result.details
    if result.kind == "clock":
        return ", ".join(f"{d.get(name) or 0} {name.replace('_', ' ')}" for name in STATE_NAMES)
    if result.kind == "ratio":
        return f"{d['numerator']} of {d['denominator']}"
    if result.kind == "availability":
        return f"{d['failures']} failures, {d['downtime_seconds']} s down"
    return ""
