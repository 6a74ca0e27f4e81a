"""`slawatch report`: a period's report as PDF, XLSX or CSV, or the agreement as a document.

Two sources, one report: with `--events FILE`, AGREEMENT is a YAML file and the period is
evaluated from the file now; without, AGREEMENT is an id in the database and the report
reads the stored results and item clocks (nothing is evaluated again). `--document` writes
the agreement itself, for signing, from a file or from the database.

Exit codes: 0 written, 1 bad input (an invalid agreement, bad event rows, an unknown
agreement or period in the database), 2 usage (bad --period, --as-of, --format, a missing
file, options that do not fit together).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import Engine

from slawatch.agreements.model import Agreement
from slawatch.commands.common import DatabaseOpt
from slawatch.engine.instants import from_us
from slawatch.engine.periods import PeriodLabelError, parse_label
from slawatch.i18n import Translator, translator
from slawatch.options import AsOfOpt, SkipOpt, TimezoneOpt
from slawatch.reports.model import Report


class ReportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"


class Language(StrEnum):
    EN = "en"
    DE = "de"


AGREEMENT_FILE_SUFFIXES = (".yaml", ".yml")


AgreementArg = Annotated[
    str,
    typer.Argument(
        help="An agreement id in the database; with --events, the agreement's YAML file "
        "(--document takes either).",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path, typer.Option("-o", "--output", dir_okay=False, help="The file to write.")
]
PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="The period to report: 2026-10, 2026-Q4, … Default from the database: the "
        "latest closed period.",
    ),
]
FormatOpt = Annotated[
    ReportFormat | None,
    typer.Option("--format", help="pdf, xlsx or csv. Default: the suffix of --output."),
]
LanguageOpt = Annotated[
    Language,
    typer.Option(
        "--language",
        "--locale",
        help="The language of the report: en or de. A German CSV follows German conventions: "
        "semicolons, decimal commas, UTF-8 with a byte order mark for Excel.",
    ),
]
DocumentOpt = Annotated[
    bool,
    typer.Option("--document", help="Write the agreement itself as a PDF for signing."),
]
EventsOpt = Annotated[
    Path | None,
    typer.Option(
        "--events",
        exists=True,
        dir_okay=False,
        readable=True,
        help="Evaluate this event file (CSV or JSON Lines) instead of reading the database.",
    ),
]


def report(
    agreement: AgreementArg,
    output: OutputOpt,
    period: PeriodOpt = None,
    output_format: FormatOpt = None,
    language: LanguageOpt = Language.EN,
    document: DocumentOpt = False,
    events: EventsOpt = None,
    as_of: AsOfOpt = None,
    timezone: TimezoneOpt = None,
    skip_bad_rows: SkipOpt = False,
    database: DatabaseOpt = None,
) -> None:
    """Write a period's report (PDF, workbook or CSV), or the agreement as a PDF to sign."""
    from slawatch.commands.common import out

    t = translator(language.value)
    if events is not None:
        _refuse_with("with --events nothing is read from a database", database=database)
    if document:
        _refuse_with(
            "--document writes the agreement itself",
            events=events,
            period=period,
            as_of=as_of,
            timezone=timezone,
            skip_bad_rows=skip_bad_rows,
        )
        if output_format not in (None, ReportFormat.PDF):
            raise typer.BadParameter("the document is a PDF", param_hint="--format")
        parsed = _document(agreement, output, t, database)
        out.print(f"wrote the agreement document of {parsed.id} to {output}", markup=False)
        return
    chosen = output_format or _format_of(output)
    built = _build(agreement, period, events, (as_of, timezone, database), skip_bad_rows, chosen)
    _write(built, chosen, output, t)
    out.print(
        f"wrote the {chosen.value} report of {built.agreement.id} {built.period.label} to {output}",
        markup=False,
    )


def _build(
    agreement: str,
    period: str | None,
    events: Path | None,
    where: tuple[str | None, str | None, str | None],
    skip_bad_rows: bool,
    chosen: ReportFormat,
) -> Report:
    """Return the report evaluated from the event file, or read from the stored results.

    `where` is (--as-of, --timezone, --database).
    """
    as_of, timezone, database = where
    if events is not None:
        return _from_events(agreement, events, period, as_of, timezone, skip_bad_rows)
    _refuse_with(
        "a report from the database reads the stored results as they were evaluated",
        as_of=as_of,
        timezone=timezone,
        skip_bad_rows=skip_bad_rows,
    )
    return _from_store(agreement, period, database, with_items=chosen is ReportFormat.XLSX)


def _refuse_with(reason: str, **given: object) -> None:
    """Refuse options that do nothing in the chosen mode, rather than ignore them."""
    for name, value in given.items():
        if value not in (None, False):
            option = "--" + name.replace("_", "-")
            raise typer.BadParameter(f"{reason}; leave out {option}", param_hint=option)


def _is_agreement_file(agreement: str) -> bool:
    return Path(agreement).is_file()


def _from_events(
    agreement: str,
    events: Path,
    period: str | None,
    as_of: str | None,
    timezone: str | None,
    skip_bad_rows: bool,
) -> Report:
    from slawatch.commands.inputs import load, parse_as_of, read_log, step
    from slawatch.reports.offline import report_from_events
    from slawatch.wall_clock import now_us

    if not _is_agreement_file(agreement):
        raise typer.BadParameter(
            f"{agreement!r} is not a file; with --events, pass the agreement's YAML file",
            param_hint="AGREEMENT",
        )
    if period is None:
        raise typer.BadParameter(
            "a report from an event file needs the period, e.g. --period 2026-10",
            param_hint="--period",
        )
    parsed = load(Path(agreement))
    zone = ZoneInfo(parsed.timezone)
    try:
        window = parse_label(period, zone)
    except PeriodLabelError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None
    instant = parse_as_of(as_of, parsed)
    if window.start > instant:  # a period that begins exactly at as_of has begun (semantics.md)
        raise typer.BadParameter(
            f"period {period} has not begun as of {from_us(instant, zone):%Y-%m-%d %H:%M}; "
            "choose an earlier period or a later --as-of",
            param_hint="--period",
        )
    log = read_log(events, timezone, skip_bad_rows)
    with step("evaluating"):
        return report_from_events(
            parsed,
            log.table(),
            window=window,
            as_of=instant,
            generated_at=now_us(),
        )


def store_engine(database: str | None) -> Engine:
    """Return the engine of --database (a SQLite file or a URL), else of the settings.

    A SQLite file that does not exist is refused with the fix, never created empty: a
    report reads a store, it does not start one.
    """
    from slawatch.commands.common import database as opened

    return opened(database)


def _from_store(
    agreement: str, period: str | None, database: str | None, *, with_items: bool
) -> Report:
    from slawatch.commands.common import fail
    from slawatch.reports.stored import ReportNotFoundError, report_from_store
    from slawatch.store.db import read_transaction
    from slawatch.wall_clock import now_us

    if _is_agreement_file(agreement) and Path(agreement).suffix in AGREEMENT_FILE_SUFFIXES:
        raise typer.BadParameter(
            f"{agreement} is a file: a report from a file needs --events FILE; to report "
            "from the database, pass the agreement's id",
            param_hint="--events",
        )
    engine = store_engine(database)
    try:
        with read_transaction(engine) as connection:
            return report_from_store(
                connection, agreement, period, generated_at=now_us(), with_items=with_items
            )
    except PeriodLabelError as error:
        raise typer.BadParameter(str(error), param_hint="--period") from None
    except ReportNotFoundError as error:
        fail(error.message)


def _document(agreement: str, output: Path, t: Translator, database: str | None) -> Agreement:
    from slawatch.commands.common import fail
    from slawatch.commands.inputs import load
    from slawatch.reports.document import agreement_pdf
    from slawatch.store.agreements import get_version
    from slawatch.store.db import read_transaction
    from slawatch.wall_clock import now_us

    if _is_agreement_file(agreement):
        parsed = load(Path(agreement))
    else:
        with read_transaction(store_engine(database)) as connection:
            stored = get_version(connection, agreement)
        if stored is None:
            fail(f"there is no agreement {agreement!r} in the database, and no such file")
        parsed = stored.agreement.model_copy(update={"version": stored.version})
    generated = from_us(now_us(), ZoneInfo(parsed.timezone))
    output.write_bytes(agreement_pdf(parsed, t, generated_at=generated))
    return parsed


def _write(built: Report, chosen: ReportFormat, output: Path, t: Translator) -> None:
    from slawatch.commands.common import err
    from slawatch.commands.inputs import step
    from slawatch.reports.csv import CsvConventions, report_csv
    from slawatch.reports.pdf import report_pdf
    from slawatch.reports.xlsx import report_xlsx

    with step(f"writing {output}"):
        match chosen:
            case ReportFormat.PDF:
                output.write_bytes(report_pdf(built, t))
            case ReportFormat.XLSX:
                output.write_bytes(report_xlsx(built, t))
            case ReportFormat.CSV:
                conventions = CsvConventions.of(t.language)
                output.write_text(report_csv(built, conventions), encoding="utf-8")
    for warning in built.warnings:
        err.print(f"warning: {warning}", markup=False)


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
