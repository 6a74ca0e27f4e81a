"""The directory page: readers see people, admins add, edit and remove them (CSRF, audited)."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.store import audit
from slawatch.store.db import read_transaction
from slawatch.store.directory import person
from tests.web.directory_support import browser, csrf, owned_leads

FORM = {
    "new": "1",
    "key": "lena.koch",
    "name": "Lena Koch",
    "email": "Lena.Koch@example.com",
    "team": "Marketing",
    "manager": "",
    "party": "marketing",
    "language": "de",
}


def test_readers_see_everyone_with_links_but_no_edit_controls(engine: Engine) -> None:
    owned_leads(engine)
    text = browser(engine).get("/directory").text
    assert '<a href="/people/tom.berg">Tom Berg</a>' in text
    assert '<a href="/people/head.sales">Hanna Vogt</a>' in text  # as Tom's manager
    assert "/directory/new" not in text and "/remove" not in text


def test_an_admin_adds_a_person_through_the_form(engine: Engine) -> None:
    owned_leads(engine)
    client = browser(engine, "admin")
    form = client.get("/directory/new")
    assert form.status_code == 200
    saved = client.post(
        "/directory", data={**FORM, "csrf_token": csrf(form.text)}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/directory#person-lena.koch"
    with read_transaction(engine) as connection:
        found = person(connection, "lena.koch")
        actions = [e["action"] for e in audit.entries(connection, subject="person:lena.koch")]
    assert found is not None and found.email == "lena.koch@example.com"
    assert actions == ["person.add"]
    assert "Lena Koch" in client.get("/directory").text


def test_a_wrong_form_comes_back_with_each_field_named_in_the_readers_language(
    engine: Engine,
) -> None:
    owned_leads(engine)
    client = browser(engine, "admin", language="de")
    token = csrf(client.get("/directory/new").text)
    answer = client.post(
        "/directory",
        data={**FORM, "key": "tom.berg", "email": "nope", "party": "hr", "csrf_token": token},
    )
    assert answer.status_code == 422
    assert "E-Mail: &#39;nope&#39; ist keine E-Mail-Adresse" in answer.text
    assert 'value="Lena Koch"' in answer.text  # what was typed stays
    answer = client.post("/directory", data={**FORM, "key": "tom.berg", "csrf_token": token})
    assert "Verantwortlichen-Kennung: ist schon vergeben" in answer.text
    answer = client.post("/directory", data={**FORM, "party": "hr", "csrf_token": token})
    assert "keine gespeicherte Vereinbarung hat eine Partei &#39;hr&#39;" in answer.text


def test_an_admin_edits_and_removes_a_person(engine: Engine) -> None:
    owned_leads(engine)
    client = browser(engine, "admin")
    form = client.get("/directory/tom.berg/edit")
    assert 'value="Tom Berg"' in form.text and "readonly" in form.text
    values = {**FORM, "new": "0", "key": "tom.berg", "name": "Thomas Berg", "party": "sales"}
    client.post("/directory", data={**values, "csrf_token": csrf(form.text)})
    with read_transaction(engine) as connection:
        found = person(connection, "tom.berg")
    assert found is not None and found.name == "Thomas Berg"
    removed = client.post(
        "/directory/tom.berg/remove", data={"csrf_token": csrf(form.text)}, follow_redirects=False
    )
    assert removed.status_code == 303
    with read_transaction(engine) as connection:
        assert person(connection, "tom.berg") is None
    assert client.get("/directory/tom.berg/edit").status_code == 404


def test_forms_without_the_csrf_token_are_refused(engine: Engine) -> None:
    owned_leads(engine)
    client = browser(engine, "admin")
    assert client.post("/directory", data=FORM).status_code == 403
    assert client.post("/directory/tom.berg/remove").status_code == 403
    with read_transaction(engine) as connection:
        assert person(connection, "tom.berg") is not None


def test_viewers_may_not_open_the_forms(engine: Engine) -> None:
    owned_leads(engine)
    assert browser(engine).get("/directory/new").status_code == 403
