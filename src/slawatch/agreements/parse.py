"""Read agreement YAML into a typed `Agreement`, reporting every problem of a file at once.

The YAML is loaded with ruamel's round-trip loader, which keeps the line of every key and
value, and walked by hand: each part records its problems and returns `None` when it cannot be
built, so one run finds all mistakes. Models are built only when the whole file is clean.
Loading within the limits lives in `_load`, the walk in `_walk`; each part of an agreement is
read by its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slawatch.agreements._load import load_yaml
from slawatch.agreements._walk import (
    At,
    Map,
    Walk,
    build,
    humanize,
    read_choice,
    read_date,
    read_identifier,
    read_mapping,
    read_text,
)
from slawatch.agreements.calendars import read_calendars, read_timezone
from slawatch.agreements.corrections import read_corrections, read_exclude
from slawatch.agreements.credits import read_credits
from slawatch.agreements.disputes import read_disputes
from slawatch.agreements.emergency import read_emergency
from slawatch.agreements.errors import AgreementError
from slawatch.agreements.escalation import EscalationSection, read_escalation_section
from slawatch.agreements.expectations import read_expectations
from slawatch.agreements.limits import DEFAULT_LIMITS, Limits
from slawatch.agreements.model import Agreement, CorrectionRules, ReviewCadence
from slawatch.agreements.objectives import read_objectives
from slawatch.agreements.parties import read_parties

T = TypeVar("T")

TOP_KEYS = ("agreement", "title", "timezone", "effective", "review", "version", "parties",
            "calendars", "objectives", "escalation", "credits", "expect", "corrections",
            "exclude", "disputes", "emergency")  # fmt: skip


# ---------------------------------------------------------------- entry points


def parse_agreement(
    text: str, *, source: str = "<agreement>", limits: Limits = DEFAULT_LIMITS
) -> Agreement:
    """Read an agreement; raise `AgreementError` listing every problem in the text.

    Text over one of `limits` raises `AgreementLimitError` before it is walked.
    """
    walk = Walk(source, limits=limits)
    tree = load_yaml(text, walk, limits)
    agreement = None if tree is None else _agreement(walk, tree)
    if walk.problems or agreement is None:
        raise AgreementError(sorted(walk.problems, key=lambda p: p.line or 0))
    return agreement


# ---------------------------------------------------------------- the agreement


def _agreement(walk: Walk, root: Map) -> Agreement | None:
    required = ("agreement", "timezone", "effective", "parties", "objectives")
    read_mapping(walk, root.node, root.at, known=TOP_KEYS, required=required)

    def part(key: str, read: Callable[[Any, At], T]) -> T | None:
        return read(root.get(key), root.value_at(key)) if key in root else None

    agreement_id = part(
        "agreement", lambda v, at: read_identifier(walk, v, at, what="agreement id")
    )
    title = part("title", lambda v, at: read_text(walk, v, at))
    zone = part("timezone", lambda v, at: read_timezone(walk, v, at))
    effective = part("effective", lambda v, at: read_date(walk, v, at))
    review = part(
        "review",
        lambda v, at: read_choice(
            walk, v, at, [c.value for c in ReviewCadence], what="review cadence"
        ),
    )
    version = part("version", lambda v, at: _version(walk, v, at))
    party_ids: set[str] = set()
    parties = part("parties", lambda v, at: read_parties(walk, v, at, party_ids)) or {}
    calendar_ids: set[str] = set()
    calendars = (
        part("calendars", lambda v, at: read_calendars(walk, v, at, zone or "UTC", calendar_ids))
        or {}
    )
    objective_ids: set[str] = set()
    objectives = (
        part(
            "objectives",
            lambda v, at: read_objectives(
                walk, v, at, parties=party_ids, calendars=calendar_ids, declared=objective_ids
            ),
        )
        or {}
    )
    escalation = (
        part("escalation", lambda v, at: read_escalation_section(walk, v, at))
        or EscalationSection()
    )
    credits = part("credits", lambda v, at: read_credits(walk, v, at, objectives, objective_ids))
    expect = (
        part("expect", lambda v, at: read_expectations(walk, v, at, calendars=calendar_ids)) or {}
    )
    corrections = part("corrections", lambda v, at: read_corrections(walk, v, at))
    exclude = part("exclude", lambda v, at: read_exclude(walk, v, at))
    disputes = part("disputes", lambda v, at: read_disputes(walk, v, at, calendar_ids))
    emergency = part(
        "emergency",
        lambda v, at: read_emergency(
            walk, v, at, parties=party_ids, objectives=objectives, declared=objective_ids
        ),
    )
    if walk.problems or agreement_id is None or zone is None or effective is None:
        return None
    return build(
        walk,
        root.at,
        lambda: Agreement(
            id=agreement_id,
            title=title or humanize(agreement_id),
            timezone=zone,
            effective=effective,
            review=None if review is None else ReviewCadence(review),
            version=version,
            parties=parties,
            calendars=calendars,
            objectives=objectives,
            escalation=escalation.ladder,
            objective_warnings_after=escalation.objective_warnings_after,
            credits=credits,
            expect=expect,
            corrections=corrections or CorrectionRules(),
            exclude=exclude,
            disputes=disputes,
            emergency=emergency,
        ),
    )


def _version(walk: Walk, value: Any, at: At) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return int(value)
    walk.problem(
        at, f'"{value}" is not a version number', "write a whole number from 1 up, such as 2"
    )
    return None
