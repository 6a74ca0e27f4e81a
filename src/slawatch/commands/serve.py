"""`slawatch serve` runs the service; `slawatch demo` sets up a demo database and serves it."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn

from slawatch.commands.common import DatabaseOpt, database, database_url, fail, out
from slawatch.config import SettingsError, get_settings
from slawatch.engine.instants import to_us

if TYPE_CHECKING:
    import polars as pl
    from sqlalchemy import Connection

    from slawatch.store.events import EventIn

DEMO_DATABASE = Path("slawatch-demo.db")
DEMO_ADMIN = "admin@example.com"
DEMO_PASSWORD = "slawatch-demo"
DEMO_ITEMS = {"marketing-sales": 1500, "it-service": 900, "hr-requests": 700}
DEMO_MAIL = "mailto://127.0.0.1:1025?from=slawatch@example.com"  # a local mail catcher
# The templates climb their ladders over hours and days; the demo's climb in minutes, so a
# breach can be followed from tier 1 to tier 3 while you watch.
DEMO_LADDER = {1: "0m", 2: "2m", 3: "5m"}
DEMO_LIVE_OWNER = "tom.berg"  # Sales North: the live leads' rep, tier 1 of their ladder
DEMO_READERS = {"head.sales@example.com": "de", "head.marketing@example.com": "en"}
_LADDER_STEP = re.compile(r"\{after: *[0-9a-z]+, *tier: *([123])\}")

WORKER_HEALTHCHECK = 60  # seconds

HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes (each runs the evaluator).")
    ] = 1,
    location: DatabaseOpt = None,
) -> None:
    """Run the web service and the background evaluator."""
    if location is not None:  # the workers, and the app they build, read it from there
        os.environ["SLAWATCH_DATABASE_URL"] = database_url(location)
        get_settings.cache_clear()
    settings = get_settings()
    try:
        settings.check_secret()
    except SettingsError as error:
        fail(str(error))
    database(location)  # refuses a missing database or one that needs migrating, with the fix
    uvicorn.run(
        "slawatch.web.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # A spawned worker answers uvicorn's health check only once it has imported slawatch,
        # which takes longer than uvicorn's 5 s on a busy machine; it was then killed and
        # respawned for ever. A hung worker is still replaced, after this long.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK,
    )


def demo(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    database_file: Annotated[
        Path, typer.Option("--database", dir_okay=False, help="The demo's SQLite file.")
    ] = DEMO_DATABASE,
) -> None:
    """Create a demo database with a year of generated data, and serve it."""
    started = time.perf_counter()
    os.environ["SLAWATCH_DATABASE_URL"] = f"sqlite:///{database_file.resolve()}"
    os.environ["SLAWATCH_DEMO"] = "1"
    os.environ.setdefault("SLAWATCH_BASE_URL", f"http://{host}:{port}")
    os.environ.setdefault("SLAWATCH_SMTP_URL", DEMO_MAIL)
    get_settings.cache_clear()
    if not database_file.exists():
        load_demo(now=dt.datetime.now(dt.UTC))
        out.print(f"created {database_file}", markup=False)
    out.print(
        f"slawatch demo ready in {time.perf_counter() - started:.1f} s: http://{host}:{port}/\n"
        f"log in as {DEMO_ADMIN} with password {DEMO_PASSWORD}\n"
        f"escalation mail goes to {get_settings().smtp_url} (see the README for a mail catcher)",
        markup=False,
    )
    serve(host=host, port=port, workers=1)


def load_demo(*, now: dt.datetime) -> None:
    """Fill a new database: the three templates, twelve months of events, a demo admin."""
    from slawatch.agreements import template_names, template_text
    from slawatch.commands.demo_corrections import add_demo_correction
    from slawatch.commands.demo_disputes import open_demo_dispute
    from slawatch.commands.demo_incidents import add_past_incident
    from slawatch.commands.directory import load_demo_directory
    from slawatch.evaluation.service import refresh_all
    from slawatch.generate import generate_events
    from slawatch.store.agreements import save_version
    from slawatch.store.db import transaction
    from slawatch.store.events import store_events
    from slawatch.store.migrate import upgrade
    from slawatch.store.users import create_user

    engine = database(migrated=False, create=True)
    upgrade(engine)
    first = _months_before(now.date(), 12)
    until = to_us(now)
    with transaction(engine) as connection:
        for name in template_names():
            text = demo_text(template_text(name), effective=first)
            agreement, _ = save_version(
                connection, text, author="demo", reason="demo: loaded from the template"
            )
            frame = generate_events(
                agreement, items=DEMO_ITEMS.get(name, 800), months=13, seed=7, start=first
            )
            store_events(connection, _events_until(frame, source=agreement.id, until=until))
        store_events(connection, live_leads(until))
        create_user(connection, DEMO_ADMIN, DEMO_PASSWORD, "admin")
        for email, language in DEMO_READERS.items():  # department heads who acknowledge
            create_user(connection, email, DEMO_PASSWORD, "editor", language)
        load_demo_directory(connection)
        last_month = dt.datetime.combine(_months_before(now.date(), 1), dt.time(), dt.UTC)
        add_demo_correction(connection, since=to_us(last_month), now=until)
        add_past_incident(connection, today=now.date())
    refresh_all(engine, as_of=until)
    with transaction(engine) as connection:
        hold_past_reviews(connection, today=now.date(), now=until)
        open_demo_dispute(connection, now=until)


def hold_past_reviews(connection: Connection, *, today: dt.date, now: int) -> int:
    """Record the reviews the demo's teams held on each past due date; return how many.

    The demo's history is a year of an agreement lived by the book: its reviews were held on
    time, so the overview and the reminders show the next review due, not a year overdue.
    """
    from slawatch.alerts.reviews import record_review, review_due_dates, reviewer_contacts
    from slawatch.store.agreements import current_agreements

    held = 0
    for stored in current_agreements(connection):
        participants = [contact for _, contact in reviewer_contacts(stored.agreement)]
        for due in review_due_dates(stored.agreement, until=today - dt.timedelta(days=1)):
            record_review(
                connection,
                stored,
                held_on=due,
                participants=participants,
                notes="Figures of the last cycle discussed with both teams.",
                decisions="Targets kept.",
                actor="demo",
                now=now,
            )
            held += 1
    return held


def demo_text(template: str, *, effective: dt.date) -> str:
    """Return a template for the demo: in force from `effective`, its ladder in minutes."""
    text = template.replace("effective: ", f"effective: {effective} # ", 1)
    return _LADDER_STEP.sub(
        lambda step: f"{{after: {DEMO_LADDER[int(step[1])]}, tier: {step[1]}}}", text
    )


# The live leads: how long before its 48-hour deadline each is handed over as the demo starts,
# and its funnel before that, as the generator draws it (created, then qualified about 20 h
# later, handed over about 3 h after qualifying).
LIVE_LEADS = (  # (time left, qualified before hand-over, created before qualifying, source)
    (3 * 60, 2 * 3600, 20 * 3600, "web"),
    (10 * 60, 3 * 3600, 26 * 3600, "event"),
    (30 * 60, 90 * 60, 6 * 3600, "referral"),
    (6 * 3600, 4 * 3600, 30 * 3600, "ads"),
)
LIVE_ALLOWANCE = 48 * 3600  # the template's speed-to-lead: first contact within 48 hours


def live_leads(now: int) -> list[EventIn]:
    """Return leads handed over to Sales and not contacted yet, their deadline minutes away.

    Generated history ends quietly; these give the demo a breach to follow while it runs:
    each is past its warning point (36 of 48 h) and breaches within minutes of starting.
    Each was created and qualified before its hand-over, like the generated leads.
    """
    from slawatch.store.events import EventIn

    second = 1_000_000
    events = []
    for number, (left, qualifying, creating, source) in enumerate(LIVE_LEADS, start=1):
        handed_over = now - (LIVE_ALLOWANCE - left) * second
        qualified = handed_over - qualifying * second
        steps = (
            ("created", qualified - creating * second),
            ("qualified", qualified),
            ("handed_over", handed_over),
        )
        for step, at in steps:
            events.append(
                EventIn(
                    source="marketing-sales",
                    item=f"L-LIVE-{number}",
                    type=step,
                    at=at,
                    kind="lead",
                    attributes={"source": source, "region": "north", "owner": DEMO_LIVE_OWNER},
                )
            )
    return events


def _events_until(frame: pl.DataFrame, *, source: str, until: int) -> list[EventIn]:
    """Turn generated rows into events, leaving out those after `until` (the future)."""
    from slawatch.store.events import EventIn

    attributes = [c for c in frame.columns if c not in ("item", "type", "at", "kind")]
    events = []
    for row in frame.iter_rows(named=True):
        at = to_us(dt.datetime.fromisoformat(row["at"]))
        if at > until:
            continue
        values = {name: str(row[name]) for name in attributes if row[name] not in (None, "")}
        events.append(
            EventIn(
                source=source,
                item=row["item"],
                type=row["type"],
                at=at,
                kind=row["kind"] or None,
                attributes=values,
            )
        )
    return events


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def register(app: typer.Typer) -> None:
    """Add the `serve` and `demo` commands to the main app."""
    app.command()(serve)
    app.command()(demo)
