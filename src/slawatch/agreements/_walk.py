"""Walk a YAML tree that remembers lines: where each value sits, how values are read.

Every reader records its problems on the `Walk` and returns `None` when it cannot read a value,
so the caller carries on and one run finds all mistakes. The parts of an agreement
(`calendars`, `objectives`, ...) are built from these readers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from slawatch.agreements.errors import Problem, choice_hint, did_you_mean
from slawatch.agreements.limits import DEFAULT_LIMITS, Limits
from slawatch.engine.instants import InstantError, read_moment

T = TypeVar("T")

ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # agreement, party, calendar and objective ids
EVENT = re.compile(r"[a-z][a-z0-9_]*")  # event type names

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PERCENT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*%")
PLAIN_NUMBER = re.compile(r"[+-]?\d{1,20}(?:\.\d{1,20})?")


# ---------------------------------------------------------------- where values sit


@dataclass(frozen=True)
class At:
    """Where a value sits: its dotted field path and 1-based line."""

    path: str
    line: int | None

    def join(self, name: str | int, line: int | None) -> At:
        if isinstance(name, int):
            return At(f"{self.path}[{name}]", line)
        return At(f"{self.path}.{name}" if self.path else name, line)


@dataclass
class Walk:
    """Collect the problems of one file while its tree is walked."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS

    def problem(self, at: At, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.source, at.line, at.path, message, hint))


class Map:
    """A YAML mapping with the place of each key and value."""

    def __init__(self, node: CommentedMap, at: At) -> None:
        self.node = node
        self.at = at

    def __contains__(self, key: str) -> bool:
        return key in self.node

    def get(self, key: str) -> Any:
        return self.node.get(key)

    def key_at(self, key: Any) -> At:
        return self.at.join(str(key), _line(_position(self.node, key, value=False)))

    def value_at(self, key: Any) -> At:
        """Point at a scalar's own line; at the key for empty values and nested blocks."""
        value = self.node.get(key)
        if value is None or isinstance(value, CommentedMap | CommentedSeq):
            return self.key_at(key)
        return self.at.join(str(key), _line(_position(self.node, key, value=True)))

    def items(self) -> Iterator[tuple[Any, Any, At]]:
        for key, value in self.node.items():
            yield key, value, self.value_at(key)


def _position(node: CommentedMap, key: Any, *, value: bool) -> tuple[int, int] | None:
    """Return where a key or its value is written.

    A key from a merge (`<<: *base`) is written in the mapping it was merged from.
    """
    sources = [node]
    for _ in range(64):  # merges of merges, each step one mapping deeper
        if not sources:
            return None
        current = sources.pop(0)
        if key in (current.lc.data or {}):
            position: tuple[int, int] = current.lc.value(key) if value else current.lc.key(key)
            return position
        for merged in getattr(current, "merge", ()):  # ruamel has held (index, map) and maps
            sources.append(merged[1] if isinstance(merged, tuple) else merged)
    return None


def _line(position: tuple[int, int] | None) -> int | None:
    return None if position is None else position[0] + 1


def list_items(seq: CommentedSeq, at: At) -> Iterator[tuple[int, Any, At]]:
    for index, value in enumerate(seq):
        yield index, value, at.join(index, _line(seq.lc.item(index)))


# ---------------------------------------------------------------- reading values


def read_mapping(
    walk: Walk,
    value: Any,
    at: At,
    *,
    known: Sequence[str] | None = None,
    required: Sequence[str] = (),
    what: str = "a mapping of key: value",
    example: str | None = None,
) -> Map | None:
    """Check that a value is a mapping with only known keys and all required ones.

    `example` shows how the mapping is written (an objective kind passes its own, as this
    module knows no kinds); without it the hint follows from where the mapping sits.
    """
    if not isinstance(value, CommentedMap):
        walk.problem(at, f"must be {what}", example or _example_for(at, value))
        return None
    mapping = Map(value, at)
    if known is not None:
        for key in value:
            if str(key) not in known:
                guess = did_you_mean(str(key), known)
                lead = f"did you mean {guess}? " if guess else ""
                walk.problem(
                    mapping.key_at(key),
                    f'unknown key "{shown(key)}"',
                    f"{lead}known keys: {', '.join(known)}",
                )
    for key in required:
        if key not in value:
            walk.problem(at.join(key, at.line), "is required but missing", required_hint(key))
    return mapping


def read_sequence(walk: Walk, value: Any, at: At, *, what: str = "a list") -> CommentedSeq | None:
    if not isinstance(value, CommentedSeq):
        walk.problem(at, f"must be {what}", "write [a, b] or one `- item` per line")
        return None
    return value


def read_text(walk: Walk, value: Any, at: At) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None or (isinstance(value, str) and not value.strip()):
        walk.problem(at, "needs a value", "write a value after the colon, or remove the key")
    else:
        written = shown(value)
        walk.problem(at, f"must be text, not {describe_value(value)}", f'quote it: "{written}"')
    return None


def read_choice(walk: Walk, value: Any, at: At, choices: Sequence[str], *, what: str) -> str | None:
    text = read_text(walk, value, at)
    if text is None:
        return None
    if text not in choices:
        walk.problem(at, f'"{shown(text)}" is not a {what}', choice_hint(text, choices))
        return None
    return text


def read_identifier(walk: Walk, value: Any, at: At, *, what: str) -> str | None:
    text = read_text(walk, value if not isinstance(value, int | float) else str(value), at)
    if text is None:
        return None
    if not ID.fullmatch(text):
        slug = re.sub(r"[^a-z0-9]+", "-", text[:SHOWN].casefold()).strip("-") or "my-id"
        walk.problem(
            at,
            f'"{shown(text)}" is not a valid {what}',
            f"use lowercase letters, digits and dashes, such as {slug}",
        )
        return None
    return text


def read_reference(walk: Walk, value: Any, at: At, known: set[str], *, what: str) -> str | None:
    text = read_text(walk, value, at)
    if text is None:
        return None
    if text not in known:
        walk.problem(
            at,
            f'"{shown(text)}" is not a {what} of this agreement',
            choice_hint(text, known, noun="parties" if what == "party" else f"{what}s"),
        )
        return None
    return text


def read_event(walk: Walk, value: Any, at: At) -> str | None:
    text = read_text(walk, value, at)
    if text is None:
        return None
    if not EVENT.fullmatch(text):
        slug = re.sub(r"[^a-z0-9]+", "_", text[:SHOWN].casefold()).strip("_") or "event"
        if not slug[0].isalpha():
            slug = f"e_{slug}"
        walk.problem(
            at,
            f'"{shown(text)}" is not a valid event type',
            f"use lowercase letters, digits and underscores, such as {slug}",
        )
        return None
    return text


def read_event_keys(walk: Walk, spec: Map, keys: tuple[str, ...]) -> dict[str, str | None]:
    """Read each of `keys` that the mapping holds as an event type (None where it is not one)."""
    return {key: read_event(walk, spec.get(key), spec.value_at(key)) for key in keys if key in spec}


def same_event(events: Mapping[str, str | None], one: str, other: str) -> bool:
    """Say whether two keys name one and the same valid event type."""
    return events.get(one) is not None and events.get(one) == events.get(other)


def scalar_text(value: Any) -> str:
    """Return a scalar as written, stripped; "" for nothing, a list or a mapping."""
    if value is None or isinstance(value, CommentedMap | CommentedSeq):
        return ""
    return str(value).strip()


def read_date(walk: Walk, value: Any, at: At) -> dt.date | None:
    """Read YYYY-MM-DD within the limits' years, so that no period or holiday overflows."""
    text = scalar_text(value)
    if not DATE.fullmatch(text):
        walk.problem(
            at,
            f'"{shown(text)}" is not a date' if text else "needs a date",
            "write YYYY-MM-DD, such as 2026-01-01",
        )
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as error:
        walk.problem(at, f'"{text}" is not a date: {error}', "check the month and day")
        return None
    return day if _in_range(walk, day, at, text) else None


def _in_range(walk: Walk, day: dt.date, at: At, text: str) -> bool:
    earliest, latest = walk.limits.earliest, walk.limits.latest
    if earliest <= day <= latest:
        return True
    walk.problem(
        at,
        f"{text} is out of range",
        f"agreements use dates from {earliest} to {latest}; write one in those years",
    )
    return False


def read_instant(walk: Walk, value: Any, at: At) -> dt.datetime | None:
    """Read ISO 8601 with an offset; its local date lies within the limits' years."""
    text = scalar_text(value)
    try:
        instant = read_moment(text)
    except InstantError as error:
        if error.moment is None:
            walk.problem(
                at,
                f'"{shown(text)}" is not an instant' if text else "needs an instant",
                "write ISO 8601 with an offset, such as 2026-03-07T22:00:00+01:00",
            )
        else:
            walk.problem(
                at,
                f'"{text}" has no UTC offset',
                f"add one, such as {error.moment.isoformat(timespec='minutes')}+01:00 or Z",
            )
        return None
    return instant if _in_range(walk, instant.date(), at, text) else None


def non_finite(value: Any) -> str | None:
    """Return how a not-a-number or an infinity was written (`.nan`, `nan`, `.inf`), else None.

    YAML reads `.nan` and `.inf` (and `1e400`) as floats, and `Decimal` reads "nan" and
    "Infinity": neither may reach a comparison, where a NaN raises and an infinity misleads.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else str(value)
    if isinstance(value, str):
        written = value.strip().rstrip("%").strip()
        try:
            number = Decimal(written)
        except InvalidOperation:
            return None
        return None if number.is_finite() else value.strip()
    return None


def refuse_non_finite(walk: Walk, value: Any, at: At, hint: str) -> bool:
    """Report a NaN or an infinity with a hint at what to write instead; True if it was one."""
    written = non_finite(value)
    if written is None:
        return False
    walk.problem(at, f'"{written}" is not a finite number', hint)
    return True


def read_percent(walk: Walk, value: Any, at: At) -> Decimal | None:
    """Read `75%` as Decimal 75; numbers without % are refused, since 0.75 and 75 both occur."""
    if refuse_non_finite(walk, value, at, "write a percentage from 0% to 100%, such as 75%"):
        return None
    text = value.strip() if isinstance(value, str) else None
    match = PERCENT.fullmatch(text) if text else None
    if match is None:
        written = scalar_text(value)
        if not written:
            walk.problem(at, "needs a percentage", "write it with %, such as 75%")
            return None
        suggestion = _as_percent(written)
        walk.problem(
            at,
            f'"{shown(written)}" is not a percentage',
            f"write {suggestion}" if suggestion else "write it with %, such as 75%",
        )
        return None
    number = Decimal(match.group(1))
    if not Decimal(0) <= number <= Decimal(100):
        walk.problem(
            at, f"{shown(text)} is outside 0–100 %", "write a percentage between 0% and 100%"
        )
        return None
    return number


def _as_percent(written: str) -> str | None:
    # Only plain decimals: "1e999999999" would write a billion zeros, "nan" does not compare.
    if not PLAIN_NUMBER.fullmatch(written):
        return None
    try:
        number = Decimal(written)
    except InvalidOperation:  # pragma: no cover - PLAIN_NUMBER only lets decimals through
        return None
    if not number.is_finite():
        return None
    return f"{(number * 100).normalize():f}%" if 0 < number <= 1 else f"{number.normalize():f}%"


def as_fraction(number: Decimal) -> float:
    return float(number / 100)


def humanize(identifier: str) -> str:
    """Turn an id into a default title: speed-to-lead → Speed to lead."""
    return identifier.replace("-", " ").capitalize()


def describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, CommentedMap):
        return "a mapping"
    if isinstance(value, CommentedSeq):
        return "a list"
    return "text"


SHOWN = 60  # characters of a value a message repeats


def shown(value: Any, width: int = SHOWN) -> str:
    """Write a value for a message in at most `width` characters, as YAML's flow style would.

    Lists and mappings are written only as far as the width reaches, so an alias that names a
    large value never expands into a message.
    """
    text = "".join(_flow(value, width + 1, depth=0))
    return text if len(text) <= width else text[: width - 1] + "…"


def _flow(value: Any, budget: int, *, depth: int) -> Iterator[str]:
    """Yield pieces of a value's flow-style text until `budget` characters are out."""
    if isinstance(value, CommentedMap | CommentedSeq) and depth > 8:
        yield "…"
        return
    if isinstance(value, CommentedMap):
        pieces: Iterator[str] = _joined(
            ((key, item) for key, item in value.items()), budget, depth, "{", "}"
        )
    elif isinstance(value, CommentedSeq):
        pieces = _joined(((None, item) for item in value), budget, depth, "[", "]")
    elif isinstance(value, bool):
        pieces = iter(("true" if value else "false",))
    else:
        pieces = iter(("null" if value is None else str(value)[:budget],))
    used = 0
    for piece in pieces:
        yield piece
        used += len(piece)
        if used >= budget:
            return


def _joined(
    entries: Iterator[tuple[Any, Any]], budget: int, depth: int, opening: str, closing: str
) -> Iterator[str]:
    yield opening
    used = 1
    for index, (key, item) in enumerate(entries):
        if used >= budget:
            return
        lead = (", " if index else "") + ("" if key is None else f"{str(key)[:budget]}: ")
        used += len(lead)
        yield lead
        for piece in _flow(item, budget - used, depth=depth + 1):
            used += len(piece)
            yield piece
    yield closing


def _example_for(at: At, value: Any) -> str:
    """Show the shape a mapping should have had, from where it sits."""
    parent, _, last = at.path.rpartition(".")
    if parent == "parties" and isinstance(value, str):
        return f"write {last}: {{name: {shown(value)}}}"
    examples = {
        "parties": "write one party per line: `marketing: {name: Marketing}`",
        "calendars": "write one calendar per line: `office: {hours: {mon-fri: 09:00-17:00}}`",
        "objectives": "write one objective per line: `speed-to-lead: {owner: sales, ...}`",
        "hours": 'write day: hours pairs, such as {mon-fri: "08:00-12:00, 13:00-17:00"}',
        "where": "write {attribute: value}, such as {kind: lead}",
        "credits": "write {fee: 10000 EUR, <objective>: [{below: 95%, credit: 5%}]}",
    }
    return examples.get(last, "indent key: value lines under it, or write {key: value}")


def required_hint(key: str) -> str | None:
    hints = {
        "agreement": "name the agreement with an id such as agreement: marketing-sales",
        "timezone": "add the zone periods are measured in, such as timezone: Europe/Berlin",
        "effective": "add the date the agreement starts, such as effective: 2026-01-01",
        "parties": "list the teams, such as parties: {sales: {name: Sales}}",
        "objectives": "add at least one objective",
        "owner": "name the party that owes this objective",
        "target": 'add a target such as ">= 95%"',
        "hours": 'add weekly hours such as hours: {mon-fri: "09:00-17:00"}',
        "within": "add the allowance, such as within: 24h",
        "fee": "add the fee credits are a share of, such as fee: 10000 EUR",
    }
    return hints.get(key)


def each_entry(walk: Walk, mapping: Map, *, what: str) -> Iterator[tuple[str, Any, At]]:
    """Yield entries of an id → definition mapping whose id is valid."""
    for key, value, _ in mapping.items():
        key_at = mapping.key_at(key)
        name = read_identifier(walk, key, key_at, what=what)
        if name is not None:
            yield name, value, key_at


def build(walk: Walk, at: At, make: Callable[[], T]) -> T | None:
    """Build a model; a validation error here is a parser bug, reported rather than raised."""
    try:
        return make()
    except ValidationError as error:  # pragma: no cover - the walk checks everything first
        walk.problem(
            at, f"cannot be used: {error.errors()[0]['msg']}", "please report this as a bug"
        )
        return None
