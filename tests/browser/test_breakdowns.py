"""An objective's breakdown in a real browser: sort by a column, switch the grouping."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Site, Tab

SPEED = "/agreements/marketing-sales/objectives/speed-to-lead"


def _last_closed_month(site: Site) -> str:
    """Return the latest period before the running one: a full month of items."""
    answer = httpx.get(
        f"{site.url}/api/v1/agreements/marketing-sales/objectives/speed-to-lead/breakdown",
        headers={"Authorization": f"Bearer {site.read_token}"},
    )
    assert answer.status_code == 200, answer.text
    previous: str = answer.json()["previous_period"]
    return previous


def _grouping(site: Site, period: str) -> str:
    """Group by owner when the demo's items carry owners, else by region."""
    answer = httpx.get(
        f"{site.url}/api/v1/agreements/marketing-sales/objectives/speed-to-lead/breakdown",
        params={"period": period, "by": "owner"},
        headers={"Authorization": f"Bearer {site.read_token}"},
    )
    named = [g for g in answer.json()["groups"] if g["group"] is not None]
    return "owner" if len(named) > 1 else "region"


def test_a_reader_sorts_the_breakdown_and_switches_its_grouping(tab: Tab, site: Site) -> None:
    month = _last_closed_month(site)
    tab.log_in()
    tab.goto(f"{SPEED}?period={month}")
    section = tab.page.locator("section#breakdown")
    expect(section.locator("table.breakdown tbody tr").first).to_be_visible()

    section.locator("select#breakdown-by").select_option("region")
    section.get_by_role("button", name="Show").click()
    tab.settle("by-region")
    rows = section.locator("table.breakdown tbody th")
    expect(rows.first).to_be_visible()
    regions = set(rows.all_inner_texts())
    assert regions <= {"north", "south", "east", "west", "none"} and len(regions) > 1

    section.locator('th[data-column="p90"] a').click()
    tab.settle("sorted-by-p90")
    header = section.locator('th[data-column="p90"]')
    expect(header).to_have_attribute("aria-sort", "descending")
    times = section.locator("table.breakdown tbody tr td:nth-child(7)").all_inner_texts()
    assert times and times[0] != "–"
    assert "sort=p90" in tab.page.url and "by=region" in tab.page.url

    section.locator('th[data-column="p90"] a').click()
    tab.settle("sorted-by-p90-ascending")
    expect(section.locator('th[data-column="p90"]')).to_have_attribute("aria-sort", "ascending")
    assert tab.errors == []


def test_the_breakdown_screenshot_is_kept_for_the_docs(tab: Tab, site: Site) -> None:
    month = _last_closed_month(site)
    by = _grouping(site, month)
    tab.log_in()
    tab.goto(f"{SPEED}?period={month}&by={by}&sort=value&order=asc")
    section = tab.page.locator("section#breakdown")
    expect(section.locator("table.breakdown")).to_be_visible()
    section.locator("table.breakdown").evaluate("t => t.scrollIntoView()")
    section.screenshot(path=str(ARTIFACTS / "breakdown.png"))
    assert tab.errors == []
