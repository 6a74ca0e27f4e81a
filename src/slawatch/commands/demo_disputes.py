"""The demo's open dispute: Sales contests last month's speed-to-lead figure, with evidence.

One call from `load_demo`, after the evaluation, so the dispute sits beside the figures it
contests: the overview, the agreement, the objective and the credits page show it open.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.alerts.disputes import dispute_schedule
from slawatch.engine.dispute_ladder import due_steps, next_due
from slawatch.engine.instants import US, from_us
from slawatch.store.agreements import get_version
from slawatch.store.disputes import (
    NewDispute,
    add_comment,
    open_dispute,
    set_next_step_at,
    take_step,
)

AGREEMENT = "marketing-sales"
OPENED_BEFORE_US = 3 * 3_600 * US  # opened three hours before the demo starts


def open_demo_dispute(connection: Connection, *, now: int) -> int | None:
    """Open the demo's dispute as of `now` (µs); its id, or None without the agreement."""
    stored = get_version(connection, AGREEMENT)
    if stored is None:
        return None
    agreement = stored.agreement
    local = from_us(now, ZoneInfo(agreement.timezone)).date()
    last_month = local.replace(day=1) - dt.timedelta(days=1)
    opened_at = now - OPENED_BEFORE_US
    steps = dispute_schedule(agreement, opened_at)
    dispute_id = open_dispute(
        connection,
        NewDispute(
            agreement_id=AGREEMENT,
            subject="figure",
            disputing_party="sales",
            objective="speed-to-lead",
            period=f"{last_month:%Y-%m}",
            reason=(
                "Leads handed over twice count as breached twice: the CRM re-sent a batch "
                "after its outage, and we contacted each lead once, in time."
            ),
            links=("https://crm.example.com/reports/duplicate-handovers",),
            opened_by="tom.berg@example.com",
            opened_at=opened_at,
            next_step_at=next_due(steps, ()),
        ),
    )
    taken: set[str] = set()
    for step in due_steps(steps, taken, now, decided=False):
        take_step(connection, dispute_id, step=step.key, kind="escalated", tier=step.tier, now=now)
        taken.add(step.key)
    add_comment(
        connection,
        dispute_id,
        actor="lena.koch@example.com",
        text="We are checking the import log of that night.",
        now=now,
    )
    set_next_step_at(connection, dispute_id, next_due(steps, taken))
    return dispute_id
