"""What every objective kind provides, so the rest of slawatch never tests a kind's name.

A kind is one object (`Kind`) in one module: how it measures, judges and describes an
objective, what its result looks like (an `ObjectiveResult` subclass) and how its figures
read (a share or a count, how many decimals, what a value is made of).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from slawatch.agreements._walk import At, Map, Walk
from slawatch.agreements.model import ClockSpec, Duration, Objective
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.periods import Period
from slawatch.engine.results import ObjectiveResult


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a marker
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


class Words(Protocol):
    """Write a kind's figures in a reader's language (`slawatch.formatting` provides it)."""

    def gettext(self, message: str, **params: object) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str: ...

    def count(self, number: int) -> str: ...

    def duration(self, seconds: float) -> str: ...

    def clock_state(self, state: str) -> str: ...


class TimedObjective(Objective):
    """An objective whose every item has a clock, from a start event to a stop event.

    Item lists, item pages, breach messages and the event generator read these fields
    without naming the kind that has them; `slawatch.engine.kinds.clocked` finds them.
    """

    clock: ClockSpec
    within: Duration
    calendar: str | None = None
    warn: float | None = None  # fraction of the allowance after which a running item is at risk


@dataclass(frozen=True)
class Kind:
    """An objective kind: its name in agreements and JSON, and how its figures read.

        `share`: the value is a fraction shown in percent (else a count); `decimals`: the fewest
        decimals a value shows, in its shown unit (more only to read right against its target);
        `near_full`: its values live near 100 %, so a chart zooms in rather than start at zero;
        `item_clocks`: each item has a clock (listed, breached items reported), so its objective
    is a `TimedObjective`. The kind's own YAML key is its name (`clock: {start: E, stop: E}`).
    """

    name: str
    label: str  # a msgid: what people call the kind ("response time")
    share: bool
    decimals: int
    result: type[ObjectiveResult]
    objective: type[Objective]  # its model in an agreement
    near_full: bool = False
    item_clocks: bool = False
    keys: tuple[str, ...] = ()  # objective keys it reads besides its own (`within:`)
    example: str = "EVENT"  # how its own key is written, for hints

    def read(self, walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
        """Read the kind's own fields of an objective's YAML; None after reporting a problem."""
        raise NotImplementedError

    def measure(
        self, evaluator: Evaluator, objective: Any, periods: list[Period]
    ) -> list[ObjectiveResult]:
        """Return the objective's result in each period."""
        raise NotImplementedError

    def event_roles(self, objective: Any) -> dict[str, str]:
        """Return the event type of each role the objective reads: {"start": "handed_over"}."""
        raise NotImplementedError

    def allowance(self, objective: Any) -> Duration | None:
        """Return the time each item is allowed, for a kind that times items; else None."""
        return None

    def referenced_events(self, objective: Any) -> dict[str, str]:
        """Return the events by role an industry reference may name to apply to the objective.

        A reference's `match:` names a clock's start and stop, or a ratio's count and of; the
        other kinds' events no reference names.
        """
        return {}

    def describe(self, objective: Any) -> str:
        """Say in words what the objective measures, before its `where:` and period."""
        raise NotImplementedError

    def details(self, result: Any, words: Words) -> str:
        """Say what a value is made of ('12 of 80'); empty when the value says it all."""
        return ""
