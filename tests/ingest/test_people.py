"""Directory entries from forms, API bodies and CSV rows: one rule, problems by line and field."""

from __future__ import annotations

from slawatch.ingest.people import (
    PersonProblem,
    checked_person,
    read_people_csv,
    reference_problems,
    write_people_csv,
)
from slawatch.store.directory import Person

TOM = Person("tom.berg", "Tom Berg", "tom.berg@example.com", "Sales", "head.sales", "sales", "en")


def test_values_are_trimmed_and_empty_ones_are_none() -> None:
    checked = checked_person({"key": " 0055g ", "name": " Tom ", "email": "", "team": "  "})
    assert checked == Person("0055g", "Tom")


def test_email_and_language_are_stored_lower_case() -> None:
    checked = checked_person({"key": "t", "name": "T", "email": "T@Example.com", "language": "DE"})
    assert isinstance(checked, Person)
    assert (checked.email, checked.language) == ("t@example.com", "de")


def test_every_bad_field_is_named_with_a_fix() -> None:
    problems = checked_person(
        {"key": "", "name": "x" * 301, "email": "nope", "party": "Sales Team", "language": "fr"}
    )
    assert isinstance(problems, list)
    assert [problem.field for problem in problems] == ["key", "name", "email", "party", "language"]
    assert "at most 300" in problems[1].message
    assert "name@example.com" in problems[2].message
    assert "en or de" in problems[4].message


def test_a_person_cannot_manage_themselves() -> None:
    problems = checked_person({"key": "a", "name": "A", "manager": "a"})
    assert problems == [PersonProblem("manager", "a person cannot be their own manager")]


def test_a_file_is_read_with_the_line_of_every_row() -> None:
    text = (
        "key,name,team,manager\n"
        "head.sales,Hanna Vogt,Sales,\n"
        "\n"
        '"tom.berg","Berg, Tom",Sales,head.sales\n'
    )
    found, problems = read_people_csv(text)
    assert problems == []
    assert [(line, person.key, person.name) for line, person in found] == [
        (2, "head.sales", "Hanna Vogt"),
        (4, "tom.berg", "Berg, Tom"),
    ]


def test_a_bad_row_is_reported_with_its_line_and_field() -> None:
    text = "key,name,email\na,A,a@example.com\nb,,b@example\nc,C,c@example.com,extra\n"
    found, problems = read_people_csv(text)
    assert [person.key for _, person in found] == ["a"]
    assert [(p.line, p.field) for p in problems] == [(3, "name"), (3, "email"), (4, "row")]
    assert str(problems[0]) == "line 3: name: required; it may not be empty"


def test_unknown_and_missing_columns_are_refused_at_the_header() -> None:
    _, problems = read_people_csv("key,full_name\n")
    assert [(p.line, p.field) for p in problems] == [(1, "header"), (1, "header")]
    assert "unknown column 'full_name'" in problems[0].message
    assert "column 'name' is missing" in problems[1].message


def test_semicolon_files_from_german_excel_are_read() -> None:
    found, problems = read_people_csv("\ufeffkey;name;team\nk;Käthe Groß;Vertrieb\n")
    assert problems == []
    assert found[0][1] == Person("k", "Käthe Groß", team="Vertrieb")


def test_unknown_managers_and_parties_are_reported() -> None:
    anna = Person("anna", "Anna", manager="tom.berg", party="it")
    problems = reference_problems(
        [(2, TOM), (3, anna)], known_keys={"head.sales"}, parties={"sales"}
    )
    assert [(p.line, p.field) for p in problems] == [(3, "party")]
    problems = reference_problems([(None, TOM)], known_keys=set(), parties=set())
    assert [p.field for p in problems] == ["manager", "party"]
    assert "no agreement is stored yet" in problems[1].message


def test_an_exported_directory_reads_back_unchanged() -> None:
    persons = [TOM, Person("x", 'Name, with "quotes"')]
    found, problems = read_people_csv(write_people_csv(persons))
    assert problems == []
    assert [person for _, person in found] == persons
