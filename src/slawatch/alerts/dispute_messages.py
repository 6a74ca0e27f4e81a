"""Compose dispute messages in the recipient's language from plain facts.

Like `messages.py` for escalations: no database, no clock, so each message is checked word
for word in English and German.
"""

from __future__ import annotations

from dataclasses import dataclass

from slawatch.alerts.messages import TIER_LINES, Message
from slawatch.engine.instants import from_us
from slawatch.i18n import Translator, translator


@dataclass(frozen=True)
class DisputeFacts:
    """Everything a dispute message says, looked up once for all its recipients."""

    dispute_id: int
    agreement_title: str
    title: str  # the dispute's one-line reason
    disputing_party: str  # the party's name
    subject: str  # item | figure | statement
    zone: str
    deadline: int  # µs: the resolution deadline
    link: str
    objective_title: str | None = None
    item: str | None = None
    period: str | None = None
    party: str | None = None  # the statement's party, by name


def _about(t: Translator, facts: DisputeFacts) -> str:
    named = {
        "objective": facts.objective_title or "",
        "item": facts.item or "",
        "period": facts.period or "",
        "party": facts.party or "",
    }
    if facts.subject == "item":
        return t.gettext("the verdict on item %(item)s for “%(objective)s”", **named)
    if facts.subject == "figure":
        return t.gettext("the figure of “%(objective)s” for %(period)s", **named)
    return t.gettext("the credit statement of %(party)s for %(period)s", **named)


def _head(t: Translator, facts: DisputeFacts) -> list[str]:
    deadline = t.datetime(from_us(facts.deadline), facts.zone)
    return [
        t.gettext(
            "%(party)s disputes %(about)s (agreement “%(agreement)s”).",
            party=facts.disputing_party,
            about=_about(t, facts),
            agreement=facts.agreement_title,
        ),
        t.gettext("Reason: %(reason)s", reason=facts.title),
        t.gettext("To be decided by %(deadline)s.", deadline=deadline),
    ]


def escalated_message(facts: DisputeFacts, tier: int, language: str) -> Message:
    """The message of a ladder step: the dispute is still undecided, tier `tier` hears of it."""
    t = translator(language)
    title = t.gettext(
        "Dispute #%(id)s undecided: %(agreement)s", id=facts.dispute_id,
        agreement=facts.agreement_title,
    )  # fmt: skip
    lines = [*_head(t, facts), "", t.gettext(TIER_LINES.get(tier, TIER_LINES[3]))]
    lines += ["", t.gettext("Read the evidence and decide: %(link)s", link=facts.link)]
    return Message(title=title, body="\n".join(lines))


def overdue_message(facts: DisputeFacts, language: str) -> Message:
    """The message at the resolution deadline: the dispute was not decided in time."""
    t = translator(language)
    title = t.gettext(
        "Dispute #%(id)s overdue: %(agreement)s", id=facts.dispute_id,
        agreement=facts.agreement_title,
    )  # fmt: skip
    lines = [
        *_head(t, facts),
        "",
        t.gettext("The resolution time has passed without a decision; management is notified."),
        "",
        t.gettext("Read the evidence and decide: %(link)s", link=facts.link),
    ]
    return Message(title=title, body="\n".join(lines))


def decided_message(
    facts: DisputeFacts, *, upheld: bool, reason: str, by: str, language: str
) -> Message:
    """The message to the parties' first contacts once a dispute is decided."""
    t = translator(language)
    if upheld:
        title = t.gettext("Dispute #%(id)s upheld: %(agreement)s", id=facts.dispute_id,
                          agreement=facts.agreement_title)  # fmt: skip
        verdict = t.gettext("%(by)s upheld the dispute.", by=by)
    else:
        title = t.gettext("Dispute #%(id)s rejected: %(agreement)s", id=facts.dispute_id,
                          agreement=facts.agreement_title)  # fmt: skip
        verdict = t.gettext("%(by)s rejected the dispute.", by=by)
    lines = [
        *_head(t, facts)[:2],
        "",
        verdict,
        t.gettext("Why: %(reason)s", reason=reason),
        "",
        t.gettext("The dispute and its timeline: %(link)s", link=facts.link),
    ]
    return Message(title=title, body="\n".join(lines))
