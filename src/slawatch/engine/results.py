"""Typed results of an evaluation: their dump is the `evaluate --format json` contract.

One result per objective and period. The base holds what every kind reports (value, target,
comparison, status); each kind's module (`engine/kinds/`) subclasses it with its own figures
and says how they read. `document()` writes the JSON object of the contract, key for key;
`from_document()` reads one back (the store keeps those documents), so the type and the
contract are one thing and nothing past the engine reads a result by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self
from zoneinfo import ZoneInfo

from slawatch.agreements.model import Comparison
from slawatch.engine.instants import from_us
from slawatch.engine.periods import Period
from slawatch.engine.status import Status

Document = dict[str, Any]


@dataclass(frozen=True)
class ObjectiveResult:
    """One objective's figure in one period: value against target, and the verdict."""

    kind: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()  # the keys of `columns()`

    objective: str
    owner: str
    value: float | None
    target: float
    op: Comparison
    status: Status

    def document(self) -> Document:
        """Return the objective's object of the evaluate JSON: common keys, then the kind's."""
        return {
            "id": self.objective,
            "owner": self.owner,
            "kind": self.kind,
            "value": self.value,
            "target": self.target,
            "op": self.op.value,
            "status": self.status.value,
            **self.figures(),
        }

    def figures(self) -> Document:
        """Return the kind's own keys of the JSON, in the contract's order."""
        return {}

    def columns(self) -> Document:
        """Return the kind's own figures flat, one column each (CSV, spreadsheets)."""
        return self.figures()

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Self:
        """Read a result back from its JSON object (a stored period, an API answer)."""
        return cls(**common_fields(document), **cls.fields_of(document))

    @classmethod
    def fields_of(cls, document: Mapping[str, Any]) -> dict[str, Any]:
        """Return the kind's own fields from its JSON object."""
        return {}

    @property
    def parts(self) -> tuple[float, float] | None:
        """Return (hits, base) the value is hits / base of, to pool periods; None if it is not."""
        return None

    def budget_left(self) -> float | None:
        """Return the unspent share of the failures the target allows; negative once overspent.

        None for a kind without an error budget (a count).
        """
        return None


def common_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields every kind's JSON object carries."""
    value = document.get("value")
    return {
        "objective": str(document["id"]),
        "owner": str(document["owner"]),
        "value": None if value is None else float(value),  # floats survive JSON exactly
        "target": float(document["target"]),
        "op": Comparison(document["op"]),
        "status": Status(document["status"]),
    }


def share_budget_left(result: ObjectiveResult) -> float | None:
    """Return a share's unspent error budget: the failures its target allows, less those spent.

    With a target of "≥ 95 %", 5 % of the items may fail; at 98 % measured, 2 of those 5
    points are spent and 0.6 remains. With "≤ 10 %" (an error rate), 10 % may fail; at 4 %
    measured, 0.6 remains. A target of 100 % (or 0 % for a rate) has none: nothing may fail.
    """
    if result.value is None:
        return None
    if result.op.higher_is_better:
        allowed, spent = 1.0 - result.target, 1.0 - result.value
    else:
        allowed, spent = result.target, result.value
    return None if allowed <= 0 else 1.0 - spent / allowed


@dataclass(frozen=True)
class PeriodResult:
    period: Period
    objectives: tuple[ObjectiveResult, ...]


@dataclass(frozen=True)
class Evaluation:
    agreement: str
    zone: str
    as_of: int
    periods: tuple[PeriodResult, ...]
    warnings: tuple[str, ...] = ()

    def only(self, index: int) -> Evaluation:
        """Return the evaluation of one of its periods (what the store keeps per period)."""
        return Evaluation(
            agreement=self.agreement,
            zone=self.zone,
            as_of=self.as_of,
            periods=(self.periods[index],),
            warnings=self.warnings,
        )

    def document(self) -> Document:
        """Return the evaluate JSON document: the agreement, `as_of` and every period."""
        zone = ZoneInfo(self.zone)
        document: Document = {
            "agreement": self.agreement,
            "as_of": from_us(self.as_of, zone).isoformat(),
            "periods": [
                {
                    "period": result.period.label,
                    "start": from_us(result.period.start, zone).isoformat(),
                    "end": from_us(result.period.end, zone).isoformat(),
                    "objectives": [o.document() for o in result.objectives],
                }
                for result in self.periods
            ],
        }
        if self.warnings:
            document["warnings"] = list(self.warnings)
        return document
