"""API directory: the owners of items with their names, teams, managers and parties.

Anyone who may read lists people; admins add, change and remove them. Each change is audited
(store/directory.py); a body with any problem changes nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field

from slawatch.ingest.people import MAX_PEOPLE, PersonProblem, checked_person, reference_problems
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import (
    Person,
    agreement_parties,
    people,
    person,
    put_people,
    remove_person,
)
from slawatch.web.deps import NO_NUL, Admin, Reader, engine_of
from slawatch.web.errors import NotFoundError, UnprocessableError

router = APIRouter(tags=["directory"])
PersonKey = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        pattern=NO_NUL,
        description="the owner id as the events carry it in their `owner` attribute",
    ),
]


class PersonWrite(BaseModel):
    name: str = Field(max_length=300, examples=["Tom Berg"])
    email: str | None = Field(default=None, max_length=320, examples=["tom.berg@example.com"])
    team: str | None = Field(default=None, max_length=200, examples=["Sales North"])
    manager: str | None = Field(
        default=None, max_length=300, description="the manager's key", examples=["head.sales"]
    )
    party: str | None = Field(
        default=None,
        max_length=100,
        description="the id of the agreements' party the person belongs to",
        examples=["sales"],
    )
    language: str | None = Field(default=None, max_length=10, description="en or de")


class PersonEntry(PersonWrite):
    key: str = Field(max_length=300, examples=["tom.berg"])


class PersonRead(PersonEntry):
    pass


class DirectoryPut(BaseModel):
    people: list[PersonEntry] = Field(max_length=MAX_PEOPLE)


class PutAnswer(BaseModel):
    added: int
    changed: int
    unchanged: int


def _read(entry: Person) -> PersonRead:
    return PersonRead(**entry.__dict__)


def _problems_text(problems: list[PersonProblem], where: list[str]) -> str:
    return "; ".join(
        f"{where[index] if index < len(where) else ''}{problem}"
        for index, problem in enumerate(problems)
    )


def _checked(request: Request, entries: list[PersonEntry]) -> list[Person]:
    """Return the entries as persons; refuse them all (422) naming each problem's field."""
    found: list[tuple[int | None, Person]] = []
    problems: list[PersonProblem] = []
    where: list[str] = []
    for index, entry in enumerate(entries):
        checked = checked_person(entry.model_dump())
        if isinstance(checked, Person):
            found.append((index, checked))
            continue
        problems += checked
        where += [f"people[{index}]." if len(entries) > 1 else ""] * len(checked)
    if problems:
        raise UnprocessableError(_problems_text(problems, where))
    with read_transaction(engine_of(request)) as connection:
        known = people(connection)
        parties = agreement_parties(connection)
    problems = reference_problems(found, known_keys=known, parties=parties)
    if problems:
        where = [f"people[{p.line}]." if len(entries) > 1 else "" for p in problems]
        raise UnprocessableError(_problems_text([replace(p, line=None) for p in problems], where))
    return [entry for _, entry in found]


@router.get("/directory", response_model=list[PersonRead])
def list_people(request: Request, _reader: Reader) -> list[PersonRead]:
    """List everyone in the directory, by name."""
    with read_transaction(engine_of(request)) as connection:
        return [_read(entry) for entry in people(connection).values()]


@router.put(
    "/directory",
    response_model=PutAnswer,
    responses={422: {"description": "a field of an entry cannot be used; nothing was stored"}},
)
def put_directory(request: Request, body: DirectoryPut, admin: Admin) -> PutAnswer:
    """Add or change the people given (by key); people not in the body stay as they are."""
    checked = _checked(request, body.people)
    with transaction(engine_of(request)) as connection:
        result = put_people(connection, checked, author=admin.name)
    return PutAnswer(added=result.added, changed=result.changed, unchanged=result.unchanged)


@router.get(
    "/directory/{key:path}",
    response_model=PersonRead,
    responses={404: {"description": "no such person"}},
)
def get_person(request: Request, key: PersonKey, _reader: Reader) -> PersonRead:
    """Read one person."""
    with read_transaction(engine_of(request)) as connection:
        found = person(connection, key)
    if found is None:
        raise NotFoundError(f"there is no person {key[:100]!r}; GET /api/v1/directory lists them")
    return _read(found)


@router.put(
    "/directory/{key:path}",
    response_model=PersonRead,
    responses={422: {"description": "a field cannot be used"}},
)
def put_person(
    request: Request, key: PersonKey, body: PersonWrite, admin: Admin, response: Response
) -> PersonRead:
    """Add a person under this key, or replace what is stored for them."""
    (checked,) = _checked(request, [PersonEntry(key=key, **body.model_dump())])
    with transaction(engine_of(request)) as connection:
        result = put_people(connection, [checked], author=admin.name)
    if result.added:
        response.status_code = status.HTTP_201_CREATED
    return _read(checked)


@router.delete(
    "/directory/{key:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "no such person"}},
)
def delete_person(request: Request, key: PersonKey, admin: Admin) -> Response:
    """Remove a person; their items keep their owner id, shown without a name."""
    with transaction(engine_of(request)) as connection:
        removed = remove_person(connection, key, author=admin.name)
    if not removed:
        raise NotFoundError(f"there is no person {key[:100]!r}; GET /api/v1/directory lists them")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
