"""Build the stored figures the triggers read: item clocks and period results, by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, delete, insert

from slawatch.engine.instants import to_us
from slawatch.store.db import transaction
from slawatch.store.schema import alert_watch, item_clocks, items, results
from tests.evaluation.support import save_template

HOUR = 3_600_000_000
DAY = 24 * HOUR
AGREEMENT = "marketing-sales"
NOW = to_us(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC))  # a Wednesday, 11:00 in Berlin
LOOKBACK = 7 * DAY
# A running period past half its length (objective_warnings_after: 50 %), so it may warn.
RUNNING = {"start": NOW - 20 * DAY, "end": NOW + 10 * DAY}


def watching(engine: Engine, since: int = NOW - LOOKBACK) -> None:
    """Record that the alerts have watched the store since `since`: a server running a while."""
    with transaction(engine) as connection:
        connection.execute(insert(alert_watch).values(name="alerts", since=since))


def berlin(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text))


def agreement(engine: Engine, replace: tuple[str, str] | None = None) -> None:
    save_template(engine, AGREEMENT, replace=replace)


def add_item(engine: Engine, external_id: str, source: str = "crm") -> int:
    with transaction(engine) as connection:
        row = connection.execute(
            insert(items)
            .values(source=source, external_id=external_id, kind="lead", attributes={})
            .returning(items.c.id)
        ).one()
    return int(row.id)


def set_clock(
    engine: Engine,
    item_id: int,
    state: str,
    *,
    since: int,
    objective: str = "speed-to-lead",
    stopped_at: int | None = None,
    period: str = "2026-03",
    deadline: int | None = None,
) -> None:
    """Store an item clock as the evaluator would, replacing any earlier row.

    By default the clock started 36 h before `since` with a 48 h allowance; a test whose ticks
    run for days past that gives a later `deadline`, or the item breaches on the way.
    """
    c = item_clocks.c
    with transaction(engine) as connection:
        connection.execute(
            delete(item_clocks).where(
                c.agreement_id == AGREEMENT, c.objective == objective, c.item_id == item_id
            )
        )
        connection.execute(
            insert(item_clocks).values(
                agreement_id=AGREEMENT,
                objective=objective,
                item_id=item_id,
                period=period,
                started_at=since - 36 * HOUR,
                stopped_at=stopped_at,
                deadline=since - 36 * HOUR + 48 * HOUR if deadline is None else deadline,
                warn_at=since - 36 * HOUR + 36 * HOUR,
                elapsed_us=36 * HOUR,
                paused_us=0,
                state=state,
                since=since,
                as_of=since,
            )
        )


def set_period(
    engine: Engine,
    label: str,
    *,
    start: int,
    end: int,
    as_of: int,
    statuses: dict[str, str],
) -> None:
    """Store one period's `evaluate` document with the given objective statuses."""
    objectives: list[dict[str, Any]] = [
        {
            "id": objective,
            "owner": "marketing",
            "kind": "count",
            "value": 40.0,
            "target": 50.0,
            "op": ">=",
            "status": status,
        }
        for objective, status in statuses.items()
    ]
    payload = {
        "agreement": AGREEMENT,
        "as_of": as_of,
        "periods": [{"period": label, "start": start, "end": end, "objectives": objectives}],
    }
    with transaction(engine) as connection:
        connection.execute(
            delete(results).where(results.c.agreement_id == AGREEMENT, results.c.period == label)
        )
        connection.execute(
            insert(results).values(
                agreement_id=AGREEMENT,
                period=label,
                version=1,
                period_start=start,
                period_end=end,
                as_of=as_of,
                payload=payload,
            )
        )
