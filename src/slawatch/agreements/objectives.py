"""Read objectives: what each one measures, with which events, allowance and calendar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slawatch.agreements._walk import (
    At,
    Map,
    Walk,
    as_fraction,
    build,
    each_entry,
    humanize,
    list_items,
    read_choice,
    read_event,
    read_instant,
    read_mapping,
    read_percent,
    read_reference,
    read_sequence,
    read_text,
    required_hint,
)
from slawatch.agreements.durations import DurationError, parse_duration
from slawatch.agreements.model import (
    AttributeTest,
    AvailabilityObjective,
    ClockObjective,
    CountObjective,
    Duration,
    MaintenanceWindow,
    Objective,
    PeriodKind,
    RatioObjective,
)
from slawatch.agreements.targets import read_target, read_where

KINDS = ("count", "clock", "ratio", "availability")
RESERVED_OBJECTIVE_IDS = ("fee",)  # `credits:` mixes the fee with objective ids

OBJECTIVE_KEYS = (
    "owner",
    "title",
    "period",
    "where",
    "target",
    *KINDS,
    "within",
    "calendar",
    "warn",
)


def read_objectives(
    walk: Walk,
    value: Any,
    at: At,
    *,
    parties: set[str],
    calendars: set[str],
    declared: set[str],
) -> dict[str, Objective]:
    mapping = read_mapping(walk, value, at, what="a mapping of objective ids to objectives")
    if mapping is None:
        return {}
    if not mapping.node:
        walk.problem(at, "needs at least one objective", required_hint("objectives"))
    objectives: dict[str, Objective] = {}
    for objective_id, body, objective_at in each_entry(walk, mapping, what="objective id"):
        declared.add(objective_id)
        if objective_id in RESERVED_OBJECTIVE_IDS:
            walk.problem(
                objective_at,
                f'"{objective_id}" is reserved',
                f"credits: uses {objective_id}: for the fee; pick another id",
            )
            continue
        objective = _objective(
            walk, objective_id, body, objective_at, parties=parties, calendars=calendars
        )
        if objective is not None:
            objectives[objective_id] = objective
    return objectives


def _objective(
    walk: Walk, objective_id: str, body: Any, at: At, *, parties: set[str], calendars: set[str]
) -> Objective | None:
    before = len(walk.problems)
    spec = read_mapping(walk, body, at, known=OBJECTIVE_KEYS, required=("owner", "target"))
    if spec is None:
        return None
    kinds = [kind for kind in KINDS if kind in spec]
    kind = kinds[0] if len(kinds) == 1 else None
    if not kinds:
        walk.problem(
            at,
            "says nothing to measure",
            "add one of count: EVENT, clock: {start: E, stop: E}, ratio: {count: E, of: E}, "
            "availability: {down: E, up: E}",
        )
    elif len(kinds) > 1:
        walk.problem(
            spec.key_at(kinds[1]),
            f"measures both {kinds[0]} and {kinds[1]}",
            "an objective measures one thing; split it into two objectives",
        )
    for key in ("within", "warn"):
        if key in spec and kind is not None and kind != "clock":
            walk.problem(
                spec.key_at(key), f"{key} only applies to clock objectives", f"remove {key}"
            )
    if "calendar" in spec and kind in ("count", "ratio"):
        walk.problem(
            spec.key_at("calendar"),
            "calendar only applies to clock and availability objectives",
            "remove calendar",
        )
    owner = None
    if "owner" in spec:
        owner = read_reference(
            walk, spec.get("owner"), spec.value_at("owner"), parties, what="party"
        )
    title = humanize(objective_id)
    if "title" in spec:
        title = read_text(walk, spec.get("title"), spec.value_at("title")) or title
    period = PeriodKind.MONTH
    if "period" in spec:
        chosen = read_choice(
            walk,
            spec.get("period"),
            spec.value_at("period"),
            [p.value for p in PeriodKind],
            what="period",
        )
        period = PeriodKind(chosen) if chosen else period
    where: tuple[AttributeTest, ...] = ()
    if "where" in spec:
        where = read_where(walk, spec.get("where"), spec.value_at("where"))
    target = None
    if "target" in spec:
        share = None if kind is None else kind != "count"
        target = read_target(walk, spec.get("target"), spec.value_at("target"), share=share)
    calendar = None
    if "calendar" in spec and kind in ("clock", "availability"):
        calendar = read_reference(
            walk, spec.get("calendar"), spec.value_at("calendar"), calendars, what="calendar"
        )
    fields: dict[str, Any] | None = None
    if kind == "count":
        fields = {"count": read_event(walk, spec.get("count"), spec.value_at("count"))}
    elif kind == "clock":
        fields = _clock(walk, spec, at, calendar)
    elif kind == "ratio":
        fields = _ratio(walk, spec)
    elif kind == "availability":
        fields = _availability(walk, spec, calendar)
    if fields is None or len(walk.problems) > before:
        return None
    common: dict[str, Any] = {"id": objective_id, "owner": owner, "title": title}
    common |= {"period": period}
    common |= {"where": where, "target": target, **fields}
    builders: dict[str, Callable[[], Objective]] = {
        "count": lambda: CountObjective(**common),
        "clock": lambda: ClockObjective(**common),
        "ratio": lambda: RatioObjective(**common),
        "availability": lambda: AvailabilityObjective(**common),
    }
    return build(walk, at, builders[kinds[0]])


def _clock(walk: Walk, spec: Map, at: At, calendar: str | None) -> dict[str, Any] | None:
    clock = read_mapping(
        walk,
        spec.get("clock"),
        spec.value_at("clock"),
        known=("start", "stop", "pause", "resume"),
        required=("start", "stop"),
    )
    events: dict[str, str | None] = {}
    if clock is not None:
        for key in ("start", "stop", "pause", "resume"):
            if key in clock:
                events[key] = read_event(walk, clock.get(key), clock.value_at(key))
        for one, other in (("pause", "resume"), ("resume", "pause")):
            if one in clock and other not in clock:
                walk.problem(
                    clock.key_at(one),
                    f"{one} needs {other}",
                    f"add {other}: EVENT, or remove {one}",
                )
        for one, other in (("start", "stop"), ("pause", "resume")):
            if events.get(one) is not None and events.get(one) == events.get(other):
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


def _ratio(walk: Walk, spec: Map) -> dict[str, Any] | None:
    ratio = read_mapping(
        walk,
        spec.get("ratio"),
        spec.value_at("ratio"),
        known=("count", "of"),
        required=("count", "of"),
    )
    if ratio is None:
        return None
    events = {
        key: read_event(walk, ratio.get(key), ratio.value_at(key))
        for key in ("count", "of")
        if key in ratio
    }
    if events.get("count") is not None and events.get("count") == events.get("of"):
        walk.problem(
            ratio.value_at("count"),
            "counts the same event it divides by",
            "a ratio of an event to itself is always 100 %; count a different event",
        )
    return events


def _availability(walk: Walk, spec: Map, calendar: str | None) -> dict[str, Any] | None:
    availability = read_mapping(
        walk,
        spec.get("availability"),
        spec.value_at("availability"),
        known=("down", "up", "maintenance"),
        required=("down", "up"),
    )
    if availability is None:
        return None
    fields: dict[str, Any] = {
        key: read_event(walk, availability.get(key), availability.value_at(key))
        for key in ("down", "up")
        if key in availability
    }
    if fields.get("down") is not None and fields.get("down") == fields.get("up"):
        walk.problem(
            availability.value_at("up"),
            "up is the same event as down",
            "an outage ends at a different event than it starts",
        )
    if "maintenance" in availability:
        fields["maintenance"] = _maintenance(
            walk, availability.get("maintenance"), availability.value_at("maintenance")
        )
    return fields | {"calendar": calendar}


def _maintenance(walk: Walk, value: Any, at: At) -> tuple[MaintenanceWindow, ...]:
    seq = read_sequence(walk, value, at, what="a list of {start: INSTANT, end: INSTANT} windows")
    windows: list[MaintenanceWindow] = []
    for _, item, item_at in list_items(seq if seq is not None else CommentedSeq(), at):
        window = read_mapping(
            walk, item, item_at, known=("start", "end"), required=("start", "end")
        )
        if window is None or "start" not in window or "end" not in window:
            continue
        start = read_instant(walk, window.get("start"), window.value_at("start"))
        end = read_instant(walk, window.get("end"), window.value_at("end"))
        if start is not None and end is not None:
            if end <= start:
                walk.problem(
                    window.value_at("end"), "the window ends before it starts", "swap start and end"
                )
            else:
                windows.append(MaintenanceWindow(start=start, end=end))
    return tuple(windows)
