"""The directory's entries as people type them: one form, one API body or one CSV row each.

One rule for every way in (the directory page, `PUT /api/v1/directory`, `slawatch directory
import`): a problem names its field and how to fix it, and a file's problems their line too.
A file with any problem stores nothing, so a half-imported directory never happens.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from slawatch.i18n import LANGUAGES, supported
from slawatch.store.directory import PERSON_FIELDS, Person

MAX_PEOPLE = 10_000  # rows of one import or one PUT
MAX_FILE_BYTES = 5_000_000
LENGTHS = {
    "key": 300,
    "name": 300,
    "email": 320,
    "team": 200,
    "manager": 300,
    "party": 100,
    "language": 10,
}
REQUIRED = ("key", "name")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PARTY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


@dataclass(frozen=True)
class PersonProblem:
    """What is wrong with one field of one entry; `line` for a file's row."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}"


def _field_problem(name: str, value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    if len(value) > LENGTHS[name]:
        return f"is {len(value)} characters long; at most {LENGTHS[name]}"
    if name == "email" and not EMAIL.fullmatch(value):
        return f"{value[:80]!r} is not an email address; write it as name@example.com"
    if name == "party" and not PARTY.fullmatch(value):
        return f"{value[:80]!r} is not a party id; write the id of the agreement, e.g. sales"
    if name == "language" and supported(value) != value.lower():
        return f"{value[:20]!r} is not a language of slawatch; use {' or '.join(LANGUAGES)}"
    return None


def checked_person(values: Mapping[str, str | None]) -> Person | list[PersonProblem]:
    """Return the Person the values describe, or every problem with them.

    Spaces around a value are dropped and an empty value is no value; a key is kept as it is
    otherwise, since it must equal the owner id in the events.
    """
    cleaned = {name: (values.get(name) or "").strip() for name in PERSON_FIELDS}
    problems = [
        PersonProblem(name, "required; it may not be empty")
        for name in REQUIRED
        if not cleaned[name]
    ]
    for name, value in cleaned.items():
        problem = _field_problem(name, value) if value else None
        if problem is not None:
            problems.append(PersonProblem(name, problem))
    if cleaned["manager"] and cleaned["manager"] == cleaned["key"]:
        problems.append(PersonProblem("manager", "a person cannot be their own manager"))
    if problems:
        return problems
    given = {name: value or None for name, value in cleaned.items()}
    if given["email"]:
        given["email"] = given["email"].lower()
    if given["language"]:
        given["language"] = given["language"].lower()
    return Person(
        key=cleaned["key"],
        name=cleaned["name"],
        email=given["email"],
        team=given["team"],
        manager=given["manager"],
        party=given["party"],
        language=given["language"],
    )


def reference_problems(
    persons: Iterable[tuple[int | None, Person]],
    *,
    known_keys: Collection[str],
    parties: Collection[str],
) -> list[PersonProblem]:
    """Return the managers nobody knows and the parties no stored agreement has.

    `known_keys` are the directory's keys; the entries' own keys count too, so a file may
    name a manager on a later line.
    """
    entries = list(persons)
    keys = set(known_keys) | {entry.key for _, entry in entries}
    problems = []
    for line, entry in entries:
        if entry.manager and entry.manager not in keys:
            problems.append(
                PersonProblem(
                    "manager",
                    f"{entry.manager!r} is not in the directory; add them too "
                    "(in the same file is fine) or leave manager empty",
                    line,
                )
            )
        if entry.party and entry.party not in parties:
            known = ", ".join(sorted(parties)) or "none: no agreement is stored yet"
            problems.append(
                PersonProblem(
                    "party",
                    f"no stored agreement has a party {entry.party!r}; its parties: {known}",
                    line,
                )
            )
    return problems


def read_people_csv(text: str) -> tuple[list[tuple[int, Person]], list[PersonProblem]]:
    """Read a directory CSV: a header naming the columns (key and name at least), then rows.

    Return each row's person with its line, and every problem (line 1 is the header).
    """
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    problems = _header_problems(header)
    if problems:
        return [], problems
    found: list[tuple[int, Person]] = []
    line = reader.line_num
    for row in reader:
        first, line = line + 1, reader.line_num
        if not any(field.strip() for field in row):
            continue
        if len(found) >= MAX_PEOPLE:
            problems.append(
                PersonProblem("file", f"more than {MAX_PEOPLE} people; split the file", first)
            )
            break
        if len(row) > len(header):
            message = f"{len(row)} fields but the header names {len(header)}"
            problems.append(PersonProblem("row", message + "; quote values with commas", first))
            continue
        checked = checked_person(dict(zip(header, row, strict=False)))
        if isinstance(checked, Person):
            found.append((first, checked))
        else:
            problems += [PersonProblem(p.field, p.message, first) for p in checked]
    return found, problems


def _header_problems(header: list[str]) -> list[PersonProblem]:
    if not header:
        return [PersonProblem("header", f"the file is empty; {columns_hint()}", 1)]
    problems = [
        PersonProblem(
            "header", f"unknown column {name!r}; the columns are {', '.join(PERSON_FIELDS)}", 1
        )
        for name in header
        if name not in PERSON_FIELDS
    ]
    problems += [
        PersonProblem("header", f"column {name!r} is missing; {columns_hint()}", 1)
        for name in REQUIRED
        if name not in header
    ]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems += [PersonProblem("header", f"column {name!r} appears twice", 1) for name in repeated]
    return problems


def columns_hint() -> str:
    return f"the first line names the columns: {','.join(PERSON_FIELDS)} (key and name required)"


def write_people_csv(persons: Iterable[Person]) -> str:
    """Write the directory as a CSV that `read_people_csv` reads back unchanged."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PERSON_FIELDS)
    for entry in persons:
        writer.writerow(
            [
                getattr(entry, name) if getattr(entry, name) is not None else ""
                for name in PERSON_FIELDS
            ]
        )
    return buffer.getvalue()
