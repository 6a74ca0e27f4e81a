"""Which event types and item attributes an agreement uses, and which names in the data no one does.

A typo is silently a breach: events of type `contaced` never stop a clock, and the lead then
counts as never contacted. So every input is compared with the agreement's vocabulary, and a
name that nothing uses is reported with how often it occurs and the closest name that is used.
This module is the one place that says which event types an objective reads.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from slawatch.agreements.model import Agreement, Objective
from slawatch.engine.kinds import kind_of

# How close a name must be to be offered as "did you mean": 0.75 offers contacted for
# contaced and handed_over for handover, but not rejected for created.
SIMILARITY = 0.75
OPTIONAL_ROLES = frozenset({"pause", "resume"})  # a clock runs without pauses


@dataclass(frozen=True)
class UnusedName:
    """An event type in the input that no objective uses: how often it occurs, and a guess."""

    name: str
    count: int
    did_you_mean: str | None

    def as_json(self) -> dict[str, str | int | None]:
        return {"type": self.name, "count": self.count, "did_you_mean": self.did_you_mean}

    def message(self, agreement: str | None = None) -> str:
        """Say it in one line; `agreement` names the one agreement the input was checked with."""
        rows = "1 row" if self.count == 1 else f"{self.count:,} rows"
        objective = "no objective" if agreement is None else f"no objective of {agreement}"
        text = f"{self.name} ({rows}): {objective} uses this type"
        return text if self.did_you_mean is None else f"{text}; did you mean {self.did_you_mean}?"


@dataclass(frozen=True)
class MissingAttribute:
    """A `where:` attribute that no item carries, the objectives naming it, and a guess."""

    name: str
    objectives: tuple[str, ...]
    did_you_mean: str | None

    def as_json(self) -> dict[str, str | list[str] | None]:
        return {
            "attribute": self.name,
            "objectives": list(self.objectives),
            "did_you_mean": self.did_you_mean,
        }

    def message(self) -> str:
        text = f"{self.name}: no item has this attribute"
        return text if self.did_you_mean is None else f"{text}; did you mean {self.did_you_mean}?"


def objective_event_types(objective: Objective) -> dict[str, str]:
    """Return the event type of each role an objective reads: {"start": "handed_over", …}."""
    return kind_of(objective.kind).event_roles(objective)


def required_event_types(objective: Objective) -> tuple[str, ...]:
    """Return the event types an objective cannot be measured without (not pause or resume)."""
    roles = objective_event_types(objective)
    return tuple(t for role, t in roles.items() if role not in OPTIONAL_ROLES)


def used_event_types(agreement: Agreement) -> frozenset[str]:
    """Return every event type any objective of the agreement reads."""
    return frozenset(
        event_type
        for objective in agreement.objectives.values()
        for event_type in objective_event_types(objective).values()
    )


def where_attributes(agreement: Agreement) -> dict[str, tuple[str, ...]]:
    """Return each attribute the `where:` filters name, with the objectives naming it."""
    named: dict[str, list[str]] = {}
    for objective in agreement.objectives.values():
        for test in objective.where:
            ids = named.setdefault(test.attribute, [])
            if objective.id not in ids:
                ids.append(objective.id)
    return {attribute: tuple(ids) for attribute, ids in named.items()}


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate most like `name` (case aside), or None when none is close."""
    by_folded: dict[str, str] = {}
    for candidate in sorted(candidates):
        by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(name.casefold(), by_folded, n=1, cutoff=SIMILARITY)
    return by_folded[matches[0]] if matches else None


def unused_names(seen_counts: Mapping[str, int], used: Iterable[str]) -> list[UnusedName]:
    """Return the names seen that are not used, most frequent first, each with a guess."""
    used_names = frozenset(used)
    unused = [
        UnusedName(name, count, closest(name, used_names))
        for name, count in seen_counts.items()
        if name not in used_names and count > 0
    ]
    return sorted(unused, key=lambda unused_name: (-unused_name.count, unused_name.name))


def missing_attributes(
    named: Mapping[str, tuple[str, ...]], carried: Iterable[str]
) -> list[MissingAttribute]:
    """Return the `where:` attributes no item carries, by name, each with a guess."""
    present = frozenset(carried)
    return [
        MissingAttribute(attribute, objectives, closest(attribute, present))
        for attribute, objectives in sorted(named.items())
        if attribute not in present
    ]


def event_type_counts(events: pl.DataFrame) -> dict[str, int]:
    """Count events by type in one pass; cheapest on a categorical `type` column."""
    counts = events.get_column("type").value_counts(name="events")
    return dict(
        zip(
            counts.get_column("type").cast(pl.String).to_list(),
            counts.get_column("events").to_list(),
            strict=True,
        )
    )


def carried_attributes(items: pl.DataFrame) -> frozenset[str]:
    """Return the attributes (`kind` among them) at least one item has a value for."""
    names = [name for name in items.columns if name != "item"]
    if not names or items.height == 0:
        return frozenset()
    nulls = items.select(pl.col(names).null_count()).row(0)
    return frozenset(name for name, null in zip(names, nulls, strict=True) if null < items.height)


@dataclass(frozen=True)
class Vocabulary:
    """What an input holds that an agreement does not use or cannot find."""

    unused_event_types: tuple[UnusedName, ...] = ()
    unused_where_attributes: tuple[MissingAttribute, ...] = ()

    def messages(self) -> list[str]:
        return [name.message() for name in self.unused_event_types] + [
            attribute.message() for attribute in self.unused_where_attributes
        ]

    def as_json(self) -> dict[str, list[dict[str, Any]]]:
        """Return the keys `evaluate --format json` adds: both lists, empty when all is used."""
        types: list[dict[str, Any]] = [name.as_json() for name in self.unused_event_types]
        attributes: list[dict[str, Any]] = [a.as_json() for a in self.unused_where_attributes]
        return {"unused_event_types": types, "unused_where_attributes": attributes}


def check_vocabulary(agreement: Agreement, events: pl.DataFrame, items: pl.DataFrame) -> Vocabulary:
    """Compare an event table's types and item attributes with what the agreement uses."""
    return Vocabulary(
        unused_event_types=tuple(
            unused_names(event_type_counts(events), used_event_types(agreement))
        ),
        unused_where_attributes=tuple(
            missing_attributes(where_attributes(agreement), carried_attributes(items))
        ),
    )
