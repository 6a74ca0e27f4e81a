"""The item page's story in Chromium: a paused ticket's clock milestones among its events."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Site, Tab


def test_the_item_page_tells_a_paused_tickets_story_and_prints_it(tab: Tab, site: Site) -> None:
    tab.log_in()
    tab.goto(site.ticket)
    story = tab.page.locator("table.story")
    story.scroll_into_view_if_needed()
    tab.shot("story")
    expect(story.locator("tr[data-kind=event]").first).to_be_visible()
    paused = story.locator("tr[data-kind=clock]").filter(has_text="clock paused").first
    expect(paused).to_be_visible()
    expect(paused).to_contain_text("event ")
    expect(paused.locator("time")).to_contain_text("CEST")
    expect(
        story.locator("tr[data-kind=clock]").filter(has_text="clock started").first
    ).to_be_visible()
    link = tab.page.locator("a[data-story-pdf]")
    href = link.get_attribute("href")
    assert href is not None and href.endswith("/story.pdf")
    answer = tab.page.request.get(href)
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")
    paused.locator("a").click()  # a milestone links to its objective's page
    tab.settle("objective")
    assert "/objectives/" in tab.page.url
    assert tab.errors == []


def test_the_story_reads_in_german_when_the_reader_chooses_it(tab: Tab, site: Site) -> None:
    tab.log_in()
    _choose_language(tab, "de")  # stored on the user: switched back below in any case
    try:
        tab.goto(site.ticket)
        expect(tab.page.locator("h2#story")).to_have_text("Verlauf")
        story = tab.page.locator("table.story")
        expect(
            story.locator("tr[data-kind=clock]").filter(has_text="Uhr pausiert").first
        ).to_be_visible()
        expect(story.locator("time").first).to_contain_text("CEST")
        tab.shot("story-de")
    finally:
        _choose_language(tab, "en")
    assert tab.errors == []


def _choose_language(tab: Tab, language: str) -> None:
    """Switch the pages' language on the overview, and wait until the switch has landed."""
    tab.goto("/")
    tab.page.select_option("#language-choice", language)
    expect(tab.page.locator("html")).to_have_attribute("lang", language)
    tab.page.wait_for_load_state("networkidle")
