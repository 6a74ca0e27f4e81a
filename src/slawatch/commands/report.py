"""`slawatch report`: one agreement's period as PDF, XLSX or CSV, computed offline from a file.

Exit codes as for `evaluate`: 0 written, 1 bad input (agreement, event rows), 2 usage (bad
--period, --as-of, --format, a missing file).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from slawatch.engine.events import EventTable
from slawatch.engine.instants import from_us
from slawatch.engine.objectives import evaluate, item_clocks
from slawatch.engine.periods import PeriodLabelError, parse_label
from slawatch.options import AgreementArg, AsOfOpt, EventsOpt, SkipOpt, TimezoneOpt


class ReportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"


def report(
    agreement: AgreementArg,
    events: EventsOpt,
    period: Annotated[
        str, typer.Option("--period", help="The period to report: 2026-10, 2026-Q4, …")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", dir_okay=False, help="The file to write.")
    ],
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="pdf, xlsx or csv. Default: the suffix of --output."),
    ] = None,
    as_of: AsOfOpt = None,
    timezone: TimezoneOpt = None,
    skip_bad_rows: SkipOpt = False,
) -> None:
    """Write one period's report: a PDF to print, a workbook, or the scorecard as CSV."""
    from slawatch.cli import err, load, out, parse_as_of, read_log, step
    from slawatch.reports import build_report
    from slawatch.reports.csv import write_csv
    from slawatch.reports.pdf import write_pdf
    from slawatch.reports.xlsx import write_xlsx

    chosen = output_format or _format_of(output)
    parsed = load(agreement)
    zone = ZoneInfo(parsed.timezone)
    try:
        window = parse_label(period, zone)
    except PeriodLabelError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None
    instant = parse_as_of(as_of, parsed)
    if window.start >= instant:
        raise typer.BadParameter(
            f"period {period} has not begun as of {from_us(instant, zone):%Y-%m-%d %H:%M}; "
            "choose an earlier period or a later --as-of",
            param_hint="--period",
        )
    log = read_log(events, timezone, skip_bad_rows)
    table = EventTable(log.events, log.items)
    with step("evaluating"):
        scorecard = evaluate(parsed, table, as_of=instant, window=window)
        history = evaluate(parsed, table, as_of=instant)
        clocks = {
            o.id: item_clocks(parsed, table, o.id, as_of=instant)
            for o in parsed.objectives.values()
            if o.kind == "clock"
        }
        document = build_report(parsed, scorecard, history, clocks)
    with step(f"writing {output}"):
        match chosen:
            case ReportFormat.PDF:
                write_pdf(document, output)
            case ReportFormat.XLSX:
                write_xlsx(document, output)
            case ReportFormat.CSV:
                write_csv(document, output)
    for warning in document.warnings:
        err.print(f"warning: {warning}", markup=False)
    out.print(f"wrote the {chosen.value} report of {parsed.id} {period} to {output}", markup=False)


def _format_of(output: Path) -> ReportFormat:
    try:
        return ReportFormat(output.suffix.lower().removeprefix("."))
    except ValueError:
        raise typer.BadParameter(
            f"cannot tell the format from {output.name!r}; pass --format pdf, xlsx or csv",
            param_hint="--format",
        ) from None


def register(app: typer.Typer) -> None:
    """Add the `report` command to the main app."""
    app.command()(report)
