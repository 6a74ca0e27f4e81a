"""Compose escalation messages in the recipient's language from plain facts.

Composing is separate from looking facts up (notify.py) and from sending (delivery.py), so a
message can be checked word for word in both languages without a database or a server. The
text is plain: it travels by mail, chat and JSON webhooks alike, and every channel shows
plain text well.
"""

from __future__ import annotations

from dataclasses import dataclass

from slawatch.engine.instants import from_us
from slawatch.formatting import clock_split, target_text, value_text, working_text
from slawatch.i18n import N_, Translator, translator

AT_RISK_TRIGGERS = frozenset({"warn", "at_risk"})
TIER_LINES = {
    1: N_("You are notified as the responsible contact (tier 1)."),
    2: N_("You are notified as the department head (tier 2): it has not been resolved in time."),
    3: N_("You are notified as management (tier 3): it is still not resolved."),
}


@dataclass(frozen=True)
class ClockFigures:
    """Where an item's clock stands: working time used against the allowance."""

    elapsed_seconds: float
    allowance_seconds: float | None  # None when the allowance is in business days
    allowance_business_days: int | None
    deadline: int | None  # µs; None while the clock is suspended


@dataclass(frozen=True)
class PeriodFigures:
    """A period objective's value against its target, as the evaluator stored them."""

    kind: str  # count | clock | ratio | availability
    value: float | None
    target: float
    op: str
    status: str | None = None  # met | breached | …: the value is shown so as to agree with it


@dataclass(frozen=True)
class StepFacts:
    """Everything an escalation message says, looked up once for all its recipients."""

    agreement_title: str
    objective_title: str
    trigger: str  # warn | breach | at_risk | period_breached
    tier: int
    zone: str  # the agreement's time zone: deadlines are shown in it
    link: str
    item: str | None = None  # "source/external id" when the subject is an item
    period: str | None = None
    clock: ClockFigures | None = None
    figures: PeriodFigures | None = None


@dataclass(frozen=True)
class Message:
    title: str
    body: str


def _subject(t: Translator, facts: StepFacts) -> str:
    if facts.item is not None:
        return t.gettext("item %(item)s", item=facts.item)
    return t.gettext("period %(period)s", period=facts.period or "–")


def _allowance(t: Translator, clock: ClockFigures) -> str:
    days = clock.allowance_business_days or 0
    return t.ngettext("%(num)d business day", "%(num)d business days", days)


def _clock_lines(t: Translator, facts: StepFacts, clock: ClockFigures) -> list[str]:
    if clock.allowance_seconds is None:
        elapsed, allowance = working_text(clock.elapsed_seconds, t), _allowance(t, clock)
    else:  # the same rounding as the item page: used and allowed read alike everywhere
        split = clock_split(clock.elapsed_seconds, clock.allowance_seconds, t)
        elapsed, allowance = split.used, split.allowed
    lines = [
        t.gettext(
            "Elapsed: %(elapsed)s of %(allowance)s allowed", elapsed=elapsed, allowance=allowance
        )
    ]
    if clock.deadline is not None:
        deadline = t.datetime(from_us(clock.deadline), facts.zone)
        lines.append(
            t.gettext("Deadline: %(deadline)s (%(zone)s)", deadline=deadline, zone=facts.zone)
        )
    return lines


def _figure_lines(t: Translator, figures: PeriodFigures) -> list[str]:
    objective = {
        "kind": figures.kind,
        "value": figures.value,
        "target": figures.target,
        "op": figures.op,
        "status": figures.status,
    }
    target = target_text(objective, t)
    op, _, shown = target.partition(" ")
    return [
        t.gettext(
            "Value: %(value)s, target %(op)s %(target)s",
            value=value_text(objective, figures.value, t),
            op=op,
            target=shown,
        )
    ]


def step_message(facts: StepFacts, language: str) -> Message:
    """Write the message of one escalation step for one recipient's language."""
    t = translator(language)
    state = t.gettext("At risk") if facts.trigger in AT_RISK_TRIGGERS else t.gettext("Breached")
    title = t.gettext(
        "%(state)s: %(objective)s (%(subject)s), tier %(tier)s",
        state=state,
        objective=facts.objective_title,
        subject=_subject(t, facts),
        tier=facts.tier,
    )
    lines = [
        t.gettext("Agreement: %(agreement)s", agreement=facts.agreement_title),
        t.gettext("Objective: %(objective)s", objective=facts.objective_title),
    ]
    if facts.item is not None:
        lines.append(t.gettext("Item: %(item)s", item=facts.item))
    if facts.period is not None:
        lines.append(t.gettext("Period: %(period)s", period=facts.period))
    if facts.clock is not None:
        lines += _clock_lines(t, facts, facts.clock)
    if facts.figures is not None:
        lines += _figure_lines(t, facts.figures)
    tier_line = TIER_LINES.get(facts.tier, TIER_LINES[3])
    lines += [
        "",
        t.gettext(tier_line),
        t.gettext("Open the escalation to acknowledge it: %(link)s", link=facts.link),
    ]
    return Message(title=title, body="\n".join(lines))
