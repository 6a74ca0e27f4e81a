"""Checking the elements of a posted batch: each bad one is rejected with its index and field.

Elements are checked by hand rather than by a pydantic model per element: a batch of 10,000 is
the hot path of the service, and each bad element must be reported with its index and field
while the good ones are still stored.

Two ways lead to the same events. `check_elements` looks at one element at a time and says
exactly what is wrong with each; it is the reference. `plain_columns` takes the common batch
(every element an object with the same keys, every value a plain string) column by column,
with a few C-level passes per column instead of a dozen Python calls per element, and gives up
on anything else, which then takes the reference path. Tests hold the two to the same result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pydantic import BaseModel

from slawatch.engine.instants import InstantError, read_instant, read_instants
from slawatch.ingest.limits import DEFAULT_LIMITS, AttributeLimits
from slawatch.store.events import (
    DEFAULT_SOURCE,
    NO_ATTRIBUTES,
    RESERVED,
    EventColumns,
    EventIn,
)

EXAMPLE_AT = "2026-01-05T09:30:00+01:00"
LIMITS = {"item": 300, "type": 100, "source": 100, "kind": 100, "idempotency_key": 200}


class EventError(BaseModel):
    index: int
    field: str | None
    reason: str


@dataclass
class CheckedBatch:
    events: list[EventIn] = field(default_factory=list)
    errors: list[EventError] = field(default_factory=list)


@dataclass(frozen=True)
class Unreadable:
    """A JSON Lines line that is not JSON: rejected with its index like any bad element."""

    reason: str


class _RejectedError(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason


def _text(element: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = element.get(name)
    if value is None and not required:
        return None
    if (
        type(value) is str
        and 0 < len(value) <= LIMITS[name]
        and not value[0].isspace()
        and not value[-1].isspace()
        and "\x00" not in value
    ):
        return value  # the common case, checked cheaply: a batch has thousands of these
    if value is None:
        if required:
            raise _RejectedError(name, f"{name} is missing; every event needs item, type and at")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _RejectedError(name, f"{name} must be a string, not {_json_type(value)}")
    value = str(value).strip()
    if not value:
        raise _RejectedError(name, f"{name} is empty")
    if "\x00" in value:
        raise _RejectedError(name, f"{name} contains a NUL character")
    if len(value) > LIMITS[name]:
        raise _RejectedError(name, f"{name} is longer than {LIMITS[name]} characters")
    return value


def _instant(value: Any) -> int:
    if value is None:
        raise _RejectedError(
            "at", f"at is missing; give the instant as ISO 8601, e.g. {EXAMPLE_AT}"
        )
    if not isinstance(value, str):
        raise _RejectedError("at", f"at must be an ISO 8601 string like {EXAMPLE_AT}")
    try:
        return read_instant(value)
    except InstantError as error:
        if error.problem == "form":
            reason = f"{value!r} is not an ISO 8601 instant; write e.g. {EXAMPLE_AT}"
        elif error.problem == "date":
            reason = f"{value!r} is a date; give a time and an offset, e.g. {value}T09:30:00Z"
        elif error.problem == "offset":
            reason = f"{value!r} has no UTC offset; add one, e.g. {value}Z or {value}+01:00"
        else:
            reason = str(error)
        raise _RejectedError("at", reason) from None


def _attribute(name: str, value: Any, limits: AttributeLimits) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        text = str(value)
        if "\x00" in text or "\x00" in name:
            raise _RejectedError(name, f"attribute {name!r} contains a NUL character")
        if len(text) > limits.value:
            raise _RejectedError(name, limits.value_too_long(name))
        return text
    raise _RejectedError(name, f"attribute {name} must be a string, number or boolean")


def _nested_attributes(given: Any, limits: AttributeLimits) -> dict[str, str]:
    """Read the `attributes` object of an element, each name checked before its value."""
    if not isinstance(given, dict):
        raise _RejectedError("attributes", "attributes must be an object of names to values")
    if len(given) > limits.per_event:
        raise _RejectedError("attributes", limits.too_many(len(given)))
    attributes: dict[str, str] = {}
    for name, value in given.items():
        if name in RESERVED:
            raise _RejectedError(f"attributes.{name}", f"{name} is reserved; rename the attribute")
        if len(name) > limits.name:
            raise _RejectedError("attributes", limits.name_too_long(name))
        if (text := _attribute(f"attributes.{name}", value, limits)) is not None:
            attributes[name] = text
    return attributes


def _attributes(element: dict[str, Any], limits: AttributeLimits) -> dict[str, str]:
    if len(element) <= 3:
        return {}  # item, type and at only
    given = element.get("attributes")
    attributes = {} if given is None else _nested_attributes(given, limits)
    if len(element) - 3 > limits.per_event:  # before looking at each of thousands of names
        count = sum(1 for name in element if name not in RESERVED)
        if count + len(attributes) > limits.per_event:
            raise _RejectedError(None, limits.too_many(count + len(attributes)))
    for name, value in element.items():
        if name in RESERVED:
            continue
        if len(name) > limits.name:
            raise _RejectedError(None, limits.name_too_long(name))
        if (text := _attribute(name, value, limits)) is not None:
            attributes[name] = text
    if len(attributes) > limits.per_event:
        raise _RejectedError(None, limits.too_many(len(attributes)))
    return attributes


def _event(element: Any, header_key: str | None, limits: AttributeLimits) -> EventIn:
    if not isinstance(element, dict):
        raise _RejectedError(None, f"the element is {_json_type(element)}, not an event object")
    return EventIn(
        source=_text(element, "source", required=False) or DEFAULT_SOURCE,
        item=_text(element, "item", required=True) or "",
        type=_text(element, "type", required=True) or "",
        at=_instant(element.get("at")),
        kind=_text(element, "kind", required=False),
        attributes=_attributes(element, limits),
        idempotency_key=_text(element, "idempotency_key", required=False) or header_key,
    )


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def check_elements(
    elements: Sequence[Any], header_key: str | None, limits: AttributeLimits = DEFAULT_LIMITS
) -> CheckedBatch:
    """Check each element on its own: the events of the good ones, an error for each bad one."""
    batch = CheckedBatch()
    for index, element in enumerate(elements):
        if isinstance(element, Unreadable):
            batch.errors.append(EventError(index=index, field=None, reason=element.reason))
            continue
        try:
            batch.events.append(_event(element, header_key, limits))
        except _RejectedError as problem:
            batch.errors.append(EventError(index=index, field=problem.field, reason=problem.reason))
    return batch


def plain_columns(
    elements: Sequence[Any], header_key: str | None, limits: AttributeLimits = DEFAULT_LIMITS
) -> EventColumns | None:
    """Return the events of a batch of plain elements, checked column by column, else None.

    Plain: every element an object with the same keys, among them item, type and at but not a
    nested `attributes`, and every value a string the reference keeps as it is. None says only
    "not plain"; the reference then finds the bad elements, if there are any.
    """
    if not elements or set(map(type, elements)) != {dict}:
        return None
    names = elements[0].keys()
    if not {"item", "type", "at"} <= names or "attributes" in names:
        return None
    if len(set(map(len, elements))) != 1:
        return None
    attributes = [name for name in names if name not in RESERVED]
    if len(attributes) > limits.per_event or any(len(name) > limits.name for name in attributes):
        return None
    try:  # as many keys as the first element and each of its names: the same keys
        columns = {name: list(map(itemgetter(name), elements)) for name in names}
    except KeyError:
        return None
    for name, column in columns.items():
        if set(map(type, column)) != {str} or "\x00" in name or "\x00" in "".join(column):
            return None
        if name in LIMITS and not _plain_texts(column, LIMITS[name]):
            return None
        if name not in RESERVED and max(map(len, column)) > limits.value:
            return None
    ats = _instants(columns["at"])
    if ats is None:
        return None
    count = len(elements)
    return EventColumns(
        sources=columns.get("source") or [DEFAULT_SOURCE] * count,
        items=columns["item"],
        types=columns["type"],
        ats=ats,
        kinds=columns.get("kind") or [None] * count,
        attributes=_attribute_column(columns, count),
        idempotency_keys=columns.get("idempotency_key") or [header_key] * count,
    )


def _plain_texts(column: list[str], limit: int) -> bool:
    """Whether every text is one `_text` returns as it is: not empty, short, not padded."""
    return (
        min(map(len, column)) > 0
        and max(map(len, column)) <= limit
        and list(map(str.strip, column)) == column
    )


def _instants(texts: list[str]) -> list[int] | None:
    """µs since the epoch of ISO 8601 instants with offsets; None if any is not one."""
    try:
        return read_instants(texts)
    except InstantError:
        return None  # the reference names the element and the reason


def _attribute_column(columns: dict[str, list[str]], count: int) -> list[Mapping[str, str]]:
    names = [name for name in columns if name not in RESERVED]
    if not names:
        return [NO_ATTRIBUTES] * count
    if len(names) == 1:
        name = names[0]
        return [{name: value} for value in columns[name]]
    values = zip(*(columns[name] for name in names), strict=True)
    return [dict(zip(names, row, strict=True)) for row in values]
