"""The clock kind: the share of items handled within an allowance, and every item's clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slawatch.agreements._walk import (
    At,
    Map,
    Walk,
    as_fraction,
    read_event_keys,
    read_mapping,
    read_percent,
    required_hint,
    same_event,
)
from slawatch.agreements.describe import share_words
from slawatch.agreements.durations import DurationError, format_duration, parse_duration
from slawatch.agreements.model import Agreement, Comparison, Duration
from slawatch.engine.clock import Clocks, ClockState, compute_clocks
from slawatch.engine.evaluator import Evaluator
from slawatch.engine.events import ClockItems, EventTable, clock_items
from slawatch.engine.incidents import IncidentWindow, with_incident_pauses
from slawatch.engine.instants import Instants
from slawatch.engine.kinds.base import N_, Kind, TimedObjective, Words
from slawatch.engine.periods import Period
from slawatch.engine.results import Document, ObjectiveResult, share_budget_left
from slawatch.engine.status import Status, forecast, verdict

STATES = tuple(state.name.lower() for state in sorted(ClockState))  # the JSON's order
SHOWN_STATES = ("met", "breached", "at_risk", "running", "paused")  # the details' order


class ClockObjective(TimedObjective):
    """Time each item from a start event to a stop event against an allowance."""

    kind: Literal["clock"] = "clock"


@dataclass(frozen=True)
class ClockResult(ObjectiveResult):
    kind = "clock"

    met: int = 0
    breached: int = 0
    paused: int = 0
    at_risk: int = 0
    running: int = 0

    COLUMNS = STATES

    def figures(self) -> Document:
        return {"counts": self.counts}

    def columns(self) -> Document:
        return dict(self.counts)

    @property
    def counts(self) -> dict[str, int]:
        """Return the items in each clock state, in the JSON's order."""
        counts: dict[str, int] = {state: getattr(self, state) for state in STATES}
        return counts

    def budget_left(self) -> float | None:
        return share_budget_left(self)

    @property
    def parts(self) -> tuple[float, float]:
        return float(self.met), float(self.met + self.breached)

    @classmethod
    def fields_of(cls, document: Mapping[str, Any]) -> dict[str, Any]:
        counts = document.get("counts") or {}
        return {state: int(counts.get(state, 0)) for state in STATES}


def clock_status(
    met: int,
    breached: int,
    at_risk: int,
    pending: int,
    op: Comparison,
    target: float,
    running: bool,
) -> Status:
    """Judge a share of items on time; pending items (running, paused) are not yet decided.

    Items already at risk count as future breaches. A running period whose items are all
    pending has no value yet but has work under way: it is on track. Closed, it has no data.
    """
    decided = met + breached
    if not running:
        return verdict(met / decided if decided else None, op, target)
    if decided + at_risk == 0:
        return Status.ON_TRACK if pending else Status.NO_DATA
    return forecast(op.holds(met / (decided + at_risk), target))


def measure_clocks(evaluator: Evaluator, objective: TimedObjective) -> tuple[ClockItems, Clocks]:
    """Return the objective's items and the clock of each, as of the evaluator's instant."""
    items = clock_items(evaluator.table, objective.clock, evaluator.items_of(objective))
    windows = evaluator.incidents_pausing(objective)
    inputs = items.inputs
    if windows:
        inputs = with_incident_pauses(inputs, windows, as_of=evaluator.as_of)
        items = ClockItems(items=items.items, inputs=inputs)
    clocks = compute_clocks(
        inputs,
        as_of=evaluator.as_of,
        within=objective.within,
        calendar=evaluator.calendar(objective.calendar),
        warn=objective.warn,
    )
    return items, clocks


def _read_clock(walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
    clock = read_mapping(
        walk,
        spec.get("clock"),
        spec.value_at("clock"),
        example="write {start: opened, stop: answered}",
        known=("start", "stop", "pause", "resume"),
        required=("start", "stop"),
    )
    events: dict[str, str | None] = {}
    if clock is not None:
        events = read_event_keys(walk, clock, ("start", "stop", "pause", "resume"))
        for one, other in (("pause", "resume"), ("resume", "pause")):
            if one in clock and other not in clock:
                walk.problem(
                    clock.key_at(one),
                    f"{one} needs {other}",
                    f"add {other}: EVENT, or remove {one}",
                )
        for one, other in (("start", "stop"), ("pause", "resume")):
            if same_event(events, one, other):
                walk.problem(
                    clock.value_at(other),
                    f"{other} is the same event as {one}",
                    f"a clock needs different events to {one} and {other}",
                )
    within: Duration | None = None
    if "within" not in spec:
        walk.problem(at.join("within", at.line), "is required but missing", required_hint("within"))
    else:
        within = _allowance(
            walk, spec.get("within"), spec.value_at("within"), calendar="calendar" in spec
        )
    warn = None
    if "warn" in spec:
        number = read_percent(walk, spec.get("warn"), spec.value_at("warn"))
        warn = None if number is None else as_fraction(number)
    if clock is None or within is None:
        return None
    return {"clock": events, "within": within, "calendar": calendar, "warn": warn}


def _allowance(walk: Walk, value: Any, at: At, *, calendar: bool) -> Duration | None:
    duration = _duration(walk, value, at, calendar=calendar)
    if duration is not None and duration.amount == 0:
        walk.problem(
            at, f'an allowance of "{duration.text}" can never be met', "allow more than zero time"
        )
        return None
    return duration


def _duration(walk: Walk, value: Any, at: At, *, calendar: bool) -> Duration | None:
    if value is None or isinstance(value, CommentedMap | CommentedSeq | bool):
        walk.problem(at, "needs a duration", "write a number and a unit, such as 24h")
        return None
    try:
        return parse_duration(str(value), calendar=calendar)
    except DurationError as error:
        walk.problem(at, error.message, error.hint)
        return None


class ClockKind(Kind):
    def read(self, walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
        return _read_clock(walk, spec, at, calendar)

    def measure(
        self, evaluator: Evaluator, objective: ClockObjective, periods: list[Period]
    ) -> list[ObjectiveResult]:
        items, clocks = measure_clocks(evaluator, objective)
        index = evaluator.assign(items.inputs.start, periods)
        inside = index >= 0
        states = len(ClockState)
        tally = np.bincount(
            index[inside] * states + clocks.state[inside].astype(np.int64),
            minlength=len(periods) * states,
        ).reshape(len(periods), states)
        results: list[ObjectiveResult] = []
        target, op = objective.target.value, objective.target.op
        for period, row in zip(periods, tally.tolist(), strict=True):
            counts = {state.name.lower(): row[state] for state in ClockState}
            met, breached = counts["met"], counts["breached"]
            value = met / (met + breached) if met + breached else None
            pending = counts["running"] + counts["paused"]
            status = clock_status(
                met, breached, counts["at_risk"], pending, op, target, evaluator.running(period)
            )
            result = ClockResult(objective.id, objective.owner, value, target, op, status, **counts)
            results.append(result)
        return results

    def event_roles(self, objective: ClockObjective) -> dict[str, str]:
        clock = objective.clock
        roles = {"start": clock.start, "stop": clock.stop}
        if clock.pause is not None and clock.resume is not None:
            roles |= {"pause": clock.pause, "resume": clock.resume}
        return roles

    def referenced_events(self, objective: ClockObjective) -> dict[str, str]:
        return {"start": objective.clock.start, "stop": objective.clock.stop}

    def allowance(self, objective: ClockObjective) -> Duration:
        return objective.within

    def describe(self, objective: ClockObjective) -> str:
        clock = objective.clock
        within = objective.within.text or format_duration(objective.within)
        what = f"{share_words(objective.target)} of items from {clock.start} to {clock.stop}"
        what += f" within {within}"
        if objective.calendar is not None:
            what += f" on calendar {objective.calendar}"
        return what

    def details(self, result: ClockResult, words: Words) -> str:
        counts = result.counts
        return ", ".join(
            f"{words.count(counts[state])} {words.clock_state(state)}"
            for state in SHOWN_STATES
            if counts[state]
        )


CLOCK = ClockKind(
    name="clock",
    label=N_("response time"),
    share=True,
    decimals=1,
    result=ClockResult,
    objective=ClockObjective,
    item_clocks=True,
    keys=("within", "calendar", "warn"),
    example="{start: E, stop: E}",
)


@dataclass(frozen=True)
class ItemClocks:
    """Every item's clock for one objective: the `clocks` command's table."""

    objective: str
    items: pl.Series
    start: Instants
    stop: Instants
    clocks: Clocks


def item_clocks(
    agreement: Agreement,
    table: EventTable,
    objective_id: str,
    *,
    as_of: int,
    incidents: Sequence[IncidentWindow] = (),
) -> ItemClocks:
    """Return every item's clock for one clock objective."""
    objective = agreement.objectives[objective_id]
    if not isinstance(objective, ClockObjective):
        raise ValueError(f"objective {objective_id} is a {objective.kind} objective, not a clock")
    evaluator = Evaluator(agreement, table, as_of=as_of, incidents=incidents)
    items, clocks = measure_clocks(evaluator, objective)
    return ItemClocks(
        objective=objective_id,
        items=items.items,
        start=items.inputs.start,
        stop=items.inputs.stop,
        clocks=clocks,
    )
