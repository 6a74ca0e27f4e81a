"""Read the `expect:` section: how often each feed must deliver an event of its type.

A broken integration looks like a quiet month until a count objective breaches, so an
agreement may say "at least one `handed_over` every 4 working hours". Each key is an event
type; its value is a mapping with `every:` (a duration, as `within:` is written) and an
optional `calendar:` (then `every:` counts working time, `m`/`h` or `bd`), or the duration
alone for wall time (`request_opened: 1d`). Whether a feed is silent is computed in
`engine/feeds.py`.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slawatch.agreements._walk import At, Walk, read_event, read_mapping, read_reference
from slawatch.agreements.durations import DurationError, parse_duration
from slawatch.agreements.model import Duration, Expectation

KEYS = ("every", "calendar")
EXAMPLE = (
    "write the event type and how often it must arrive, such as "
    "expect: {handed_over: {every: 4h, calendar: office}, request_opened: {every: 1d}}"
)


def read_expectations(
    walk: Walk, value: Any, at: At, *, calendars: set[str]
) -> dict[str, Expectation]:
    """Read `expect:`, a mapping of event type → {every, calendar}; {} when it is empty."""
    if value is None:
        return {}
    section = read_mapping(
        walk, value, at, what="a mapping of event type: {every: …}", example=EXAMPLE
    )
    if section is None:
        return {}
    found: dict[str, Expectation] = {}
    for key, body, _ in section.items():
        key_at = section.key_at(key)
        event_type = read_event(walk, key if isinstance(key, str) else str(key), key_at)
        if event_type is None:
            continue
        expectation = _expectation(walk, event_type, body, section.value_at(key), calendars)
        if expectation is not None:
            found[event_type] = expectation
    return found


def _expectation(
    walk: Walk, event_type: str, body: Any, at: At, calendars: set[str]
) -> Expectation | None:
    if not isinstance(body, CommentedMap):
        # The duration alone: wall time, `request_opened: 1d`.
        every = _every(walk, body, at, calendar=False)
        return None if every is None else Expectation(event_type=event_type, every=every)
    spec = read_mapping(walk, body, at, known=KEYS, required=("every",), example=EXAMPLE)
    if spec is None or "every" not in spec:
        return None
    calendar = None
    if "calendar" in spec:
        calendar = read_reference(
            walk, spec.get("calendar"), spec.value_at("calendar"), calendars, what="calendar"
        )
        if calendar is None:
            return None
    every = _every(walk, spec.get("every"), spec.value_at("every"), calendar=calendar is not None)
    if every is None:
        return None
    return Expectation(event_type=event_type, every=every, calendar=calendar)


def _every(walk: Walk, value: Any, at: At, *, calendar: bool) -> Duration | None:
    if value is None or isinstance(value, CommentedMap | CommentedSeq | bool):
        walk.problem(at, "needs a duration", "write how often the event must arrive, such as 4h")
        return None
    try:
        duration = parse_duration(str(value), calendar=calendar)
    except DurationError as error:
        walk.problem(at, error.message, error.hint)
        return None
    if duration.amount == 0:
        walk.problem(
            at,
            f'"{duration.text}" expects an event at every instant',
            "allow some time between events, such as 4h",
        )
        return None
    return duration
