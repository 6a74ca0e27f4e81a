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
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from slawatch.i18n import LANGUAGES, N_, supported
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
COLUMNS_HINT = "the first line names the columns: %(columns)s (key and name required)"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PARTY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


@dataclass(frozen=True)
class PersonProblem:
    """What is wrong with one field of one entry; `line` for a file's row.

    `template` is a catalogue message (pages show it in the reader's language), `values`
    fill it in.
    """

    field: str
    template: str
    values: Mapping[str, object] = dataclass_field(default_factory=dict)
    line: int | None = None

    @property
    def message(self) -> str:
        return self.template % self.values if self.values else self.template

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}"


def _problem(field: str, template: str, line: int | None = None, **values: object) -> PersonProblem:
    return PersonProblem(field, template, values, line)


def _field_problem(name: str, value: str) -> PersonProblem | None:
    if "\x00" in value:
        return _problem(name, N_("contains a NUL character; remove it"))
    if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        return _problem(name, N_("contains a lone surrogate, which is no character; send UTF-8"))
    if len(value) > LENGTHS[name]:
        return _problem(
            name,
            N_("is %(length)s characters long; at most %(limit)s"),
            length=len(value),
            limit=LENGTHS[name],
        )
    if name == "email" and not EMAIL.fullmatch(value):
        return _problem(
            name,
            N_("%(value)s is not an email address; write it as name@example.com"),
            value=repr(value[:80]),
        )
    if name == "party" and not PARTY.fullmatch(value):
        return _problem(
            name,
            N_("%(value)s is not a party id; write the party's id from the agreement, e.g. sales"),
            value=repr(value[:80]),
        )
    if name == "language" and supported(value) != value.lower():
        return _problem(
            name,
            N_("%(value)s is not a language of slawatch; use %(choices)s"),
            value=repr(value[:20]),
            choices=" or ".join(LANGUAGES),
        )
    return None


def checked_person(values: Mapping[str, str | None]) -> Person | list[PersonProblem]:
    """Return the Person the values describe, or every problem with them.

    Spaces around a value are dropped and an empty value is no value; a key is kept as it is
    otherwise, since it must equal the owner id in the events.
    """
    cleaned = {name: (values.get(name) or "").strip() for name in PERSON_FIELDS}
    problems = [
        _problem(name, N_("required; it may not be empty"))
        for name in REQUIRED
        if not cleaned[name]
    ]
    for name, value in cleaned.items():
        problem = _field_problem(name, value) if value else None
        if problem is not None:
            problems.append(problem)
    if cleaned["manager"] and cleaned["manager"] == cleaned["key"]:
        problems.append(_problem("manager", N_("a person cannot be their own manager")))
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
                _problem(
                    "manager",
                    N_(
                        "%(key)s is not in the directory; add them too (in the same file "
                        "is fine) or leave manager empty"
                    ),
                    line,
                    key=repr(entry.manager),
                )
            )
        if entry.party and entry.party not in parties:
            problems.append(
                _problem(
                    "party",
                    N_("no stored agreement has a party %(party)s; the parties: %(known)s"),
                    line,
                    party=repr(entry.party),
                    known=", ".join(sorted(parties)) or "none, no agreement is stored yet",
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
                _problem(
                    "file", "more than %(limit)s people; split the file", first, limit=MAX_PEOPLE
                )
            )
            break
        if len(row) > len(header):
            problems.append(
                _problem(
                    "row",
                    "%(fields)s fields but the header names %(columns)s; quote values with commas",
                    first,
                    fields=len(row),
                    columns=len(header),
                )
            )
            continue
        checked = checked_person(dict(zip(header, row, strict=False)))
        if isinstance(checked, Person):
            found.append((first, checked))
        else:
            problems += [replace(problem, line=first) for problem in checked]
    return found, problems


def _header_problems(header: list[str]) -> list[PersonProblem]:
    hint = {"columns": ",".join(PERSON_FIELDS)}
    if not header:
        return [_problem("header", "the file is empty; " + COLUMNS_HINT, 1, **hint)]
    problems = [
        _problem("header", "unknown column %(name)s; " + COLUMNS_HINT, 1, name=repr(name), **hint)
        for name in header
        if name not in PERSON_FIELDS
    ]
    problems += [
        _problem(
            "header", "column %(name)s is missing; " + COLUMNS_HINT, 1, name=repr(name), **hint
        )
        for name in REQUIRED
        if name not in header
    ]
    repeated = sorted({name for name in header if header.count(name) > 1})
    problems += [
        _problem("header", "column %(name)s appears twice", 1, name=repr(name)) for name in repeated
    ]
    return problems


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
