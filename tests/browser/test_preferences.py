"""My alerts in a real browser: reached from the user menu, a change saved and kept."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Tab


def test_a_changed_alert_preference_is_saved_and_kept(tab: Tab) -> None:
    tab.log_in()
    tab.page.click("header.site .session a[href='/preferences']")
    tab.page.wait_for_url("**/preferences")
    tab.settle("my-alerts")
    expect(tab.page.locator("main")).to_contain_text("Breaches at tier 2 and 3 always go at once")
    expect(tab.page.locator("#mode-warn")).to_have_value("digest")
    tab.page.select_option("#mode-warn", "off")
    tab.page.select_option("#quiet-hours", "marketing-sales/office")
    tab.page.uncheck("#daily-summary")
    tab.page.click("form.preferences-form button[type=submit]")
    tab.page.wait_for_url("**/preferences?saved=1")
    tab.settle("saved")
    expect(tab.page.locator("#saved")).to_be_visible()
    tab.goto("/preferences")
    expect(tab.page.locator("#mode-warn")).to_have_value("off")
    expect(tab.page.locator("#mode-breach")).to_have_value("now")
    expect(tab.page.locator("#quiet-hours")).to_have_value("marketing-sales/office")
    expect(tab.page.locator("#daily-summary")).not_to_be_checked()
    assert tab.errors == []
