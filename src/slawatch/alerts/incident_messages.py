"""Compose the emergency plan's messages in the recipient's language from plain facts.

Two messages: an incident opened (to the plan's contacts, with every step and its owner) and
a step past its time limit (to its owner party's contact of the ladder's tier). Plain text,
as every other message: it travels by mail, chat and webhooks alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from slawatch.alerts.messages import TIER_LINES, Message
from slawatch.engine.instants import from_us
from slawatch.i18n import N_, translator

TRIGGER_WORDS = {
    "declared": N_("declared by hand"),
    "service-down": N_("a service is down"),
    "feed-silent": N_("an event feed went silent"),
}


@dataclass(frozen=True)
class PlannedStep:
    number: int  # from 1
    do: str
    owner: str  # the party's name
    within: str  # as the agreement wrote it: 2h


@dataclass(frozen=True)
class IncidentFacts:
    """What an incident message says, looked up once for all its recipients."""

    agreement_title: str
    title: str
    trigger: str  # declared | service-down | feed-silent
    started_at: int  # µs
    zone: str
    link: str
    steps: tuple[PlannedStep, ...] = ()
    paused: tuple[str, ...] = ()  # titles of the objectives whose clocks pause


def opened_message(facts: IncidentFacts, language: str) -> Message:
    """Write the message that tells a contact an incident is open and what the plan says."""
    t = translator(language)
    title = t.gettext(
        "Incident: %(title)s (%(agreement)s)", title=facts.title, agreement=facts.agreement_title
    )
    started = t.datetime(from_us(facts.started_at), facts.zone)
    trigger = t.gettext(TRIGGER_WORDS.get(facts.trigger, facts.trigger))
    lines = [
        t.gettext("Agreement: %(agreement)s", agreement=facts.agreement_title),
        t.gettext("Since: %(start)s (%(zone)s)", start=started, zone=facts.zone),
        t.gettext("Trigger: %(trigger)s", trigger=trigger),
    ]
    if facts.steps:
        lines += ["", t.gettext("Emergency plan:")]
        lines += [
            t.gettext(
                "%(number)s. %(do)s — %(owner)s, within %(within)s",
                number=step.number,
                do=step.do,
                owner=step.owner,
                within=step.within,
            )
            for step in facts.steps
        ]
    if facts.paused:
        lines += [
            "",
            t.gettext(
                "Clocks paused while the incident is open: %(objectives)s",
                objectives=", ".join(facts.paused),
            ),
        ]
    lines += ["", t.gettext("Open the incident: %(link)s", link=facts.link)]
    return Message(title=title, body="\n".join(lines))


def overdue_message(facts: IncidentFacts, step: PlannedStep, tier: int, language: str) -> Message:
    """Write the message of a step past its time limit, for one tier of its owner party."""
    t = translator(language)
    title = t.gettext(
        "Overdue emergency step %(number)s: %(do)s, tier %(tier)s",
        number=step.number,
        do=step.do,
        tier=tier,
    )
    lines = [
        t.gettext("Agreement: %(agreement)s", agreement=facts.agreement_title),
        t.gettext("Incident: %(title)s", title=facts.title),
        t.gettext(
            "Step %(number)s (%(owner)s) was due within %(within)s and is not checked off.",
            number=step.number,
            owner=step.owner,
            within=step.within,
        ),
        "",
        t.gettext(TIER_LINES.get(tier, TIER_LINES[3])),
        t.gettext("Open the incident to check the step off: %(link)s", link=facts.link),
    ]
    return Message(title=title, body="\n".join(lines))
