"""/agreements/{id}/objectives/{objective}: the period chart and table, and the item list."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.formatting import status_text, value_text
from slawatch.i18n import translator
from slawatch.store.clock_lists import clock_counts
from slawatch.store.db import read_transaction
from slawatch.web.pages.objectives import PAGE_SIZE, parse_where
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    evaluated_example,
    page_app,
    row_of,
)

SPEED = "/agreements/marketing-sales/objectives/speed-to-lead"
MONTHS = [f"2026-{month:02d}" for month in range(1, 8)]


@pytest.fixture
def viewer(engine: Engine) -> Iterator[TestClient]:
    evaluated_example(engine)
    app: FastAPI = page_app(engine)
    with browser(app, engine, "viewer") as client:
        yield client


def item_rows(page: str) -> list[str]:
    table = page.split('<table class="items">', 1)[1].split("</table>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>.*?</tr>", table.split("<tbody>", 1)[1], flags=re.S)
    ]


def chart(page: str) -> dict[str, object]:
    found = re.search(r'<canvas data-chart="([^"]+)"', page)
    assert found is not None
    config: dict[str, object] = json.loads(html.unescape(found.group(1)))
    return config


@pytest.mark.parametrize("objective", ["speed-to-lead", "qualified-leads", "lead-acceptance"])
def test_each_period_shows_the_figures_the_report_api_serves(
    viewer: TestClient, objective: str
) -> None:
    page = viewer.get(f"/agreements/marketing-sales/objectives/{objective}").text
    t = translator("en")
    values = []
    for month in MONTHS:
        report = viewer.get("/api/v1/agreements/marketing-sales/report", params={"period": month})
        (figure,) = [o for o in report.json()["periods"][0]["objectives"] if o["id"] == objective]
        row = row_of(page, f'data-period="{month}"')
        assert row.startswith(f"{month} {value_text(figure, figure['value'], t)} ")
        assert status_text(figure["status"], t) in row
        values.append(figure["value"])
    bars = chart(page)["data"]["datasets"][0]["data"]  # type: ignore[index]
    scale = 1 if objective == "qualified-leads" else 100
    assert bars == [None if v is None else pytest.approx(v * scale) for v in values]
    assert chart(page)["data"]["labels"] == MONTHS  # type: ignore[index]


def test_the_chart_draws_the_target_and_the_trailing_average(viewer: TestClient) -> None:
    page = viewer.get(SPEED).text
    sets = {d["label"]: d["data"] for d in chart(page)["data"]["datasets"]}  # type: ignore[index]
    assert sets["Target"] == [95.0] * 7
    trailing = sets["Trailing average of 3 periods"]
    assert trailing[0] is None and all(value is not None for value in trailing[1:])
    assert "2026-06 98.5% ≥ 95% met 67 met, 1 breached" in row_of(page, 'data-period="2026-06"')


def test_items_filter_by_state(viewer: TestClient, engine: Engine) -> None:
    with read_transaction(engine) as connection:
        counts = [clock_counts(connection, "marketing-sales", "speed-to-lead", m) for m in MONTHS]
    breached = sum(c["breached"] for c in counts)
    page = viewer.get(SPEED, params={"state": "breached"}).text
    rows = item_rows(page)
    assert len(rows) == breached > 0
    assert all(" breached " in row for row in rows)
    assert f"Items 1–{breached} of {breached}" in page
    both = viewer.get(SPEED, params={"state": ["breached", "paused"]}).text
    assert len(item_rows(both)) == breached + sum(c["paused"] for c in counts)


def test_items_filter_by_attribute_and_period(viewer: TestClient) -> None:
    page = viewer.get(SPEED, params={"where": "region=north", "period": "2026-05"}).text
    rows = item_rows(page)
    assert rows and all("region=north" in row and " 2026-05 " in row for row in rows)
    none = viewer.get(SPEED, params={"where": "region=nowhere"}).text
    assert "No items match these filters." in none
    unread = viewer.get(SPEED, params={"where": "region north"}).text
    assert "Not read as name=value, so not applied: region north" in unread


def test_items_come_fifty_to_a_page_with_links_to_the_next(viewer: TestClient) -> None:
    first = viewer.get(SPEED, params={"state": "met"}).text
    assert len(item_rows(first)) == PAGE_SIZE
    assert f'href="{SPEED}?state=met&amp;page=2"' in first
    second = viewer.get(SPEED, params={"state": "met", "page": 2}).text
    assert set(item_rows(second)).isdisjoint(item_rows(first))
    assert 'href="/items/default/' in first


def test_htmx_gets_the_item_table_alone_and_the_url_to_show(viewer: TestClient) -> None:
    answer = viewer.get(f"{SPEED}/items", params={"state": "breached"})
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="items"')
    assert "<html" not in answer.text
    assert answer.headers["HX-Push-Url"] == f"{SPEED}?state=breached&page=1"


def test_the_page_embeds_the_objectives_escalations(viewer: TestClient) -> None:
    page = viewer.get(SPEED).text
    assert (
        'hx-get="/escalations/fragment?agreement=marketing-sales&amp;objective=speed-to-lead"'
        in page
    )


def test_objectives_without_clocks_list_no_items(viewer: TestClient) -> None:
    page = viewer.get("/agreements/marketing-sales/objectives/conversion")
    assert page.status_code == 200
    assert 'id="items"' not in page.text
    assert viewer.get("/agreements/marketing-sales/objectives/conversion/items").status_code == 404


def test_an_unknown_objective_is_a_404_naming_the_objectives(viewer: TestClient) -> None:
    page = viewer.get("/agreements/marketing-sales/objectives/nope")
    assert page.status_code == 404
    assert "has no objective nope" in page.text and "speed-to-lead" in page.text


def test_the_page_reads_in_german(viewer: TestClient) -> None:
    page = viewer.get(SPEED, headers={"Accept-Language": "de"}).text
    assert "Zeiträume" in page and "Vorgänge" in page
    assert row_of(page, 'data-period="2026-06"').startswith("2026-06 98,5 % ≥ 95 % erfüllt")


def test_attribute_filters_are_read_as_name_value_pairs() -> None:
    assert parse_where("region=north, source = web") == (
        {"region": "north", "source": "web"},
        [],
    )
    assert parse_where("region; =x; a b=c") == ({}, ["region", "=x", "a b=c"])
