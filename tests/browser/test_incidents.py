"""Declaring an incident, checking off a step and closing it with a note, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, Tab

INCIDENTS = "/agreements/it-service/incidents"
WORDS = {
    "en": {
        "declare": "Declare an incident",
        "checked": "checked off by",
        "banner": "Incident open",
    },
    "de": {"declare": "Störung ausrufen", "checked": "abgehakt von", "banner": "Störung offen"},
}


def _choose_language(tab: Tab, language: str) -> None:
    """Switch the pages' language on the overview, and wait until the switch has landed."""
    tab.goto("/")
    tab.page.select_option("#language-choice", language)
    expect(tab.page.locator("html")).to_have_attribute("lang", language)
    tab.page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_admin_declares_an_incident_checks_off_a_step_and_closes_it(
    tab: Tab, language: str
) -> None:
    words = WORDS[language]
    tab.log_in()
    _choose_language(tab, language)
    try:
        tab.goto(INCIDENTS)
        tab.page.fill("#incident-title", f"CRM unreachable ({language})")
        tab.page.get_by_role("button", name=words["declare"]).click()
        tab.page.wait_for_url("**/incidents/*")
        tab.settle(f"declared-{language}")
        expect(tab.page.locator(".incident-banner")).to_contain_text(words["banner"])
        first = tab.page.locator("li.incident-step[data-step='1']")
        first.locator("form[action$='/check'] button").click()
        tab.settle(f"checked-{language}")
        expect(first.locator(".step-done")).to_contain_text(f"{words['checked']} {ADMIN}")
        tab.page.fill("#incident-note", "Vendor DNS expired; renewed and monitored.")
        tab.page.locator("form.close-incident button[type=submit]").click()
        tab.settle(f"closed-{language}")
        expect(tab.page.locator(".post-incident-note")).to_have_text(
            "Vendor DNS expired; renewed and monitored."
        )
        expect(tab.page.locator(".incident-banner")).to_have_count(0)
        tab.goto("/agreements/it-service/reviews")
        expect(tab.page.locator(".incident-notes")).to_contain_text("Vendor DNS expired")
    finally:
        _choose_language(tab, "en")  # the next tests read English
    assert tab.errors == []
