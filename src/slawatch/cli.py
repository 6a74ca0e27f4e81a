"""The `slawatch` command: check, new, evaluate, clocks, generate-events.

Exit codes are part of the contract: 0 ok, 1 a validation error in the user's input
(agreement, events), 2 usage (unknown option, bad --as-of, unknown objective …) and input
over a limit (an agreement file too large, too deeply nested, or whose aliases expand too far).
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from slawatch.agreements.describe import template_names, template_text, where_words
from slawatch.agreements.model import Agreement, DurationUnit
from slawatch.commands.common import err, fail, out
from slawatch.commands.inputs import (
    input_summary,
    load,
    parse_as_of,
    progress,
    read_log,
    step,
    warn_vocabulary,
)
from slawatch.engine.feeds import unread_expectations
from slawatch.engine.kinds import clocked, describe_objective, kind_of
from slawatch.engine.objectives import evaluate as evaluate_agreement
from slawatch.engine.periods import PeriodLabelError, parse_label
from slawatch.engine.vocabulary import check_vocabulary
from slawatch.options import AgreementArg, AsOfOpt, EventsOpt, SkipOpt, TimezoneOpt

app = typer.Typer(
    name="slawatch",
    help="Service level agreements between teams, measured.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(shown: bool) -> None:
    if shown:
        out.print(f"slawatch {version('slawatch')}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show slawatch's version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Service level agreements between teams, measured."""


class EvaluateFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class ClocksFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@app.command()
def check(
    agreement: AgreementArg,
    events: Annotated[
        Path | None,
        typer.Option(
            "--events",
            exists=True,
            dir_okay=False,
            readable=True,
            help="Also check this event file (CSV or JSON Lines) against the agreement.",
        ),
    ] = None,
    timezone: TimezoneOpt = None,
) -> None:
    """Validate an agreement and summarise its objectives; with --events, check a file too."""
    parsed = load(agreement)
    out.print(
        f"ok: {parsed.id} ({parsed.title}), {len(parsed.objectives)} objectives", markup=False
    )
    for objective_id in parsed.objectives:
        out.print(f"  {describe_objective(parsed, objective_id)}", markup=False, highlight=False)
    for warning in unread_expectations(parsed):
        err.print(f"warning: {warning}", markup=False, highlight=False)
    if parsed.exclude is not None:  # only agreements that have the section say more
        where = where_words(parsed.exclude.where)
        out.print(
            f"  excluded from every objective: items where {where}", markup=False, highlight=False
        )
    if events is not None:
        check_events(parsed, events, timezone)


def check_events(agreement: Agreement, path: Path, timezone: str | None) -> None:
    """Report the file's bad rows (exit 1) and the names the agreement does not use (warnings)."""
    log = read_log(path, timezone, skip_bad_rows=True, checking=True)
    vocabulary = check_vocabulary(agreement, log.events, log.items)
    types = log.events.get_column("type").n_unique()
    unused = len(vocabulary.unused_event_types)
    out.print(
        f"events: {len(log.events):,} in {log.items.height:,} items, {types} types "
        f"({unused} not used by any objective)",
        markup=False,
        highlight=False,
    )
    warn_vocabulary(path, vocabulary)
    if log.rejected:
        raise typer.Exit(1)


@app.command()
def new(
    template: Annotated[
        str, typer.Option("--template", help="Template to copy.")
    ] = "marketing-sales",
    directory: Annotated[
        Path, typer.Option("--dir", file_okay=False, help="Where to write.")
    ] = Path(),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an agreement template to start from."""
    names = template_names()
    if template not in names:
        raise typer.BadParameter(
            f"{template!r} is not a template; choose one of {', '.join(names)}",
            param_hint="--template",
        )
    target = directory / f"{template}.yaml"
    if target.exists() and not force:
        fail(f"{target} exists already; pass --force to overwrite it")
    target.write_text(template_text(template), encoding="utf-8")
    out.print(f"wrote {target}; check it with: slawatch check {target}", markup=False)


@app.command()
def evaluate(
    agreement: AgreementArg,
    events: EventsOpt,
    as_of: AsOfOpt = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Only this period: 2026-10, 2026-Q4, …")
    ] = None,
    output: Annotated[
        EvaluateFormat, typer.Option("--format", help="Output format.")
    ] = EvaluateFormat.TABLE,
    timezone: TimezoneOpt = None,
    skip_bad_rows: SkipOpt = False,
) -> None:
    """Measure every objective per period."""
    from slawatch.commands.output import evaluation_json, evaluation_tables

    parsed = load(agreement)
    instant = parse_as_of(as_of, parsed)
    window = None
    if period is not None:
        try:
            window = parse_label(period, ZoneInfo(parsed.timezone))
        except PeriodLabelError as error:
            raise typer.BadParameter(str(error), param_hint="--period") from None
    log = read_log(events, timezone, skip_bad_rows)
    # Encoded once here, the types are counted on the categorical column the engine needs anyway.
    table = log.table().encoded()
    vocabulary = check_vocabulary(parsed, table.events, table.items)
    with progress() as bar:
        task = bar.add_task("evaluating", total=len(parsed.objectives))
        result = evaluate_agreement(
            parsed,
            table,
            as_of=instant,
            window=window,
            measured=lambda objective: bar.advance(task),
        )
    warn_vocabulary(events, vocabulary)
    if output is EvaluateFormat.JSON:
        extra = input_summary(log) | vocabulary.as_json()
        sys.stdout.write(evaluation_json(result, extra) + "\n")
        return
    for table_of_period in evaluation_tables(result):
        out.print(table_of_period)
    for warning in result.warnings:
        err.print(f"warning: {warning}", markup=False)


@app.command()
def clocks(
    agreement: AgreementArg,
    events: EventsOpt,
    objective: Annotated[str, typer.Option("--objective", help="A clock objective's id.")],
    as_of: AsOfOpt = None,
    output: Annotated[ClocksFormat, typer.Option("--format", help="Output format.")] = (
        ClocksFormat.TABLE
    ),
    timezone: TimezoneOpt = None,
    skip_bad_rows: SkipOpt = False,
) -> None:
    """List every item's clock for one clock objective."""
    from slawatch.commands.output import clock_columns, clocks_frame, clocks_table
    from slawatch.evaluation.clocks import file_version, item_clock_frame
    from slawatch.reports.cells import csv_texts

    parsed = load(agreement)
    chosen = clocked(parsed.objectives[objective]) if objective in parsed.objectives else None
    if chosen is None:
        choices = [o.id for o in parsed.objectives.values() if kind_of(o.kind).item_clocks]
        raise typer.BadParameter(
            f"{objective!r} is not a clock objective of {parsed.id}; "
            f"choose one of {', '.join(choices) or '(none)'}",
            param_hint="--objective",
        )
    instant = parse_as_of(as_of, parsed)
    log = read_log(events, timezone, skip_bad_rows)
    with step("computing clocks"):
        rows = item_clock_frame(
            [file_version(parsed)], log.table(), as_of=instant, objectives={objective}
        )
        frame = clocks_frame(rows, parsed.timezone)
    match output:
        case ClocksFormat.CSV:
            # Item ids come from users; one starting with = + - @ must not run as a formula.
            sys.stdout.write(frame.with_columns(csv_texts("item")).write_csv())
        case ClocksFormat.JSON:
            sys.stdout.write(frame.write_json() + "\n")
        case ClocksFormat.TABLE:
            title = f"{parsed.id} · {objective}"
            wall = chosen.within.unit is DurationUnit.WALL
            table = clocks_table(
                clock_columns(rows), parsed.timezone, title, wall_time=wall, width=out.width
            )
            out.print(table)


@app.command("generate-events")
def generate_events_command(
    agreement: AgreementArg,
    items: Annotated[int, typer.Option("--items", min=1, help="How many items.")] = 1000,
    months: Annotated[int, typer.Option("--months", min=1, max=120, help="Months of events.")] = 12,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same events.")] = 1,
    start: Annotated[
        str | None,
        typer.Option("--start", help="First day (default: the agreement's effective date)."),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", dir_okay=False, help="CSV or JSONL.")
    ] = (Path("events.csv")),
) -> None:
    """Write realistic synthetic events for an agreement."""
    from slawatch.generate import generate_events, write_events

    parsed = load(agreement)
    first = None
    if start is not None:
        try:
            first = dt.date.fromisoformat(start)
        except ValueError:
            raise typer.BadParameter(
                f"{start!r} is not a date; write 2026-01-01", param_hint="--start"
            ) from None
    with step(f"generating events for {items} items"):
        frame = generate_events(parsed, items=items, months=months, seed=seed, start=first)
        write_events(frame, output)
    out.print(f"wrote {frame.height} events for {items} items to {output}", markup=False)


def main() -> None:
    app()


def _register_database_commands() -> None:
    from slawatch.commands import agreements, db, imports, report, serve, tokens, users

    app.add_typer(agreements.app, name="agreements")
    app.add_typer(db.app, name="db")
    app.add_typer(users.app, name="users")
    app.add_typer(tokens.app, name="tokens")
    imports.register(app)
    serve.register(app)
    report.register(app)
    from slawatch.commands import directory

    app.add_typer(directory.app, name="directory")


_register_database_commands()
