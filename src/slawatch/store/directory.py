"""The directory: who an item's owner is, their team, manager and agreement party.

A person's key is the owner id exactly as the events carry it in their `owner` attribute
(a HubSpot owner id, a Salesforce user id, an email): the directory never rewrites events,
it only names them. Every change is audited; the rows are plain, one per person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from slawatch.store import audit
from slawatch.store.schema import people as people_table
from slawatch.wall_clock import now_us


@dataclass(frozen=True)
class Person:
    key: str  # the owner id in the events' `owner` attribute
    name: str
    email: str | None = None
    team: str | None = None
    manager: str | None = None  # another person's key
    party: str | None = None  # an agreement party (sales, marketing …)
    language: str | None = None  # of their messages; None: the default


@dataclass(frozen=True)
class PutResult:
    added: int
    changed: int
    unchanged: int


PERSON_FIELDS = tuple(field.name for field in fields(Person))


def _person(row: Any) -> Person:
    return Person(**{name: getattr(row, name) for name in PERSON_FIELDS})


def people(connection: Connection) -> dict[str, Person]:
    """Return every person by key, in the order of their names."""
    query = select(people_table).order_by(people_table.c.name, people_table.c.key)
    return {row.key: _person(row) for row in connection.execute(query)}


def people_by_key(connection: Connection, keys: Iterable[str]) -> dict[str, Person]:
    """Return the persons among `keys` (the rest are unknown to the directory)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found: dict[str, Person] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        query = select(people_table).where(people_table.c.key.in_(wanted[start : start + 500]))
        found.update({row.key: _person(row) for row in connection.execute(query)})
    return found


def person(connection: Connection, key: str) -> Person | None:
    row = connection.execute(select(people_table).where(people_table.c.key == key)).first()
    return None if row is None else _person(row)


def team_members(connection: Connection, manager_key: str) -> list[Person]:
    """Return the people whose manager is `manager_key`, by name."""
    query = (
        select(people_table)
        .where(people_table.c.manager == manager_key)
        .order_by(people_table.c.name, people_table.c.key)
    )
    return [_person(row) for row in connection.execute(query)]


def managers(connection: Connection) -> list[Person]:
    """Return every person who manages someone, by name."""
    managed = select(people_table.c.manager).where(people_table.c.manager.is_not(None))
    query = (
        select(people_table)
        .where(people_table.c.key.in_(managed))
        .order_by(people_table.c.name, people_table.c.key)
    )
    return [_person(row) for row in connection.execute(query)]


def put_people(connection: Connection, persons: Iterable[Person], *, author: str) -> PutResult:
    """Add or replace persons by key; each addition or change is audited, the rest left alone.

    A later entry of the same key in `persons` wins, as a later line of a file would.
    """
    incoming = {entry.key: entry for entry in persons}
    stored = people_by_key(connection, incoming)
    now = now_us()
    added = changed = 0
    for key, entry in incoming.items():
        before = stored.get(key)
        if before == entry:
            continue
        values = {**asdict(entry), "updated_by": author, "updated_at": now}
        if before is None:
            connection.execute(insert(people_table).values(values))
            added += 1
            audit.record(
                connection,
                actor=author,
                action="person.add",
                subject=f"person:{key}",
                **asdict(entry),
            )
            continue
        connection.execute(update(people_table).where(people_table.c.key == key).values(values))
        changed += 1
        differences = {
            name: [getattr(before, name), getattr(entry, name)]
            for name in PERSON_FIELDS
            if getattr(before, name) != getattr(entry, name)
        }
        audit.record(
            connection, actor=author, action="person.change", subject=f"person:{key}", **differences
        )
    return PutResult(added=added, changed=changed, unchanged=len(incoming) - added - changed)


def remove_person(connection: Connection, key: str, *, author: str) -> bool:
    """Remove a person; False if there was none. Their items keep their owner id."""
    before = person(connection, key)
    if before is None:
        return False
    connection.execute(delete(people_table).where(people_table.c.key == key))
    audit.record(
        connection, actor=author, action="person.remove", subject=f"person:{key}", **asdict(before)
    )
    return True
