"""The incident tick: open incidents for the plans' triggers, and escalate overdue steps.

One replica at a time runs it, holding the lease "incidents"; as with the escalation tick the
lease is an optimisation and the unique keys are the guarantee: an outage opens one incident
(`service-down:<objective>:<item>:<outage start>`), a silent feed one per silence
(`feed-silent:<event type>:<its last event>`), and every ladder step of an overdue step is one
timeline row, written in the transaction that queues its messages.

An overdue step climbs the agreement's `escalation:` ladder like an item, measured in wall-clock
time from the step's deadline: tier 1 of its owner party first, then the department head and
management. It stops once the step is checked off or the incident is closed; an acknowledgement
alone does not stop it, since the step is still not done. Without a ladder, tier 1 is told once.

Each agreement is handled in its own transaction: one agreement's failure is logged and the
others go on.

The silent-feed trigger is a hook: `silent_feeds(connection, stored, now)` returns the event
types whose feed is silent now (the `expect:` detection); without it feed-silent triggers
wait. `open_for_silent_feeds` is what it feeds, callable on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement
from slawatch.alerts.escalation import (
    Condition,
    EscalationState,
    Notify,
    Rung,
    due_actions,
    ladder_of,
)
from slawatch.alerts.incident_messages import PlannedStep, overdue_message
from slawatch.alerts.incidents import (
    ESCALATED,
    SYSTEM,
    declare_incident,
    facts_of,
    queue_messages,
    step_statuses,
)
from slawatch.alerts.recipients import contact_at_tier, recipients_for
from slawatch.config import Settings
from slawatch.engine.instants import US
from slawatch.metrics import record_background_failure
from slawatch.store.agreements import StoredAgreement, current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.incidents import (
    Incident,
    add_entry,
    last_event_at,
    open_incidents,
    open_outages,
)
from slawatch.store.leases import release_lease, take_lease

log = logging.getLogger("slawatch.alerts")
LEASE = "incidents"
LEASE_US = 300 * US
ONCE = (Rung(after_us=0, tier=1),)  # the owner party's tier 1, once, without a ladder

# (connection, agreement, now) → the event types whose feed is silent now.
SilentFeeds = Callable[[Connection, StoredAgreement, int], Collection[str]]


@dataclass
class IncidentTickReport:
    ran: bool = False
    opened: int = 0
    escalated: int = 0
    failed_agreements: list[str] = field(default_factory=list)


def open_for_outages(
    connection: Connection, stored: StoredAgreement, *, now: int, since: int, settings: Settings
) -> int:
    """Open an incident per open outage of a `service-down` trigger's services (begun since)."""
    plan = stored.agreement.emergency
    opened = 0
    for trigger in plan.triggers if plan else ():
        objective = stored.agreement.objectives.get(trigger.objective or "")
        if trigger.kind != "service-down" or objective is None:
            continue
        down, up = getattr(objective, "down", "down"), getattr(objective, "up", "up")
        outages = open_outages(
            connection, down=down, up=up, external_id=trigger.service, since=since
        )
        for outage in outages:
            incident = declare_incident(
                connection,
                stored,
                title=f"{objective.title}: {outage.external_id} is down",
                started_at=outage.began_at,
                actor=SYSTEM,
                now=now,
                settings=settings,
                trigger="service-down",
                trigger_key=f"service-down:{objective.id}:{outage.item_id}:{outage.began_at}",
            )
            opened += incident is not None
    return opened


def open_for_silent_feeds(
    connection: Connection,
    stored: StoredAgreement,
    silent: Collection[str],
    *,
    now: int,
    settings: Settings,
) -> int:
    """Open an incident per `feed-silent` trigger whose event type is in `silent`.

    One incident per silence: its key names the feed's last event before it fell silent.
    """
    plan = stored.agreement.emergency
    opened = 0
    for trigger in plan.triggers if plan else ():
        if trigger.kind != "feed-silent" or trigger.event is None or trigger.event not in silent:
            continue
        last = last_event_at(connection, trigger.event)
        incident = declare_incident(
            connection,
            stored,
            title=f"The {trigger.event} feed is silent",
            started_at=now,
            actor=SYSTEM,
            now=now,
            settings=settings,
            trigger="feed-silent",
            trigger_key=f"feed-silent:{trigger.event}:{last if last is not None else 'never'}",
        )
        opened += incident is not None
    return opened


def escalate_overdue_steps(
    connection: Connection,
    agreement: Agreement,
    incident: Incident,
    *,
    now: int,
    settings: Settings,
) -> int:
    """Take the ladder steps that fell due for the incident's overdue steps; return how many."""
    rungs = ladder_of(agreement.escalation) or ONCE
    facts = facts_of(agreement, incident, settings.base_url)
    taken = 0
    for status in step_statuses(incident):
        if not status.overdue(now):
            continue
        state = EscalationState(
            opened_at=status.due_at,
            steps_taken=sum(1 for rung in rungs if rung.tier <= status.tier),
            tier=status.tier,
        )
        for action in due_actions(state, rungs, Condition.BAD, now):
            if not isinstance(action, Notify) or not add_entry(
                connection,
                incident.id,
                at=now,
                action=ESCALATED,
                actor=SYSTEM,
                step=status.number,
                tier=action.tier,
            ):
                continue
            taken += 1
            party = agreement.parties.get(status.owner)
            contact = contact_at_tier(party.contacts if party else (), action.tier)
            step = PlannedStep(status.number, status.do, party.name if party else "", status.within)
            queue_messages(
                connection,
                recipients_for(connection, contact, f"{agreement.id}:{status.owner}", settings),
                f"incident:{incident.id}:step:{status.number}:tier:{action.tier}",
                lambda language, s=step, a=action: overdue_message(facts, s, a.tier, language),
                now=now,
            )
    return taken


def run_incident_tick(
    engine: Engine,
    *,
    now: int,
    owner: str,
    settings: Settings,
    silent_feeds: SilentFeeds | None = None,
    lease_us: int = LEASE_US,
) -> IncidentTickReport:
    """Run one round at `now` if this process gets the lease; report what it did."""
    with transaction(engine) as connection:
        if not take_lease(connection, LEASE, owner, now, now + lease_us):
            return IncidentTickReport()
    report = IncidentTickReport(ran=True)
    try:
        with read_transaction(engine) as connection:
            stored_all = [s for s in current_agreements(connection) if s.agreement.emergency]
        since = now - settings.alert_lookback_days * 86_400 * US
        for stored in stored_all:
            try:
                _one_agreement(engine, stored, report, now, since, settings, silent_feeds)
            except Exception:  # one agreement's failure must not stop the others
                log.exception("%s: the incident tick failed; the others go on", stored.id)
                record_background_failure("incident tick", stored.id)
                report.failed_agreements.append(stored.id)
        return report
    finally:
        with transaction(engine) as connection:
            release_lease(connection, LEASE, owner)


def _one_agreement(
    engine: Engine,
    stored: StoredAgreement,
    report: IncidentTickReport,
    now: int,
    since: int,
    settings: Settings,
    silent_feeds: SilentFeeds | None,
) -> None:
    with transaction(engine) as connection:
        report.opened += open_for_outages(
            connection, stored, now=now, since=since, settings=settings
        )
        if silent_feeds is not None:
            silent = silent_feeds(connection, stored, now)
            report.opened += open_for_silent_feeds(
                connection, stored, silent, now=now, settings=settings
            )
        for incident in open_incidents(connection, stored.id):
            report.escalated += escalate_overdue_steps(
                connection, stored.agreement, incident, now=now, settings=settings
            )
