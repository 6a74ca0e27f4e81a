"""Run an incident of the emergency plan: open it, notify, acknowledge and check off steps, close.

Every change is a row of the incident's timeline and an audit entry, written in the caller's
transaction together with the messages it queues, so a change and its messages exist together
or not at all. Emergency messages go at once: they skip digests and quiet hours (an outage does
not wait for office hours), and a second replica queueing the same message adds nothing.
The plan is kept with the incident as it stood at opening; a later version of the agreement
changes the next incident, not a running one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement, EmergencyPlan
from slawatch.alerts.incident_messages import IncidentFacts, PlannedStep, opened_message
from slawatch.alerts.outbox import NO_ROUTE, url_hash
from slawatch.alerts.recipients import Recipient, recipients_for
from slawatch.config import Settings
from slawatch.engine.instants import US, from_us
from slawatch.engine.periods import periods_between
from slawatch.store import audit
from slawatch.store.agreements import StoredAgreement
from slawatch.store.deliveries import queue_delivery
from slawatch.store.incidents import (
    Incident,
    NewIncident,
    TimelineEntry,
    add_entry,
    close_incident,
    open_incident,
    parties_of_user,
)

SYSTEM = "slawatch"
ACKNOWLEDGED, CHECKED, ESCALATED = "acknowledged", "checked", "escalated"


class IncidentRefusedError(Exception):
    """An action the incident's state does not allow; the message says why and what to do."""

    def __init__(self, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict  # True: someone got there first (HTTP 409), else 422


def plan_snapshot(plan: EmergencyPlan) -> dict[str, Any]:
    """Return the plan as kept with an incident: steps, contacts and paused objectives."""
    return {
        "steps": [
            {
                "do": s.do,
                "owner": s.owner,
                "within": s.within.text,
                "within_us": s.within.seconds * US,
            }
            for s in plan.steps
        ],
        "contacts": list(plan.contacts),
        "pause": list(plan.pause),
    }


@dataclass(frozen=True)
class StepStatus:
    """One step of an incident, as its timeline tells it."""

    number: int
    do: str
    owner: str
    within: str
    due_at: int
    acknowledged: TimelineEntry | None
    checked: TimelineEntry | None
    tier: int  # the highest tier its overdue ladder reached; 0 when it never escalated

    def overdue(self, now: int) -> bool:
        return self.checked is None and now >= self.due_at


def step_statuses(incident: Incident) -> list[StepStatus]:
    """Return each planned step with who acknowledged and checked it off, and its ladder tier."""
    statuses = []
    for number, step in enumerate(incident.plan.get("steps", []), start=1):
        entries = [e for e in incident.timeline if e.step == number]
        statuses.append(
            StepStatus(
                number=number,
                do=str(step["do"]),
                owner=str(step["owner"]),
                within=str(step["within"]),
                due_at=incident.started_at + int(step["within_us"]),
                acknowledged=next((e for e in entries if e.action == ACKNOWLEDGED), None),
                checked=next((e for e in entries if e.action == CHECKED), None),
                tier=max((e.tier for e in entries if e.action == ESCALATED), default=0),
            )
        )
    return statuses


def facts_of(agreement: Agreement, incident: Incident, base_url: str) -> IncidentFacts:
    """Look up what an incident's messages say: its steps with party names, the link."""
    party_name = {p.id: p.name for p in agreement.parties.values()}
    objective_title = {o.id: o.title for o in agreement.objectives.values()}
    return IncidentFacts(
        agreement_title=agreement.title,
        title=incident.title,
        trigger=incident.trigger,
        started_at=incident.started_at,
        zone=agreement.timezone,
        link=f"{base_url.rstrip('/')}/agreements/{agreement.id}/incidents/{incident.id}",
        steps=tuple(
            PlannedStep(s.number, s.do, party_name.get(s.owner, s.owner), s.within)
            for s in step_statuses(incident)
        ),
        paused=tuple(objective_title.get(o, o) for o in incident.plan.get("pause", [])),
    )


def queue_messages(
    connection: Connection,
    recipients: list[Recipient],
    key: str,
    compose: Any,
    *,
    now: int,
) -> int:
    """Queue one message per recipient in its language, at once; return how many were new."""
    added = 0
    for recipient in recipients:
        message = compose(recipient.language)
        hashed = url_hash(recipient.url) if recipient.url else "none"
        queued = queue_delivery(
            connection,
            dedup_key=f"{key}:{recipient.target}:{hashed}",
            recipient=recipient.target,
            url=recipient.url,
            language=recipient.language,
            title=message.title,
            body=message.body,
            now=now,
            failed_because=None if recipient.url else NO_ROUTE,
        )
        added += queued is not None
    return added


def notify_contacts(
    connection: Connection,
    agreement: Agreement,
    incident: Incident,
    *,
    now: int,
    settings: Settings,
) -> int:
    """Tell the plan's contacts the incident opened, once (the timeline's `notified` entry)."""
    contacts = list(incident.plan.get("contacts", []))
    if not add_entry(
        connection,
        incident.id,
        at=now,
        action="notified",
        actor=SYSTEM,
        comment=", ".join(contacts),
    ):
        return 0
    facts = facts_of(agreement, incident, settings.base_url)
    added = 0
    for contact in contacts:
        added += queue_messages(
            connection,
            recipients_for(connection, contact, None, settings),
            f"incident:{incident.id}:opened",
            lambda language: opened_message(facts, language),
            now=now,
        )
    return added


def declare_incident(
    connection: Connection,
    stored: StoredAgreement,
    *,
    title: str,
    started_at: int,
    actor: str,
    now: int,
    settings: Settings,
    trigger: str = "declared",
    trigger_key: str | None = None,
) -> Incident | None:
    """Open an incident of the agreement's plan and notify its contacts; None if it was open.

    `trigger_key` makes an automatic trigger open one incident per cause (an outage); a
    declaration by hand always opens a new one.
    """
    plan = stored.agreement.emergency
    if plan is None:
        raise IncidentRefusedError(
            f"agreement {stored.id} has no emergency plan; add an `emergency:` section first"
        )
    new = NewIncident(
        agreement_id=stored.id,
        trigger=trigger,
        trigger_key=trigger_key or f"declared:{uuid.uuid4().hex}",
        title=title,
        started_at=started_at,
        declared_by=actor,
        version=stored.version,
        plan=plan_snapshot(plan),
    )
    incident_id = open_incident(connection, new, now=now)
    if incident_id is None:
        return None
    incident = Incident(id=incident_id, **vars(new))
    audit.record(
        connection,
        actor=actor,
        action="incident.open",
        subject=f"incident:{stored.id}:{incident_id}",
        trigger=trigger,
        title=title,
        started_at=started_at,
    )
    notify_contacts(connection, stored.agreement, incident, now=now, settings=settings)
    return incident


def may_act_on_step(
    connection: Connection, agreement: Agreement, party: str, email: str, *, admin: bool
) -> bool:
    """Say whether a user may acknowledge or check off a step of `party`: its people, or admins.

    A party's people are its contacts and the directory's persons of that party.
    """
    if admin:
        return True
    found = agreement.parties.get(party)
    if found is not None and email.casefold() in {c.casefold() for c in found.contacts}:
        return True
    return party in parties_of_user(connection, email, agreement.id)


def act_on_step(
    connection: Connection,
    incident: Incident,
    step: StepStatus,
    *,
    action: str,
    actor: str,
    now: int,
    comment: str | None = None,
) -> None:
    """Acknowledge or check off a step; refuse what was done already or a closed incident."""
    if not incident.open:
        raise IncidentRefusedError(f"incident {incident.id} is closed; its steps no longer change")
    done = step.acknowledged if action == ACKNOWLEDGED else step.checked
    if done is None and action == ACKNOWLEDGED and step.checked is not None:
        done = step.checked  # a step checked off needs no acknowledgement any more
    if done is not None or not add_entry(
        connection,
        incident.id,
        at=now,
        action=action,
        actor=actor,
        step=step.number,
        comment=comment,
    ):
        who = f" by {done.actor}" if done is not None else ""
        raise IncidentRefusedError(f"step {step.number} is already {action}{who}", conflict=True)
    audit.record(
        connection,
        actor=actor,
        action=f"incident.step.{action}",
        subject=f"incident:{incident.agreement_id}:{incident.id}",
        step=step.number,
        comment=comment,
    )


def close(connection: Connection, incident: Incident, *, note: str, actor: str, now: int) -> None:
    """Close the incident with its post-incident note, which the next review shows."""
    if not note.strip():
        raise IncidentRefusedError("note: closing an incident needs a post-incident note")
    if not close_incident(connection, incident.id, at=now, actor=actor, note=note.strip()):
        raise IncidentRefusedError(f"incident {incident.id} is already closed", conflict=True)
    audit.record(
        connection,
        actor=actor,
        action="incident.close",
        subject=f"incident:{incident.agreement_id}:{incident.id}",
        note=note.strip(),
    )


DAY_US = 86_400 * US


def earliest_start(agreement: Agreement, now: int) -> int:
    """Return the earliest instant an incident declared at `now` may have begun (sealed history).

    An incident pauses the running period's clocks, never a closed period's: it may begin no
    earlier than the start of the running period of each objective it pauses, and without any
    at most a day ago. A declaration by hand is live, so this only bounds a late one.
    """
    plan = agreement.emergency
    zone = ZoneInfo(agreement.timezone)
    today = from_us(now, zone).date()
    starts = [
        periods_between(agreement.objectives[objective].period, today, today, zone)[0].start
        for objective in (plan.pause if plan else ())
        if objective in agreement.objectives
    ]
    return max(starts) if starts else now - DAY_US


def add_note(
    connection: Connection, incident: Incident, *, text: str, actor: str, now: int
) -> None:
    """Add a note to the timeline (the n-th note is kept with tier n, so none is lost)."""
    if not incident.open:
        raise IncidentRefusedError(f"incident {incident.id} is closed; its note is final")
    notes = sum(1 for entry in incident.timeline if entry.action == "note")
    for number in range(notes + 1, notes + 100):
        if add_entry(
            connection, incident.id, at=now, action="note", actor=actor, tier=number, comment=text
        ):
            return
    raise IncidentRefusedError("too many notes at once; try again", conflict=True)
