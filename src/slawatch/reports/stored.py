"""A report read from the store: stored results and item clocks, never evaluating again.

The background evaluator keeps every period's `evaluate` JSON and every item clock current;
a report of a period reads them as they are, with the agreement version that governed the
period. A period is reported with the objectives stored for its label: a monthly report
shows the monthly objectives (a quarterly objective is in the quarter's report).
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.engine.instants import US, from_us
from slawatch.engine.kinds import kind_of
from slawatch.engine.periods import parse_label
from slawatch.reports.comparisons import benchmarks_of
from slawatch.reports.corrections import period_corrections
from slawatch.reports.credits import period_credits, stored_period
from slawatch.reports.model import (
    MAX_BREACH_ROWS,
    MAX_ITEM_ROWS,
    ClockRow,
    Figure,
    Items,
    Report,
    history_of,
    local,
    scores_of,
)
from slawatch.store.agreements import get_version
from slawatch.store.benchmarks import reference_overrides
from slawatch.store.clock_lists import clock_page
from slawatch.store.results import StoredResult, stored_results


class ReportNotFoundError(LookupError):
    """No such agreement, no stored results yet, or no stored result of that period."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def closed_period(results: Sequence[StoredResult]) -> StoredResult | None:
    """Return the latest period that had ended when it was evaluated; the shorter on a tie.

    A month and its quarter end together; the month is the finer, usual report.
    """
    closed = [r for r in results if r.period_end <= r.as_of]
    if not closed:
        return None
    return max(closed, key=lambda r: (r.period_end, r.period_start))


def choose_result(
    agreement_id: str, results: Sequence[StoredResult], period: str | None, zone: ZoneInfo
) -> StoredResult:
    """Pick the stored period to report: the one named, or the latest closed one.

    Raises PeriodLabelError for a label that is not one, ReportNotFoundError for a period
    with nothing stored.
    """
    if not results:
        raise ReportNotFoundError(
            f"no stored results for {agreement_id!r} yet; they are computed in the background "
            "after each change, try again in a moment"
        )
    known = f"stored periods run from {results[0].period} to {results[-1].period}"
    if period is None:
        chosen = closed_period(results)
        if chosen is None:
            raise ReportNotFoundError(f"no period of {agreement_id!r} has closed yet; {known}")
        return chosen
    label = parse_label(period, zone).label
    for result in results:
        if result.period == label:
            return result
    raise ReportNotFoundError(f"no stored result for period {label}; {known}")


def report_from_store(
    connection: Connection,
    agreement_id: str,
    period: str | None = None,
    *,
    generated_at: int,
    with_items: bool = False,
) -> Report:
    """Read one period's report of a stored agreement (the latest closed period by default).

    `with_items` also reads every item clock of the period (up to MAX_ITEM_ROWS per objective),
    which only the workbook lists.
    """
    current = get_version(connection, agreement_id)
    if current is None:
        raise ReportNotFoundError(f"there is no agreement {agreement_id!r}")
    results = stored_results(connection, agreement_id)
    chosen = choose_result(agreement_id, results, period, ZoneInfo(current.agreement.timezone))
    governing = get_version(connection, agreement_id, chosen.version) or current
    agreement = governing.agreement.model_copy(update={"version": governing.version})
    zone = ZoneInfo(agreement.timezone)
    objectives = chosen.objectives
    report_period = stored_period(chosen, zone)
    scores = scores_of(agreement, objectives)
    figures = [
        Figure(stored_period(result, zone), objective)
        for result in results
        for objective in result.objectives
    ]
    clock_ids = [o.objective for o in objectives if kind_of(o.kind).item_clocks]
    breaches = {
        name: _items(connection, agreement, name, chosen.period, ["breached"], MAX_BREACH_ROWS)
        for name in clock_ids
    }
    items = {
        name: _items(connection, agreement, name, chosen.period, None, MAX_ITEM_ROWS)
        for name in (clock_ids if with_items else [])
    }
    return Report(
        agreement=agreement,
        period=report_period,
        as_of=from_us(chosen.as_of, zone),
        generated_at=from_us(generated_at, zone),
        scores=scores,
        history=history_of(figures, report_period),
        items=items,
        breaches=breaches,
        credits=period_credits(connection, agreement, chosen),
        benchmarks=benchmarks_of(
            agreement, scores, figures, report_period, reference_overrides(connection)
        ),
        warnings=chosen.warnings,
        corrections=period_corrections(connection, chosen, zone),
        source="store",
    )


def _items(
    connection: Connection,
    agreement: Agreement,
    objective: str,
    period: str,
    states: list[str] | None,
    limit: int,
) -> Items:
    rows, total = clock_page(
        connection,
        agreement.id,
        objective,
        period=period,
        states=states,
        attributes=None,
        limit=limit,
        offset=0,
    )
    zone = ZoneInfo(agreement.timezone)
    shaped = [
        ClockRow(
            item=row.external_id,
            started=from_us(row.started_at, zone).replace(tzinfo=None),
            stopped=local(row.stopped_at, zone),
            deadline=local(row.deadline, zone),
            elapsed_seconds=row.elapsed_us // US,
            paused_seconds=row.paused_us // US,
            state=row.state,
        )
        for row in reversed(rows)  # the page is latest start first; reports read oldest first
    ]
    return Items(tuple(shaped), total)
