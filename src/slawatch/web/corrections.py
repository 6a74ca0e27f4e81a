"""Corrections as the API and the pages take them: check a request, decide who may approve.

Shared by `web/api/corrections.py` and `web/pages/corrections.py`, so that a form and a JSON
body are refused for the same reasons with the same messages.

Who belongs to which party: users have a role but no party in slawatch, while an agreement's
parties list their contacts' e-mail addresses. A user belongs to the parties that list their
address. Under `approval: other-party` a proposed correction is decided by an admin, or by an
editor listed with a party that does not list the proposer; never by the proposer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from slawatch.agreements.model import Agreement, CorrectionApproval
from slawatch.alerts.corrections import queue_proposal
from slawatch.config import Settings
from slawatch.engine.corrections import EventCorrection, Exclusion
from slawatch.engine.instants import InstantError, read_instant
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.correction_preview import CorrectionPreview, preview_correction
from slawatch.store.agreements import StoredAgreement
from slawatch.store.corrections import (
    EVIDENCE_LIMIT,
    REASON_LIMIT,
    CorrectionAction,
    CorrectionDraft,
    CorrectionRecord,
    decide,
    propose,
)
from slawatch.store.db import transaction
from slawatch.store.events import DEFAULT_SOURCE
from slawatch.store.schema import events, items
from slawatch.web.errors import NotFoundError, UnprocessableError
from slawatch.web.security import Permission, Principal

NAME_LIMIT = 100  # an event type, an objective id


@dataclass(frozen=True)
class CorrectionRequest:
    """A correction as sent: texts from a JSON body or a form, not yet checked."""

    action: str
    item: str
    reason: str
    source: str = DEFAULT_SOURCE
    evidence: str = ""
    objective: str | None = None
    event_type: str | None = None
    event_at: str | None = None
    new_type: str | None = None
    new_at: str | None = None


def _text(value: str | None, field: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise UnprocessableError(f"{field}: missing; say {_WHAT[field]}")
    if len(text) > limit:
        raise UnprocessableError(f"{field}: {len(text):,} characters, over the limit of {limit:,}")
    if "\x00" in text:
        raise UnprocessableError(f"{field}: contains a NUL character; remove it")
    return text


_WHAT = {
    "reason": "why the correction is right (up to 2,000 characters)",
    "item": "which item, by its id",
    "objective": "which objective the item is excluded from",
    "event_type": "the type of the event to correct, such as handed_over",
    "event_at": "the instant of the event to correct, ISO 8601 with an offset",
    "new_type": "the event's right type",
    "new_at": "the event's right instant, ISO 8601 with an offset",
}


def _instant(value: str | None, field: str, zone: ZoneInfo) -> int:
    text = _text(value, field, 64)
    try:
        return read_instant(text, zone)
    except InstantError as error:
        raise UnprocessableError(f"{field}: {error}") from None


def check_request(
    connection: Connection, versions: list[StoredAgreement], sent: CorrectionRequest
) -> CorrectionDraft:
    """Return the correction a request asks for, or refuse it (4xx) naming the field and fix."""
    current = versions[-1]
    choices = ", ".join(action.value for action in CorrectionAction)
    if sent.action not in {action.value for action in CorrectionAction}:
        raise UnprocessableError(f"action: {sent.action[:40]!r} is not one of {choices}")
    action = CorrectionAction(sent.action)
    reason = _text(sent.reason, "reason", REASON_LIMIT)
    evidence = _text(sent.evidence, "evidence", EVIDENCE_LIMIT, required=False)
    source = _text(sent.source or DEFAULT_SOURCE, "source", 100)
    external_id = _text(sent.item, "item", 300)
    item_id = connection.execute(
        select(items.c.id).where(items.c.source == source, items.c.external_id == external_id)
    ).scalar()
    if item_id is None:
        raise NotFoundError(f"item: no item {external_id!r} from source {source!r}")
    draft = CorrectionDraft(current.id, action, int(item_id), reason, evidence)
    if action is CorrectionAction.EXCLUDE:
        objective = _text(sent.objective, "objective", NAME_LIMIT)
        known = {o for version in versions for o in version.agreement.objectives}
        if objective not in known:
            raise UnprocessableError(
                f"objective: {objective!r} is not an objective of {current.id}; "
                f"one of {', '.join(sorted(known))}"
            )
        return _with(draft, objective=objective)
    return _event_draft(connection, draft, sent, ZoneInfo(current.agreement.timezone))


def _event_draft(
    connection: Connection, draft: CorrectionDraft, sent: CorrectionRequest, zone: ZoneInfo
) -> CorrectionDraft:
    event_type = _text(sent.event_type, "event_type", NAME_LIMIT)
    event_at = _instant(sent.event_at, "event_at", zone)
    event_id = connection.execute(
        select(events.c.id).where(
            events.c.item_id == draft.item_id, events.c.type == event_type, events.c.at == event_at
        )
    ).scalar()
    if event_id is None:
        raise NotFoundError(
            f"event_type/event_at: the item has no {event_type!r} event at {sent.event_at}; "
            "name one of the events its page lists"
        )
    draft = _with(draft, event_id=int(event_id), event_type=event_type, event_at=event_at)
    if draft.action is CorrectionAction.MOVE:
        new_at = _instant(sent.new_at, "new_at", zone)
        if new_at == event_at:
            raise UnprocessableError("new_at: the same instant as the event's; give the right one")
        return _with(draft, new_at=new_at)
    if draft.action is CorrectionAction.RETYPE:
        new_type = _text(sent.new_type, "new_type", NAME_LIMIT)
        if new_type == event_type:
            raise UnprocessableError("new_type: the same type as the event's; give the right one")
        return _with(draft, new_type=new_type)
    return draft


def _with(draft: CorrectionDraft, **changes: object) -> CorrectionDraft:
    return replace(draft, **changes)  # type: ignore[arg-type]


def parties_of(agreement: Agreement, email: str) -> set[str]:
    """Return the parties of the agreement that list `email` among their contacts."""
    address = email.casefold()
    return {
        party.id
        for party in agreement.parties.values()
        if address in {contact.casefold() for contact in party.contacts}
    }


def applies_when_saved(agreement: Agreement) -> bool:
    return agreement.corrections.approval is CorrectionApproval.NONE


def decision_refusal(
    record: CorrectionRecord, agreement: Agreement, principal: Principal
) -> str | None:
    """Say why `principal` may not decide the correction, or None when they may."""
    if record.approved is not None:
        return f"correction #{record.id} was {record.state.value} already"
    if principal.name.casefold() == record.proposed_by.casefold():
        return "the proposer cannot decide their own correction; ask the other party or an admin"
    if Permission.ADMIN in principal.permissions:
        return None
    mine = parties_of(agreement, principal.name)
    theirs = parties_of(agreement, record.proposed_by)
    if not mine - theirs:
        return (
            "only an admin, or an editor listed as a contact of another party than the "
            "proposer's, may decide this correction (corrections: approval: other-party)"
        )
    return None


def instant_text(us: int | None, zone: ZoneInfo) -> str | None:
    if us is None:
        return None
    return dt.datetime.fromtimestamp(us / 1_000_000, dt.UTC).astimezone(zone).isoformat()


@dataclass(frozen=True)
class Unconfirmed:
    """A correction that would change closed periods, not yet confirmed: show these first."""

    preview: CorrectionPreview

    def message(self) -> str:
        return (
            f"this correction changes the closed periods {', '.join(self.preview.periods)}; "
            "look at the changes and confirm (confirm_closed_periods: true) to apply it"
        )


def save_correction(
    engine: Engine,
    cache: EventCache,
    versions: list[StoredAgreement],
    draft: CorrectionDraft,
    *,
    actor: str,
    now: int,
    confirmed: bool,
    settings: Settings | None = None,
) -> CorrectionRecord | Unconfirmed:
    """Store a proposed correction; one that applies at once must show closed changes first.

    One that needs the other party's approval is announced to that party (with `settings`),
    in the transaction that stores it.
    """
    applies = applies_when_saved(versions[-1].agreement)
    periods: list[str] = []
    if applies:
        form = _form(draft)
        preview = preview_correction(engine, cache, draft.agreement_id, form, now=now)
        if preview.periods and not confirmed:
            return Unconfirmed(preview)
        periods = preview.periods
    with transaction(engine) as connection:
        record = propose(
            connection, draft, actor=actor, now=now, applies=applies, changed_periods=periods
        )
        if not applies and settings is not None:
            agreement = versions[-1].agreement
            mine = parties_of(agreement, actor)
            queue_proposal(
                connection, agreement, record, proposer_parties=mine, settings=settings, now=now
            )
        return record


def _form(draft: CorrectionDraft) -> EventCorrection | Exclusion:
    if draft.action is CorrectionAction.EXCLUDE:
        return Exclusion(draft.item_id, str(draft.objective))
    return EventCorrection(
        draft.item_id,
        str(draft.event_type),
        int(draft.event_at or 0),
        new_type=draft.new_type,
        new_at=draft.new_at,
        void=draft.action is CorrectionAction.VOID,
    )


def decide_correction(
    engine: Engine,
    cache: EventCache,
    record: CorrectionRecord,
    *,
    approve: bool,
    reason: str,
    actor: str,
    now: int,
    confirmed: bool,
) -> CorrectionRecord | Unconfirmed | None:
    """Approve (after showing closed changes) or reject; None when decided meanwhile."""
    periods: list[str] = []
    if approve:
        preview = preview_correction(
            engine, cache, record.agreement_id, record.engine_form(), now=now
        )
        if preview.periods and not confirmed:
            return Unconfirmed(preview)
        periods = preview.periods
    with transaction(engine) as connection:
        return decide(
            connection,
            record.id,
            approved=approve,
            actor=actor,
            reason=reason,
            now=now,
            changed_periods=periods,
        )
