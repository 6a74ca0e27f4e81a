"""Shared helpers: agreements from the templates, events from files, into the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from slawatch.agreements import template_text
from slawatch.engine.events import EventTable
from slawatch.engine.instants import to_us
from slawatch.evaluation import service
from slawatch.ingest.files import EventLog, read_events
from slawatch.store.agreements import StoredAgreement, save_version
from slawatch.store.db import transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.results import StoredResult

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_EVENTS = ROOT / "examples" / "marketing-sales-events.csv"
AS_OF = to_us(dt.datetime(2026, 7, 1, tzinfo=dt.UTC))


def events_of(log: EventLog) -> list[EventIn]:
    """Turn an event file's rows into store input, each carrying its item's attributes."""
    items = {row["item"]: row for row in log.items.iter_rows(named=True)}
    batch = []
    for item, event_type, at in log.events.select("item", "type", "at").iter_rows():
        row = items[item]
        attributes = {
            name: value
            for name, value in row.items()
            if name not in ("item", "kind") and value is not None
        }
        batch.append(EventIn("default", item, event_type, at, row["kind"], attributes))
    return batch


def store_log(engine: Engine, log: EventLog) -> None:
    with transaction(engine) as connection:
        store_events(connection, events_of(log))


def store_example_events(engine: Engine) -> EventLog:
    log = read_events(EXAMPLE_EVENTS)
    store_log(engine, log)
    return log


def save_template(
    engine: Engine,
    name: str = "marketing-sales",
    *,
    replace: tuple[str, str] | None = None,
    effective: dt.date | None = None,
    reason: str = "first version",
    retroactive: bool = False,
) -> int:
    text = template_text(name)
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    with transaction(engine) as connection:
        _agreement, version = save_version(
            connection,
            text,
            author="lena@example.com",
            reason=reason,
            effective=effective,
            retroactive=retroactive,
        )
    return version


BROKEN = "broken on purpose"  # the reason of a version whose evaluation fails


def break_evaluations(monkeypatch: pytest.MonkeyPatch, *agreement_ids: str) -> None:
    """Make evaluating the given agreements, or any whose newest version is BROKEN, raise.

    Stands for a bug or bad data in the engine (as `effective: 0001-01-01` once raised an
    OverflowError in engine/periods.py); saving a version for another reason corrects it.
    """
    real = service.evaluate_history

    def evaluate(
        versions: list[StoredAgreement], table: EventTable, *, as_of: int, **options: Any
    ) -> list[StoredResult]:
        newest = max(versions, key=lambda stored: stored.version)
        if newest.id in agreement_ids or newest.reason == BROKEN:
            raise OverflowError("date value out of range")
        return real(versions, table, as_of=as_of, **options)

    monkeypatch.setattr(service, "evaluate_history", evaluate)
