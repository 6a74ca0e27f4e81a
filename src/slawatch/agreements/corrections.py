"""Read the `corrections:` section (who approves a correction) and `exclude:` (standing exclusions).

Both are optional: an agreement without them applies an editor's correction when it is saved
and measures every item its objectives select, as agreements always have.
"""

from __future__ import annotations

from typing import Any

from slawatch.agreements._walk import At, Walk, read_choice, read_mapping
from slawatch.agreements.model import CorrectionApproval, CorrectionRules, StandingExclusion
from slawatch.agreements.targets import read_where

CORRECTION_KEYS = ("approval",)
CORRECTIONS_EXAMPLE = "write corrections: {approval: other-party} or {approval: none}"
EXCLUDE_KEYS = ("where",)
EXCLUDE_EXAMPLE = "write exclude: {where: {source: test}}"


def read_corrections(walk: Walk, value: Any, at: At) -> CorrectionRules:
    """Read `corrections: {approval: other-party | none}`."""
    section = read_mapping(walk, value, at, known=CORRECTION_KEYS, example=CORRECTIONS_EXAMPLE)
    if section is None or "approval" not in section:
        return CorrectionRules()
    choices = [approval.value for approval in CorrectionApproval]
    approval = read_choice(
        walk,
        section.get("approval"),
        section.value_at("approval"),
        choices,
        what="correction approval (other-party or none)",
    )
    return CorrectionRules() if approval is None else CorrectionRules(approval=approval)


def read_exclude(walk: Walk, value: Any, at: At) -> StandingExclusion | None:
    """Read `exclude: {where: {...}}`, the items no objective measures."""
    section = read_mapping(
        walk, value, at, known=EXCLUDE_KEYS, required=EXCLUDE_KEYS, example=EXCLUDE_EXAMPLE
    )
    if section is None or "where" not in section:
        return None
    where = read_where(walk, section.get("where"), section.value_at("where"))
    if not where:
        walk.problem(
            section.value_at("where"),
            "names no attribute",
            "write at least one test such as {source: test}, or remove exclude:",
        )
        return None
    return StandingExclusion(where=where)
