"""Tell the other party that a correction waits for its approval.

Under `corrections: {approval: other-party}` a correction applies only once someone of another
party approves it, so the tier-1 contact of every party the proposer does not belong to is
told, in their language, with what is proposed, why, and where to decide. One message per
correction and recipient (the outbox key), in the transaction that stores the correction.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.alerts import outbox
from slawatch.alerts.messages import Message
from slawatch.alerts.outbox import About, Outgoing, url_hash
from slawatch.alerts.recipients import contact_at_tier, recipients_for
from slawatch.config import Settings
from slawatch.i18n import N_, translator
from slawatch.store.corrections import CorrectionAction, CorrectionRecord

TRIGGER = "correction"
WHAT = {
    CorrectionAction.EXCLUDE: N_("exclude item %(item)s from “%(objective)s”"),
    CorrectionAction.MOVE: N_("move the %(type)s event of item %(item)s to another instant"),
    CorrectionAction.RETYPE: N_("change the type of the %(type)s event of item %(item)s"),
    CorrectionAction.VOID: N_("void the %(type)s event of item %(item)s"),
}


def proposal_message(
    agreement: Agreement, record: CorrectionRecord, link: str, language: str
) -> Message:
    """Return the message asking for a decision on a proposed correction."""
    t = translator(language)
    objective = agreement.objectives.get(record.objective or "")
    what = t.gettext(
        WHAT[record.action],
        item=f"{record.source}/{record.external_id}",
        objective=objective.title if objective else record.objective or "",
        type=record.event_type or "",
    )
    title = t.gettext(
        "Correction #%(number)s to approve: %(agreement)s",
        number=record.id,
        agreement=agreement.title,
    )
    lines = [
        t.gettext(
            "%(who)s proposes to %(what)s (agreement “%(agreement)s”).",
            who=record.proposed_by,
            what=what,
            agreement=agreement.title,
        ),
        t.gettext("Reason: %(reason)s", reason=record.reason),
    ]
    if record.evidence:
        lines.append(t.gettext("Evidence: %(evidence)s", evidence=record.evidence))
    lines += [
        t.gettext("It applies only once your party approves it. Approve or reject it here:"),
        link,
    ]
    return Message(title, "\n".join(lines))


def queue_proposal(
    connection: Connection,
    agreement: Agreement,
    record: CorrectionRecord,
    *,
    proposer_parties: Collection[str],
    settings: Settings,
    now: int,
) -> int:
    """Queue the proposal to the tier-1 contact of each party that may approve it."""
    link = f"{settings.base_url.rstrip('/')}/agreements/{agreement.id}/corrections"
    about = About(TRIGGER, agreement, record.objective)
    queued = 0
    for party in agreement.parties.values():
        if party.id in proposer_parties:
            continue
        contact = contact_at_tier(party.contacts, 1)
        for recipient in recipients_for(
            connection, contact, f"{agreement.id}:{party.id}", settings
        ):
            message = proposal_message(agreement, record, link, recipient.language)
            hashed = url_hash(recipient.url) if recipient.url else "none"
            outgoing = Outgoing(
                key=f"correction:{record.id}:proposed:{recipient.target}:{hashed}",
                recipient=recipient,
                title=message.title,
                body=message.body,
                queued_at=now,
                trigger=TRIGGER,
            )
            queued += outbox.enqueue(connection, outgoing, about)
    return queued
