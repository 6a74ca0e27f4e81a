"""The directory of people: upserts counted, changes audited, teams by manager, on both backends."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine

from slawatch.store import audit
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import (
    Person,
    PutResult,
    managers,
    people,
    people_by_key,
    person,
    put_people,
    remove_person,
    team_members,
)

HEAD = Person("head.sales", "Hanna Vogt", "head.sales@example.com", "Sales", None, "sales", "de")
TOM = Person("tom.berg", "Tom Berg", "tom.berg@example.com", "Sales", "head.sales", "sales", "en")
ANNA = Person("anna.roth", "Anna Roth", None, "Sales", "head.sales", "sales", None)


def put(engine: Engine, *persons: Person) -> PutResult:
    with transaction(engine) as connection:
        return put_people(connection, persons, author="admin@example.com")


def test_new_people_are_added_and_read_back_by_name(engine: Engine) -> None:
    assert put(engine, TOM, HEAD, ANNA) == PutResult(added=3, changed=0, unchanged=0)
    with read_transaction(engine) as connection:
        assert list(people(connection).values()) == [ANNA, HEAD, TOM]
        assert person(connection, "tom.berg") == TOM
        assert person(connection, "nobody") is None
        assert people_by_key(connection, ["tom.berg", "nobody"]) == {"tom.berg": TOM}


def test_putting_again_counts_changes_and_leaves_the_rest_alone(engine: Engine) -> None:
    put(engine, TOM, HEAD)
    moved = replace(TOM, team="Sales North", language=None)
    assert put(engine, moved, HEAD, ANNA) == PutResult(added=1, changed=1, unchanged=1)
    with read_transaction(engine) as connection:
        assert person(connection, "tom.berg") == moved
        entries = audit.entries(connection, subject="person:tom.berg")
    assert [entry["action"] for entry in entries] == ["person.change", "person.add"]
    assert entries[0]["detail"] == {"team": ["Sales", "Sales North"], "language": ["en", None]}
    assert entries[0]["actor"] == "admin@example.com"


def test_a_later_entry_of_the_same_key_wins(engine: Engine) -> None:
    assert put(engine, TOM, replace(TOM, name="Thomas Berg")) == PutResult(1, 0, 0)
    with read_transaction(engine) as connection:
        found = person(connection, "tom.berg")
    assert found is not None and found.name == "Thomas Berg"


def test_a_managers_team_is_the_people_who_name_them_as_manager(engine: Engine) -> None:
    put(engine, TOM, HEAD, ANNA)
    with read_transaction(engine) as connection:
        assert team_members(connection, "head.sales") == [ANNA, TOM]
        assert team_members(connection, "tom.berg") == []
        assert managers(connection) == [HEAD]


def test_removing_a_person_is_audited_and_says_whether_there_was_one(engine: Engine) -> None:
    put(engine, TOM)
    with transaction(engine) as connection:
        assert remove_person(connection, "tom.berg", author="admin@example.com")
        assert not remove_person(connection, "tom.berg", author="admin@example.com")
    with read_transaction(engine) as connection:
        assert people(connection) == {}
        actions = [
            entry["action"] for entry in audit.entries(connection, subject="person:tom.berg")
        ]
    assert actions == ["person.remove", "person.add"]
