"""`slawatch agreements`: store an agreement file as a version, and read the stored versions.

`apply` goes through the same store path as the API's PUT and the editor
(`store.agreements.save_version`): the file is checked first (the errors `slawatch check`
prints, exit 1), a file identical to the current version stores nothing, and every version
records who stored it and why in the audit log. Exit codes: 0 ok, 1 an invalid file or an
unknown agreement or version, 2 usage (a bad --effective, a file over a limit).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy import Engine

from slawatch.commands.common import DatabaseOpt, database, fail, out
from slawatch.commands.inputs import agreement_limits, load
from slawatch.commands.users import actor
from slawatch.engine.instants import from_us
from slawatch.store.agreements import StoredAgreement

app = typer.Typer(
    help="Agreements in the database: store a file as a version, list, show, versions.",
    no_args_is_help=True,
)

IdArg = Annotated[str, typer.Argument(metavar="ID", help="The agreement's id.")]


def _effective(text: str | None) -> dt.date | None:
    from slawatch.agreements.limits import EARLIEST_DATE, LATEST_DATE

    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date; write it as 2026-04-01", param_hint="--effective"
        ) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise typer.BadParameter(
            f"{day} is out of range; give a date from {EARLIEST_DATE} to {LATEST_DATE}",
            param_hint="--effective",
        )
    return day


def _read_text(path: Path) -> str:
    """Return the file's YAML with the line ends `load` read it with (it was checked by then)."""
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@app.command("apply")
def apply_command(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="An agreement's YAML."),
    ],
    effective: Annotated[
        str | None,
        typer.Option(
            "--effective",
            metavar="DATE",
            help="In force from this day (a first version: default the YAML's effective:; "
            "a later one: default today).",
        ),
    ] = None,
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEXT", help="Why: kept with the version.")
    ] = "",
    location: DatabaseOpt = None,
) -> None:
    """Store an agreement file as its next version (version 1 for a new agreement)."""
    from slawatch.agreements.versions import RetroactiveVersionError
    from slawatch.store.agreements import get_version, save_version
    from slawatch.store.db import transaction

    day = _effective(effective)
    agreement = load(file)  # check's errors, exit 1; a file over a limit, exit 2
    text = _read_text(file)
    engine = database(location)
    try:
        with transaction(engine) as connection:
            previous = get_version(connection, agreement.id)
            if previous is not None and previous.yaml == text:
                out.print(
                    f"unchanged: {file} is {agreement.id} version {previous.version} as stored; "
                    "nothing stored",
                    markup=False,
                    highlight=False,
                )
                return
            _, version = save_version(
                connection,
                text,
                author=actor(),
                reason=reason.strip(),
                effective=day,
                source=str(file),
                limits=agreement_limits(),
            )
            stored = get_version(connection, agreement.id, version)
    except RetroactiveVersionError as error:
        raise typer.BadParameter(str(error), param_hint="--effective") from None
    finally:
        engine.dispose()
    assert stored is not None
    what = "created" if version == 1 else "stored"
    was = "" if version == 1 else f" (was {version - 1})"
    out.print(
        f"{what} {agreement.id} version {version}{was}, in force from {stored.effective}",
        markup=False,
        highlight=False,
    )


@app.command("list")
def list_command(location: DatabaseOpt = None) -> None:
    """List the stored agreements with their current version."""
    from slawatch.store.agreements import current_agreements
    from slawatch.store.db import read_transaction

    engine = database(location)
    try:
        with read_transaction(engine) as connection:
            stored = current_agreements(connection)
    finally:
        engine.dispose()
    if not stored:
        out.print("no agreements yet; store one with `slawatch agreements apply FILE`")
        return
    table = Table()
    table.add_column("id", no_wrap=True)
    table.add_column("version", justify="right")
    table.add_column("in force from", no_wrap=True)
    table.add_column("title")
    for agreement in stored:
        table.add_row(
            agreement.id, str(agreement.version), str(agreement.effective), agreement.title
        )
    out.print(table)


def _stored(engine: Engine, agreement_id: str, version: int | None) -> list[StoredAgreement]:
    """Return the agreement's versions, oldest first; exit 1 naming the ids there are."""
    from slawatch.store.agreements import agreement_ids, all_versions
    from slawatch.store.db import read_transaction

    with read_transaction(engine) as connection:
        versions = all_versions(connection, agreement_id)
        known = [] if versions else agreement_ids(connection)
    if not versions:
        choices = ", ".join(known) or "none stored yet; store one with `slawatch agreements apply`"
        fail(f"there is no agreement {agreement_id!r} (agreements: {choices})")
    if version is not None and not 1 <= version <= len(versions):
        fail(f"{agreement_id} has versions 1 to {len(versions)}; there is no version {version}")
    return versions


@app.command("show")
def show_command(
    agreement_id: IdArg,
    version: Annotated[
        int | None,
        typer.Option("--version", metavar="N", min=1, help="This version (default: current)."),
    ] = None,
    location: DatabaseOpt = None,
) -> None:
    """Print a stored version's YAML (the current one by default)."""
    engine = database(location)
    try:
        versions = _stored(engine, agreement_id, version)
    finally:
        engine.dispose()
    chosen = versions[-1] if version is None else versions[version - 1]
    sys.stdout.write(chosen.yaml if chosen.yaml.endswith("\n") else chosen.yaml + "\n")


@app.command("versions")
def versions_command(agreement_id: IdArg, location: DatabaseOpt = None) -> None:
    """List an agreement's versions: in force from, author, reason, when stored."""
    engine = database(location)
    try:
        versions = _stored(engine, agreement_id, None)
    finally:
        engine.dispose()
    zone = ZoneInfo(versions[-1].agreement.timezone)
    table = Table(title=f"{agreement_id} · {versions[-1].title}")
    table.add_column("version", justify="right")
    table.add_column("effective", no_wrap=True)
    table.add_column("author")
    table.add_column("reason")
    table.add_column(f"created ({zone.key})", no_wrap=True)
    for stored in versions:
        retro = " (retroactive)" if stored.retroactive and stored.version > 1 else ""
        table.add_row(
            str(stored.version),
            f"{stored.effective}{retro}",
            stored.author,
            stored.reason or "–",
            from_us(stored.created_at, zone).strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)
