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

from slawatch.commands.common import database, fail, out
from slawatch.config import SettingsError, get_settings
from slawatch.engine.instants import to_us

if TYPE_CHECKING:
    import polars as pl

    from slawatch.store.events import EventIn

DEMO_DATABASE = Path("slawatch-demo.db")
DEMO_ADMIN = "admin@example.com"
DEMO_PASSWORD = "slawatch-demo"
DEMO_ITEMS = {"marketing-sales": 1500, "it-service": 900, "hr-requests": 700}
DEMO_MAIL = "mailto://127.0.0.1:1025?from=slawatch@example.com"  # a local mail catcher
# The templates climb their ladders over hours and days; the demo's climb in minutes, so a
# breach can be followed from tier 1 to tier 3 while you watch.
DEMO_LADDER = {1: "0m", 2: "2m", 3: "5m"}
DEMO_READERS = {"head.sales@example.com": "de", "head.marketing@example.com": "en"}
_LADDER_STEP = re.compile(r"\{after: *[0-9a-z]+, *tier: *([123])\}")

HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")]


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Worker processes (each runs the evaluator).")
    ] = 1,
) -> None:
    """Run the web service and the background evaluator."""
    settings = get_settings()
    try:
        settings.check_secret()
    except SettingsError as error:
        fail(str(error))
    database()  # refuses a database that needs migrating, with the fix
    uvicorn.run(
        "slawatch.web.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
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
    from slawatch.commands.directory import load_demo_directory
    from slawatch.evaluation.service import refresh_all
    from slawatch.generate import generate_events
    from slawatch.store.agreements import save_version
    from slawatch.store.db import transaction
    from slawatch.store.events import store_events
    from slawatch.store.migrate import upgrade
    from slawatch.store.users import create_user

    engine = database(migrated=False)
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
    refresh_all(engine, as_of=until)


def demo_text(template: str, *, effective: dt.date) -> str:
    """Return a template for the demo: in force from `effective`, its ladder in minutes."""
    text = template.replace("effective: ", f"effective: {effective} # ", 1)
    return _LADDER_STEP.sub(
        lambda step: f"{{after: {DEMO_LADDER[int(step[1])]}, tier: {step[1]}}}", text
    )


def live_leads(now: int) -> list[EventIn]:
    """Return leads handed over to Sales and not contacted yet, their deadline minutes away.

    Generated history ends quietly; these give the demo a breach to follow while it runs:
    each is past its warning point (36 of 48 h) and breaches within minutes of starting.
    """
    from slawatch.store.events import EventIn

    hour = 3_600_000_000
    minute = 60_000_000
    events = []
    for number, left in enumerate((3 * minute, 10 * minute, 30 * minute, 6 * hour), start=1):
        handed_over = now - 48 * hour + left
        for kind, at in (("qualified", handed_over - 2 * hour), ("handed_over", handed_over)):
            events.append(
                EventIn(
                    source="marketing-sales",
                    item=f"L-LIVE-{number}",
                    type=kind,
                    at=at,
                    kind="lead",
                    attributes={"region": "north"},
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
