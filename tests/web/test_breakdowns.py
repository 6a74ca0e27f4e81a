"""An objective's breakdown: on its page and in the API, by owner, team or attribute; late now."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.ingest.files import read_events
from slawatch.store.clock_lists import clock_counts
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import Person, put_people
from slawatch.store.events import EventIn, store_events
from slawatch.store.results import stored_result
from tests.evaluation.support import AS_OF, EXAMPLE_EVENTS, events_of, save_template
from tests.web.support import set_now
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    page_app,
    row_of,
)

SPEED = "/agreements/marketing-sales/objectives/speed-to-lead"
API = "/api/v1/agreements/marketing-sales/objectives"
OWNERS = ("u-anna", "u-ben", "u-cleo", None)  # cleo is not in the directory
PEOPLE = [
    Person("u-anna", "Anna Berg", team="Inside sales"),
    Person("u-ben", "Ben Ott"),  # no team
]


def owner_of(item: str) -> str | None:
    return OWNERS[sum(map(ord, item)) % len(OWNERS)]


def evaluated_with_owners(engine: Engine) -> None:
    """Store the example agreement and events, each lead with an owner (or none), evaluated."""
    save_template(engine)
    batch = []
    for event in events_of(read_events(EXAMPLE_EVENTS)):
        owner = owner_of(event.item)
        attributes = dict(event.attributes) | ({"owner": owner} if owner else {})
        batch.append(event._replace(attributes=attributes))
    with transaction(engine) as connection:
        store_events(connection, batch)
        put_people(connection, PEOPLE, author="test")
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    evaluated_with_owners(engine)
    app = page_app(engine)
    set_now(app, AS_OF)
    return app


@pytest.fixture
def viewer(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "viewer") as client:
        yield client


def groups(client: TestClient, objective: str = "speed-to-lead", **query: str) -> dict:
    answer = client.get(f"{API}/{objective}/breakdown", params=query)
    assert answer.status_code == 200, answer.text
    found: dict = answer.json()
    return found


def test_the_owners_counts_add_up_to_the_objectives(viewer: TestClient, engine: Engine) -> None:
    found = groups(viewer, period="2026-05")
    with read_transaction(engine) as connection:
        counts = clock_counts(connection, "marketing-sales", "speed-to-lead", "2026-05")
    assert sum(g["met"] for g in found["groups"]) == counts["met"] == found["total"]["met"]
    assert sum(g["breached"] for g in found["groups"]) == counts["breached"]
    pending = counts["running"] + counts["at_risk"] + counts["paused"]
    assert sum(g["pending"] for g in found["groups"]) == pending
    assert {g["group"] for g in found["groups"]} == {"u-anna", "u-ben", "u-cleo", None}
    names = {g["group"]: g["name"] for g in found["groups"]}
    assert names["u-anna"] == "Anna Berg" and names["u-cleo"] is None
    assert found["previous_period"] == "2026-04"


def test_a_ratio_breaks_down_into_its_numerator_and_denominator(
    viewer: TestClient, engine: Engine
) -> None:
    found = groups(viewer, "lead-acceptance", period="2026-05", by="region")
    with read_transaction(engine) as connection:
        stored = stored_result(connection, "marketing-sales", "2026-05")
    assert stored is not None
    result = stored.result("lead-acceptance")
    assert sum(g["met"] for g in found["groups"]) == result.numerator  # type: ignore[union-attr]
    assert sum(g["items"] for g in found["groups"]) == result.denominator  # type: ignore[union-attr]
    assert found["total"]["value"] == pytest.approx(result.value)  # type: ignore[union-attr]
    assert found["kind"] == "ratio" and "region" in found["groupings"]


def test_teams_show_owners_without_a_team_and_unknown_owners(viewer: TestClient) -> None:
    found = groups(viewer, period="2026-05", by="team")
    named = {(g["group"], g["missing"]) for g in found["groups"]}
    assert named == {
        ("Inside sales", None),
        (None, "no_team"),
        (None, "unknown_owner"),
        (None, "no_value"),
    }


def test_sorting_by_p90_descending_puts_the_slowest_first(viewer: TestClient) -> None:
    found = groups(viewer, period="2026-05", by="region", sort="p90", order="desc")
    times = [g["p90_seconds"] for g in found["groups"] if g["p90_seconds"] is not None]
    assert times == sorted(times, reverse=True) and len(times) > 1


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ({"period": "2026-13"}, 422, "does not exist"),
        ({"period": "2026-W10"}, 422, "measured per month"),
        ({"period": "2019-05"}, 404, "stored periods run from"),
        ({"by": "region name"}, 422, "is not a grouping"),
        ({"sort": "colour"}, 422, "write one of group, value"),
        ({"order": "up"}, 422, "asc or desc"),
    ],
)
def test_a_bad_request_is_refused_with_what_to_write(
    viewer: TestClient, query: dict[str, str], status: int, words: str
) -> None:
    answer = viewer.get(f"{API}/speed-to-lead/breakdown", params=query)
    assert answer.status_code == status, answer.text
    assert words in answer.json()["detail"]


def test_objectives_without_items_to_split_are_refused(viewer: TestClient) -> None:
    answer = viewer.get(f"{API}/qualified-leads/breakdown")
    assert answer.status_code == 422 and "only clock and ratio" in answer.json()["detail"]
    assert viewer.get(f"{API}/nonesuch/breakdown").status_code == 404
    assert viewer.get(f"{API}/conversion/late").status_code == 404


def test_the_page_links_owners_to_their_page_and_sorts_by_a_header(viewer: TestClient) -> None:
    page = viewer.get(SPEED, params={"period": "2026-05"}).text
    assert '<section id="breakdown"' in page
    assert '<a href="/people/u-anna">Anna Berg</a>' in page
    assert "no owner" in row_of(page.split('id="breakdown"')[1], "no owner")
    header = re.search(r'data-column="p90"\s*>\s*<a href="([^"]+)"', page)
    assert header is not None and "sort=p90" in header.group(1)
    sorted_page = viewer.get(header.group(1).replace("&amp;", "&").split("#")[0]).text
    assert 'aria-sort="descending"' in sorted_page


def test_the_page_groups_by_an_attribute_in_german(app: FastAPI, engine: Engine) -> None:
    with browser(app, engine, "viewer", "de") as client:
        page = client.get(SPEED, params={"period": "2026-05", "by": "region"}).text
    assert "Aufschlüsselung" in page and "Gruppieren nach" in page
    assert "north" in page.split('id="breakdown"')[1]


def test_a_bad_grouping_on_the_page_says_so_in_the_pages_language(
    app: FastAPI, engine: Engine
) -> None:
    with browser(app, engine, "viewer", "de") as client:
        answer = client.get(SPEED, params={"by": "a b"})
    assert answer.status_code == 422
    assert "Keine Aufschlüsselung" in answer.text


def test_late_now_lists_the_overdue_clocks_by_owner_most_late_first(
    viewer: TestClient, app: FastAPI
) -> None:
    set_now(app, to_us(dt.datetime(2026, 12, 1, tzinfo=dt.UTC)))  # every open clock is late
    owners = viewer.get(f"{API}/speed-to-lead/late", params={"items": 1000}).json()
    assert owners, "the example has leads that were never contacted"
    lates = [owner["late"] for owner in owners]
    assert lates == sorted(lates, reverse=True)
    assert all(len(owner["items"]) == owner["late"] + owner["at_risk"] for owner in owners)
    page = viewer.get(SPEED).text
    assert "Late now" in page and "/items/default/" in page.split("Late now", 1)[1]


def test_a_kept_breakdown_follows_the_next_evaluation(viewer: TestClient, engine: Engine) -> None:
    before = groups(viewer, period="2026-06")
    anna = next(g for g in before["groups"] if g["group"] == "u-anna")
    assert groups(viewer, period="2026-06") == before  # kept
    at = to_us(dt.datetime(2026, 6, 10, 9, tzinfo=dt.UTC))
    new = EventIn("default", "L-NEW", "handed_over", at, "lead", {"owner": "u-anna"})
    with transaction(engine) as connection:
        store_events(connection, [new])
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]
    after = groups(viewer, period="2026-06")
    anna_after = next(g for g in after["groups"] if g["group"] == "u-anna")
    assert anna_after["items"] == anna["items"] + 1


def test_a_ratio_with_a_filter_breaks_down_only_the_items_it_measures(engine: Engine) -> None:
    ratio = 'ratio: {count: accepted, of: handed_over}\n    target: ">= 80%"'
    save_template(engine, replace=(ratio, ratio + "\n    where: {region: [north, east]}"))
    with transaction(engine) as connection:
        store_events(connection, events_of(read_events(EXAMPLE_EVENTS)))
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]
    app = page_app(engine)
    with browser(app, engine, "viewer") as client:
        found = groups(client, "lead-acceptance", period="2026-05", by="region")
    with read_transaction(engine) as connection:
        stored = stored_result(connection, "marketing-sales", "2026-05")
    assert stored is not None
    result = stored.result("lead-acceptance")
    assert {g["group"] for g in found["groups"]} == {"north", "east"}
    assert sum(g["items"] for g in found["groups"]) == result.denominator  # type: ignore[union-attr]
    assert sum(g["met"] for g in found["groups"]) == result.numerator  # type: ignore[union-attr]
