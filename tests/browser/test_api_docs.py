"""The API documentation works offline: Swagger UI and ReDoc come from slawatch itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Route, expect

from tests.browser.conftest import Tab

LOCAL = {"127.0.0.1", "localhost"}
# Redoc's side menu ends with "API docs by Redocly" and its logo from Redocly's CDN, hard-wired
# in the bundle; offline the image hides itself and the text stays.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def offline(tab: Tab) -> list[str]:
    """Abort every request that leaves the machine, as without a network; return them."""
    refused: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    tab.page.route("**/*", only_local)
    return refused


def test_the_api_docs_page_lists_the_operations_without_a_network(tab: Tab) -> None:
    refused = offline(tab)
    tab.goto("/api/v1/docs")
    operations = tab.page.locator(".opblock .opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = set(operations.all_inner_texts())
    assert "/api/v1/events" in {path.replace("\u200b", "") for path in paths}
    assert refused == []
    assert tab.errors == []


def test_the_redoc_page_renders_without_a_network(tab: Tab) -> None:
    refused = offline(tab)
    tab.goto("/api/v1/redoc")
    expect(tab.page.locator("h1").first).to_contain_text("slawatch")
    expect(tab.page.get_by_text("/api/v1/events").first).to_be_attached()
    assert set(refused) <= {REDOC_LOGO}
    assert [error for error in tab.errors if REDOC_LOGO not in error] == []
