"""`slawatch directory`: the people who own items, their teams, managers and parties."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from slawatch.commands.common import DatabaseOpt, database, err, fail, out

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from slawatch.store.directory import Person

app = typer.Typer(
    help="The directory: owners of items, with names, teams, managers and parties.",
    no_args_is_help=True,
)


class ListFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"


def _actor() -> str:
    from slawatch.commands.users import actor

    return actor()


@app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", exists=True, dir_okay=False, help="A CSV file: key,name,email,…"
        ),
    ],
    database_url: DatabaseOpt = None,
) -> None:
    """Add or update people from a CSV file; a file with any bad row changes nothing."""
    from slawatch.ingest.people import MAX_FILE_BYTES, read_people_csv, reference_problems
    from slawatch.store.db import transaction
    from slawatch.store.directory import agreement_parties, people, put_people

    if file.stat().st_size > MAX_FILE_BYTES:
        fail(f"{file}: larger than {MAX_FILE_BYTES // 1_000_000} MB; split the file", 2)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        fail(f"{file}: not UTF-8 text (byte {error.start}); save the file as UTF-8 CSV")
    found, problems = read_people_csv(text)
    engine = database(database_url)
    with transaction(engine) as connection:
        problems += reference_problems(
            found, known_keys=people(connection), parties=agreement_parties(connection)
        )
        if problems:
            for problem in problems:
                err.print(f"{file}:{problem}", markup=False, highlight=False)
            fail(f"{file}: {len(problems)} problem(s); nothing was imported")
        result = put_people(connection, (entry for _, entry in found), author=_actor())
    out.print(
        f"{file}: {result.added} added, {result.changed} changed, {result.unchanged} unchanged",
        markup=False,
    )


@app.command("list")
def list_command(
    database_url: DatabaseOpt = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", help="A table, or CSV as `export` writes it.")
    ] = ListFormat.TABLE,
) -> None:
    """List everyone in the directory, by name."""
    from slawatch.ingest.people import write_people_csv
    from slawatch.store.db import read_transaction
    from slawatch.store.directory import PERSON_FIELDS, people

    with read_transaction(database(database_url)) as connection:
        found = people(connection)
    if output_format is ListFormat.CSV:
        sys.stdout.write(write_people_csv(found.values()))
        return
    if not found:
        out.print("the directory is empty; add people with `slawatch directory import FILE`")
        return
    table = Table()
    for name in PERSON_FIELDS:
        table.add_column(name, overflow="fold")
    for entry in found.values():
        table.add_row(*(getattr(entry, name) or "" for name in PERSON_FIELDS))
    out.print(table)


@app.command("export")
def export_command(
    database_url: DatabaseOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write here instead of stdout."),
    ] = None,
) -> None:
    """Write the directory as CSV, in the columns `import` reads."""
    from slawatch.ingest.people import write_people_csv
    from slawatch.store.db import read_transaction
    from slawatch.store.directory import people

    with read_transaction(database(database_url)) as connection:
        text = write_people_csv(people(connection).values())
    if output is None:
        sys.stdout.write(text)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}", markup=False)


# The demo's people: each owner the generator draws (generate/owners.py), their department
# head (the party's tier-2 contact in the templates) as manager, and the tier-1 contacts
# under their own keys, so that messages and pages name the same people.
DEMO_HEADS = {
    "sales": ("head.sales", "Katrin Sommer", "Sales", "de"),
    "marketing": ("head.marketing", "Julia Brandt", "Marketing", "en"),
    "it": ("head.it", "Stefan Krüger", "IT Service Desk", None),
    "hr": ("head.hr", "Claudia Neumann", "Human Resources", None),
}
DEMO_NAMES = {
    "tom.berg": ("Tom Berg", "Sales North"),
    "sara.lind": ("Sara Lind", "Sales North"),
    "jonas.meier": ("Jonas Meier", "Sales South"),
    "mia.schulz": ("Mia Schulz", "Sales South"),
    "lena.koch": ("Lena Koch", "Marketing"),
    "paul.wagner": ("Paul Wagner", "Marketing"),
    "emma.fischer": ("Emma Fischer", "Marketing"),
    "servicedesk.lead": ("Deniz Aydin", "IT Service Desk"),
    "lukas.hoffmann": ("Lukas Hoffmann", "IT Service Desk"),
    "nina.becker": ("Nina Becker", "IT Service Desk"),
    "hr.servicecenter": ("Sabine Wolf", "HR Service Centre"),
    "laura.weber": ("Laura Weber", "HR Service Centre"),
    "tim.schaefer": ("Tim Schäfer", "HR Service Centre"),
}


def demo_people() -> list[Person]:
    """Return the demo directory: the generator's owners, their teams and department heads."""
    from slawatch.generate.owners import OWNERS
    from slawatch.store.directory import Person

    found = []
    for party, (head, head_name, department, language) in DEMO_HEADS.items():
        found.append(
            Person(head, head_name, f"{head}@example.com", department, None, party, language)
        )
        for key, _share in OWNERS[party]:
            name, team = DEMO_NAMES[key]
            found.append(Person(key, name, f"{key}@example.com", team, head, party, None))
    return found


def load_demo_directory(connection: Connection) -> None:
    """Fill the demo's directory (called by `slawatch demo` when it creates its database)."""
    from slawatch.store.directory import put_people

    put_people(connection, demo_people(), author="demo")
