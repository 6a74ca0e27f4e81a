"""Flows: an agreement's objectives grouped by the kind of item they measure.

A kind comes from `where: {kind: …}`, spreads to objectives sharing its events, and is guessed
from the event names otherwise; each flow becomes one population of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from slawatch.agreements.model import Agreement, Objective, Target
from slawatch.engine.kinds import clocked, kind_of
from slawatch.engine.kinds.base import TimedObjective

LEAD_EVENTS = frozenset(
    {"created", "qualified", "handed_over", "contacted", "on_hold", "off_hold", "accepted",
     "rejected", "converted"}
)  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """A share of the items with one event (`of`) that also get another (`count`)."""

    count: str
    of: str
    target: Target


@dataclass(frozen=True)
class Outage:
    """A service's failures (`down`) and recoveries (`up`), kept within a target's budget."""

    down: str
    up: str
    target: Target


def _roles(objective: Objective) -> dict[str, str]:
    """Return the events the objective reads by role, as its kind names them."""
    return kind_of(objective.kind).event_roles(objective)


def _clocks(objectives: list[Objective]) -> list[TimedObjective]:
    return [timed for o in objectives if (timed := clocked(o)) is not None]


def _outages(objectives: list[Objective]) -> list[Outage]:
    found = ((_roles(o), o.target) for o in objectives)
    return [Outage(r["down"], r["up"], target) for r, target in found if "down" in r]


@dataclass
class Flow:
    kind: str
    objectives: list[Objective] = field(default_factory=list)

    @property
    def events(self) -> list[str]:
        names: list[str] = []
        for objective in self.objectives:
            for name in _events_of(objective):
                if name not in names:
                    names.append(name)
        return names

    @property
    def is_service(self) -> bool:
        return bool(self.outages)

    @property
    def clocks(self) -> list[TimedObjective]:
        """Return the objectives that time each item from a start to a stop event."""
        return _clocks(self.objectives)

    @property
    def outcomes(self) -> list[Outcome]:
        """Return the shares of items with one event that also get another."""
        found = ((_roles(o), o.target) for o in self.objectives)
        return [Outcome(r["count"], r["of"], target) for r, target in found if "of" in r]

    @property
    def counted(self) -> list[str]:
        """Return the events counted alone (not as a share of another event)."""
        found = (_roles(o) for o in self.objectives)
        return [r["count"] for r in found if "count" in r and "of" not in r]

    @property
    def outages(self) -> list[Outage]:
        """Return the failures and recoveries of services whose availability is measured."""
        return _outages(self.objectives)


def _events_of(objective: Objective) -> list[str]:
    return list(_roles(objective).values())


def _explicit_kind(objective: Objective) -> str | None:
    for test in objective.where:
        if test.attribute == "kind" and test.equals:
            return test.equals[0]
    return None


def _guessed_kind(objectives: list[Objective]) -> str:
    names = {name for o in objectives for name in _events_of(o)}
    if _outages(objectives):
        return "service"
    if names & LEAD_EVENTS:
        return "lead"
    if any("ticket" in name for name in names):
        return "ticket"
    if any("request" in name for name in names):
        return "request"
    return "request" if _clocks(objectives) else "lead"


def flows_of(agreement: Agreement) -> list[Flow]:
    """Group objectives by item kind; objectives without a kind join one sharing their events."""
    objectives = list(agreement.objectives.values())
    kinds = {o.id: _explicit_kind(o) for o in objectives}
    changed = True
    while changed:  # spread explicit kinds along shared event names
        changed = False
        for o in objectives:
            if kinds[o.id] is not None:
                continue
            for other in objectives:
                shared = set(_events_of(o)) & set(_events_of(other))
                if kinds[other.id] is not None and shared:
                    kinds[o.id] = kinds[other.id]
                    changed = True
                    break
    flows: dict[str, Flow] = {}
    for o in objectives:
        kind = kinds[o.id] or _guessed_kind([o])
        flows.setdefault(kind, Flow(kind)).objectives.append(o)
    return list(flows.values())


def allocate(flows: list[Flow], items: int) -> list[int]:
    """Split the items: a few services per availability flow, the rest weighted (leads first)."""
    services = [min(3, items) if f.is_service else 0 for f in flows]
    rest = max(0, items - sum(services))
    weights = np.array([0 if f.is_service else (8 if f.kind == "lead" else 1) for f in flows])
    if weights.sum() == 0:
        return services
    shares = np.floor(rest * weights / weights.sum()).astype(int)
    shares[int(np.argmax(weights))] += rest - int(shares.sum())
    return [s + int(x) for s, x in zip(services, shares, strict=True)]
