"""The directory page: everyone who owns items, with team, manager and party; admins edit it.

The form takes the same checks as the API and the CSV import (ingest/people.py), shown in
the reader's language next to the form, which keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator
from slawatch.ingest.people import LENGTHS, PersonProblem, checked_person, reference_problems
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import (
    PERSON_FIELDS,
    Person,
    agreement_parties,
    people,
    person,
    put_people,
    remove_person,
)
from slawatch.web.deps import NO_NUL, Admin, Reader, engine_of
from slawatch.web.errors import NotFoundError
from slawatch.web.pages.people import person_url
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.security import Principal
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
PersonKey = Annotated[str, Path(min_length=1, max_length=300, pattern=NO_NUL)]
FIELD_LABELS = {
    "key": N_("Owner id"),
    "name": N_("Name"),
    "email": N_("Email"),
    "team": N_("Team"),
    "manager": N_("Manager"),
    "party": N_("Party"),
    "language": N_("Language"),
}


@router.get("/directory", response_class=HTMLResponse)
def directory_page(request: Request, principal: Reader) -> HTMLResponse:
    """List everyone in the directory by name, with their team, manager and party."""
    with read_transaction(engine_of(request)) as connection:
        everyone = people(connection)
        parties = agreement_parties(connection)
    rows = [
        {
            "person": entry,
            "url": person_url(entry.key),
            "manager_name": everyone[entry.manager].name
            if entry.manager in everyone
            else entry.manager,
            "manager_url": person_url(entry.manager) if entry.manager else None,
            "party_names": ", ".join(sorted({name for _, name in parties.get(entry.party, [])}))
            if entry.party
            else "",
        }
        for entry in everyone.values()
    ]
    return render(request, "directory/list.html", {"rows": rows}, principal)


def problem_text(problem: PersonProblem, t: Translator) -> str:
    """Name the field in the reader's words; the message says what is wrong and the fix."""
    label = FIELD_LABELS.get(problem.field)
    message = t.gettext(problem.template, **problem.values)
    return f"{t.gettext(label) if label else problem.field}: {message}"


def _form(
    request: Request,
    principal: Principal,
    values: Mapping[str, str],
    *,
    new: bool,
    problems: list[str],
    code: int = 200,
) -> HTMLResponse:
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        everyone = people(connection)
        parties = agreement_parties(connection)
    context: dict[str, Any] = {
        "values": values,
        "new": new,
        "problems": problems,
        "lengths": LENGTHS,
        "labels": {name: t.gettext(label) for name, label in FIELD_LABELS.items()},
        "managers": [p for p in everyone.values() if p.key != values.get("key")],
        "parties": [
            (party, ", ".join(sorted({name for _, name in named})))
            for party, named in parties.items()
        ],
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    }
    return render(request, "directory/edit.html", context, principal, status_code=code)


def _values(entry: Person) -> dict[str, str]:
    return {name: getattr(entry, name) or "" for name in PERSON_FIELDS}


@router.get("/directory/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    principal: Admin,
    key: Annotated[str, Query(max_length=300, pattern=NO_NUL)] = "",
) -> HTMLResponse:
    """Show an empty form for a new person (the owner id filled in when given)."""
    return _form(request, principal, {"key": key}, new=True, problems=[])


@router.get("/directory/{key:path}/edit", response_class=HTMLResponse)
def edit_page(key: PersonKey, request: Request, principal: Admin) -> HTMLResponse:
    """Show the form to change a person."""
    with read_transaction(engine_of(request)) as connection:
        found = person(connection, key)
    if found is None:
        raise NotFoundError(f"there is no person {key[:100]!r}; see /directory")
    return _form(request, principal, _values(found), new=False, problems=[])


def _problems(request: Request, values: Mapping[str, str], new: bool) -> list[PersonProblem]:
    checked = checked_person(values)
    if not isinstance(checked, Person):
        return checked
    with read_transaction(engine_of(request)) as connection:
        everyone = people(connection)
        parties = agreement_parties(connection)
    if new and checked.key in everyone:
        return [PersonProblem("key", N_("is taken already; edit that person instead"))]
    return reference_problems([(None, checked)], known_keys=everyone, parties=parties)


@router.post(
    "/directory",
    response_class=HTMLResponse,
    response_model=None,
    dependencies=[Depends(form_csrf)],
)
async def save(request: Request, principal: Admin) -> HTMLResponse | RedirectResponse:
    """Store the form's person; show the form again, with the problems, if it is wrong."""
    form = await request.form()
    values = {name: str(form.get(name, ""))[:1000] for name in PERSON_FIELDS}
    new = form.get("new") == "1"
    problems = _problems(request, values, new)
    if problems:
        t = page_translator(request, principal)
        return _form(
            request,
            principal,
            values,
            new=new,
            problems=[problem_text(problem, t) for problem in problems],
            code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    checked = checked_person(values)
    assert isinstance(checked, Person)
    with transaction(engine_of(request)) as connection:
        put_people(connection, [checked], author=principal.name)
    return RedirectResponse(
        f"/directory#person-{quote(checked.key, safe='')}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )


@router.post(
    "/directory/{key:path}/remove",
    response_class=RedirectResponse,
    dependencies=[Depends(form_csrf)],
)
def remove(key: PersonKey, request: Request, principal: Admin) -> RedirectResponse:
    """Remove a person from the directory; their items keep the owner id."""
    with transaction(engine_of(request)) as connection:
        removed = remove_person(connection, key, author=principal.name)
    if not removed:
        raise NotFoundError(f"there is no person {key[:100]!r}; see /directory")
    return RedirectResponse("/directory", status.HTTP_303_SEE_OTHER, headers=NO_STORE)
