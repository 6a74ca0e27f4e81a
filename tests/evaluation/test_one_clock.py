"""One computation of an item's clock: stored clocks, the item page, the item API and
`slawatch clocks` agree item by item, each with the version in force for the clock's period."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from slawatch.agreements import template_text
from slawatch.cli import app as cli
from slawatch.config import Settings
from slawatch.engine.instants import from_us, to_us
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.item_clock import measure_item
from slawatch.evaluation.service import Recomputer
from slawatch.store.agreements import versions_by_agreement
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import item_detail
from slawatch.store.schema import item_clocks, items
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app
from tests.evaluation.support import save_template
from tests.web.support import set_now

HOUR = 3_600_000_000
AS_OF = to_us(dt.datetime(2027, 1, 19, 20, tzinfo=dt.UTC))
TIGHTER = ("within: 48h", "within: 24h")
V2_FROM = dt.date(2027, 1, 1)  # in the future when the test runs: not a retroactive version


def _at(day: dt.date, hour: int) -> int:
    return to_us(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC))


# Leads handed over in December (version 1: 48 h) and in January (version 2: 24 h); each is
# contacted after 30 h, or not at all: met under 48 h, breached under 24 h, or still running.
LEADS = {
    f"L-{day.month:02d}{day.day:02d}-{hours}": (
        _at(day, 9),
        None if hours is None else _at(day, 9) + hours * HOUR,
    )
    for day in (dt.date(2026, 12, 10), dt.date(2027, 1, 12), dt.date(2027, 1, 19))
    for hours in (30, 10, None)
}


@pytest.fixture
def stored(engine: Engine) -> Engine:
    save_template(engine)
    save_template(engine, replace=TIGHTER, effective=V2_FROM, reason="24 hours from January")
    batch = []
    for lead, (handed, contacted) in LEADS.items():
        batch.append(EventIn("default", lead, "handed_over", handed, "lead", {}))
        if contacted is not None:
            batch.append(EventIn("default", lead, "contacted", contacted, "lead", {}))
    with transaction(engine) as connection:
        store_events(connection, batch)
    Recomputer(engine, "test", EventCache()).recompute("marketing-sales", as_of=AS_OF)
    return engine


@pytest.fixture
def client(stored: Engine) -> Iterator[TestClient]:
    with transaction(stored) as connection:
        secret = create_token(connection, name="admin", scope="admin", created_by="test")
    app = create_app(Settings(), stored)
    set_now(app, AS_OF)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        yield client


Clock = tuple[str, str | None, str | None, int, str]  # start, stop, deadline, elapsed s, state


def _iso(us: int | None) -> str | None:
    return None if us is None else from_us(us).isoformat()


def _same_instant(text: str | None) -> str | None:
    return None if not text else dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()


def stored_clocks(engine: Engine) -> dict[str, Clock]:
    c = item_clocks.c
    query = (
        select(items.c.external_id, c.started_at, c.stopped_at, c.deadline, c.elapsed_us, c.state)
        .join(items, items.c.id == c.item_id)
        .where(c.agreement_id == "marketing-sales", c.objective == "speed-to-lead")
    )
    with read_transaction(engine) as connection:
        rows = connection.execute(query).all()
    return {
        lead: (_iso(start), _iso(stop), _iso(deadline), elapsed // 1_000_000, state)
        for lead, start, stop, deadline, elapsed, state in rows
    }


def page_clocks(engine: Engine) -> dict[str, Clock]:
    found = {}
    with read_transaction(engine) as connection:
        versions = versions_by_agreement(connection)
        details = [item_detail(connection, "default", lead) for lead in LEADS]
    for detail in details:
        assert detail is not None
        for clock in measure_item(detail, versions, AS_OF):
            if clock.objective.id == "speed-to-lead":
                found[detail.external_id] = (
                    _iso(clock.start),
                    _iso(clock.stop),
                    _iso(clock.deadline),
                    clock.elapsed // 1_000_000,
                    clock.state,
                )
    return found


def api_clocks(client: TestClient) -> dict[str, Clock]:
    found = {}
    for lead in LEADS:
        body = client.get(f"/api/v1/items/default/{lead}").json()
        for clock in body["clocks"]:
            if clock["objective"] == "speed-to-lead":
                found[lead] = (
                    _same_instant(clock["started_at"]),
                    _same_instant(clock["stopped_at"]),
                    _same_instant(clock["deadline"]),
                    clock["elapsed_seconds"],
                    clock["state"],
                )
    return found


def cli_clocks(tmp_path: Path, yaml_text: str) -> dict[str, Clock]:
    """Run `slawatch clocks` on the events as a file, with one version's YAML."""
    events = tmp_path / "events.csv"
    with events.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["item", "type", "at", "kind"])
        for lead, (handed, contacted) in LEADS.items():
            writer.writerow([lead, "handed_over", from_us(handed).isoformat(), "lead"])
            if contacted is not None:
                writer.writerow([lead, "contacted", from_us(contacted).isoformat(), "lead"])
    agreement = tmp_path / "agreement.yaml"
    agreement.write_text(yaml_text)
    result = CliRunner().invoke(
        cli,
        [
            "clocks",
            str(agreement),
            "--events",
            str(events),
            "--objective",
            "speed-to-lead",
            "--as-of",
            from_us(AS_OF).isoformat(),
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(io.StringIO(result.stdout))
    return {
        row["item"]: (
            _same_instant(row["started_at"]),
            _same_instant(row["stopped_at"]),
            _same_instant(row["deadline"]),
            int(row["elapsed_seconds"]),
            row["state"],
        )
        for row in rows
    }


def test_stored_page_api_and_cli_clocks_agree_item_by_item_after_a_version_change(
    stored: Engine, client: TestClient, tmp_path: Path
) -> None:
    expected = stored_clocks(stored)
    assert set(expected) == set(LEADS)
    # Version 2 tightened the allowance from January: the same 30 h contact is met in
    # December and breached in January, and so say all four.
    assert expected["L-1210-30"][4] == "met"
    assert expected["L-0112-30"][4] == "breached"
    assert expected["L-0119-None"][4] == expected["L-0119-30"][4] == "running"
    assert page_clocks(stored) == expected
    assert api_clocks(client) == expected
    first = template_text("marketing-sales")
    second = first.replace(*TIGHTER).replace("effective: 2026-01-01", "effective: 2027-01-01")
    december = cli_clocks(tmp_path, first)
    january = cli_clocks(tmp_path, second)
    in_force = {
        lead: december[lead] if lead.startswith("L-12") else january[lead] for lead in LEADS
    }
    assert in_force == expected


def test_the_item_api_names_the_version_in_force_for_the_clocks_period(
    client: TestClient,
) -> None:
    versions = {}
    for lead in ("L-1210-30", "L-0112-30"):
        body = client.get(f"/api/v1/items/default/{lead}").json()
        versions[lead] = next(
            c["version"] for c in body["clocks"] if c["objective"] == "speed-to-lead"
        )
    assert versions == {"L-1210-30": 1, "L-0112-30": 2}
