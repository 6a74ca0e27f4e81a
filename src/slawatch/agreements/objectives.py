"""Read objectives: what every objective has, and its kind's own fields through the registry.

Each kind (`engine/kinds/`) reads its own YAML key and the keys it alone accepts (`within:`);
this module reads the rest and reports what no kind or two kinds would read.
"""

from __future__ import annotations

from typing import Any

from slawatch.agreements._walk import (
    At,
    Map,
    Walk,
    build,
    each_entry,
    humanize,
    read_choice,
    read_mapping,
    read_reference,
    read_text,
    required_hint,
)
from slawatch.agreements.model import (
    AttributeTest,
    Objective,
    PeriodKind,
)
from slawatch.agreements.targets import read_target, read_where
from slawatch.engine.kinds import KINDS
from slawatch.engine.kinds.base import Kind

KIND_KEYS = tuple(dict.fromkeys(key for kind in KINDS.values() for key in kind.keys))
RESERVED_OBJECTIVE_IDS = ("fee",)  # `credits:` mixes the fee with objective ids

OBJECTIVE_KEYS = (
    "owner",
    "title",
    "period",
    "where",
    "target",
    *KINDS,
    *KIND_KEYS,
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
    kind = _kind(walk, spec, at)
    common = _common(walk, objective_id, spec, kind, calendars=calendars, parties=parties)
    if kind is None:
        return None
    calendar = common.pop("calendar")
    fields = kind.read(walk, spec, at, calendar)
    if fields is None or len(walk.problems) > before:
        return None
    common |= {"id": objective_id}
    objective: Objective | None = build(walk, at, lambda: kind.objective(**common, **fields))
    return objective


def _kind(walk: Walk, spec: Map, at: At) -> Kind | None:
    """Return the one kind the objective names, or None after reporting none or two."""
    named = [kind for name, kind in KINDS.items() if name in spec]
    if not named:
        walk.problem(
            at,
            "says nothing to measure",
            "add one of " + ", ".join(f"{k.name}: {k.example}" for k in KINDS.values()),
        )
    elif len(named) > 1:
        walk.problem(
            spec.key_at(named[1].name),
            f"measures both {named[0].name} and {named[1].name}",
            "an objective measures one thing; split it into two objectives",
        )
    kind = named[0] if len(named) == 1 else None
    for key in KIND_KEYS:
        if key in spec and kind is not None and key not in kind.keys:
            takers = " and ".join(k.name for k in KINDS.values() if key in k.keys)
            walk.problem(
                spec.key_at(key), f"{key} only applies to {takers} objectives", f"remove {key}"
            )
    return kind


def _common(
    walk: Walk,
    objective_id: str,
    spec: Map,
    kind: Kind | None,
    *,
    calendars: set[str],
    parties: set[str],
) -> dict[str, Any]:
    """Read what every objective has: owner, title, period, where, target, calendar."""
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
        share = None if kind is None else kind.share
        target = read_target(walk, spec.get("target"), spec.value_at("target"), share=share)
    calendar = None
    if "calendar" in spec and kind is not None and "calendar" in kind.keys:
        calendar = read_reference(
            walk, spec.get("calendar"), spec.value_at("calendar"), calendars, what="calendar"
        )
    return {
        "owner": owner,
        "title": title,
        "period": period,
        "where": where,
        "target": target,
        "calendar": calendar,
    }
