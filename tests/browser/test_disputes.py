"""Opening and deciding a dispute from its pages, in Chromium, in English and in German."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import FIRST, Tab

DISPUTES = "/agreements/marketing-sales/disputes"


def _choose_language(tab: Tab, language: str) -> None:
    """Switch the pages' language on the overview, and wait until the switch has landed."""
    tab.goto("/")
    tab.page.select_option("#language-choice", language)
    expect(tab.page.locator("html")).to_have_attribute("lang", language)
    tab.page.wait_for_load_state("networkidle")


def _open_and_decide(tab: Tab, reason: str, why: str) -> None:
    tab.goto(DISPUTES)
    tab.page.select_option("#dispute-subject", "figure")
    tab.page.select_option("#dispute-party", "marketing")
    tab.page.select_option("#dispute-objective", "qualified-leads")
    tab.page.fill("#dispute-period", f"{FIRST:%Y-%m}")
    tab.page.fill("#dispute-reason", reason)
    tab.page.fill("#dispute-links", "https://crm.example.com/lists/7")
    tab.page.click("form.dispute-form button[type=submit]")
    tab.page.wait_for_url("**/disputes/*")
    tab.settle("opened")
    expect(tab.page.locator("#dispute-status")).to_have_attribute("data-status", "open")
    expect(tab.page.locator("ol.dispute-timeline")).to_contain_text(reason)
    tab.page.check("form.decide-form input[value=upheld]")
    tab.page.fill("#decision-reason", why)
    tab.page.click("form.decide-form button[type=submit]")
    expect(tab.page.locator("#dispute-status")).to_have_attribute("data-status", "upheld")
    tab.settle("decided")
    expect(tab.page.locator(".decision-reason")).to_have_text(why)


def test_an_admin_opens_and_decides_a_dispute(tab: Tab) -> None:
    tab.log_in()
    _open_and_decide(tab, "The trade-fair leads are missing.", "The list shows 14 leads.")
    expect(tab.page.locator("h1")).to_contain_text("Dispute #")
    expect(tab.page.locator("ol.dispute-timeline > li")).to_have_count(2)
    assert tab.errors == []


def test_an_admin_opens_and_decides_a_dispute_in_german(tab: Tab) -> None:
    tab.log_in()
    _choose_language(tab, "de")
    try:
        _open_and_decide(tab, "Die Messe-Leads fehlen.", "Die Liste zeigt 14 Leads.")
        expect(tab.page.locator("h1")).to_contain_text("Streitfall #")
        expect(tab.page.locator("#dispute-status")).to_have_text("stattgegeben")
        expect(tab.page.locator("main")).to_contain_text("Marketing bestreitet die Kennzahl")
    finally:
        _choose_language(tab, "en")  # the next tests read English
    assert tab.errors == []
