"""The Feeds panel of the agreement page and the silent-feed warning of objective pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from tests.evaluation.support import save_template
from tests.web.support import set_now
from tests.web.test_agreement_pages import (
    browser,
    cheap_hashing,  # noqa: F401 - an autouse fixture
    page_app,
    row_of,
)
from tests.web.test_feeds_api import berlin, without_expect

PAGE = "/agreements/marketing-sales"
SPEED = f"{PAGE}/objectives/speed-to-lead"
LEADS = f"{PAGE}/objectives/qualified-leads"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    save_template(engine)
    with transaction(engine) as connection:
        store_events(
            connection,
            [
                EventIn(
                    source="crm", item="lead-1", type="handed_over", at=berlin(2026, 12, 4, 13)
                ),
                EventIn(source="crm", item="lead-1", type="qualified", at=berlin(2026, 12, 4, 9)),
            ],
        )
    app = page_app(engine)
    set_now(app, berlin(2026, 12, 7, 11, 30))
    return app


@pytest.fixture
def viewer(app: FastAPI, engine: Engine) -> Iterator[TestClient]:
    with browser(app, engine, "viewer") as client:
        yield client


def test_the_agreement_page_lists_each_feed_with_its_status(viewer: TestClient) -> None:
    page = viewer.get(PAGE).text
    assert 'id="feeds"' in page
    handed_over = row_of(page, 'data-feed="handed_over"')
    assert handed_over.startswith("handed_over at least one every 4 h of working time (office)")
    assert "silent since Dec 7, 2026, 11:00:00 AM CET" in handed_over.replace("\u202f", " ")
    qualified = row_of(page, 'data-feed="qualified"')
    assert "on time, next one due by" in qualified
    assert "Qualified leads per month" in qualified


def test_an_objective_reading_a_silent_feed_warns_and_one_with_live_feeds_does_not(
    viewer: TestClient,
) -> None:
    speed = viewer.get(SPEED).text
    assert 'id="silent-feeds"' in speed
    warning = text_of(speed.split('id="silent-feeds"')[1].split("</div>")[0])
    assert "Data quality: a feed this objective reads is silent." in warning
    assert "handed_over : silent since Dec 7, 2026" in warning
    assert 'id="silent-feeds"' not in viewer.get(LEADS).text


def test_the_panel_and_the_warning_read_in_german(app: FastAPI, engine: Engine) -> None:
    with browser(app, engine, "viewer", "de") as client:
        page = client.get(PAGE).text
        speed = client.get(SPEED).text
    handed_over = row_of(page, 'data-feed="handed_over"')
    assert "mindestens eines alle 4 Std. Arbeitszeit (office)" in handed_over
    assert "verstummt seit 07.12.2026, 11:00:00 CET" in handed_over
    assert "pünktlich, das nächste fällig bis" in row_of(page, 'data-feed="qualified"')
    assert "Datenqualität: Ein Feed, den dieses Ziel auswertet, ist verstummt." in speed


def test_an_agreement_without_expect_shows_no_panel(engine: Engine) -> None:
    save_template(engine, replace=without_expect())
    app = page_app(engine)
    with browser(app, engine, "viewer") as client:
        assert 'id="feeds"' not in client.get(PAGE).text
        assert 'id="silent-feeds"' not in client.get(SPEED).text
