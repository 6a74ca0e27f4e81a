"""Shared setup of the directory and person page tests: owners, their leads and clocks."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.engine.instants import to_us
from slawatch.evaluation.service import refresh_all
from slawatch.store.db import transaction
from slawatch.store.directory import Person, put_people
from slawatch.store.events import EventIn, store_events
from slawatch.store.users import create_user
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.support import set_now
from tests.web.test_home import log_in

PASSWORD = "a long password"
HOUR = 3_600_000_000
NOW = to_us(dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC))
HEAD = Person("head.sales", "Hanna Vogt", "head.sales@example.com", "Sales", None, "sales", "de")
TOM = Person("tom.berg", "Tom Berg", "tom.berg@example.com", "Sales", "head.sales", "sales")
ANNA = Person("anna.roth", "Anna Roth", None, "Sales", "head.sales", "sales")


def lead(item: str, owner: str, handed_over: int, contacted: int | None = None) -> list[EventIn]:
    events = [EventIn("crm", item, "handed_over", handed_over, "lead", {"owner": owner})]
    if contacted is not None:
        events.append(EventIn("crm", item, "contacted", contacted, "lead"))
    return events


def owned_leads(engine: Engine) -> None:
    """Tom: L-1 late, L-2 running, L-3 contacted yesterday; Anna: L-4 running; L-5: no one
    in the directory ("0055g")."""
    save_template(engine)
    events = [
        *lead("L-1", "tom.berg", NOW - 50 * HOUR),
        *lead("L-2", "tom.berg", NOW - 2 * HOUR),
        *lead("L-3", "tom.berg", NOW - 30 * HOUR, NOW - 20 * HOUR),
        *lead("L-4", "anna.roth", NOW - 3 * HOUR),
        *lead("L-5", "0055g", NOW - 1 * HOUR),
    ]
    with transaction(engine) as connection:
        store_events(connection, events)
        put_people(connection, [HEAD, TOM, ANNA], author="test")
    refresh_all(engine, as_of=NOW)


def browser(engine: Engine, role: str = "viewer", language: str | None = None) -> TestClient:
    email = f"{role}@example.com"
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, language)
    app = create_app(Settings(demo=True), engine)
    set_now(app, NOW)
    client = TestClient(app, raise_server_exceptions=False)
    log_in(client, email, PASSWORD)
    return client


def csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"', maxsplit=1)[0]
