"""Notify of an escalation step: the tier's contact, the step's facts, its queued messages.

The message says what the escalation is about (an item's clock, a period's figures) and links
to it; who gets it and how is `recipients.py`'s, queueing it `outbox.py`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement, DurationUnit
from slawatch.alerts.messages import (
    ClockFigures,
    PeriodFigures,
    StepFacts,
    step_message,
)
from slawatch.alerts.outbox import LadderStep, enqueue_step_messages
from slawatch.alerts.recipients import contact_at_tier, recipients_for
from slawatch.config import Settings, get_settings
from slawatch.engine.instants import US
from slawatch.engine.kinds import clocked
from slawatch.engine.kinds.base import TimedObjective
from slawatch.store.agreements import get_version
from slawatch.store.deliveries import EscalationSubject, escalation_subject
from slawatch.store.results import stored_result

log = logging.getLogger("slawatch.alerts")


def _contact(agreement: Agreement, party: str, tier: int) -> str | None:
    found = agreement.parties.get(party)
    return contact_at_tier(found.contacts if found else (), tier)


def _clock(subject: EscalationSubject, objective: TimedObjective) -> ClockFigures | None:
    elapsed = (
        subject.elapsed_us if subject.elapsed_us is not None else subject.detail.get("elapsed_us")
    )
    if elapsed is None:
        return None
    deadline = subject.deadline if subject.deadline is not None else subject.detail.get("deadline")
    within = objective.within
    days = within.unit is DurationUnit.BUSINESS_DAYS
    return ClockFigures(
        elapsed_seconds=int(elapsed) / US,
        allowance_seconds=None if days else float(within.amount),
        allowance_business_days=within.amount if days else None,
        deadline=None if deadline is None else int(deadline),
    )


def _figures(connection: Connection, subject: EscalationSubject) -> PeriodFigures | None:
    """Return the period's figures: its stored result's, else those kept with the escalation."""
    stored = (
        stored_result(connection, subject.agreement_id, subject.period) if subject.period else None
    )
    result = None if stored is None else stored.result(subject.objective)
    if result is None:
        return _kept_figures(subject.detail)
    return PeriodFigures(
        kind=result.kind,
        value=result.value,
        target=float(result.target),
        op=result.op.value,
        status=result.status.value,
    )


def _kept_figures(detail: Mapping[str, Any]) -> PeriodFigures | None:
    """Read the figures `triggers.period_detail` keeps with a period escalation; None without."""
    if any(detail.get(key) is None for key in ("kind", "target", "op")):
        return None
    value = detail.get("value")
    return PeriodFigures(
        kind=str(detail["kind"]),
        value=None if value is None else float(value),
        target=float(detail["target"]),
        op=str(detail["op"]),
        status=None if detail.get("status") is None else str(detail["status"]),
    )


def step_facts(
    connection: Connection,
    subject: EscalationSubject,
    agreement: Agreement,
    tier: int,
    base_url: str,
) -> StepFacts:
    """Look up what the message of an escalation step says: subject, numbers and link."""
    objective = agreement.objectives.get(subject.objective)
    item = None
    if subject.item_source is not None:
        item = f"{subject.item_source}/{subject.item_external_id}"
    clock = None
    timed = None if objective is None else clocked(objective)
    if item is not None and timed is not None:
        clock = _clock(subject, timed)
    return StepFacts(
        agreement_title=agreement.title,
        objective_title=objective.title if objective else subject.objective,
        trigger=subject.trigger,
        tier=tier,
        zone=agreement.timezone,
        link=f"{base_url.rstrip('/')}/escalations/{subject.id}",
        item=item,
        period=subject.period if item is None else None,
        clock=clock,
        figures=None if item is not None else _figures(connection, subject),
    )


def enqueue_step(
    connection: Connection, step: LadderStep, *, settings: Settings | None = None
) -> int:
    """Queue the messages of one escalation step; return how many rows this call added.

    The tier's contact is the party's contacts[tier - 1] (the last one if there are fewer).
    It runs in the caller's transaction, so the messages exist exactly when the step does.
    """
    settings = settings or get_settings()
    escalation_id, tier = step.escalation_id, step.tier
    subject = escalation_subject(connection, escalation_id)
    stored = get_version(connection, subject.agreement_id) if subject else None
    if subject is None or stored is None:
        log.warning("escalation %s has no agreement to notify about", escalation_id)
        return 0
    agreement = stored.agreement
    contact = _contact(agreement, subject.party, tier)
    party_target = f"{agreement.id}:{subject.party}"
    facts = step_facts(connection, subject, agreement, tier, settings.base_url)
    return enqueue_step_messages(
        connection,
        recipients_for(connection, contact, party_target, settings),
        lambda language: step_message(facts, language),
        step,
    )
