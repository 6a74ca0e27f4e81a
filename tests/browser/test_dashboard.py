"""The dashboard in a real browser: log in, read, drill down, edit, switch language, no errors."""

from __future__ import annotations

import re
import shutil

import httpx
import pytest
from playwright.sync_api import expect

from slawatch.formatting import status_text, value_text
from slawatch.i18n import translator
from tests.browser.conftest import AGREEMENTS, ARTIFACTS, Site, Tab

EN = translator("en")


def test_logging_in_leads_to_the_overview(tab: Tab) -> None:
    tab.goto("/")
    assert "/login" in tab.page.url
    tab.log_in()
    assert tab.page.url.endswith("/")
    expect(tab.page.locator("article.scorecard")).to_have_count(len(AGREEMENTS))
    assert tab.errors == []


def test_the_overview_shows_the_values_the_api_reports(tab: Tab, site: Site) -> None:
    tab.log_in()
    api = httpx.Client(
        base_url=site.url, headers={"Authorization": f"Bearer {site.read_token}"}, timeout=30
    )
    compared = 0
    for agreement in AGREEMENTS:
        rows = tab.page.locator(f"article.scorecard:has(#agreement-{agreement}) tr[data-objective]")
        assert rows.count() > 0, agreement
        for index in range(rows.count()):
            row = rows.nth(index)
            period = row.locator("th .muted")
            if not period.count():
                continue  # no stored period for this objective: the row says "no data"
            objective = row.get_attribute("data-objective")
            answer = api.get(
                f"/api/v1/agreements/{agreement}/report", params={"period": period.inner_text()}
            )
            assert answer.status_code == 200, answer.text
            reported = next(
                o for o in answer.json()["periods"][0]["objectives"] if o["id"] == objective
            )
            value = row.locator("td.current-value .value").inner_text()
            assert value == value_text(reported, reported["value"], EN), (agreement, objective)
            status = row.locator("td.current-status .status").inner_text()
            assert status_text(reported["status"], EN) in status, (agreement, objective)
            compared += 1
    assert compared >= 10
    assert tab.errors == []


def test_a_reader_drills_down_from_the_overview_to_an_items_clock(tab: Tab) -> None:
    tab.log_in()
    tab.page.click("#agreement-marketing-sales a")
    tab.settle("agreement")
    assert tab.page.url.endswith("/agreements/marketing-sales")
    tab.page.click("a[href='/agreements/marketing-sales/objectives/speed-to-lead']")
    tab.settle("objective")
    assert "/agreements/marketing-sales/objectives/speed-to-lead" in tab.page.url
    tab.page.locator("a[href^='/items/']").first.click()
    tab.settle("item")
    assert "/items/marketing-sales/" in tab.page.url
    clock = tab.page.locator("section.clock").filter(has_text="First contact within 48 hours")
    expect(clock.locator("[data-verdict]")).to_be_visible()
    expect(clock.locator("svg.bar[role=img]")).to_have_attribute("aria-label", re.compile(r"\S"))
    facts = clock.locator("dl.clock-facts")
    expect(facts).to_contain_text("Working time used")
    expect(facts).to_contain_text("Allowed")
    expect(facts).to_contain_text("Deadline")
    assert tab.errors == []


def test_the_item_page_explains_a_paused_clock_over_a_weekend(tab: Tab, site: Site) -> None:
    tab.log_in()
    tab.goto(site.ticket)
    resolution = tab.page.locator("section.clock").filter(has_text="Resolution within 2 business")
    expect(resolution.locator("rect.seg.working").first).to_be_visible()
    expect(resolution.locator("rect.seg.closed").first).to_be_attached()
    expect(resolution.locator("rect.seg.paused").first).to_be_attached()
    expect(resolution.locator("ul.legend")).to_contain_text("outside working hours")
    resolution.locator("details summary").click()
    expect(resolution.locator("details table tbody tr").first).to_be_visible()
    resolution.locator("details").evaluate("details => { details.open = false; }")
    resolution.screenshot(path=str(ARTIFACTS / "item.png"))
    assert tab.errors == []


def test_an_invalid_edit_shows_the_error_at_its_line(tab: Tab) -> None:
    tab.log_in()
    tab.goto("/agreements/marketing-sales/edit")
    area = tab.page.locator("#yaml")
    text = area.input_value()
    lines = text.splitlines()
    broken = next(i for i, line in enumerate(lines) if line.strip().startswith("within: 48h"))
    lines[broken] = lines[broken].replace("within: 48h", "within: 48 parsecs")
    area.fill("\n".join(lines) + "\n")
    tab.page.click("button[formaction$='/check']")
    problem = tab.page.locator("#problems li[data-line]").first
    expect(problem).to_be_visible()
    tab.settle("problems")
    assert problem.get_attribute("data-line") == str(broken + 1)
    expect(problem).to_contain_text(f"line {broken + 1}")
    assert tab.errors == []


def test_the_language_switch_turns_the_pages_german(tab: Tab) -> None:
    tab.log_in()
    tab.page.select_option("#language-choice", "de")
    tab.page.wait_for_url("**/")
    tab.settle("german")
    expect(tab.page.locator("html")).to_have_attribute("lang", "de")
    expect(tab.page.locator("header.site nav")).to_contain_text("Übersicht")
    expect(tab.page.locator("main")).to_contain_text("Ziel")
    tab.page.select_option("#language-choice", "en")  # the choice is stored on the user
    tab.page.wait_for_url("**/")
    expect(tab.page.locator("html")).to_have_attribute("lang", "en")
    assert tab.errors == []


PAGES = [
    "/",
    *(f"/agreements/{agreement}" for agreement in AGREEMENTS),
    "/agreements/marketing-sales/objectives/speed-to-lead",
    "/agreements/marketing-sales/objectives/qualified-leads",
    "/agreements/it-service/objectives/ticket-resolution",
    "/agreements/it-service/objectives/crm-availability",
    "/agreements/hr-requests/versions",
    "/agreements/marketing-sales/credits",
    "/agreements/marketing-sales/edit",
    "/escalations",
    "/benchmarks",
]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_loads_without_console_errors(tab: Tab, path: str) -> None:
    tab.log_in()
    tab.goto(path)
    assert tab.page.url.endswith(path), f"redirected to {tab.page.url}"
    assert tab.errors == []


def test_the_item_page_loads_without_console_errors(tab: Tab, site: Site) -> None:
    tab.log_in()
    tab.goto(site.ticket)
    assert tab.errors == []


def test_the_overview_screenshot_is_kept_for_the_readme(tab: Tab) -> None:
    tab.log_in()
    keep(tab, "overview.png")
    assert tab.errors == []


def keep(tab: Tab, name: str) -> None:
    """Keep the visible viewport (1280×800) as ARTIFACTS/name, for docs/images/."""
    shutil.copyfile(tab.shot(name.removesuffix(".png"), full_page=False), ARTIFACTS / name)
