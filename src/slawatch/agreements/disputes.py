"""Read the `disputes:` section: how fast a dispute must be decided, and who hears of it when.

```yaml
disputes:
  resolve_within: 5bd        # the resolution time; working time when a calendar is named
  calendar: office           # optional: resolve_within and the ladder count its working time
  ladder:                    # optional: by default the agreement's escalation ladder
    - {after: 0h, tier: 1}
    - {after: 2bd, tier: 2}
```

An agreement without the section keeps its evaluation unchanged and still takes disputes,
with `DEFAULT_RULES` (14 days of wall time, the escalation ladder).
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slawatch.agreements._walk import (
    At,
    Walk,
    list_items,
    read_mapping,
    read_reference,
    read_sequence,
)
from slawatch.agreements.durations import DurationError, parse_duration
from slawatch.agreements.model import (
    Agreement,
    DisputeRules,
    Duration,
    DurationUnit,
    EscalationStep,
)

KEYS = ("resolve_within", "calendar", "ladder")
EXAMPLE = "write for example {resolve_within: 5bd, calendar: office}"
DEFAULT_RULES = DisputeRules(
    resolve_within=Duration(unit=DurationUnit.WALL, amount=14 * 86_400, text="14d")
)
FIRST_RUNG = (EscalationStep(after=Duration(unit=DurationUnit.WALL, amount=0, text="0h"), tier=1),)


def read_disputes(walk: Walk, value: Any, at: At, calendars: set[str]) -> DisputeRules | None:
    """Read `disputes:`; None (with the problems recorded) when it cannot be used."""
    section = read_mapping(
        walk, value, at, known=KEYS, required=("resolve_within",), example=EXAMPLE
    )
    if section is None:
        return None
    calendar: str | None = None
    if "calendar" in section:
        calendar = read_reference(
            walk, section.get("calendar"), section.value_at("calendar"), calendars, what="calendar"
        )
        if calendar is None:
            return None
    on_calendar = "calendar" in section
    within = None
    if "resolve_within" in section:
        within = _duration(
            walk, section.get("resolve_within"), section.value_at("resolve_within"), on_calendar
        )
    ladder = None
    if "ladder" in section:
        ladder = _ladder(walk, section.get("ladder"), section.value_at("ladder"), on_calendar)
    if within is None or ("ladder" in section and ladder is None):
        return None
    return DisputeRules(resolve_within=within, calendar=calendar, ladder=ladder)


def _duration(walk: Walk, value: Any, at: At, on_calendar: bool) -> Duration | None:
    if value is None or isinstance(value, CommentedMap | CommentedSeq | bool):
        walk.problem(at, "needs a duration", "write a time such as 5bd or 40h")
        return None
    try:
        return parse_duration(str(value), calendar=on_calendar)
    except DurationError as error:
        walk.problem(at, error.message, error.hint)
        return None


def _ladder(walk: Walk, value: Any, at: At, on_calendar: bool) -> tuple[EscalationStep, ...] | None:
    seq = read_sequence(walk, value, at, what="a list of steps such as - {after: 1bd, tier: 2}")
    if seq is None:
        return None
    steps: list[EscalationStep] = []
    before = len(walk.problems)
    for _, item, item_at in list_items(seq, at):
        step = read_mapping(
            walk, item, item_at, known=("after", "tier"), required=("after", "tier")
        )
        if step is None or "after" not in step or "tier" not in step:
            continue
        after = _duration(walk, step.get("after"), step.value_at("after"), on_calendar)
        tier = step.get("tier")
        if not (isinstance(tier, int) and not isinstance(tier, bool) and 1 <= tier <= 3):
            walk.problem(
                step.value_at("tier"),
                f'"{tier}" is not a tier',
                "write 1 (employee), 2 (department head) or 3 (management)",
            )
            continue
        if after is None:
            continue
        previous = steps[-1].after if steps else None
        if previous and after.unit == previous.unit and after.amount <= previous.amount:
            walk.problem(
                step.value_at("after"),
                f"after {after.text} is not later than the step before ({steps[-1].after.text})",
                "list steps in order of time, each later than the one before",
            )
        if steps and tier < steps[-1].tier:
            walk.problem(
                step.value_at("tier"),
                f"tier {tier} comes after tier {steps[-1].tier}",
                "a dispute climbs upwards: employee (1), department head (2), management (3)",
            )
        steps.append(EscalationStep(after=after, tier=tier))
    if not steps and len(walk.problems) == before:
        walk.problem(at, "needs at least one step", "write - {after: 0h, tier: 1}")
    return tuple(steps) if len(walk.problems) == before else None


def dispute_rules(agreement: Agreement) -> DisputeRules:
    """Return the rules a dispute on this agreement follows, the defaults filled in."""
    rules = agreement.disputes or DEFAULT_RULES
    if rules.ladder is not None:
        return rules
    ladder = agreement.escalation or FIRST_RUNG
    return rules.model_copy(update={"ladder": ladder})
