"""The person page: an owner's open items late first, recent finishes, team; item pages link it."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from tests.web.directory_support import browser, owned_leads


def items_in(section: str) -> list[str]:
    return re.findall(r'<a href="/items/crm/([^"]+)">', section)


def test_the_person_page_lists_open_items_late_first_then_finished(engine: Engine) -> None:
    owned_leads(engine)
    page = browser(engine).get("/people/tom.berg")
    assert page.status_code == 200
    text = page.text
    open_part, finished_part = text.split('id="finished-heading"')
    assert "<h1>Tom Berg</h1>" in text
    assert items_in(open_part) == ["L-1", "L-2"]
    assert "2 open items" in text and "1 late" in text
    assert 'data-state="breached"' in open_part.split("L-2")[0]
    assert items_in(finished_part.split('id="managed-heading"')[0]) == ["L-3"]
    assert '<a href="/people/head.sales">Hanna Vogt</a>' in text  # the manager
    assert '<a href="/people/anna.roth">Anna Roth</a>' in text  # the team


def test_a_manager_sees_the_people_they_manage(engine: Engine) -> None:
    owned_leads(engine)
    text = browser(engine).get("/people/head.sales").text
    managed = text.split('id="managed-heading"')[1]
    assert "Anna Roth" in managed and "Tom Berg" in managed
    assert "Nothing open" in text


def test_an_owner_id_outside_the_directory_still_has_a_page(engine: Engine) -> None:
    owned_leads(engine)
    page = browser(engine).get("/people/0055g")
    assert page.status_code == 200
    assert "not in the directory" in page.text
    assert items_in(page.text) == ["L-5"]


def test_nobody_at_all_is_a_404_in_the_readers_language(engine: Engine) -> None:
    owned_leads(engine)
    page = browser(engine, language="de").get("/people/nobody")
    assert page.status_code == 404
    assert "Keine solche Person" in page.text


def test_the_person_page_reads_in_german(engine: Engine) -> None:
    owned_leads(engine)
    text = browser(engine, language="de").get("/people/tom.berg").text
    assert "Offene Vorgänge" in text and "2 offene Vorgänge" in text and "1 verspätet" in text


def test_the_item_page_names_the_owner_and_links_their_page(engine: Engine) -> None:
    owned_leads(engine)
    client = browser(engine)
    text = client.get("/items/crm/L-1").text
    assert '<a href="/people/tom.berg" data-owner="tom.berg">Tom Berg</a>' in text
    unknown = client.get("/items/crm/L-5").text
    assert '<a href="/people/0055g" data-owner="0055g">0055g</a>' in unknown


def test_an_owner_id_with_a_slash_has_its_page(engine: Engine) -> None:
    from slawatch.store.db import transaction
    from slawatch.store.directory import Person, put_people

    owned_leads(engine)
    with transaction(engine) as connection:
        put_people(connection, [Person("eu/sales/7", "Ole Dahl")], author="test")
    client = browser(engine)
    assert "<h1>Ole Dahl</h1>" in client.get("/people/eu%2Fsales%2F7").text
    directory = client.get("/directory").text
    assert '<a href="/people/eu%2Fsales%2F7">Ole Dahl</a>' in directory
