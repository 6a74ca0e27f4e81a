"""Read the escalation section: its ladder, and when warnings about a running period begin.

The section is either the ladder itself (a list of steps, as agreements have always written
it) or a mapping with the ladder under `ladder:` and `objective_warnings_after:`, the share
of a running period that has to pass before a forecast or an early breach of an objective
notifies anyone (50 % by default: on day 7 of a month a count cannot tell much yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from slawatch.agreements._walk import At, Walk, as_fraction, read_mapping, read_percent
from slawatch.agreements.credits import read_escalation
from slawatch.agreements.model import DEFAULT_OBJECTIVE_WARNINGS_AFTER, EscalationStep

KEYS = ("ladder", "objective_warnings_after")
EXAMPLE = (
    "write the steps as a list, or a mapping such as "
    "{objective_warnings_after: 50%, ladder: [{after: 0h, tier: 1}, {after: 4h, tier: 2}]}"
)


@dataclass(frozen=True)
class EscalationSection:
    ladder: tuple[EscalationStep, ...] = ()
    objective_warnings_after: float = DEFAULT_OBJECTIVE_WARNINGS_AFTER


def read_escalation_section(walk: Walk, value: Any, at: At) -> EscalationSection:
    """Read `escalation:` written as a list of steps or as a mapping with `ladder:`."""
    if not isinstance(value, CommentedMap) or "after" in value or "tier" in value:
        # A step written without its list is refused as the ladder it means to be.
        return EscalationSection(ladder=read_escalation(walk, value, at))
    section = read_mapping(walk, value, at, known=KEYS, example=EXAMPLE)
    if section is None:  # pragma: no cover - a CommentedMap is always a mapping
        return EscalationSection()
    ladder: tuple[EscalationStep, ...] = ()
    if "ladder" in section:
        ladder = read_escalation(walk, section.get("ladder"), section.value_at("ladder"))
    share = DEFAULT_OBJECTIVE_WARNINGS_AFTER
    if "objective_warnings_after" in section:
        where = section.value_at("objective_warnings_after")
        percent = read_percent(walk, section.get("objective_warnings_after"), where)
        if percent is not None:
            share = as_fraction(percent)
    return EscalationSection(ladder=ladder, objective_warnings_after=share)
