"""The item's story on its page (English and German), as a PDF, and through the API."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.tokens import create_token
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.evaluation.story_support import NOW, berlin, store_story
from tests.reports.support import page_count, pdf_text
from tests.web.support import set_now
from tests.web.test_item_pages import PASSWORD, log_in

ITEM = "/items/default/L-1"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """A logged-in viewer, the lead L-1 with its whole story, and the clock at a fixed now."""
    store_story(engine)
    with transaction(engine) as connection:
        create_user(connection, "ana@example.com", PASSWORD, "viewer")
    app = create_app(Settings(demo=True), engine)
    set_now(app, berlin(NOW))
    with TestClient(app) as browser:
        log_in(browser, "ana@example.com")
        yield browser


def story_table(page: str) -> str:
    start = page.index('<table class="story">')
    return page[start : page.index("</table>", start)]


def test_the_item_page_tells_the_story_in_time_order_with_who_and_why(client: TestClient) -> None:
    page = client.get(ITEM).text
    story = story_table(page)
    order = [
        "Event handed_over",
        "First contact within 48 hours: clock paused",
        "First contact within 48 hours: clock resumed",
        "owner changed from Tom Berg (tom) to Ana Ruiz (ana)",
        "Escalation opened: Item at risk",
        "Escalation step 1: tier 2, department head notified",
        "Escalation acknowledged",
        "First contact within 48 hours: clock stopped, met",
        "Recorded: item.note",
    ]
    places = [story.index(text) for text in order]
    assert places == sorted(places)
    assert "<q>calling the customer now</q>" in story
    assert "<span data-actor>sam@example.com</span>" in story
    assert "Times in Europe/Berlin." in page
    assert 'href="/items/default/L-1/story.pdf"' in page
    assert "data-story-paged" not in page  # all of it fits one page


def test_the_item_page_tells_the_story_in_german(client: TestClient) -> None:
    page = client.get(ITEM, headers={"Accept-Language": "de"}).text
    story = story_table(page)
    assert "Verlauf" in page
    assert "Ereignis handed_over" in story
    assert "First contact within 48 hours: Uhr pausiert" in story
    assert "Eskalationsschritt 1: Stufe 2, Abteilungsleitung benachrichtigt" in story
    assert "Uhr angehalten, erfüllt" in story
    assert "MESZ" in story or "CEST" in story  # the zone is shown with every instant


def test_a_long_story_is_paged_from_the_latest_and_renders_quickly(
    engine: Engine, client: TestClient
) -> None:
    start = berlin("2026-04-01T08:00")
    with transaction(engine) as connection:
        store_events(
            connection,
            [EventIn("default", "busy", "note", start + i * 60_000_000) for i in range(10_000)],
        )
    began = time.perf_counter()
    page = client.get("/items/default/busy").text
    assert time.perf_counter() - began < 10  # a few hundred ms here; bounded, not exact
    assert page.count('<tr data-kind="event">') == 200
    assert "The story has 10000 entries; this page shows 200 of them" in page
    assert 'href="/items/default/busy?story_skip=200#story"' in page
    older = client.get("/items/default/busy?story_skip=9900").text
    assert older.count('<tr data-kind="event">') == 100
    assert "data-story-older" not in older and "data-story-newer" in older
    assert client.get("/items/default/busy?story_skip=-1").status_code == 422


def test_the_story_pdf_prints_the_same_entries(client: TestClient) -> None:
    answer = client.get(f"{ITEM}/story.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert page_count(answer.content) >= 1
    text = pdf_text(answer.content)
    assert "Story of item L-1" in text
    assert "Times in Europe/Berlin." in text
    assert "Escalation step 1: tier 2, department head notified" in text
    assert "calling the customer now" in text


def test_the_story_pdf_in_german_and_for_an_unknown_item(client: TestClient) -> None:
    text = pdf_text(client.get(f"{ITEM}/story.pdf?lang=de").content)
    assert "Verlauf des Vorgangs L-1" in text
    assert "Uhr pausiert" in text
    assert client.get("/items/default/nope/story.pdf").status_code == 404
    assert client.get(f"{ITEM}/story.pdf?lang=xx").status_code == 422


def test_an_id_ending_in_an_encoded_story_pdf_is_an_item_page(client: TestClient) -> None:
    answer = client.get("/items/default/L-1%2Fstory.pdf")
    assert answer.status_code == 404
    assert "There is no item L-1/story.pdf" in answer.text


@pytest.fixture
def token(engine: Engine) -> str:
    with transaction(engine) as connection:
        return create_token(connection, name="reader", scope="read", created_by="test")


def test_the_api_answers_the_story_as_json(client: TestClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.get(f"/api/v1{ITEM}/story", headers=headers)
    assert answer.status_code == 200
    story = answer.json()
    assert (story["source"], story["id"], story["zone"]) == ("default", "L-1", "Europe/Berlin")
    assert story["total"] == len(story["entries"]) and story["older_skip"] is None
    first = story["entries"][0]
    assert first == {
        "at": "2026-05-04T07:00:00Z",
        "kind": "event",
        "title": "Event handed_over",
        "detail": first["detail"],
        "actor": None,
        "reason": None,
        "link": None,
    }
    kinds = {entry["kind"] for entry in story["entries"]}
    assert kinds == {"event", "attribute", "clock", "escalation", "audit"}
    german = client.get(f"/api/v1{ITEM}/story?lang=de&size=2", headers=headers).json()
    assert len(german["entries"]) == 2 and german["older_skip"] == 2
    assert german["entries"][-1]["title"] == "Protokolliert: item.note"


def test_the_api_refuses_unknown_items_and_bad_pages_with_4xx(
    client: TestClient, token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    missing = client.get("/api/v1/items/default/nope/story", headers=headers)
    assert missing.status_code == 404
    assert "no item 'nope'" in missing.json()["detail"]
    for query in ("size=0", "size=1001", "skip=-1", "lang=xx", "skip=abc"):
        assert client.get(f"/api/v1{ITEM}/story?{query}", headers=headers).status_code == 422
    nul = client.get("/api/v1/items/default/a%00b/story", headers=headers)
    assert nul.status_code == 404
    # the item itself, whose id ends in an encoded "/story"
    assert client.get("/api/v1/items/default/L-1%2Fstory", headers=headers).status_code == 404
