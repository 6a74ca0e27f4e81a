"""The overview: every agreement as a scorecard, and one queue of the items at risk.

A scorecard shows each objective's running period against its target, its status (with a
count's pace and a share's sample), the last closed period's verdict beside it, a small chart of
the last 12 periods and the change against the previous period; above the objectives, the last
closed period's verdict with the credits owed for it, and an overdue review. The queue lists the
open item clocks of all agreements, the one due soonest first, and refreshes itself every
minute. Everything comes from stored results and stored clocks: a request never evaluates, and
it reads only the periods it shows, so the page costs the same with a million leads stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from slawatch.comparisons.history import compare, improved, objective_history
from slawatch.engine.instants import from_us
from slawatch.engine.results import ObjectiveResult
from slawatch.formatting import (
    change_text,
    clock_state_text,
    details_text,
    status_text,
    target_text,
    time_left_text,
    value_text,
)
from slawatch.i18n import Translator
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.benchmarks import latest_results
from slawatch.store.clock_lists import at_risk_queue
from slawatch.store.credits import IssuedStatement, issued_statements
from slawatch.store.db import read_transaction
from slawatch.store.health import Health, failing_agreements
from slawatch.store.results import StoredResult
from slawatch.store.reviews import held_dates
from slawatch.web.deps import Now, Reader, engine_of
from slawatch.web.pages.health import failure_notice
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.pages.verdicts import (
    PeriodVerdict,
    last_closed,
    pace_text,
    period_verdict,
    review_notice,
    sample_text,
    verdict_period,
)
from slawatch.web.pages.zones import zoned_text

router = APIRouter(tags=["pages"], include_in_schema=False)
CHART_PERIODS = 12  # the sparkline's periods, the current one included
HISTORY_PERIODS = CHART_PERIODS + 1  # one more for the change against the previous period
QUEUE_LIMIT = 100
VALUE_COLOUR, TARGET_COLOUR = "#0969da", "#8c959f"


def objective_url(agreement_id: str, objective_id: str) -> str:
    return f"/agreements/{quote(agreement_id)}/objectives/{quote(objective_id)}"


def item_url(source: str, external_id: str) -> str:
    return f"/items/{quote(source, safe='')}/{quote(external_id, safe='')}"


def sparkline(
    history: Sequence[tuple[str, ObjectiveResult]], current: ObjectiveResult, t: Translator
) -> tuple[dict[str, Any], str]:
    """Return a Chart.js line config without axes (target dashed), and its text alternative."""
    shown = history[-CHART_PERIODS:]
    labels = [label for label, _ in shown]
    values = [objective.value for _, objective in shown]
    config = {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "data": values,
                    "borderColor": VALUE_COLOUR,
                    "borderWidth": 2,
                    "pointRadius": 0,
                    "tension": 0.25,
                    "spanGaps": True,
                },
                {
                    "data": [current.target] * len(shown),
                    "borderColor": TARGET_COLOUR,
                    "borderWidth": 1,
                    "borderDash": [4, 3],
                    "pointRadius": 0,
                },
            ],
        },
        "options": {
            "events": [],
            "plugins": {"legend": {"display": False}, "tooltip": {"enabled": False}},
            "scales": {"x": {"display": False}, "y": {"display": False}},
        },
    }
    text = t.gettext(
        "Last %(n)s periods: %(values)s; target %(target)s",
        n=len(shown),
        values=", ".join(
            f"{label} {value_text(objective, objective.value, t)}" for label, objective in shown
        ),
        target=target_text(current, t),
    )
    return config, text


def objective_card(
    stored: StoredAgreement, objective_id: str, rows: Sequence[StoredResult], t: Translator
) -> dict[str, Any]:
    """Build one objective's line of a scorecard from its stored periods."""
    agreement = stored.agreement
    definition = agreement.objectives[objective_id]
    owner = agreement.parties.get(definition.owner)
    line: dict[str, Any] = {
        "id": objective_id,
        "title": definition.title,
        "url": objective_url(stored.id, objective_id),
        "owner": owner.name if owner is not None else definition.owner,
        "period": None,
    }
    history = objective_history(((r.period, r.objectives) for r in rows), objective_id)
    if not history:
        return line
    label, current = history[-1]
    comparison = compare(history)
    chart, chart_text = sparkline(history, current, t)
    better = improved(current, comparison.change)
    running = next(row for row in reversed(rows) if row.period == label)
    line |= {
        "period": label,
        "value": value_text(current, current.value, t),
        "sample": sample_text(current, t),
        "pace": pace_text(current, running, t),
        "closed": closed_line(rows, objective_id, label, t),
        "target": target_text(current, t),
        "status": current.status.value,
        "status_text": status_text(current.status.value, t),
        "details": details_text(current, t),
        "change": change_text(current, comparison.change, t),
        "change_class": {True: "met", False: "breached", None: ""}[better],
        "previous": comparison.previous.labels[0] if comparison.previous.labels else None,
        "chart": chart,
        "chart_text": chart_text,
    }
    return line


def closed_line(
    rows: Sequence[StoredResult], objective_id: str, running: str, t: Translator
) -> dict[str, Any] | None:
    """Return an objective's last closed period beside its running one: label, value, verdict."""
    found = last_closed(rows, objective_id)
    if found is None or found[0].period == running:
        return None
    row, result = found
    return {
        "period": row.period,
        "value": value_text(result, result.value, t),
        "status": result.status.value,
        "status_text": status_text(result.status.value, t),
    }


@dataclass(frozen=True)
class CardInputs:
    """What a scorecard reads besides its results: read once per page, not once per objective."""

    health: Health | None = None
    held: Sequence[dt.date] = ()
    statements: Callable[[str], Sequence[IssuedStatement] | None] = lambda _period: None
    now: int | None = None


def verdict_of(
    stored: StoredAgreement, rows: Sequence[StoredResult], inputs: CardInputs, t: Translator
) -> PeriodVerdict | None:
    """Sum up the last closed period of the agreement's objectives, with its credits."""
    agreement = stored.agreement
    closed = []
    for objective_id, definition in agreement.objectives.items():
        found = last_closed(rows, objective_id)
        if found is not None:
            closed.append((found[0].period, definition.title or objective_id, found[1]))
    period = verdict_period([label for label, _, _ in closed])
    statements = inputs.statements(period) if period is not None else None
    return period_verdict(closed, statements, agreement, t)


def scorecard(
    stored: StoredAgreement,
    rows: Sequence[StoredResult],
    t: Translator,
    inputs: CardInputs | None = None,
) -> dict[str, Any]:
    """Build an agreement's scorecard: its objectives in the order the agreement lists them.

    When its evaluation is failing, the card keeps the last figures and says so. Beside the
    running period it shows the last closed period's verdict, and an overdue review.
    """
    inputs = inputs or CardInputs()
    agreement = stored.agreement
    latest = rows[-1] if rows else None
    review = None
    if inputs.now is not None:
        today = from_us(inputs.now, ZoneInfo(agreement.timezone)).date()
        review = review_notice(agreement, inputs.held, today, t)
    return {
        "failure": failure_notice(inputs.health, agreement.timezone, t),
        "id": stored.id,
        "title": stored.title,
        "version": stored.version,
        "url": f"/agreements/{quote(stored.id)}",
        "as_of": (zoned_text(latest.as_of, agreement.timezone, t) if latest is not None else None),
        "review": review,
        "reviews_url": f"/agreements/{quote(stored.id)}/reviews",
        "verdict": verdict_of(stored, rows, inputs, t),
        "credits_url": f"/agreements/{quote(stored.id)}/credits",
        "objectives": [
            objective_card(stored, objective_id, rows, t) for objective_id in agreement.objectives
        ],
    }


def queue_rows(
    connection: Connection, agreements: Sequence[StoredAgreement], t: Translator, *, now: int
) -> list[dict[str, Any]]:
    """Return the open item clocks of all agreements, the least time left first."""
    by_id = {stored.id: stored for stored in agreements}
    clocks = at_risk_queue(connection, limit=QUEUE_LIMIT)
    lines = []
    for clock in sorted(clocks, key=lambda c: (c.deadline is None, c.deadline or 0)):
        stored = by_id.get(clock.agreement_id)
        if stored is None or clock.deadline is None:
            continue
        definition = stored.agreement.objectives.get(clock.objective)
        deadline = from_us(clock.deadline, dt.UTC)
        lines.append(
            {
                "agreement": stored.title,
                "agreement_url": f"/agreements/{quote(stored.id)}",
                "objective": definition.title if definition is not None else clock.objective,
                "objective_url": objective_url(stored.id, clock.objective),
                "item": clock.external_id,
                "source": clock.source,
                "item_url": item_url(clock.source, clock.external_id),
                "state": clock.state,
                "state_text": clock_state_text(clock.state, t),
                "deadline": zoned_text(deadline, stored.agreement.timezone, t),
                "deadline_iso": deadline.isoformat().replace("+00:00", "Z"),
                "left": time_left_text((clock.deadline - now) / 1_000_000, t),
                "live": clock.state != "paused",
            }
        )
    return lines


def statements_of(
    connection: Connection, stored: StoredAgreement, period: str
) -> list[IssuedStatement] | None:
    """Return a closed period's issued statements; None when the agreement grants no credits."""
    if stored.agreement.credits is None:
        return None
    return issued_statements(connection, stored.id, period)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, principal: Reader, now: Now) -> HTMLResponse:
    """Show every agreement's scorecard and the queue of items at risk."""
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        agreements = current_agreements(connection)
        failing = failing_agreements(connection)
        held = held_dates(connection)
        cards = []
        for stored in agreements:
            inputs = CardInputs(
                health=failing.get(stored.id),
                held=held.get(stored.id, []),
                statements=partial(statements_of, connection, stored),
                now=now,
            )
            rows = latest_results(connection, stored.id, HISTORY_PERIODS)
            cards.append(scorecard(stored, rows, t, inputs=inputs))
        queue = queue_rows(connection, agreements, t, now=now)
    return render(
        request,
        "home.html",
        {"cards": cards, "queue": queue, "queue_limit": QUEUE_LIMIT},
        principal,
    )


@router.get("/queue", response_class=HTMLResponse)
def queue_fragment(request: Request, principal: Reader, now: Now) -> HTMLResponse:
    """Return the at-risk queue alone: the overview swaps it in every minute."""
    t = page_translator(request, principal)
    with read_transaction(engine_of(request)) as connection:
        agreements = current_agreements(connection)
        queue = queue_rows(connection, agreements, t, now=now)
    return render(
        request, "overview/queue.html", {"queue": queue, "queue_limit": QUEUE_LIMIT}, principal
    )
