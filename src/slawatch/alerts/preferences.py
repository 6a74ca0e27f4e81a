"""Decide, per recipient, whether a message goes at once, waits for a digest, or not at all.

The ladder decides "notify X at tier N"; this decides how X hears of it. It is pure: the
recipient's choices, the trigger, the tier, the instant and the recipient's working hours go
in, a `Decision` comes out, so every rule is tested without a database or a clock.

The rules, in order:
- a breach at tier 2 or above goes at once, whatever the recipient chose and whatever the
  hour: someone above the responsible contact must hear of a missed promise now;
- otherwise the recipient's choice for the trigger counts (at once, digest or off), and
  without a choice the default (`DEFAULT_MODES`): breaches at once, the rest in a digest;
- a digest entry waits for the end of its digest window (every `digest_minutes`, aligned to
  the hour), and anything not urgent waits until the recipient's calendar opens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from slawatch.engine.calendar import WorkingTime
from slawatch.i18n import N_

NOW: Final = "now"
DIGEST: Final = "digest"
OFF: Final = "off"
MODES: Final = (NOW, DIGEST, OFF)
MODE_LABELS: Final = {NOW: N_("At once"), DIGEST: N_("In a digest"), OFF: N_("Off")}

BREACH_TRIGGERS: Final = frozenset({"breach", "period_breached"})
REVIEW_REMINDER: Final = "review_reminder"
EVALUATION_FAILING: Final = "evaluation_failing"  # failing_evaluations.TRIGGER
FEED_SILENT: Final = "feed_silent"  # alerts/feeds.py: a feed went silent, or is back

# Every trigger a recipient may choose for, in the order the preferences page shows them.
DEFAULT_MODES: Final = {
    "breach": NOW,
    "period_breached": NOW,
    "warn": DIGEST,
    "at_risk": DIGEST,
    REVIEW_REMINDER: NOW,  # one per contact and due date, two weeks ahead: nothing to batch
    EVALUATION_FAILING: NOW,
    FEED_SILENT: NOW,  # once per silence: a broken integration is worth hearing of at once
}
TRIGGERS: Final = tuple(DEFAULT_MODES)
TRIGGER_LABELS: Final = {
    "breach": N_("An item breached its deadline"),
    "period_breached": N_("An objective missed its target for a period"),
    "warn": N_("An item is at risk of missing its deadline"),
    "at_risk": N_("An objective is forecast to miss its target"),
    REVIEW_REMINDER: N_("A review of an agreement is due"),
    EVALUATION_FAILING: N_("An agreement's evaluation keeps failing (admins)"),
    FEED_SILENT: N_("An expected feed of events went silent, or is back"),
}

# Quiet hours: the calendar of what the message is about (default), none, or a chosen one.
QUIET_OBJECTIVE: Final = "objective"
QUIET_NEVER: Final = "never"
DEFAULT_DIGEST_MINUTES: Final = 30
SUMMARY_HOUR: Final = 8  # the daily summary of the day before goes from 08:00 local time
MAX_OPENING_SEARCH_US: Final = 14 * 86_400 * 1_000_000  # a calendar closed longer: send anyway


class PreferenceError(ValueError):
    """A choice that cannot be stored; the message names the field and what to write."""


@dataclass(frozen=True)
class Choices:
    """One recipient's choices; triggers without a choice take `DEFAULT_MODES`."""

    modes: Mapping[str, str] = field(default_factory=dict)
    quiet_hours: str = QUIET_OBJECTIVE
    daily_summary: bool = True

    def mode_for(self, trigger: str) -> str:
        return self.modes.get(trigger) or DEFAULT_MODES.get(trigger, NOW)

    def all_modes(self) -> dict[str, str]:
        """Return the mode of every known trigger, chosen or default."""
        return {trigger: self.mode_for(trigger) for trigger in TRIGGERS}


@dataclass(frozen=True)
class Decision:
    """How a message travels: at once or in a digest, and not before `release_at` (µs)."""

    mode: str  # now | digest
    release_at: int


# The first instant at or after the argument at which the recipient's calendar is open.
Opening = Callable[[int], int]


def is_urgent(trigger: str, tier: int) -> bool:
    """Return whether a message ignores preferences and quiet hours: a breach at tier ≥ 2."""
    return trigger in BREACH_TRIGGERS and tier >= 2


def mode_of(trigger: str, tier: int, choices: Choices) -> str:
    """Return how this recipient gets this trigger at this tier: now, digest or off."""
    return NOW if is_urgent(trigger, tier) else choices.mode_for(trigger)


def window_end(instant: int, digest_us: int) -> int:
    """Return the end of the digest window holding `instant`: windows are [k·N, (k+1)·N)."""
    return (instant // digest_us + 1) * digest_us


def decide(
    trigger: str,
    tier: int,
    choices: Choices,
    *,
    now: int,
    digest_us: int,
    opening: Opening | None = None,
) -> Decision | None:
    """Decide how one message reaches one recipient; None when the recipient turned it off."""
    mode = mode_of(trigger, tier, choices)
    if mode == OFF:
        return None
    release = now if mode == NOW else window_end(now, digest_us)
    if opening is not None and not is_urgent(trigger, tier):
        release = opening(release)
    return Decision(mode, release)


def next_opening(calendar: WorkingTime, instant: int) -> int:
    """Return the first instant at or after `instant` inside the calendar's working hours.

    One µs of working time past `instant`, less that µs (as `escalation.working_clock` does).
    A calendar closed for more than two weeks does not hold a message back.
    """
    reached = int(calendar.cumulative(np.array([instant], dtype=np.int64))[0])
    opens = int(calendar.instant_at(np.array([reached + 1], dtype=np.int64))[0]) - 1
    return opens if opens - instant <= MAX_OPENING_SEARCH_US else instant


def checked_modes(modes: Mapping[str, str]) -> dict[str, str]:
    """Return the choices per trigger, or raise PreferenceError naming the bad one."""
    checked: dict[str, str] = {}
    for trigger, mode in modes.items():
        if trigger not in DEFAULT_MODES:
            raise PreferenceError(
                f"triggers.{str(trigger)[:40]}: unknown trigger; use one of {', '.join(TRIGGERS)}"
            )
        if mode not in MODES:
            raise PreferenceError(
                f"triggers.{trigger}: {str(mode)[:20]!r} is not a mode; use {', '.join(MODES)}"
            )
        checked[trigger] = mode
    return checked


def checked_quiet_hours(value: str, calendars: Mapping[str, object]) -> str:
    """Return a quiet-hours choice: objective, never, or a known `<agreement>/<calendar>`."""
    if value in (QUIET_OBJECTIVE, QUIET_NEVER) or value in calendars:
        return value
    known = ", ".join([QUIET_OBJECTIVE, QUIET_NEVER, *sorted(calendars)][:20])
    raise PreferenceError(f"quiet_hours: {value[:100]!r} is not a calendar; use one of {known}")
