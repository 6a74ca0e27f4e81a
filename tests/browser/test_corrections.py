"""Proposing an exclusion on an item's page and approving it as the other party, in Chromium.

The it-service agreement gets a version with `corrections: {approval: other-party}`; its
parties' contacts are the users: IT proposes, the staff side approves. Once in English and
once in German (the users' stored language: the admin's is never touched).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from slawatch.store.agreements import save_version
from slawatch.store.db import make_engine, transaction
from slawatch.store.users import create_user
from tests.browser.conftest import FIRST, PASSWORD, ROOT, Site, Tab

PEOPLE = {  # language → (IT's contact who proposes, the staff side's who approves)
    "en": ("servicedesk.lead@example.com", "coo@example.com"),
    "de": ("head.it@example.com", "works.council@example.com"),
}
WORDS = {
    "en": {"saved": "The correction is saved.", "approved": "The correction is approved"},
    "de": {"saved": "Die Korrektur ist gespeichert.", "approved": "Die Korrektur ist genehmigt"},
}


def _prepare(site: Site, language: str) -> None:
    """Require the other party's approval on it-service, and add the two editors."""
    engine = make_engine(site.database)
    text = (ROOT / "examples" / "it-service.yaml").read_text(encoding="utf-8")
    text = text.replace("effective: ", f"effective: {FIRST} # ", 1)
    with transaction(engine) as connection:
        if language == "en":
            save_version(
                connection,
                text + "\ncorrections:\n  approval: other-party\n",
                author="admin@example.com",
                reason="browser tests: corrections need the other party",
            )
        for email in PEOPLE[language]:
            create_user(connection, email, PASSWORD, "editor", language)
    engine.dispose()


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_exclusion_is_proposed_by_one_party_and_approved_by_the_other(
    tab: Tab, site: Site, language: str
) -> None:
    _prepare(site, language)
    proposer, approver = PEOPLE[language]
    reason = f"test ticket ({language})"
    tab.log_in(proposer, PASSWORD)
    tab.goto(site.ticket)
    box = tab.page.locator("details.correction-forms[data-agreement='it-service']")
    box.locator("summary").click()
    form = box.locator("form.exclude-form")
    # the response clock: the tests after this one read the ticket's resolution clock
    form.locator("select[name=objective]").select_option("ticket-response")
    form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    tab.page.wait_for_url("**done=saved")
    tab.settle("proposed")
    expect(tab.page.locator("main")).to_contain_text(WORDS[language]["saved"])

    tab.page.context.clear_cookies()
    tab.log_in(approver, PASSWORD)
    tab.goto("/agreements/it-service/corrections")
    row = tab.page.locator("tr[data-state='proposed']", has_text=reason)
    expect(row).to_have_count(1)
    row.locator("form[action$='/approve'] button").click()
    tab.page.wait_for_load_state("networkidle")
    confirm = tab.page.locator("#correction-preview button[type=submit]")
    if confirm.count():  # it changes closed periods: they are shown first
        tab.shot("closed-periods")
        confirm.click()
    tab.page.wait_for_url("**done=approved")
    tab.settle("approved")
    expect(tab.page.locator("main")).to_contain_text(WORDS[language]["approved"])
    approved = tab.page.locator("tr[data-state='approved']", has_text=reason)
    expect(approved).to_contain_text(approver)
    expect(tab.page.locator("html")).to_have_attribute("lang", language)
    assert tab.errors == []
