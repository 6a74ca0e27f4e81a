"""Read the `emergency:` section: what opens an incident, the steps, who hears, which clocks pause.

```yaml
emergency:
  triggers:
    - service-down: crm-availability        # or {service-down: crm-availability, service: crm}
    - feed-silent: handed_over
    - declared
  pause: [speed-to-lead]
  contacts: [it.oncall@example.com, head.sales@example.com]
  steps:
    - {do: Sales works new leads from the backup list, owner: sales, within: 1h}
```

Step limits are wall-clock time (`m`, `h`, `d`, `w`): an emergency does not wait for office
hours. The section is optional; without it an agreement evaluates exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from slawatch.agreements._walk import (
    At,
    Map,
    Walk,
    list_items,
    read_event,
    read_mapping,
    read_reference,
    read_sequence,
    read_text,
    shown,
)
from slawatch.agreements.durations import DurationError, parse_duration
from slawatch.agreements.model import (
    Duration,
    EmergencyPlan,
    EmergencyStep,
    IncidentTrigger,
    Objective,
)
from slawatch.agreements.parties import EMAIL

KEYS = ("triggers", "steps", "contacts", "pause")
TRIGGER_KINDS = ("service-down", "feed-silent", "declared")
MAX_TRIGGERS = 20
MAX_STEPS = 50
MAX_CONTACTS = 20
MAX_STEP_TEXT = 500
EXAMPLE = (
    "write {triggers: [declared], steps: [{do: Post a status, owner: it, within: 2h}], "
    "contacts: [oncall@example.com], pause: [speed-to-lead]}"
)


def read_emergency(
    walk: Walk,
    value: Any,
    at: At,
    *,
    parties: set[str],
    objectives: dict[str, Objective],
    declared: set[str] | None = None,
) -> EmergencyPlan | None:
    """Read the plan; problems name the line and the fix, and the plan is None with any.

    An objective that is `declared` but could not be built has its own problem already; a
    reference to it is not reported a second time.
    """
    section = read_mapping(walk, value, at, known=KEYS, example=EXAMPLE)
    if section is None:
        return None
    before = len(walk.problems)
    known = _Objectives(objectives, (declared or set()) - set(objectives))
    triggers = _listed(walk, section, "triggers", MAX_TRIGGERS, _trigger, known)
    steps = _listed(walk, section, "steps", MAX_STEPS, _step, parties)
    contacts = _listed(walk, section, "contacts", MAX_CONTACTS, _contact, None)
    pause = _listed(walk, section, "pause", len(objectives) or 1, _paused, known)
    if len(walk.problems) > before:
        return None
    return EmergencyPlan(
        triggers=tuple(triggers),
        steps=tuple(steps),
        contacts=tuple(dict.fromkeys(contacts)),
        pause=tuple(dict.fromkeys(pause)),
    )


@dataclass(frozen=True)
class _Objectives:
    """The objectives built, and those declared but broken (each has a problem of its own)."""

    built: dict[str, Objective]
    broken: set[str]


def _listed(walk: Walk, section: Map, key: str, limit: int, read: Any, known: Any) -> list[Any]:
    if key not in section:
        return []
    at = section.value_at(key)
    seq = read_sequence(walk, section.get(key), at, what=f"a list of {key}")
    if seq is None:
        return []
    if len(seq) > limit:
        walk.problem(at, f"lists {len(seq)} {key}, at most {limit} are allowed", "list fewer")
        return []
    found = [read(walk, item, item_at, known) for _, item, item_at in list_items(seq, at)]
    return [one for one in found if one is not None]


def _trigger(walk: Walk, value: Any, at: At, objectives: _Objectives) -> IncidentTrigger | None:
    if value == "declared":
        return IncidentTrigger(kind="declared")
    hint = "write - service-down: OBJECTIVE, - feed-silent: EVENT_TYPE or - declared"
    if not isinstance(value, CommentedMap):
        walk.problem(at, f'"{shown(value)}" is not a trigger', hint)
        return None
    kinds = [key for key in value if key in ("service-down", "feed-silent")]
    if len(kinds) != 1:
        walk.problem(at, "needs exactly one of service-down or feed-silent", hint)
        return None
    known = ("service-down", "service") if kinds[0] == "service-down" else ("feed-silent",)
    trigger = read_mapping(walk, value, at, known=known)
    if trigger is None:  # pragma: no cover - a CommentedMap is a mapping
        return None
    if kinds[0] == "feed-silent":
        event = read_event(walk, trigger.get("feed-silent"), trigger.value_at("feed-silent"))
        return None if event is None else IncidentTrigger(kind="feed-silent", event=event)
    return _service_down(walk, trigger, objectives)


def _service_down(walk: Walk, trigger: Map, objectives: _Objectives) -> IncidentTrigger | None:
    where = trigger.value_at("service-down")
    available = {i for i, o in objectives.built.items() if o.kind == "availability"}
    objective = read_text(walk, trigger.get("service-down"), where)
    if objective is None or objective in objectives.broken:
        return None
    if objective not in available:
        choices = ", ".join(sorted(available)) or "none: add an availability objective first"
        walk.problem(
            where,
            f'"{shown(objective)}" is not an availability objective of this agreement',
            f"name one of: {choices}",
        )
        return None
    service = None
    if "service" in trigger:
        service = read_text(walk, trigger.get("service"), trigger.value_at("service"))
        if service is None:
            return None
    return IncidentTrigger(kind="service-down", objective=objective, service=service)


def _step(walk: Walk, value: Any, at: At, parties: set[str]) -> EmergencyStep | None:
    step = read_mapping(
        walk, value, at, known=("do", "owner", "within"), required=("do", "owner", "within")
    )
    if step is None or any(key not in step for key in ("do", "owner", "within")):
        return None
    text = read_text(walk, step.get("do"), step.value_at("do"))
    if text is not None and len(text) > MAX_STEP_TEXT:
        walk.problem(step.value_at("do"), f"is over {MAX_STEP_TEXT} characters", "say it shorter")
        text = None
    owner = read_reference(walk, step.get("owner"), step.value_at("owner"), parties, what="party")
    within = _limit(walk, step.get("within"), step.value_at("within"))
    if text is None or owner is None or within is None:
        return None
    return EmergencyStep(do=text, owner=owner, within=within)


def _limit(walk: Walk, value: Any, at: At) -> Duration | None:
    if value is None or isinstance(value, bool | CommentedMap | list):
        walk.problem(at, "needs a duration", "write a time limit such as 2h")
        return None
    try:
        duration = parse_duration(str(value), calendar=False)
    except DurationError as error:
        walk.problem(at, error.message, "a step's limit is wall-clock time: write m, h, d or w")
        return None
    if duration.amount == 0:
        walk.problem(at, f'a limit of "{duration.text}" is already over', "allow some time")
        return None
    return duration


def _contact(walk: Walk, value: Any, at: At, _known: None) -> str | None:
    email = read_text(walk, value, at)
    if email is not None and not EMAIL.fullmatch(email):
        walk.problem(at, f'"{shown(email)}" is not an e-mail address', "write name@example.com")
        return None
    return email


def _paused(walk: Walk, value: Any, at: At, objectives: _Objectives) -> str | None:
    objective = read_text(walk, value, at)
    if objective is None or objective in objectives.broken:
        return None
    clocks = sorted(i for i, o in objectives.built.items() if hasattr(o, "within"))
    if objective not in clocks:
        walk.problem(
            at,
            f'"{shown(objective)}" is not a clock objective of this agreement',
            f"only clocks pause; name one of: {', '.join(clocks) or 'none'}",
        )
        return None
    return objective
