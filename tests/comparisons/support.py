"""Results for comparison tests, built from the keys of their evaluate JSON."""

from __future__ import annotations

from typing import Any

from slawatch.engine.kinds import result_of
from slawatch.engine.results import ObjectiveResult


def typed(**document: Any) -> ObjectiveResult:
    """Return a result from the keys of its evaluate JSON that a test cares about."""
    defaults = {"id": "x", "owner": "sales", "op": ">=", "target": 0.9, "status": "met"}
    return result_of(defaults | document)


def ratio(numerator: int, denominator: int) -> ObjectiveResult:
    value = numerator / denominator if denominator else None
    return typed(
        id="conversion",
        kind="ratio",
        target=0.15,
        value=value,
        numerator=numerator,
        denominator=denominator,
    )


def count(value: float, op: str = ">=") -> ObjectiveResult:
    return typed(id="leads", kind="count", op=op, target=50, value=value)


def month(index: int) -> str:
    """Label of month number `index` (year * 12 + month - 1)."""
    return f"{index // 12}-{index % 12 + 1:02d}"
