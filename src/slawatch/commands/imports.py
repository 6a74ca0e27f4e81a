"""`slawatch import`: load a CRM export or an event file into the database.

Exit codes: 0 every row was imported or a duplicate, 1 some rows were rejected (the summary is
printed and FILE.rejected.csv written all the same) or the file cannot be read, 2 usage.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from slawatch.commands.common import DatabaseOpt, database, err, fail, out
from slawatch.ingest.imports import ImportOptionError, ImportSummary, run_import
from slawatch.ingest.mappings import ImportFileError, MappingName, TimezoneNeededError

MAX_SHOWN_REJECTS = 20


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user entry (some containers)
        return "cli"


def _table(summary: ImportSummary) -> Table:
    table = Table(title=f"{summary.filename} · {summary.mapping}")
    table.add_column("rows")
    table.add_column("count", justify="right")
    table.add_row("read", f"{summary.rows_read:,}")
    table.add_row("imported", f"{summary.imported:,}")
    table.add_row("duplicate", f"{summary.duplicate:,}")
    table.add_row("rejected", f"{summary.rejected:,}")
    table.add_section()
    table.add_row("new events", f"{summary.events:,}")
    return table


def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="A CSV or JSON Lines export."
        ),
    ],
    mapping: Annotated[
        MappingName, typer.Option("--mapping", help="What kind of file it is.", show_default=False)
    ],
    agreement: Annotated[
        str | None,
        typer.Option(
            "--agreement",
            help="Warn about events this stored agreement does not use or lacks; its zone "
            "places bare dates.",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="The system the items come from (default: default)."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Zone of times written without an offset."),
    ] = None,
    location: DatabaseOpt = None,
) -> None:
    """Import a CRM export or an event file; rejected rows go to FILE.rejected.csv."""
    summary = _import(
        file, mapping, source=source, agreement=agreement, timezone=timezone, location=location
    )
    out.print(_table(summary))
    for warning in summary.warnings:
        err.print(f"warning: {warning}", markup=False, highlight=False)
    if summary.rejected_rows:
        err.print(_rejects_text(file, summary), markup=False, highlight=False)
        raise typer.Exit(1)


def _import(
    file: Path,
    mapping: MappingName,
    *,
    source: str | None,
    agreement: str | None,
    timezone: str | None,
    location: str | None = None,
) -> ImportSummary:
    """Run the import with a progress bar; a failure exits with its message and code."""
    engine = database(location)
    bar = Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("rows", total=None)
    try:
        with bar:
            return run_import(
                file,
                mapping.value,
                engine=engine,
                actor=_actor(),
                source=source,
                agreement=agreement,
                timezone=timezone,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except ImportOptionError as error:
        message = str(error)
        if error.option == "--agreement":
            message += "; store it first with `slawatch agreements apply FILE`"
        raise typer.BadParameter(message, param_hint=error.option) from None
    except TimezoneNeededError as error:
        fail(str(error), code=2)
    except ImportFileError as error:
        fail(str(error))
    except SQLAlchemyError as error:
        fail(
            f"{file}: the database failed ({type(error).__name__}); the rows stored so far stay "
            "stored, and importing the file again completes the import"
        )
    finally:
        engine.dispose()


def _rejects_text(file: Path, summary: ImportSummary) -> str:
    """Return the first rejected rows with their lines and reasons, and where the rest are."""
    lines = [
        f"{file}:{row.line}: {row.reason}" for row in summary.rejected_rows[:MAX_SHOWN_REJECTS]
    ]
    if summary.rejected > MAX_SHOWN_REJECTS:
        lines.append(f"… and {summary.rejected - MAX_SHOWN_REJECTS} more rejected rows")
    where = (
        f"all of them, with line and reason, are in {summary.rejected_file}"
        if summary.rejected_file
        else "the rejected file could not be written (see the warning)"
    )
    lines.append(f"{summary.rejected} of {summary.rows_read} rows rejected; {where}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the `import` command to the main app."""
    app.command("import")(import_command)
