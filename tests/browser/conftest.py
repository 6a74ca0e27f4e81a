"""A real `slawatch serve` on a test database, and the system Chromium driven by Playwright.

The database is built once per session: the three example agreements, three months of
generated events up to a fixed instant, stored results as of that instant, an admin and a
read token. The server runs without the background evaluator, so the stored results stay as
of that instant while the tests read them. Every page a test visits is kept as a screenshot
in $SLAWATCH_ARTIFACTS (default build/screenshots/), and every console error is collected.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import polars as pl
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from slawatch.agreements import Agreement
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import EventTable
from slawatch.engine.instants import NO_INSTANT, US, to_us
from slawatch.engine.kinds.clock import ClockObjective, measure_clocks
from slawatch.evaluation.service import refresh_all
from slawatch.generate import generate_events
from slawatch.store.agreements import save_version
from slawatch.store.db import make_engine, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.migrate import upgrade
from slawatch.store.tokens import create_token
from slawatch.store.users import create_user

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("SLAWATCH_ARTIFACTS", ROOT / "build" / "screenshots"))
FIXED = dt.datetime(2026, 6, 30, 16, tzinfo=dt.UTC)


def session_instant() -> dt.datetime:
    """Return the instant events and results run up to: fixed, so that runs agree.

    SLAWATCH_BROWSER_AS_OF=now (or an ISO instant) moves it, for screenshots of the docs
    whose "time left" reads as it would in a live system.
    """
    chosen = os.environ.get("SLAWATCH_BROWSER_AS_OF", "")
    if chosen == "now":
        return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return dt.datetime.fromisoformat(chosen) if chosen else FIXED


AS_OF = session_instant()
# The agreements are effective from the first day of the month two months before AS_OF.
FIRST = dt.date(AS_OF.year - (AS_OF.month <= 2), (AS_OF.month - 3) % 12 + 1, 1)
ITEMS = {"marketing-sales": 600, "it-service": 400, "hr-requests": 300}
ADMIN = "admin@example.com"
PASSWORD = "browser tests 1"
AGREEMENTS = tuple(ITEMS)
DAY = 86_400 * US


@dataclass(frozen=True)
class Site:
    url: str
    read_token: str
    ticket: str  # the item page of a ticket with a pause, resolved across a weekend
    database: str = ""  # the server's database URL, for a test to add what it needs


def _events(frame: pl.DataFrame, source: str, until: int) -> list[EventIn]:
    """Turn generated rows into store events, leaving out those after `until`."""
    attributes = [c for c in frame.columns if c not in ("item", "type", "at", "kind")]
    events = []
    for row in frame.iter_rows(named=True):
        at = to_us(dt.datetime.fromisoformat(row["at"]))
        if at <= until:
            values = {name: str(row[name]) for name in attributes if row[name] not in (None, "")}
            kind = row["kind"] or None
            events.append(EventIn(source, row["item"], row["type"], at, kind, values))
    return events


def _ticket(agreement: Agreement, frame: pl.DataFrame, until: int) -> str:
    """Pick a resolved ticket whose resolution clock paused in working time and ran over a day.

    Its item page shows every kind of segment a bar can have; the README shows it.
    """
    events = frame.select(
        "item", "type", pl.col("at").str.to_datetime(time_zone="UTC").dt.epoch("us").alias("at")
    )
    items = frame.group_by("item").agg(
        pl.col("kind").drop_nulls().first(), pl.col("priority").drop_nulls().first()
    )
    table = EventTable(events=events, items=items)
    objective = agreement.objectives["ticket-resolution"]
    assert isinstance(objective, ClockObjective)
    found, clocks = measure_clocks(Evaluator(agreement, table, as_of=until), objective)
    stop = found.inputs.stop
    span = np.where(stop == NO_INSTANT, 0, stop - found.inputs.start)
    score = (clocks.paused > 0) * 4 + (span > DAY) * 2 + (clocks.state == 0)
    return str(found.items[int(np.argmax(score))])


def _build(url: str) -> tuple[str, str]:
    """Fill the database; return a read token and the ticket for the item page."""
    engine = make_engine(url)
    upgrade(engine)
    until = to_us(AS_OF)
    ticket = ""
    with transaction(engine) as connection:
        for name, items in ITEMS.items():
            text = (ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8")
            text = text.replace("effective: ", f"effective: {FIRST} # ", 1)
            save_version(connection, text, author=ADMIN, reason="browser tests")
            frame = generate_events(
                parse_agreement(text), items=items, months=3, seed=7, start=FIRST
            )
            store_events(connection, _events(frame, name, until))
            if name == "it-service":
                ticket = _ticket(parse_agreement(text), frame, until)
        create_user(connection, ADMIN, PASSWORD, "admin")
        token = create_token(connection, name="browser", scope="read", created_by="test")
    refresh_all(engine, as_of=until)
    engine.dispose()
    return token, f"/items/it-service/{ticket}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Start `slawatch serve` on a fresh SQLite database and wait until it answers /health."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; install it (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'slawatch.db'}"
    token, ticket = _build(url)
    port = _free_port()
    environment = os.environ | {
        "SLAWATCH_DATABASE_URL": url,
        "SLAWATCH_SECRET_KEY": secrets.token_urlsafe(32),
        "SLAWATCH_BACKGROUND": "0",
        "SLAWATCH_BASE_URL": f"http://127.0.0.1:{port}",
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
        yield Site(url=base, read_token=token, ticket=ticket, database=url)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@dataclass
class Tab:
    """A browser page that keeps its console errors and a screenshot of every step."""

    page: Page
    name: str
    errors: list[str] = field(default_factory=list)
    shots: int = 0

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.settle()

    def settle(self, step: str = "") -> None:
        """Wait for htmx requests and scripts to finish, then keep a screenshot."""
        self.page.wait_for_load_state("networkidle")
        self.shot(step)

    def shot(self, step: str = "", *, full_page: bool = True) -> Path:
        self.shots += 1
        path = self.page.url.split("://", 1)[-1].split("/", 1)[-1] or "home"
        label = re.sub(r"[^A-Za-z0-9_.-]+", "-", step or path)[:80]
        target = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(target), full_page=full_page)
        return target

    def log_in(self, email: str = ADMIN, password: str = PASSWORD) -> None:
        self.goto("/")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("form[action='/login'] button[type=submit]")
        self.settle("logged-in")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}; install it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A fresh browser context (no cookies) at 1280×800, its errors collected."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(
        base_url=site.url, viewport={"width": 1280, "height": 800}, locale="en-US"
    )
    page = context.new_page()
    tab = Tab(page=page, name=re.sub(r"\W+", "-", request.node.name).strip("-"))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url") or page.url
            tab.errors.append(f"{page.url}: {message.text} ({source})")

    page.on("console", console)
    page.on("pageerror", lambda error: tab.errors.append(f"{page.url}: {error}"))
    yield tab
    context.close()
