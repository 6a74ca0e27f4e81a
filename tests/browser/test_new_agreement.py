"""New agreement in a real browser: the first agreement of an empty slawatch, made in a form.

It runs on a server of its own with an empty database, so that the agreement it creates does
not change what the other browser tests read.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from slawatch.store.db import make_engine, transaction
from slawatch.store.migrate import upgrade
from slawatch.store.users import create_user
from tests.browser.conftest import ADMIN, ARTIFACTS, PASSWORD, Tab, _free_port


@pytest.fixture(scope="module")
def empty_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `slawatch serve` on a database with an admin and no agreement."""
    folder = tmp_path_factory.mktemp("empty")
    url = f"sqlite:///{folder / 'slawatch.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as connection:
        create_user(connection, ADMIN, PASSWORD, "admin")
    engine.dispose()
    port = _free_port()
    environment = os.environ | {
        "SLAWATCH_DATABASE_URL": url,
        "SLAWATCH_SECRET_KEY": secrets.token_urlsafe(32),
        "SLAWATCH_BACKGROUND": "0",
    }
    log = (folder / "server.log").open("wb")
    command = [sys.executable, "-m", "slawatch", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"slawatch serve exited: {(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("slawatch serve did not answer /health within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def new_tab(chromium: Browser, empty_site: str) -> Iterator[Tab]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(
        base_url=empty_site, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    tab = Tab(page=page, name="new-agreement")
    page.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def test_the_first_agreement_is_made_in_the_form_and_saved_as_version_1(new_tab: Tab) -> None:
    tab, page = new_tab, new_tab.page
    tab.log_in()
    page.click("a[href='/agreements/new']")
    tab.settle("templates")
    page.check("input[value='marketing-sales']")
    page.click("form[action='/agreements/new'] button[type=submit]")
    tab.settle("form")
    page.fill("#f-id", "acme-leads")
    page.fill("#f-title", "ACME: lead handover")
    page.fill("#f-party__sales__contact__1", "ann at acme")
    # The live preview names the problem beside the field, in the page's language.
    problem = page.locator("#e-party__sales__contact__1")
    expect(problem).to_contain_text("is not an e-mail address")
    page.fill("#f-party__sales__contact__1", "ann@acme.example")
    page.fill("#f-objective__speed-to-lead__within", "24h")
    page.fill("#f-calendar__office__region", "BE")
    expect(problem).to_be_empty()
    preview = page.locator("#yaml-preview")
    expect(preview).to_contain_text("agreement: acme-leads")
    expect(preview).to_contain_text("contacts: [ann@acme.example")
    expect(preview).to_contain_text("holidays: DE-BE")
    tab.settle("preview")
    page.fill("#f-reason", "signed by both heads")
    page.click("button.primary:has-text('Save as version 1')")
    tab.settle("saved")
    assert page.url.endswith("/agreements/acme-leads?saved=1")
    expect(page.locator("main")).to_contain_text("Saved as version 1.")
    expect(page.locator("main")).to_contain_text("ACME: lead handover")
    tab.goto("/agreements/acme-leads/versions")
    row = page.locator("table.versions tbody tr")
    expect(row).to_have_count(1)
    expect(row.first).to_contain_text("signed by both heads")
    assert tab.errors == []


def test_the_editors_what_if_measures_the_text_being_edited(new_tab: Tab) -> None:
    tab, page = new_tab, new_tab.page
    tab.log_in()
    tab.goto("/agreements/acme-leads/edit")
    area = page.locator("#yaml")
    area.fill(area.input_value().replace('target: ">= 80%"', 'target: ">= 70%"'))
    page.click("#what-if-button")
    result = page.locator("#what-if-result")
    expect(result.locator("table.what-if").first).to_be_attached()
    tab.settle("what-if")
    assert "/edit" in page.url  # the answer came under the editor, the draft kept
    assert 'target: ">= 70%"' in area.input_value()
    assert tab.errors == []
