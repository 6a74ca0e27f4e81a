"""The directory and the person page in a browser: an admin builds a team, a reader follows it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Tab


def add_person(tab: Tab, key: str, name: str, *, team: str, manager: str = "") -> None:
    tab.goto("/directory")
    tab.page.click("a[href='/directory/new']")
    tab.page.wait_for_load_state("networkidle")
    tab.page.fill("#key", key)
    tab.page.fill("#name", name)
    tab.page.fill("#email", f"{key}@example.com")
    tab.page.fill("#team", team)
    if manager:
        tab.page.select_option("#manager", manager)
    tab.page.select_option("#party", "sales")
    tab.page.click("form[action='/directory'] button[type=submit]")
    tab.settle(f"added-{key}")


def test_an_admin_builds_a_team_and_the_person_page_shows_it(tab: Tab) -> None:
    tab.log_in()
    add_person(tab, "head.sales", "Katrin Sommer", team="Sales")
    add_person(tab, "tom.berg", "Tom Berg", team="Sales North", manager="head.sales")
    row = tab.page.locator("tr", has_text="Tom Berg")
    expect(row.get_by_role("link", name="Katrin Sommer")).to_be_visible()

    row.get_by_role("link", name="Tom Berg").click()
    tab.settle("person")
    assert tab.page.url.endswith("/people/tom.berg")
    expect(tab.page.locator("h1")).to_have_text("Tom Berg")
    expect(tab.page.locator("#open-heading")).to_be_visible()
    late = tab.page.locator("section[aria-labelledby=open-heading] tbody tr[data-state=breached]")
    states = tab.page.locator("section[aria-labelledby=open-heading] tbody tr")
    if late.count():  # late ones come first
        assert states.first.get_attribute("data-state") == "breached"

    tab.page.get_by_role("link", name="Katrin Sommer").first.click()
    tab.settle("manager")
    expect(tab.page.locator("section[aria-labelledby=managed-heading]")).to_contain_text("Tom Berg")
    assert tab.errors == []


def test_an_item_links_its_owners_page(tab: Tab) -> None:
    tab.log_in()
    tab.goto("/people/sara.lind")  # an owner of generated leads, not in the directory
    expect(tab.page.locator(".notice")).to_contain_text("not in the directory")
    first = tab.page.locator("main tbody a[href^='/items/']").first
    first.click()
    tab.settle("item")
    owner = tab.page.locator("[data-owner]")
    expect(owner).to_have_text("sara.lind")
    owner.click()
    tab.settle("back")
    assert tab.page.url.endswith("/people/sara.lind")
    assert tab.errors == []


def test_removing_a_person_asks_first(tab: Tab) -> None:
    tab.log_in()
    add_person(tab, "mia.schulz", "Mia Schulz", team="Sales South")
    tab.page.once("dialog", lambda dialog: dialog.dismiss())
    row = tab.page.locator("tr", has_text="Mia Schulz")
    row.get_by_role("button", name="Remove").click()
    expect(tab.page.locator("tr", has_text="Mia Schulz")).to_have_count(1)
    tab.page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Remove").click()
    tab.settle("removed")
    expect(tab.page.locator("tr", has_text="Mia Schulz")).to_have_count(0)
    assert tab.errors == []
