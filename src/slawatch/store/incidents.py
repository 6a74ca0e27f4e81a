"""Stored incidents of the emergency plan and their timeline; all SQL about them lives here.

An incident row is opened once per trigger key (a second replica's insert is a no-op) and
closed once, by a conditional UPDATE; everything in between is a row of its timeline, only
ever appended to, one per (action, step, tier), so an acknowledgement or a ladder step taken
twice by two replicas or two people is recorded once, and the first one wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Insert, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.engine.incidents import IncidentWindow
from slawatch.store.schema import (
    evaluation_state,
    events,
    incident_timeline,
    incidents,
    items,
    people,
)

INCIDENT = 0  # the step number of the incident itself in the timeline


@dataclass(frozen=True)
class TimelineEntry:
    at: int
    action: str  # opened | notified | acknowledged | checked | escalated | closed
    step: int
    tier: int
    actor: str
    comment: str | None = None


@dataclass(frozen=True)
class Incident:
    id: int
    agreement_id: str
    trigger: str
    trigger_key: str
    title: str
    started_at: int
    declared_by: str
    version: int
    plan: dict[str, Any]
    closed_at: int | None = None
    closed_by: str | None = None
    note: str | None = None
    timeline: tuple[TimelineEntry, ...] = field(default=())

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def window(self) -> IncidentWindow:
        return IncidentWindow(self.started_at, self.closed_at)


@dataclass(frozen=True)
class NewIncident:
    agreement_id: str
    trigger: str
    trigger_key: str
    title: str
    started_at: int
    declared_by: str
    version: int
    plan: dict[str, Any]


def _ignoring_conflict(connection: Connection, table: Any) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(table).on_conflict_do_nothing()
    return statement


def open_incident(connection: Connection, new: NewIncident, *, now: int) -> int | None:
    """Open an incident and its first timeline entry; None if its trigger key opened one."""
    row = connection.execute(
        _ignoring_conflict(connection, incidents)
        .values(
            agreement_id=new.agreement_id,
            trigger=new.trigger,
            trigger_key=new.trigger_key,
            title=new.title,
            started_at=new.started_at,
            declared_by=new.declared_by,
            version=new.version,
            plan=new.plan,
        )
        .returning(incidents.c.id)
    ).first()
    if row is None:
        return None
    incident_id = int(row.id)
    add_entry(connection, incident_id, at=now, action="opened", actor=new.declared_by)
    want_evaluation(connection, new.agreement_id)
    return incident_id


def add_entry(
    connection: Connection,
    incident_id: int,
    *,
    at: int,
    action: str,
    actor: str,
    step: int = INCIDENT,
    tier: int = 0,
    comment: str | None = None,
) -> bool:
    """Append one timeline entry; False if the same action on the same step was there."""
    row = connection.execute(
        _ignoring_conflict(connection, incident_timeline)
        .values(
            incident_id=incident_id,
            at=at,
            action=action,
            step=step,
            tier=tier,
            actor=actor,
            comment=comment,
        )
        .returning(incident_timeline.c.id)
    ).first()
    return row is not None


def close_incident(
    connection: Connection, incident_id: int, *, at: int, actor: str, note: str
) -> bool:
    """Close an open incident with its post-incident note; False if it was closed already."""
    closed = connection.execute(
        update(incidents)
        .where(incidents.c.id == incident_id, incidents.c.closed_at.is_(None))
        .values(closed_at=at, closed_by=actor, note=note)
        .returning(incidents.c.agreement_id)
    ).first()
    if closed is None:
        return False
    add_entry(connection, incident_id, at=at, action="closed", actor=actor, comment=note)
    want_evaluation(connection, str(closed.agreement_id))
    return True


def want_evaluation(connection: Connection, agreement_id: str) -> None:
    """Mark the agreement's results as wanted again: an incident moves its paused clocks."""
    connection.execute(
        update(evaluation_state)
        .where(evaluation_state.c.agreement_id == agreement_id)
        .values(wanted=evaluation_state.c.wanted + 1)
    )


def _incident(row: Any, timeline: Sequence[TimelineEntry] = ()) -> Incident:
    return Incident(
        id=int(row.id),
        agreement_id=row.agreement_id,
        trigger=row.trigger,
        trigger_key=row.trigger_key,
        title=row.title,
        started_at=int(row.started_at),
        declared_by=row.declared_by,
        version=int(row.version),
        plan=dict(row.plan or {}),
        closed_at=None if row.closed_at is None else int(row.closed_at),
        closed_by=row.closed_by,
        note=row.note,
        timeline=tuple(timeline),
    )


def timeline_of(connection: Connection, incident_id: int) -> list[TimelineEntry]:
    query = (
        select(incident_timeline)
        .where(incident_timeline.c.incident_id == incident_id)
        .order_by(incident_timeline.c.at, incident_timeline.c.id)
    )
    return [
        TimelineEntry(int(r.at), r.action, int(r.step), int(r.tier), r.actor, r.comment)
        for r in connection.execute(query)
    ]


def get_incident(connection: Connection, agreement_id: str, incident_id: int) -> Incident | None:
    """Return one incident of the agreement with its timeline, or None."""
    row = connection.execute(
        select(incidents).where(
            incidents.c.id == incident_id, incidents.c.agreement_id == agreement_id
        )
    ).first()
    return None if row is None else _incident(row, timeline_of(connection, incident_id))


def list_incidents(
    connection: Connection, agreement_id: str, *, limit: int = 200
) -> list[Incident]:
    """Return the agreement's incidents, newest first, without their timelines."""
    query = (
        select(incidents)
        .where(incidents.c.agreement_id == agreement_id)
        .order_by(incidents.c.started_at.desc(), incidents.c.id.desc())
        .limit(limit)
    )
    return [_incident(row) for row in connection.execute(query)]


def open_incidents(connection: Connection, agreement_id: str | None = None) -> list[Incident]:
    """Return the open incidents (of one agreement, or of all), oldest first, with timelines."""
    query = select(incidents).where(incidents.c.closed_at.is_(None))
    if agreement_id is not None:
        query = query.where(incidents.c.agreement_id == agreement_id)
    rows = list(connection.execute(query.order_by(incidents.c.started_at, incidents.c.id)))
    return [_incident(row, timeline_of(connection, int(row.id))) for row in rows]


def incidents_for_agreement(
    connection: Connection, agreement_id: str, start: int, end: int
) -> list[Incident]:
    """Return the agreement's incidents that overlap [start, end), oldest first, with timelines.

    An open incident runs on; one closed at `start` exactly is over (half-open windows).
    """
    query = (
        select(incidents)
        .where(
            incidents.c.agreement_id == agreement_id,
            incidents.c.started_at < end,
            or_(incidents.c.closed_at.is_(None), incidents.c.closed_at > start),
        )
        .order_by(incidents.c.started_at, incidents.c.id)
    )
    rows = list(connection.execute(query))
    return [_incident(row, timeline_of(connection, int(row.id))) for row in rows]


def incident_windows(connection: Connection, agreement_id: str) -> tuple[IncidentWindow, ...]:
    """Return when each of the agreement's incidents ran, for the evaluation's pauses."""
    query = (
        select(incidents.c.started_at, incidents.c.closed_at)
        .where(incidents.c.agreement_id == agreement_id)
        .order_by(incidents.c.started_at)
    )
    return tuple(
        IncidentWindow(int(r.started_at), None if r.closed_at is None else int(r.closed_at))
        for r in connection.execute(query)
    )


def closed_since(connection: Connection, agreement_id: str, since: int) -> list[Incident]:
    """Return the incidents closed at or after `since`, oldest first: what a review reads."""
    query = (
        select(incidents)
        .where(incidents.c.agreement_id == agreement_id, incidents.c.closed_at >= since)
        .order_by(incidents.c.closed_at)
    )
    return [_incident(row) for row in connection.execute(query)]


@dataclass(frozen=True)
class OpenOutage:
    item_id: int
    external_id: str
    began_at: int


def open_outages(
    connection: Connection, *, down: str, up: str, external_id: str | None, since: int
) -> list[OpenOutage]:
    """Return the services whose latest `down` (at or after `since`) has no `up` after it.

    The outage begins at the first `down` after the last `up`, so repeated down events of
    one outage name the same outage (and open one incident).
    """
    ups = events.alias("ups")
    last_up = (
        select(func.max(ups.c.at))
        .where(ups.c.item_id == items.c.id, ups.c.type == up)
        .correlate(items)
        .scalar_subquery()
    )
    began = func.min(events.c.at)
    query = (
        select(items.c.id, items.c.external_id, began.label("began_at"))
        .join(events, events.c.item_id == items.c.id)
        .where(events.c.type == down, or_(last_up.is_(None), events.c.at > last_up))
        .group_by(items.c.id, items.c.external_id)
        .having(began >= since)
    )
    if external_id is not None:
        query = query.where(items.c.external_id == external_id)
    return [
        OpenOutage(int(r.id), r.external_id, int(r.began_at))
        for r in connection.execute(query.order_by(items.c.id))
        if r.began_at is not None
    ]


def parties_of_user(connection: Connection, email: str, agreement_id: str) -> set[str]:
    """Return the parties the directory puts a user in (by e-mail); an agreement's ids."""
    del agreement_id  # the directory's party ids are shared by every agreement
    query = select(people.c.party).where(
        func.lower(people.c.email) == email.casefold(), people.c.party.is_not(None)
    )
    return {str(party) for party in connection.execute(query).scalars()}


def last_event_at(connection: Connection, event_type: str) -> int | None:
    """Return the instant of the latest event of a type, or None if there never was one."""
    found = connection.execute(select(func.max(events.c.at)).where(events.c.type == event_type))
    value = found.scalar_one()
    return None if value is None else int(value)


def windows_by_agreement(connection: Connection) -> dict[str, tuple[IncidentWindow, ...]]:
    """Return every agreement's incident windows, for pages that measure clocks on request."""
    query = select(incidents.c.agreement_id, incidents.c.started_at, incidents.c.closed_at)
    found: dict[str, list[IncidentWindow]] = {}
    for row in connection.execute(query.order_by(incidents.c.started_at)):
        end = None if row.closed_at is None else int(row.closed_at)
        found.setdefault(row.agreement_id, []).append(IncidentWindow(int(row.started_at), end))
    return {agreement_id: tuple(windows) for agreement_id, windows in found.items()}
