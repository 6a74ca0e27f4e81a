"""The overview in a real browser: last period's verdict, pace and sample; 390 px without cuts."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ADMIN, AGREEMENTS, ARTIFACTS, PASSWORD, Site, Tab

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium: Browser, site: Site) -> Iterator[Tab]:
    """A browser context 390 px wide (a phone), logged in, its console errors collected."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(base_url=site.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    tab = Tab(page=page, name="phone")
    page.on("pageerror", lambda error: tab.errors.append(f"{page.url}: {error}"))
    page.on(
        "console",
        lambda message: tab.errors.append(message.text) if message.type == "error" else None,
    )
    tab.log_in(ADMIN, PASSWORD)
    yield tab
    context.close()


def document_width(tab: Tab) -> int:
    width: int = tab.page.evaluate("document.documentElement.scrollWidth")
    return width


def test_the_overview_at_390_px_is_no_wider_than_the_screen(phone: Tab) -> None:
    phone.goto("/")
    assert document_width(phone) <= PHONE["width"]
    assert phone.errors == []


def test_the_status_column_is_visible_at_390_px(phone: Tab) -> None:
    phone.goto("/")
    statuses = phone.page.locator("article.scorecard td.current-status .status")
    assert statuses.count() > 10
    for index in range(statuses.count()):
        status = statuses.nth(index)
        status.scroll_into_view_if_needed()
        expect(status).to_be_visible()
        box = status.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], index
    verdicts = phone.page.locator("article.scorecard td.last-period .status")
    assert verdicts.count() > 0
    box = verdicts.first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    states = phone.page.locator("#queue td .status")
    if states.count():
        states.first.scroll_into_view_if_needed()
        box = states.first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    phone.shot("overview-390")


def test_every_scorecard_has_the_last_closed_periods_verdict(tab: Tab, site: Site) -> None:
    tab.log_in()
    api = httpx.Client(
        base_url=site.url, headers={"Authorization": f"Bearer {site.read_token}"}, timeout=30
    )
    for agreement in AGREEMENTS:
        card = tab.page.locator(f"article.scorecard:has(#agreement-{agreement})")
        verdict = card.locator(".last-verdict")
        expect(verdict).to_contain_text("Last closed period")
        period = verdict.get_attribute("data-period")
        assert period is not None
        answer = api.get(f"/api/v1/agreements/{agreement}/report", params={"period": period})
        assert answer.status_code == 200, answer.text
        objectives = answer.json()["periods"][0]["objectives"]
        met = sum(1 for o in objectives if o["status"] == "met")
        expect(verdict).to_contain_text(f"{met} objective")
    assert tab.errors == []


def test_a_running_count_shows_its_pace_and_a_share_its_sample(tab: Tab) -> None:
    tab.log_in()
    leads = tab.page.locator("tr[data-objective='qualified-leads']")
    status = leads.locator("td.current-status .status").inner_text()
    pace = leads.locator(".pace")
    if status in ("on track", "at risk"):
        expect(pace).to_have_text(re.compile(r"^\d+ so far, on pace for \d+; \d+ more needed in"))
    else:
        expect(pace).to_have_count(0)
    sample = tab.page.locator("tr[data-objective='lead-acceptance'] .sample")
    expect(sample).to_have_text(re.compile(r"^\d+ of \d+$"))
    assert tab.errors == []
