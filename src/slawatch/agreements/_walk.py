"""Walk a YAML tree that remembers lines: where each value sits, how values are read.

Every reader records its problems on the `Walk` and returns `None` when it cannot read a value,
so the caller carries on and one run finds all mistakes. The parts of an agreement
(`calendars`, `objectives`, ...) are built from these readers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from slawatch.agreements.errors import Problem, choice_hint, did_you_mean

T = TypeVar("T")

ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # agreement, party, calendar and objective ids
EVENT = re.compile(r"[a-z][a-z0-9_]*")  # event type names

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PERCENT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*%")


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
        return self.at.join(str(key), _line(self.node.lc.key(key)))

    def value_at(self, key: Any) -> At:
        """Point at a scalar's own line; at the key for empty values and nested blocks."""
        value = self.node.get(key)
        if value is None or isinstance(value, CommentedMap | CommentedSeq):
            return self.key_at(key)
        return self.at.join(str(key), _line(self.node.lc.value(key)))

    def items(self) -> Iterator[tuple[Any, Any, At]]:
        for key, value in self.node.items():
            yield key, value, self.value_at(key)


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
) -> Map | None:
    """Check that a value is a mapping with only known keys and all required ones."""
    if not isinstance(value, CommentedMap):
        walk.problem(at, f"must be {what}", _example_for(at, value))
        return None
    mapping = Map(value, at)
    if known is not None:
        for key in value:
            if str(key) not in known:
                guess = did_you_mean(str(key), known)
                lead = f"did you mean {guess}? " if guess else ""
                walk.problem(
                    mapping.key_at(key),
                    f'unknown key "{key}"',
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
        walk.problem(at, f"must be text, not {describe_value(value)}", f'quote it: "{value}"')
    return None


def read_choice(walk: Walk, value: Any, at: At, choices: Sequence[str], *, what: str) -> str | None:
    text = read_text(walk, value, at)
    if text is None:
        return None
    if text not in choices:
        walk.problem(at, f'"{text}" is not a {what}', choice_hint(text, choices))
        return None
    return text


def read_identifier(walk: Walk, value: Any, at: At, *, what: str) -> str | None:
    text = read_text(walk, value if not isinstance(value, int | float) else str(value), at)
    if text is None:
        return None
    if not ID.fullmatch(text):
        slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "my-id"
        walk.problem(
            at,
            f'"{text}" is not a valid {what}',
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
            f'"{text}" is not a {what} of this agreement',
            choice_hint(text, known, noun="parties" if what == "party" else f"{what}s"),
        )
        return None
    return text


def read_event(walk: Walk, value: Any, at: At) -> str | None:
    text = read_text(walk, value, at)
    if text is None:
        return None
    if not EVENT.fullmatch(text):
        slug = re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_") or "event"
        if not slug[0].isalpha():
            slug = f"e_{slug}"
        walk.problem(
            at,
            f'"{text}" is not a valid event type',
            f"use lowercase letters, digits and underscores, such as {slug}",
        )
        return None
    return text


def read_date(walk: Walk, value: Any, at: At) -> dt.date | None:
    text = str(value).strip() if value is not None else ""
    if not DATE.fullmatch(text):
        walk.problem(
            at,
            f'"{text}" is not a date' if text else "needs a date",
            "write YYYY-MM-DD, such as 2026-01-01",
        )
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        walk.problem(at, f'"{text}" is not a date: {error}', "check the month and day")
        return None


def read_instant(walk: Walk, value: Any, at: At) -> dt.datetime | None:
    text = str(value).strip() if value is not None else ""
    try:
        instant = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        walk.problem(
            at,
            f'"{text}" is not an instant' if text else "needs an instant",
            "write ISO 8601 with an offset, such as 2026-03-07T22:00:00+01:00",
        )
        return None
    if instant.tzinfo is None or DATE.fullmatch(text):
        walk.problem(
            at,
            f'"{text}" has no UTC offset',
            f"add one, such as {instant.isoformat(timespec='minutes')}+01:00 or Z",
        )
        return None
    return instant


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
        written = str(value).strip() if value is not None else ""
        if not written:
            walk.problem(at, "needs a percentage", "write it with %, such as 75%")
            return None
        suggestion = _as_percent(written)
        walk.problem(
            at,
            f'"{written}" is not a percentage',
            f"write {suggestion}" if suggestion else "write it with %, such as 75%",
        )
        return None
    number = Decimal(match.group(1))
    if not Decimal(0) <= number <= Decimal(100):
        walk.problem(at, f"{text} is outside 0–100 %", "write a percentage between 0% and 100%")
        return None
    return number


def _as_percent(written: str) -> str | None:
    try:
        number = Decimal(written)
    except InvalidOperation:
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


def _example_for(at: At, value: Any) -> str:
    """Show the shape a mapping should have had, from where it sits."""
    parent, _, last = at.path.rpartition(".")
    if parent == "parties" and isinstance(value, str):
        return f"write {last}: {{name: {value}}}"
    examples = {
        "parties": "write one party per line: `marketing: {name: Marketing}`",
        "calendars": "write one calendar per line: `office: {hours: {mon-fri: 09:00-17:00}}`",
        "objectives": "write one objective per line: `speed-to-lead: {owner: sales, ...}`",
        "hours": 'write day: hours pairs, such as {mon-fri: "08:00-12:00, 13:00-17:00"}',
        "clock": "write {start: opened, stop: answered}",
        "ratio": "write {count: accepted, of: handed_over}",
        "availability": "write {down: down, up: up}",
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


# ---------------------------------------------------------------- YAML


class _Constructor(RoundTripConstructor):
    """Keep dates and instants as text: the walk validates them with precise messages."""


def _keep_timestamp_text(constructor: RoundTripConstructor, node: Any) -> Any:
    return constructor.construct_scalar(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _keep_timestamp_text)


def load_yaml(text: str, walk: Walk) -> Map | None:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if "<stream end>" in str(error.problem) and error.context_mark is not None:
            mark = error.context_mark  # an unclosed bracket: point where it opened
        line = None if mark is None else mark.line + 1
        message, hint = _yaml_problem(error, text.splitlines()[line - 1] if line else "")
        walk.problem(At("", line), message, hint)
        return None
    except YAMLError as error:  # unmarked errors carry no line
        walk.problem(At("", None), f"malformed YAML: {error}", "check the file's syntax")
        return None
    if tree is None:
        walk.problem(
            At("", None),
            "the file is empty",
            "start from a template: slawatch new --template marketing-sales",
        )
        return None
    if not isinstance(tree, CommentedMap):
        walk.problem(
            At("", 1),
            "an agreement must be a mapping of key: value lines",
            "start with agreement: <id>",
        )
        return None
    return Map(tree, At("", 1))


def _yaml_problem(error: MarkedYAMLError, source_line: str) -> tuple[str, str | None]:
    problem = str(error.problem or error.context or "malformed YAML")
    if "duplicate key" in problem:
        found = re.search(r'duplicate key "([^"]*)"', problem)
        name = found.group(1) if found else "a key"
        return (
            f'duplicate key "{name}"',
            "each key may appear once in a mapping; merge or remove one",
        )
    if "another document" in problem:
        return "the file holds more than one YAML document", "keep one agreement per file"
    if "'\\t'" in problem:
        return "tab character in YAML", "indent with spaces, not tabs"
    if "chomping or indentation indicators" in problem:
        name, _, value = source_line.strip().partition(":")
        quoted = f'{name}: "{value.split("#")[0].strip()}"' if value.strip() else 'target: ">= 95%"'
        return "a value starting with > or | must be quoted", f"write {quoted}"
    if "found character '%'" in problem or "found character '@'" in problem:
        return f"malformed YAML: {problem}", "quote the value"
    return f"malformed YAML: {problem}", "check indentation, colons and brackets on this line"
