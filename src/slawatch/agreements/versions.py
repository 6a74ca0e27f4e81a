"""From when a new version of an agreement is in force: sealed history, retroactive by choice.

A version saved without a retroactive choice never governs a period that began before it was
saved: without a date it is in force from the day it is saved (and, on that day, only for the
periods that begin after the save). A version in force from a past day rewrites closed
periods, so it is a deliberate act: an explicit past date, `retroactive`, and a reason (the
shell lets only admins make it, and shows the affected periods first).

The YAML's `effective:` of a later version follows the same rule. When it is unchanged from
the version before, it is the agreement's start carried along, not a claim about this version.
The first version of an agreement is in force from whatever its `effective:` says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class RetroactiveProblem(StrEnum):
    PAST_DATE = "past_date"  # a past in-force date without the retroactive choice
    NO_REASON = "no_reason"  # a retroactive version without a reason
    NOT_PAST = "not_past"  # the retroactive choice with a date that is not in the past


class RetroactiveVersionError(ValueError):
    """A version that would rewrite closed periods without a deliberate choice (or vice versa).

    `field` names what to change (`effective`, `reason`, `retroactive`); the message says how.
    """

    def __init__(
        self, problem: RetroactiveProblem, field: str, message: str, *, effective: dt.date
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.field = field
        self.effective = effective


@dataclass(frozen=True)
class InForce:
    """The day a new version is in force from, and whether it reaches back before its save."""

    effective: dt.date
    retroactive: bool


def in_force_from(
    *,
    yaml_effective: dt.date,
    previous_yaml_effective: dt.date | None,
    requested: dt.date | None,
    retroactive: bool,
    reason: str,
    today: dt.date,
) -> InForce:
    """Decide from when a new version is in force; raise RetroactiveVersionError if not allowed.

    `previous_yaml_effective` is the `effective:` of the version in place (None for the first
    version); `requested` the explicit in-force date (None: none given); `today` the save day
    in the agreement's time zone.
    """
    if previous_yaml_effective is None:
        return InForce(requested or yaml_effective, retroactive=False)
    day, field = requested, "effective"
    if day is None and (yaml_effective >= today or yaml_effective != previous_yaml_effective):
        day, field = yaml_effective, "effective (the YAML's `effective:`)"
    if day is None:
        day = today
    if day < today:
        if not retroactive:
            raise RetroactiveVersionError(
                RetroactiveProblem.PAST_DATE,
                field,
                f"{field}: {day} lies before today ({today}); a version in force from a past "
                f"day would change periods that are already closed. Leave the in-force date "
                f"empty or give {today} or later (and keep the YAML's `effective:` as it was), "
                "or, as an admin, save it as a retroactive version with a reason",
                effective=day,
            )
        if not reason.strip():
            raise RetroactiveVersionError(
                RetroactiveProblem.NO_REASON,
                "reason",
                f"reason: a retroactive version (in force from {day}) needs a reason; "
                "say why closed periods are judged again",
                effective=day,
            )
        return InForce(day, retroactive=True)
    if retroactive:
        raise RetroactiveVersionError(
            RetroactiveProblem.NOT_PAST,
            "retroactive",
            f"retroactive: the version is in force from {day}, not before today ({today}), "
            "so it changes no closed period; drop `retroactive` or give the past day it "
            "applies from",
            effective=day,
        )
    return InForce(day, retroactive=False)
