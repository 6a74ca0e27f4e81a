"""Silent feeds in a real browser: the agreement's Feeds panel and an objective's warning.

The site's events end at its fixed instant, months before the server's wall clock, so every
expected feed of the templates is silent there.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Tab
from tests.browser.test_period_picker import _choose_language

AGREEMENT = "/agreements/marketing-sales"


def test_the_feeds_panel_and_the_objective_warning_in_english_and_german(tab: Tab) -> None:
    tab.log_in()
    tab.goto(AGREEMENT)
    row = tab.page.locator("#feeds tr[data-feed='handed_over']")
    expect(row).to_contain_text("at least one every 4 h of working time (office)")
    expect(row).to_contain_text("silent since")
    tab.settle("feeds-panel")
    tab.page.locator("#feeds a", has_text="First contact within 48 hours").click()
    tab.page.wait_for_url("**/objectives/speed-to-lead")
    warning = tab.page.locator("#silent-feeds")
    expect(warning).to_contain_text("Data quality: a feed this objective reads is silent.")
    expect(warning.locator("li[data-feed='handed_over']")).to_be_visible()
    tab.settle("feeds-warning")
    _choose_language(tab, "de")
    try:
        tab.goto(AGREEMENT)
        expect(tab.page.locator("#feeds h2")).to_have_text("Feeds")
        expect(tab.page.locator("#feeds tr[data-feed='qualified']")).to_contain_text(
            "verstummt seit"
        )
        tab.goto(f"{AGREEMENT}/objectives/qualified-leads")
        expect(tab.page.locator("#silent-feeds")).to_contain_text("Datenqualität")
    finally:
        _choose_language(tab, "en")  # the next tests read English
    assert tab.errors == []
