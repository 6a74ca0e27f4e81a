"""A report computed from an event file: evaluate the period, the history and the clocks now.

Pure: the agreement, the event table and the instants in, a `Report` out. The scorecard is
the period measured as one window (as `evaluate --period` does, scaling a count target when
the window is not the objective's own period); the charts and the credits come from one
evaluation without a window, each objective over its own periods.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from slawatch.agreements.model import Agreement
from slawatch.commands.output import INSTANT_COLUMNS, clock_columns
from slawatch.engine.credits import credit_statements
from slawatch.engine.events import EventTable
from slawatch.engine.instants import NO_INSTANT, from_us
from slawatch.engine.kinds import kind_of
from slawatch.engine.objectives import evaluate
from slawatch.engine.periods import Period
from slawatch.engine.results import Evaluation
from slawatch.evaluation.clocks import file_version, item_clock_frame
from slawatch.reports.comparisons import benchmarks_of
from slawatch.reports.model import (
    ClockRow,
    Credit,
    Figure,
    Items,
    Report,
    breaches_of,
    history_of,
    scores_of,
)


def report_from_events(
    agreement: Agreement, table: EventTable, *, window: Period, as_of: int, generated_at: int
) -> Report:
    """Evaluate an agreement over one period and shape its report."""
    scorecard = evaluate(agreement, table, as_of=as_of, window=window)
    history = evaluate(agreement, table, as_of=as_of)
    rows = item_clock_frame([file_version(agreement)], table, as_of=as_of)
    clocks = {
        objective.id: rows.filter(pl.col("objective") == objective.id)
        for objective in agreement.objectives.values()
        if kind_of(objective.kind).item_clocks
    }
    return build_report(agreement, scorecard, history, clocks, generated_at=generated_at)


def build_report(
    agreement: Agreement,
    scorecard: Evaluation,
    history: Evaluation,
    clocks: dict[str, pl.DataFrame],
    *,
    generated_at: int,
) -> Report:
    """Shape a report from the period's evaluation, the windowless one and the item clocks.

    `clocks` holds each clock objective's rows of `item_clock_frame`.

    `scorecard` must hold exactly one period: the one evaluated with `window=`.
    """
    if len(scorecard.periods) != 1:
        raise ValueError("the scorecard evaluation must hold exactly one period")
    zone = ZoneInfo(agreement.timezone)
    period = scorecard.periods[0].period
    scores = scores_of(agreement, scorecard.periods[0].objectives)
    figures = [
        Figure(group.period, result) for group in history.periods for result in group.objectives
    ]
    items = {name: _items(table, period, zone) for name, table in clocks.items()}
    open_period = period.end > history.as_of
    credits = tuple(
        Credit(statement, provisional=open_period)
        for statement in credit_statements(agreement, history, closed_only=False)
        if statement.period == period.label
    )
    return Report(
        agreement=agreement,
        period=period,
        as_of=from_us(scorecard.as_of, zone),
        generated_at=from_us(generated_at, zone),
        scores=scores,
        history=history_of(figures, period),
        items=items,
        breaches={name: breaches_of(listed) for name, listed in items.items()},
        credits=credits,
        # Without a database there are no admin overrides: the shipped references apply.
        benchmarks=benchmarks_of(agreement, scores, figures, period, {}),
        warnings=scorecard.warnings,
        source="events",
    )


def _items(clocks: pl.DataFrame, period: Period, zone: ZoneInfo) -> Items:
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
    rows = tuple(ClockRow(*row) for row in frame.iter_rows())
    return Items(rows, len(rows))
