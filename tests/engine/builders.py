"""Small builders for engine tests: agreements and event tables from readable literals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from slawatch.agreements.model import (
    Agreement,
    Calendar,
    Comparison,
    Duration,
    DurationUnit,
    Interval,
    Party,
    Target,
)
from slawatch.engine.events import EventTable
from slawatch.engine.instants import to_us

HOUR = 3600


def instant(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text))


def table(
    rows: list[tuple[str, str, str]], items: dict[str, dict[str, str]] | None = None
) -> EventTable:
    """Build an event table from (item, type, ISO instant) rows and per-item attributes."""
    events = pl.DataFrame(
        {
            "item": [r[0] for r in rows],
            "type": [r[1] for r in rows],
            "at": [instant(r[2]) for r in rows],
        },
        schema={"item": pl.String, "type": pl.String, "at": pl.Int64},
    )
    names = sorted({r[0] for r in rows} | set(items or {}))
    attributes = sorted({key for values in (items or {}).values() for key in values})
    columns: dict[str, Any] = {"item": names}
    for attribute in attributes:
        columns[attribute] = [(items or {}).get(name, {}).get(attribute) for name in names]
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    if "kind" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("kind"))
    return EventTable(events, frame)


def target(op: str, value: float, share: bool = True) -> Target:
    return Target(op=Comparison(op), value=value, share=share, text=f"{op} {value}")


def hours(n: float, working: bool = False) -> Duration:
    unit = DurationUnit.WORKING if working else DurationUnit.WALL
    return Duration(unit=unit, amount=int(n * HOUR), text=f"{n}h")


def office(zone: str = "Europe/Berlin") -> Calendar:
    day = (Interval(start=8 * HOUR, end=12 * HOUR), Interval(start=13 * HOUR, end=17 * HOUR))
    return Calendar(id="office", timezone=zone, hours=(day,) * 5 + ((), ()))


def agreement(objectives: dict[str, Any], **fields: Any) -> Agreement:
    values: dict[str, Any] = {
        "id": "test",
        "title": "Test",
        "timezone": "Europe/Berlin",
        "effective": dt.date(2026, 1, 1),
        "parties": {"marketing": Party(id="marketing", name="Marketing")},
        "objectives": objectives,
    }
    values.update(fields)
    return Agreement(**values)
