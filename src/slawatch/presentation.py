"""How an objective's figures read to people, in their language: values, targets, statuses.

Pages, reports and messages show the same numbers the same way: a count as a number, a share
as a percentage (availability with two decimals, since 99.9 % and 99.95 % differ by hours),
a status by its translated name. Input is an objective of the stored `evaluate` JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slawatch.i18n import N_, Translator

STATUS_NAMES = {
    "met": N_("met"),
    "on_track": N_("on track"),
    "at_risk": N_("at risk"),
    "breached": N_("breached"),
    "no_data": N_("no data"),
}
CLOCK_STATE_NAMES = {
    "met": N_("met"),
    "breached": N_("breached"),
    "running": N_("running"),
    "at_risk": N_("at risk"),
    "paused": N_("paused"),
}
KIND_NAMES = {
    "count": N_("count"),
    "clock": N_("response time"),
    "ratio": N_("rate"),
    "availability": N_("availability"),
}


def value_text(objective: Mapping[str, Any], value: float | None, t: Translator) -> str:
    """Format a value or target of an objective: '86', '98.7%', '99.95 %'; '–' for none."""
    if value is None:
        return "–"
    kind = objective.get("kind")
    if kind == "count":
        return t.number(value, digits=1)
    return t.percent(value, digits=2 if kind == "availability" else 1)


def target_text(objective: Mapping[str, Any], t: Translator) -> str:
    """Format the target with its comparison: '≥ 50', '≤ 10%'."""
    op = {">=": "≥", "<=": "≤"}.get(objective["op"], objective["op"])
    return f"{op} {value_text(objective, objective['target'], t)}"


def status_text(status: str, t: Translator) -> str:
    return t.gettext(STATUS_NAMES.get(status, status))


def clock_state_text(state: str, t: Translator) -> str:
    return t.gettext(CLOCK_STATE_NAMES.get(state, state))


def details_text(objective: Mapping[str, Any], t: Translator) -> str:
    """Say what a value is made of: '41 met, 2 breached, 3 running', '12 of 80'."""
    kind = objective.get("kind")
    if kind == "clock":
        counts = objective.get("counts", {})
        return ", ".join(
            f"{t.number(counts.get(state, 0), 0)} {clock_state_text(state, t)}"
            for state in ("met", "breached", "at_risk", "running", "paused")
            if counts.get(state)
        )
    if kind == "ratio":
        return t.gettext(
            "%(numerator)s of %(denominator)s",
            numerator=t.number(objective.get("numerator", 0), 0),
            denominator=t.number(objective.get("denominator", 0), 0),
        )
    if kind == "availability":
        text = t.gettext(
            "%(failures)s failures, %(downtime)s down",
            failures=t.number(objective.get("failures", 0), 0),
            downtime=t.duration(objective.get("downtime_seconds", 0)),
        )
        if objective.get("mttr_seconds") is not None:
            text += ", " + t.gettext("MTTR %(mttr)s", mttr=t.duration(objective["mttr_seconds"]))
        return text
    return ""
