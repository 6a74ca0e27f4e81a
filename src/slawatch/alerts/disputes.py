"""The disputes' periodic climb: take each due ladder step once and queue its messages.

One replica at a time climbs, holding the lease "disputes"; as for escalations the lease is an
optimisation, and the guarantee is the unique (dispute, step) key of the timeline: a step and
its messages are written in one transaction, so they exist together, once. Each dispute is
climbed in a transaction of its own, so one failure (a broken route) holds back no other.

A step notifies the step's tier of every party of the agreement: a dispute concerns both
sides, and each side's employee, department head and management hear of it in turn.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, Engine

from slawatch.agreements.disputes import dispute_rules
from slawatch.agreements.model import Agreement, Calendar
from slawatch.alerts import outbox
from slawatch.alerts.dispute_messages import (
    DisputeFacts,
    decided_message,
    escalated_message,
    overdue_message,
)
from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import About, Enqueue, Outgoing, url_hash
from slawatch.alerts.recipients import contact_at_tier, recipients_for
from slawatch.config import Settings
from slawatch.engine.calendar import WorkingCalendar
from slawatch.engine.dispute_ladder import (
    OVERDUE,
    DisputeStep,
    deadline_of,
    due_steps,
    next_due,
    schedule,
)
from slawatch.engine.instants import US
from slawatch.metrics import record_background_failure
from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.disputes import (
    Dispute,
    due_disputes,
    get_dispute,
    set_next_step_at,
    take_step,
)
from slawatch.store.leases import release_lease, take_lease

log = logging.getLogger("slawatch.alerts")
LEASE = "disputes"
LEASE_US = 300 * US
TRIGGER = "dispute"


class _LockedCalendar:
    """A shared WorkingCalendar: it grows its tables on demand, so threads take turns."""

    def __init__(self, spec: Calendar) -> None:
        self.calendar = WorkingCalendar(spec)
        self.lock = threading.Lock()


@lru_cache(maxsize=64)
def _calendar(spec: Calendar) -> _LockedCalendar:
    return _LockedCalendar(spec)


def dispute_schedule(agreement: Agreement, opened_at: int) -> list[DisputeStep]:
    """Return a dispute's ladder steps and deadline under the agreement's rules."""
    rules = dispute_rules(agreement)
    ladder = rules.ladder or ()
    spec = agreement.calendars.get(rules.calendar) if rules.calendar else None
    if spec is None:
        return schedule(opened_at, ladder, rules.resolve_within, None)
    shared = _calendar(spec)
    with shared.lock:
        return schedule(opened_at, ladder, rules.resolve_within, shared.calendar)


def facts_of(agreement: Agreement, dispute: Dispute, base_url: str) -> DisputeFacts:
    """Look up what a dispute's messages say (names and titles from the agreement)."""
    objective = agreement.objectives.get(dispute.objective or "")
    party = agreement.parties.get(dispute.party or "")
    disputing = agreement.parties.get(dispute.disputing_party)
    return DisputeFacts(
        dispute_id=dispute.id,
        agreement_title=agreement.title,
        title=dispute.title,
        disputing_party=disputing.name if disputing else dispute.disputing_party,
        subject=dispute.subject,
        zone=agreement.timezone,
        deadline=deadline_of(dispute_schedule(agreement, dispute.opened_at)),
        link=f"{base_url.rstrip('/')}/agreements/{agreement.id}/disputes/{dispute.id}",
        objective_title=objective.title if objective else dispute.objective,
        item=dispute.item,
        period=dispute.period,
        party=party.name if party else dispute.party,
    )


def queue_messages(
    connection: Connection,
    agreement: Agreement,
    dispute: Dispute,
    *,
    key: str,
    tier: int,
    message_for: Callable[[str], Message],
    now: int,
    settings: Settings,
    enqueue: Enqueue | None = None,
) -> int:
    """Queue a message to tier `tier` of every party, each in its language; return how many."""
    objective = dispute.objective if dispute.objective in agreement.objectives else None
    subject = About(TRIGGER, agreement, objective)
    queued = 0
    seen: set[tuple[str, str]] = set()  # management is often one person for both parties
    for party in agreement.parties.values():
        contact = contact_at_tier(party.contacts, tier)
        found = recipients_for(connection, contact, f"{agreement.id}:{party.id}", settings)
        for recipient in found:
            if (recipient.target, recipient.url) in seen:
                continue
            seen.add((recipient.target, recipient.url))
            message = message_for(recipient.language)
            hashed = url_hash(recipient.url) if recipient.url else "none"
            outgoing = Outgoing(
                key=f"dispute:{dispute.id}:{key}:{recipient.target}:{hashed}",
                recipient=recipient,
                title=message.title,
                body=message.body,
                queued_at=now,
                tier=tier,
                trigger=TRIGGER,
            )
            if enqueue is not None:
                queued += enqueue(connection, outgoing)
            else:
                queued += outbox.enqueue(connection, outgoing, subject)
    return queued


def queue_decision(
    connection: Connection,
    agreement: Agreement,
    dispute: Dispute,
    *,
    settings: Settings,
    now: int,
    enqueue: Enqueue | None = None,
) -> int:
    """Queue the decision's message to every party's first contact, in the caller's transaction."""
    facts = facts_of(agreement, dispute, settings.base_url)

    def message(language: str) -> Message:
        return decided_message(
            facts,
            upheld=dispute.status == "upheld",
            reason=dispute.decision_reason or "",
            by=dispute.decided_by or "",
            language=language,
        )

    return queue_messages(
        connection, agreement, dispute, key="decided", tier=1, message_for=message,
        now=now, settings=settings, enqueue=enqueue,
    )  # fmt: skip


@dataclass
class ClimbReport:
    """What one round did; `ran` is False when another replica held the lease."""

    ran: bool = False
    steps: int = 0
    messages: int = 0
    failed: int = 0


def climb_disputes(
    engine: Engine,
    *,
    now: int,
    owner: str,
    settings: Settings,
    enqueue: Enqueue | None = None,
    lease_us: int = LEASE_US,
) -> ClimbReport:
    """Take every due step of every open dispute at `now`, if this process gets the lease."""
    with transaction(engine) as connection:
        if not take_lease(connection, LEASE, owner, now, now + lease_us):
            return ClimbReport()
    report = ClimbReport(ran=True)
    try:
        with read_transaction(engine) as connection:
            due = due_disputes(connection, now)
            agreements = {s.id: s.agreement for s in current_agreements(connection)}
        for dispute in due:
            agreement = agreements.get(dispute.agreement_id)
            if agreement is None:
                continue
            try:
                with transaction(engine) as connection:
                    _climb(connection, agreement, dispute.id, now, settings, enqueue, report)
            except Exception:  # one dispute's failure must not hold back the others
                log.exception("dispute %s: step failed; retrying next round", dispute.id)
                record_background_failure("dispute", dispute.agreement_id)
                report.failed += 1
    finally:
        with transaction(engine) as connection:
            release_lease(connection, LEASE, owner)
    return report


def _climb(
    connection: Connection,
    agreement: Agreement,
    dispute_id: int,
    now: int,
    settings: Settings,
    enqueue: Enqueue | None,
    report: ClimbReport,
) -> None:
    dispute = get_dispute(connection, agreement.id, dispute_id)
    if dispute is None or not dispute.is_open:
        return
    steps = dispute_schedule(agreement, dispute.opened_at)
    taken = {e.step for e in dispute.entries if e.step}
    facts = facts_of(agreement, dispute, settings.base_url)
    for step in due_steps(steps, taken, now, decided=False):
        kind = "overdue" if step.key == OVERDUE else "escalated"
        if take_step(connection, dispute.id, step=step.key, kind=kind, tier=step.tier, now=now):
            report.steps += 1

            def message(
                language: str, tier: int = step.tier, overdue: bool = kind == "overdue"
            ) -> Message:
                if overdue:
                    return overdue_message(facts, language)
                return escalated_message(facts, tier, language)

            report.messages += queue_messages(
                connection, agreement, dispute, key=step.key, tier=step.tier,
                message_for=message, now=now, settings=settings, enqueue=enqueue,
            )  # fmt: skip
        taken.add(step.key)
    set_next_step_at(connection, dispute.id, next_due(steps, taken))


def _step_message(facts: DisputeFacts, step: DisputeStep) -> Callable[[str], Message]:
    def message(language: str) -> Message:
        if step.key == OVERDUE:
            return overdue_message(facts, language)
        return escalated_message(facts, step.tier, language)

    return message


class DisputeClimber:
    """Run `climb_disputes` at the current time as this process, for the background runner."""

    def __init__(self, engine: Engine, settings: Settings, owner: str, now: Callable[[], int]):
        self.engine = engine
        self.settings = settings
        self.owner = owner
        self.now = now

    def climb(self) -> ClimbReport:
        return climb_disputes(self.engine, now=self.now(), owner=self.owner, settings=self.settings)
