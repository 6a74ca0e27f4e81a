"""The period picker in a real browser: choose a period or a range, see the page for it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import FIRST, Tab

REPORTS = "/agreements/marketing-sales/reports"


def test_choosing_a_period_in_the_picker_shows_its_report(tab: Tab) -> None:
    tab.log_in()
    tab.goto(REPORTS)
    latest = tab.page.locator("h1").inner_text()
    first = f"{FIRST:%Y-%m}"  # the agreement's first month, closed long ago
    assert first not in latest
    tab.page.select_option("#picker-period", first)  # the list submits itself on a change
    tab.page.wait_for_url(f"**/reports?period={first}")
    tab.settle(f"chose-{first}")
    expect(tab.page.locator("h1")).to_have_text(f"Report {first}")
    expect(tab.page.locator("#picker-period")).to_have_value(first)
    expect(tab.page.locator("table.scorecard tr[data-objective]").first).to_be_visible()
    pdf = tab.page.locator("a[href*='report.pdf']")
    assert pdf.get_attribute("href") == f"/agreements/marketing-sales/report.pdf?period={first}"
    assert tab.errors == []


def test_a_range_of_days_is_chosen_with_two_dates(tab: Tab) -> None:
    tab.log_in()
    tab.goto(REPORTS)
    start, end = FIRST.replace(day=3), FIRST.replace(day=16)
    tab.page.fill("#picker-from", start.isoformat())
    tab.page.fill("#picker-to", end.isoformat())
    tab.page.click(".period-range button[type=submit]")
    tab.page.wait_for_url("**/reports?from=*")
    tab.settle("chose-range")
    expect(tab.page.locator("h1")).to_have_text(f"Report {start}..{end}")
    expect(tab.page.locator("table.scorecard tr[data-objective]").first).to_be_visible()
    assert tab.errors == []


def test_the_objective_page_marks_the_chosen_period(tab: Tab) -> None:
    tab.log_in()
    tab.goto("/agreements/marketing-sales/objectives/speed-to-lead")
    first = f"{FIRST:%Y-%m}"
    tab.page.select_option("#picker-period", first)
    tab.page.wait_for_url(f"**/speed-to-lead?period={first}")
    tab.settle(f"objective-{first}")
    expect(tab.page.locator(f"tr.chosen[data-period='{first}']")).to_have_count(1)
    assert tab.errors == []


def test_a_bad_period_shows_the_error_page_in_german(tab: Tab) -> None:
    tab.log_in()
    _choose_language(tab, "de")  # stored on the user, as a reader would
    try:
        tab.goto(f"{REPORTS}?period=Oktober")
        expect(tab.page.locator("p.notice.error")).to_contain_text("ist kein Zeitraum")
    finally:
        _choose_language(tab, "en")  # the next tests read English
    assert tab.errors == [] or all("422" in error for error in tab.errors)


def _choose_language(tab: Tab, language: str) -> None:
    """Switch the pages' language on the overview, and wait until the switch has landed."""
    tab.goto("/")
    tab.page.select_option("#language-choice", language)
    expect(tab.page.locator("html")).to_have_attribute("lang", language)
    tab.page.wait_for_load_state("networkidle")
