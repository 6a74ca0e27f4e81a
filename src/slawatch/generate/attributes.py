"""Item attributes: the kind's usual ones, and every one a `where:` names, matching mostly.

Most items satisfy the filters so the narrower objectives have data; some do not, so the filters
have something to exclude.
"""

from __future__ import annotations

import numpy as np

from slawatch.agreements.model import Agreement, AttributeTest, Comparison
from slawatch.generate.flows import Flow

DEFAULT_ATTRIBUTES: dict[str, dict[str, tuple[tuple[str, ...], tuple[float, ...]]]] = {
    "lead": {
        "source": (("web", "event", "referral", "ads"), (0.45, 0.15, 0.15, 0.25)),
        "region": (("north", "south", "east", "west"), (0.3, 0.25, 0.25, 0.2)),
    },
    "request": {
        "priority": (("low", "normal", "high", "urgent"), (0.3, 0.45, 0.2, 0.05)),
        "request_type": (("question", "change", "problem", "other"), (0.4, 0.3, 0.2, 0.1)),
    },
    "ticket": {"priority": (("P1", "P2", "P3", "P4"), (0.05, 0.2, 0.45, 0.3))},
    "service": {"tier": (("critical", "standard"), (0.5, 0.5))},
}
# What a request is about depends on the team it goes to: Sales asks Marketing for material and
# campaigns, employees ask HR for certificates and payslips (hr-requests.yaml lists its types).
# Keyed by the owning party's id or a word of its name; others get the kind's generic types.
REQUEST_TYPES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "marketing": (
        ("collateral", "campaign", "event", "content", "lead_list", "other"),
        (0.3, 0.2, 0.15, 0.15, 0.1, 0.1),
    ),
    "hr": (
        ("certificate", "payroll", "tax", "master_data", "leave", "other"),
        (0.25, 0.2, 0.1, 0.15, 0.2, 0.1),
    ),
    "it": (
        ("access", "equipment", "software", "onboarding", "other"),
        (0.35, 0.2, 0.2, 0.15, 0.1),
    ),
}
KNOWN_VALUE_WEIGHTS = {"P1": 0.05, "P2": 0.2, "P3": 0.45, "P4": 0.3, "urgent": 0.05}
RESERVED = frozenset({"item", "type", "at", "kind"})  # cannot be attribute columns of a file


def kind_attributes(
    flow: Flow, agreement: Agreement | None = None
) -> dict[str, tuple[tuple[str, ...], tuple[float, ...]]]:
    """Return the flow's usual attributes; a request's types are those of the team it goes to."""
    defaults = dict(DEFAULT_ATTRIBUTES.get(flow.kind, {}))
    if "request_type" in defaults:
        for owner in dict.fromkeys(o.owner for o in flow.objectives):
            party = agreement.parties.get(owner) if agreement is not None else None
            words = [owner.lower(), *(party.name.lower().split() if party else ())]
            found = next((REQUEST_TYPES[w] for w in words if w in REQUEST_TYPES), None)
            if found is not None:
                defaults["request_type"] = found
                break
    return defaults


def draw_attributes(
    flow: Flow, n: int, rng: np.random.Generator, agreement: Agreement | None = None
) -> dict[str, np.ndarray]:
    """Default attributes of the kind, and every attribute a `where:` names, matching mostly."""
    tests: dict[str, list[AttributeTest]] = {}
    for objective in flow.objectives:
        for test in objective.where:
            if test.attribute not in RESERVED:
                tests.setdefault(test.attribute, []).append(test)
    values: dict[str, np.ndarray] = {}
    defaults = kind_attributes(flow, agreement)
    for name, (choices, weights) in defaults.items():
        if name not in tests:
            values[name] = rng.choice(np.array(choices), size=n, p=np.array(weights))
    for name, named in tests.items():
        values[name] = _matching(named, defaults.get(name), n, rng)
    return values


def _matching(
    tests: list[AttributeTest],
    default: tuple[tuple[str, ...], tuple[float, ...]] | None,
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    wanted = list(dict.fromkeys(v for t in tests for v in t.equals))
    if wanted:
        weights = np.array([KNOWN_VALUE_WEIGHTS.get(v, 1.0) for v in wanted])
        matched = rng.choice(np.array(wanted), size=n, p=weights / weights.sum())
        others = [v for v in (default[0] if default else ()) if v not in wanted] or ["other"]
        unmatched = rng.choice(np.array(others), size=n)
        return np.where(rng.random(n) < 0.9, matched, unmatched)
    numbers = np.full(n, np.nan)
    for test in tests:  # numeric comparisons: the last one decides, 85 % satisfy it
        if test.compare is None or test.number is None:
            continue
        width = max(10.0, abs(test.number))
        above = test.compare in (Comparison.AT_LEAST, Comparison.MORE_THAN)
        satisfy = rng.random(n) < 0.85
        low = np.where(satisfy == above, test.number, test.number - width)
        numbers = np.floor(low + rng.random(n) * width)
        strict = test.compare in (Comparison.MORE_THAN, Comparison.LESS_THAN)
        numbers = np.where(satisfy & strict & (numbers == test.number), numbers + 1, numbers)
    return np.where(np.isnan(numbers), "", numbers.astype(np.int64).astype(str))


def matches(
    tests: tuple[AttributeTest, ...], attributes: dict[str, np.ndarray], n: int
) -> np.ndarray:
    """Return which items pass every test; `kind` and unknown attributes pass."""
    mask = np.ones(n, dtype=bool)
    for test in tests:
        column = attributes.get(test.attribute)
        if test.attribute == "kind" or column is None:
            continue
        if test.equals:
            mask &= np.isin(column, np.array(test.equals))
        elif test.compare is not None and test.number is not None:
            numbers = np.where(column == "", "nan", column).astype(float)
            mask &= test.compare.apply(numbers, test.number)
    return mask
