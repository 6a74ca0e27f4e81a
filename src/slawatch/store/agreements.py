"""Agreements as versions: YAML text, who, when, why and from when. History is never rewritten.

A later version is in force from the day it is saved, or a later day it names; it governs
only the periods that begin after its save, unless an admin saved it as retroactive with a
reason (`agreements.versions` holds that rule).

Saving a version is one UPDATE that bumps `current_version` and returns it, so two editors
saving at once get versions n and n + 1 instead of a conflict. Every save marks the agreement's
stored results as wanted again (`evaluation_state.wanted`), so the evaluator recomputes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Insert, Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from slawatch.agreements import Agreement, Limits
from slawatch.agreements.limits import DEFAULT_LIMITS, STORED
from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import InForce, in_force_from
from slawatch.engine.instants import from_us
from slawatch.store import audit
from slawatch.store.schema import agreement_versions, agreements, evaluation_state, parties
from slawatch.wall_clock import now_us


@dataclass(frozen=True)
class StoredAgreement:
    """One stored version of an agreement, parsed."""

    id: str
    version: int
    effective: dt.date  # from when this version is in force: periods starting on or after it
    agreement: Agreement
    yaml: str
    title: str
    author: str
    reason: str
    created_at: int  # µs since the epoch
    retroactive: bool = False  # governs periods begun before its save (an admin's choice)


@dataclass(frozen=True)
class VersionSummary:
    version: int
    author: str
    reason: str
    effective: dt.date
    created_at: int
    retroactive: bool = False


def _insert_ignoring_conflict(connection: Connection, table: Table) -> Insert:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement: Insert = dialect.insert(table).on_conflict_do_nothing()
    return statement


def save_day(agreement: Agreement, now: int) -> dt.date:
    """Return the day an instant falls on in the agreement's time zone: 'today' for a save."""
    return from_us(now, ZoneInfo(agreement.timezone)).date()


def in_force_of(
    agreement: Agreement,
    previous: StoredAgreement | None,
    *,
    effective: dt.date | None,
    retroactive: bool,
    reason: str,
    now: int,
) -> InForce:
    """Decide from when `agreement` would be in force if saved now after `previous`.

    Raises RetroactiveVersionError for a past date without the retroactive choice (or a
    retroactive version without a reason); the pages and the API ask before saving.
    """
    return in_force_from(
        yaml_effective=agreement.effective,
        previous_yaml_effective=None if previous is None else previous.agreement.effective,
        requested=effective,
        retroactive=retroactive,
        reason=reason,
        today=save_day(agreement, now),
    )


def save_version(
    connection: Connection,
    yaml_text: str,
    *,
    author: str,
    reason: str,
    effective: dt.date | None = None,
    retroactive: bool = False,
    source: str = "<agreement>",
    limits: Limits = DEFAULT_LIMITS,
    audit_detail: Mapping[str, Any] | None = None,
) -> tuple[Agreement, int]:
    """Store the YAML as the agreement's next version; raise AgreementError if it is invalid.

    The first version is in force from `effective`, else the YAML's `effective:`. A later one
    from `effective`, else from the day it is saved (see `agreements.versions`); a past day
    needs `retroactive` and a reason, else RetroactiveVersionError. Whoever lets a user
    choose `retroactive` checks that the user is an admin. `audit_detail` joins the audit entry
    (e.g. the periods a retroactive version changes). `limits` are the settings' own
    (`Settings.agreement_limits`), as the caller checked the text with them.
    """
    agreement = parse_agreement(yaml_text, source=source, limits=limits)
    now = now_us()
    previous = get_version(connection, agreement.id)
    decided = in_force_of(
        agreement,
        previous,
        effective=effective,
        retroactive=retroactive,
        reason=reason,
        now=now,
    )
    in_force = decided.effective
    version = _next_version(connection, agreement, now)
    connection.execute(
        insert(agreement_versions).values(
            agreement_id=agreement.id,
            version=version,
            yaml=yaml_text,
            effective=in_force,
            author=author,
            reason=reason,
            created_at=now,
            retroactive=decided.retroactive,
        )
    )
    _save_parties(connection, agreement, version)
    _want_results(connection, agreement.id)
    audit.record(
        connection,
        actor=author,
        action="agreement.version",
        subject=f"agreement:{agreement.id}",
        version=version,
        reason=reason,
        effective=in_force.isoformat(),
        retroactive=decided.retroactive,
        **dict(audit_detail or {}),
    )
    return agreement, version


def _next_version(connection: Connection, agreement: Agreement, now: int) -> int:
    """Return the agreement's next version number, creating the agreement on its first.

    The number comes from one UPDATE … RETURNING on the agreement's row, so that two saves at
    once get two numbers instead of one twice.
    """
    connection.execute(
        _insert_ignoring_conflict(connection, agreements).values(
            id=agreement.id, title=agreement.title, current_version=0, created_at=now
        )
    )
    version: int = connection.execute(
        update(agreements)
        .where(agreements.c.id == agreement.id)
        .values(current_version=agreements.c.current_version + 1, title=agreement.title)
        .returning(agreements.c.current_version)
    ).scalar_one()
    return version


def _save_parties(connection: Connection, agreement: Agreement, version: int) -> None:
    """Store the version's parties and their contacts, one row per party."""
    if not agreement.parties:
        return
    connection.execute(
        insert(parties),
        [
            {
                "agreement_id": agreement.id,
                "version": version,
                "party": party.id,
                "name": party.name,
                "contacts": list(party.contacts),
            }
            for party in agreement.parties.values()
        ],
    )


def _want_results(connection: Connection, agreement_id: str) -> None:
    connection.execute(
        _insert_ignoring_conflict(connection, evaluation_state).values(
            agreement_id=agreement_id, wanted=0, done=0, last_event_id=0
        )
    )
    connection.execute(
        update(evaluation_state)
        .where(evaluation_state.c.agreement_id == agreement_id)
        .values(wanted=evaluation_state.c.wanted + 1)
    )


@lru_cache(maxsize=256)
def _parsed(yaml_text: str, source: str) -> Agreement:
    # Parsing keeps line numbers and costs ~0.1 s; a stored version never changes, and the
    # evaluator reads every version on every round. It was checked within the limits when it
    # was saved, and stays readable if they are lowered later.
    return parse_agreement(yaml_text, source=source, limits=STORED)


def _stored(row: Any) -> StoredAgreement:
    return StoredAgreement(
        id=row.agreement_id,
        version=row.version,
        effective=row.effective,
        agreement=_parsed(row.yaml, f"{row.agreement_id} v{row.version}"),
        yaml=row.yaml,
        title=row.title,
        author=row.author,
        reason=row.reason,
        created_at=row.created_at,
        retroactive=row.retroactive,
    )


_VERSION_COLUMNS = (
    agreement_versions.c.agreement_id,
    agreement_versions.c.version,
    agreement_versions.c.yaml,
    agreement_versions.c.effective,
    agreement_versions.c.author,
    agreement_versions.c.reason,
    agreement_versions.c.created_at,
    agreement_versions.c.retroactive,
    agreements.c.title,
)


def current_agreements(connection: Connection) -> list[StoredAgreement]:
    """Return the current version of every agreement, by id."""
    rows = connection.execute(
        select(*_VERSION_COLUMNS)
        .join(agreements, agreements.c.id == agreement_versions.c.agreement_id)
        .where(agreement_versions.c.version == agreements.c.current_version)
        .order_by(agreements.c.id)
    )
    return [_stored(row) for row in rows]


def get_version(
    connection: Connection, agreement_id: str, version: int | None = None
) -> StoredAgreement | None:
    """Return one version (the current one by default), or None if there is no such version."""
    query = select(*_VERSION_COLUMNS).join(
        agreements, agreements.c.id == agreement_versions.c.agreement_id
    )
    query = query.where(agreement_versions.c.agreement_id == agreement_id)
    if version is None:
        query = query.where(agreement_versions.c.version == agreements.c.current_version)
    else:
        query = query.where(agreement_versions.c.version == version)
    row = connection.execute(query).first()
    return None if row is None else _stored(row)


def all_versions(connection: Connection, agreement_id: str) -> list[StoredAgreement]:
    """Return every version of an agreement, oldest first: what evaluating its history needs."""
    rows = connection.execute(
        select(*_VERSION_COLUMNS)
        .join(agreements, agreements.c.id == agreement_versions.c.agreement_id)
        .where(agreement_versions.c.agreement_id == agreement_id)
        .order_by(agreement_versions.c.version)
    )
    return [_stored(row) for row in rows]


def versions_by_agreement(connection: Connection) -> dict[str, list[StoredAgreement]]:
    """Return every agreement's versions, oldest first, by id: what an item's clocks need."""
    rows = connection.execute(
        select(*_VERSION_COLUMNS)
        .join(agreements, agreements.c.id == agreement_versions.c.agreement_id)
        .order_by(agreement_versions.c.agreement_id, agreement_versions.c.version)
    )
    versions: dict[str, list[StoredAgreement]] = {}
    for row in rows:
        versions.setdefault(row.agreement_id, []).append(_stored(row))
    return versions


def list_versions(connection: Connection, agreement_id: str) -> list[VersionSummary]:
    """Return the version history, oldest first; empty if the agreement does not exist."""
    c = agreement_versions.c
    rows = connection.execute(
        select(c.version, c.author, c.reason, c.effective, c.created_at, c.retroactive)
        .where(c.agreement_id == agreement_id)
        .order_by(c.version)
    )
    return [
        VersionSummary(
            version=row.version,
            author=row.author,
            reason=row.reason,
            effective=row.effective,
            created_at=row.created_at,
            retroactive=row.retroactive,
        )
        for row in rows
    ]


def agreement_ids(connection: Connection) -> list[str]:
    return list(connection.execute(select(agreements.c.id).order_by(agreements.c.id)).scalars())


def version_in_force(
    versions: list[StoredAgreement], first_day: dt.date, start: int | None = None
) -> StoredAgreement:
    """Return the version a period starting on `first_day` (at instant `start`) is evaluated with.

    The latest `effective` on or before the period's first day wins (on a tie, the later
    version: a correction); a period before every effective date falls back to version 1.
    History is sealed: a later version that is not retroactive never governs a period that
    began before it was saved (without `start`, only the dates are compared).
    """
    first = min(versions, key=lambda v: v.version)
    chosen: StoredAgreement | None = None
    for stored in sorted(versions, key=lambda v: (v.effective, v.version)):
        if stored.effective > first_day:
            continue
        sealed = stored is not first and not stored.retroactive
        if sealed and start is not None and start < stored.created_at:
            continue
        chosen = stored
    return chosen if chosen is not None else first
