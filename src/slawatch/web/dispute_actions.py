"""Opening, commenting on and deciding disputes: the checks the API and the pages share.

Every refusal is a `ClientError` naming the field and the fix. Limits (docs/limits.md):
a reason, comment or decision of at most `MAX_TEXT` characters, at most `MAX_LINKS` links of
at most `MAX_LINK` characters each (http or https), at most `MAX_COMMENTS` comments a dispute.

Who may decide: an admin; or an editor who did not open the dispute and whose email is a
contact of a party other than the disputing one (the other side answers the dispute).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.alerts.disputes import dispute_schedule, queue_decision
from slawatch.config import Settings
from slawatch.engine.dispute_ladder import next_due
from slawatch.engine.periods import PeriodLabelError, parse_label
from slawatch.store.agreements import StoredAgreement, get_version
from slawatch.store.corrections import correction
from slawatch.store.credits import issued_statement
from slawatch.store.disputes import (
    SUBJECTS,
    Dispute,
    NewDispute,
    add_comment,
    decide,
    disputed_statements,
    get_dispute,
    open_dispute,
)
from slawatch.store.items import item_detail
from slawatch.web.errors import ConflictError, ForbiddenError, NotFoundError, UnprocessableError
from slawatch.web.security import Permission, Principal

MAX_TEXT = 4_000
MAX_LINKS = 10
MAX_LINK = 500
MAX_COMMENTS = 200
MAX_CORRECTION_ID = 100


@dataclass(frozen=True)
class DisputeRequest:
    """What someone asks to dispute, as read from a form or a JSON body."""

    subject: str
    party: str  # the disputing party
    reason: str
    objective: str | None = None
    item_source: str | None = None
    item_external_id: str | None = None
    period: str | None = None
    owing_party: str | None = None  # the statement's party
    links: tuple[str, ...] = ()


def agreement_of(connection: Connection, agreement_id: str) -> StoredAgreement:
    stored = get_version(connection, agreement_id)
    if stored is None:
        raise NotFoundError(f"no agreement {agreement_id!r}; GET /api/v1/agreements lists them")
    return stored


def checked_text(text: str, field: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise UnprocessableError(f"{field}: write why, in a sentence or two")
    if len(cleaned) > MAX_TEXT:
        raise UnprocessableError(
            f"{field}: {len(cleaned)} characters is over the limit of {MAX_TEXT}; shorten it "
            "and link longer evidence"
        )
    if "\x00" in cleaned:
        raise UnprocessableError(f"{field}: contains a NUL character; remove it")
    return cleaned


def checked_links(links: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    found = tuple(link.strip() for link in links if link.strip())
    if len(found) > MAX_LINKS:
        raise UnprocessableError(f"links: {len(found)} links is over the limit of {MAX_LINKS}")
    for n, link in enumerate(found):
        if len(link) > MAX_LINK:
            raise UnprocessableError(f"links[{n}]: longer than {MAX_LINK} characters")
        if not link.lower().startswith(("http://", "https://")) or " " in link or "\x00" in link:
            raise UnprocessableError(
                f"links[{n}]: {link[:60]!r} is not a web address; write one such as "
                "https://crm.example.com/leads/42"
            )
    return found


def _party(agreement: Agreement, party: str | None, field: str) -> str:
    if not party or party not in agreement.parties:
        known = ", ".join(agreement.parties)
        raise UnprocessableError(f"{field}: {str(party)[:60]!r} is not a party; use one of {known}")
    return party


def _objective(agreement: Agreement, objective: str | None) -> str:
    if not objective or objective not in agreement.objectives:
        known = ", ".join(agreement.objectives)
        raise UnprocessableError(
            f"objective: {str(objective)[:60]!r} is not an objective; use one of {known}"
        )
    return objective


def _period(agreement: Agreement, label: str | None, now: int, objective: str | None) -> str:
    if not label:
        raise UnprocessableError("period: name the period, such as 2026-10")
    try:
        period = parse_label(label[:40], ZoneInfo(agreement.timezone))
    except PeriodLabelError as error:
        raise UnprocessableError(f"period: {error}") from None
    if period.start > now:
        raise UnprocessableError(f"period: {period.label} has not begun; dispute what was measured")
    if objective is not None:
        kind = agreement.objectives[objective].period
        if period.kind != kind:
            raise UnprocessableError(
                f"period: {objective} is measured per {kind.value}; name a {kind.value}, "
                f"not {period.label}"
            )
    return period.label


def _item_id(connection: Connection, request: DisputeRequest) -> int:
    source, external = request.item_source or "", request.item_external_id or ""
    if not source or not external or len(source) > 100 or len(external) > 300:
        raise UnprocessableError("item: give the item's source and external id, such as crm, 4711")
    detail = item_detail(connection, source, external)
    if detail is None:
        raise UnprocessableError(f"item: no item {source}/{external}; check the source and id")
    return detail.id


def new_dispute(
    connection: Connection, agreement: Agreement, request: DisputeRequest, *, actor: str, now: int
) -> NewDispute:
    """Check a request against the agreement and the store; the dispute to open."""
    written = (request.party, request.objective, request.item_source, request.item_external_id,
               request.period, request.owing_party)  # fmt: skip
    if any("\x00" in (text or "") for text in written):
        raise UnprocessableError("a field contains a NUL character; remove it")
    if request.subject not in SUBJECTS:
        raise UnprocessableError(
            f"subject: {request.subject[:40]!r} is not one of {', '.join(SUBJECTS)}"
        )
    party = _party(agreement, request.party, "party")
    fields: dict[str, object] = {}
    if request.subject == "item":
        fields["objective"] = _objective(agreement, request.objective)
        fields["item_id"] = _item_id(connection, request)
    elif request.subject == "figure":
        objective = _objective(agreement, request.objective)
        fields["objective"] = objective
        fields["period"] = _period(agreement, request.period, now, objective)
    else:
        owing = _party(agreement, request.owing_party, "owing_party")
        label = _period(agreement, request.period, now, None)
        if issued_statement(connection, agreement.id, label, owing) is None:
            raise UnprocessableError(
                f"period: no credit statement of {owing} for {label} was issued; "
                "dispute a statement listed on the credits page"
            )
        fields.update(party=owing, period=label)
    steps = dispute_schedule(agreement, now)
    return NewDispute(
        agreement_id=agreement.id,
        subject=request.subject,
        disputing_party=party,
        reason=checked_text(request.reason, "reason"),
        opened_by=actor,
        opened_at=now,
        links=checked_links(request.links),
        next_step_at=next_due(steps, ()),
        **fields,  # type: ignore[arg-type]
    )


def open_checked(
    connection: Connection, agreement_id: str, request: DisputeRequest, *, actor: str, now: int
) -> Dispute:
    stored = agreement_of(connection, agreement_id)
    dispute_id = open_dispute(
        connection, new_dispute(connection, stored.agreement, request, actor=actor, now=now)
    )
    found = get_dispute(connection, agreement_id, dispute_id)
    assert found is not None
    return found


def existing(connection: Connection, agreement_id: str, dispute_id: int) -> Dispute:
    agreement_of(connection, agreement_id)
    dispute = get_dispute(connection, agreement_id, dispute_id)
    if dispute is None:
        raise NotFoundError(
            f"no dispute {dispute_id} on {agreement_id}; "
            f"GET /api/v1/agreements/{agreement_id}/disputes lists them"
        )
    return dispute


def _decided(dispute: Dispute) -> ConflictError:
    return ConflictError(
        f"dispute {dispute.id} is already {dispute.status} (by {dispute.decided_by}); "
        "open a new dispute if there is new evidence"
    )


def comment_checked(
    connection: Connection,
    agreement_id: str,
    dispute_id: int,
    *,
    text: str,
    links: tuple[str, ...] | list[str],
    actor: str,
    now: int,
) -> Dispute:
    dispute = existing(connection, agreement_id, dispute_id)
    if not dispute.is_open:
        raise _decided(dispute)
    if sum(e.kind == "comment" for e in dispute.entries) >= MAX_COMMENTS:
        raise ConflictError(f"dispute {dispute_id} has {MAX_COMMENTS} comments, the limit")
    add_comment(
        connection,
        dispute_id,
        actor=actor,
        text=checked_text(text, "comment"),
        links=checked_links(links),
        now=now,
    )
    return existing(connection, agreement_id, dispute_id)


def statement_holds(
    connection: Connection, agreement: Agreement
) -> dict[tuple[str, str], list[int]]:
    """Return the open disputes holding each (period, party) credit statement."""
    owners = {o.id: o.owner for o in agreement.objectives.values()}
    return disputed_statements(connection, agreement.id, owners)


def refuse_if_disputed(
    connection: Connection, agreement: Agreement, period: str, party: str
) -> None:
    """Refuse to settle a statement (accept its revision) while a dispute holds it."""
    held = statement_holds(connection, agreement).get((period, party))
    if held:
        numbers = ", ".join(f"#{n}" for n in held)
        raise ConflictError(
            f"the statement of {party} for {period} is disputed ({numbers} open); "
            "it is settled once the dispute is decided"
        )


def may_decide(principal: Principal, agreement: Agreement, dispute: Dispute) -> str | None:
    """Return why `principal` may not decide the dispute, or None if they may."""
    if Permission.ADMIN in principal.permissions:
        return None
    if Permission.EDIT not in principal.permissions:
        return "only editors and admins decide disputes"
    if principal.name.casefold() == dispute.opened_by.casefold():
        return "the one who opened a dispute does not decide it; ask the other party or an admin"
    answering = [
        contact.casefold()
        for party in agreement.parties.values()
        if party.id != dispute.disputing_party
        for contact in party.contacts
    ]
    if principal.name.casefold() not in answering:
        return (
            "an editor decides a dispute as a contact of the other party; "
            f"{principal.name} is not one, so ask them or an admin"
        )
    return None


def decide_checked(
    connection: Connection,
    agreement_id: str,
    dispute_id: int,
    *,
    decision: str,
    reason: str,
    correction_id: str | None,
    principal: Principal,
    now: int,
    settings: Settings,
) -> Dispute:
    stored = agreement_of(connection, agreement_id)
    dispute = existing(connection, agreement_id, dispute_id)
    if decision not in ("upheld", "rejected"):
        raise UnprocessableError(f"decision: {decision[:40]!r} is not upheld or rejected")
    why_not = may_decide(principal, stored.agreement, dispute)
    if why_not is not None:
        raise ForbiddenError(why_not)
    if not dispute.is_open:
        raise _decided(dispute)
    correction = (correction_id or "").strip() or None
    if correction is not None and "\x00" in correction:
        raise UnprocessableError("correction_id: contains a NUL character; remove it")
    if correction is not None and (len(correction) > MAX_CORRECTION_ID or decision != "upheld"):
        raise UnprocessableError(
            "correction_id: an upheld decision may name one correction, of at most "
            f"{MAX_CORRECTION_ID} characters"
        )
    if correction is not None:
        correction = _named_correction(connection, agreement_id, correction)
    text = checked_text(reason, "reason")
    if not decide(
        connection, dispute_id, upheld=decision == "upheld", reason=text, actor=principal.name,
        now=now, correction_id=correction,
    ):  # fmt: skip
        raise _decided(existing(connection, agreement_id, dispute_id))
    decided = existing(connection, agreement_id, dispute_id)
    queue_decision(connection, stored.agreement, decided, settings=settings, now=now)
    return decided


def _named_correction(connection: Connection, agreement_id: str, named: str) -> str:
    """Return the number of the agreement's correction an upheld decision names ("3", "#3")."""
    number = named.removeprefix("#").strip()
    found = correction(connection, int(number)) if number.isdigit() and len(number) < 19 else None
    if found is None or found.agreement_id != agreement_id:
        raise UnprocessableError(
            f"correction_id: {named[:40]!r} is not a correction of {agreement_id}; give the "
            f"number of one listed at /agreements/{agreement_id}/corrections"
        )
    return str(found.id)
