"""Typed, validated agreements: what `parse.py` produces and the engine consumes.

Every model is frozen: an agreement version is a value, never edited in place. Percentages
are stored as fractions (95 % → 0.95) and durations in whole seconds or business days.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SECONDS_PER_DAY = 86_400


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DurationUnit(StrEnum):
    WALL = "wall"  # real elapsed seconds, 24/7
    WORKING = "working"  # seconds of working time on a calendar
    BUSINESS_DAYS = "business_days"  # whole business days on a calendar


class Duration(Model):
    """An allowance or a delay: `24h` wall time, `8h` working time or `3bd` business days."""

    unit: DurationUnit
    amount: int = Field(ge=0)  # seconds for WALL and WORKING, days for BUSINESS_DAYS
    text: str  # as the user wrote it, for messages and documents

    @property
    def seconds(self) -> int:
        if self.unit is DurationUnit.BUSINESS_DAYS:
            raise ValueError("a business-day duration has no fixed length in seconds")
        return self.amount


class Interval(Model):
    """One working interval of a weekday, in seconds after local midnight of the day it opens.

    `end` may exceed 86 400: `22:00-06:00` is (79 200, 108 000) and runs into the next day.
    """

    start: int = Field(ge=0, lt=SECONDS_PER_DAY)
    end: int = Field(gt=0, le=2 * SECONDS_PER_DAY)


class HolidaySource(Model):
    """Public holidays from the `holidays` package, e.g. DE-BY with the catholic category."""

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] | None = None  # None: the package's default categories


class Calendar(Model):
    """A working-time calendar: zone, weekly hours, public holidays and closed dates."""

    id: str
    timezone: str
    # hours[0] is Monday … hours[6] Sunday; each a sorted tuple of non-overlapping intervals.
    hours: tuple[tuple[Interval, ...], ...] = Field(min_length=7, max_length=7)
    holidays: HolidaySource | None = None
    closed: frozenset[dt.date] = frozenset()


class Comparison(StrEnum):
    AT_LEAST = ">="
    AT_MOST = "<="
    MORE_THAN = ">"
    LESS_THAN = "<"

    def holds(self, value: float, target: float) -> bool:
        return bool(self.apply(value, target))

    def apply(self, value: Any, target: Any) -> Any:
        """Compare with this operator; works on numbers, numpy arrays and polars expressions."""
        return _OPERATORS[self](value, target)

    @property
    def higher_is_better(self) -> bool:
        return self in (Comparison.AT_LEAST, Comparison.MORE_THAN)


_OPERATORS: dict[Comparison, Callable[[Any, Any], Any]] = {
    Comparison.AT_LEAST: operator.ge,
    Comparison.AT_MOST: operator.le,
    Comparison.MORE_THAN: operator.gt,
    Comparison.LESS_THAN: operator.lt,
}


class Target(Model):
    op: Comparison
    value: float  # a fraction for shares (0.95), a number for counts
    share: bool  # written as a percentage
    text: str

    @property
    def exact(self) -> Fraction:
        """Return the value as the agreement wrote it, exactly, for integer arithmetic.

        `value` comes from a decimal of a few digits (99.95 % → 0.9995), and a float's
        shortest repr gives back any decimal of up to 15 significant digits unchanged, so
        (1 − 90 %) × 2,682,000 s is 268,200 s here, where floats give 268,199.99….
        """
        return Fraction(repr(self.value))


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class AttributeTest(Model):
    """One `where:` condition on an item attribute (`kind` is an attribute too)."""

    attribute: str
    equals: tuple[str, ...] = ()  # one of these values (a single value is a 1-tuple)
    compare: Comparison | None = None  # numeric comparison, with `number`
    number: float | None = None


class Objective(Model):
    """What every objective has, whatever it measures.

    Each kind (`engine/kinds/`) subclasses it with what it measures (its events, allowance,
    calendar) and sets `kind` to its name.
    """

    kind: str
    id: str
    owner: str
    title: str
    period: PeriodKind = PeriodKind.MONTH
    where: tuple[AttributeTest, ...] = ()
    target: Target


class ClockSpec(Model):
    start: str
    stop: str
    pause: str | None = None
    resume: str | None = None


class MaintenanceWindow(Model):
    start: dt.datetime  # timezone-aware
    end: dt.datetime


class Party(Model):
    id: str
    name: str
    contacts: tuple[str, ...] = ()  # tier 1, 2, 3: employee, department head, management


DEFAULT_OBJECTIVE_WARNINGS_AFTER = 0.5  # the share of a running period; see docs/escalation.md


class CorrectionApproval(StrEnum):
    NONE = "none"  # an editor's correction applies when saved
    OTHER_PARTY = "other-party"  # it applies once someone of another party (or an admin) approves


class CorrectionRules(Model):
    """The agreement's `corrections:` section: who has to agree before a correction applies."""

    approval: CorrectionApproval = CorrectionApproval.NONE


class StandingExclusion(Model):
    """The agreement's `exclude:` section: items that no objective measures (test leads)."""

    where: tuple[AttributeTest, ...]


class EscalationStep(Model):
    after: Duration  # since the escalation opened; working time if the objective has a calendar
    tier: int = Field(ge=1, le=3)


class CreditTier(Model):
    """A credit owed when the objective's value falls below (or rises above) a threshold."""

    threshold: float  # a fraction for shares, a number of items for counts
    direction: Literal["below", "above"]
    credit: float  # a fraction of the fee


class Fee(Model):
    amount: float = Field(ge=0)
    currency: str


class Credits(Model):
    fee: Fee
    tiers: dict[str, tuple[CreditTier, ...]]  # objective id → tiers, mildest first


class Expectation(Model):
    """At least one event of `event_type` every `every`: a feed silent for longer is broken.

    `every` is wall time without a calendar, working time (or business days) on `calendar`.
    """

    event_type: str
    every: Duration
    calendar: str | None = None


class DisputeRules(Model):
    """How disputes are resolved: in what time, on which calendar, along which ladder.

    `ladder` None means the agreement's `escalation:` ladder; its delays, like the resolution
    time, count working time on `calendar` when one is named (see docs/disputes.md).
    """

    resolve_within: Duration
    calendar: str | None = None
    ladder: tuple[EscalationStep, ...] | None = None


class IncidentTrigger(Model):
    """What opens an incident of the emergency plan.

    `service-down`: an availability objective's service is down (`service`: one item's
    external id, or any of its services); `feed-silent`: an event type has gone silent;
    `declared`: by hand (always possible, listed to say so).
    """

    kind: Literal["service-down", "feed-silent", "declared"]
    objective: str | None = None  # service-down
    service: str | None = None  # service-down: an item's external id; None: any service
    event: str | None = None  # feed-silent


class EmergencyStep(Model):
    """One step of the plan: what to do, which party does it, and by when after opening."""

    do: str
    owner: str  # a party id
    within: Duration  # wall-clock time after the incident opened


class EmergencyPlan(Model):
    """The agreement's `emergency:` section: triggers, ordered steps, contacts, paused clocks."""

    triggers: tuple[IncidentTrigger, ...] = ()
    steps: tuple[EmergencyStep, ...] = ()
    contacts: tuple[str, ...] = ()  # e-mails notified when an incident opens
    pause: tuple[str, ...] = ()  # clock objectives whose clocks pause while an incident is open


class ReviewCadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Agreement(Model):
    id: str
    title: str
    timezone: str
    effective: dt.date
    review: ReviewCadence | None = None
    version: int | None = None
    parties: dict[str, Party]
    calendars: dict[str, Calendar] = {}
    objectives: dict[str, Objective]
    escalation: tuple[EscalationStep, ...] = ()
    # Warnings about a running period's objectives wait until this share of it has passed.
    objective_warnings_after: float = Field(default=DEFAULT_OBJECTIVE_WARNINGS_AFTER, ge=0, le=1)
    credits: Credits | None = None
    # `expect:` by event type; empty for agreements without the section (docs/feeds.md).
    expect: dict[str, Expectation] = {}
    corrections: CorrectionRules = CorrectionRules()
    exclude: StandingExclusion | None = None
    # None: disputes follow the defaults of `agreements/disputes.py` (docs/disputes.md).
    disputes: DisputeRules | None = None
    emergency: EmergencyPlan | None = None  # None: no plan; nothing pauses, nothing triggers

    def calendar_of(self, objective_id: str) -> Calendar | None:
        """Return the calendar an objective's clock or downtime is measured on, if any."""
        objective = self.objectives[objective_id]
        name = getattr(objective, "calendar", None)
        return None if name is None else self.calendars[name]
