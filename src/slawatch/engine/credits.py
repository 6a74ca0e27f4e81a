"""Settle service credits: what each party owes for the closed periods of an evaluation.

Pure: the agreement and an evaluation in, statements out. Money is computed in `Decimal`
from the amounts and percentages as the agreement wrote them and rounded half up to cents:
5 % of 2.90 is 0.145 and owes 0.15, where binary floats hold 0.14499… and round to 0.14.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from slawatch.agreements.model import Agreement, Credits, CreditTier
from slawatch.engine.results import Evaluation, ObjectiveResult, PeriodResult

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CreditLine:
    """One credited objective of a statement: its value, the tier it reached and the amount."""

    objective: str
    owner: str
    value: float | None
    target: float
    tier: int | None  # 1-based position of the tier reached in the agreement's list
    threshold: float | None
    credit_share: float  # fraction of the fee; 0.0 when no tier is reached
    amount: float


@dataclass(frozen=True)
class CreditStatement:
    """What one party owes for one period; `total` is capped at the fee."""

    agreement: str
    period: str
    party: str
    currency: str
    fee: float
    lines: tuple[CreditLine, ...]
    total: float


def tier_reached(tiers: Iterable[CreditTier], value: float | None) -> int | None:
    """Return the 1-based index of the harshest tier whose condition holds, or None.

    Harshest means the largest credit: with tiers ordered mildest first, as the parser insists,
    that is the last tier that holds, and taking the largest credit keeps a worse value from
    ever owing less even for a list built without the parser. Conditions are strict and use
    the same float comparison as the status, so a value exactly at a threshold owes nothing.
    """
    if value is None:
        return None
    reached: tuple[Decimal, int] | None = None
    for index, tier in enumerate(tiers, start=1):
        holds = value < tier.threshold if tier.direction == "below" else value > tier.threshold
        credit = _decimal(tier.credit)
        if holds and (reached is None or credit >= reached[0]):
            reached = (credit, index)
    return None if reached is None else reached[1]


def credit_statements(
    agreement: Agreement, evaluation: Evaluation, *, closed_only: bool = True
) -> list[CreditStatement]:
    """Return one statement per period and owing party, earliest period first, then by party.

    Only closed periods (end at or before `as_of`) are settled unless `closed_only` is False,
    which gives a provisional statement for the running period. Results measured over a window
    other than the objective's own period (`evaluate --period 2026-Q4` on a monthly objective)
    are not settled: credits are agreed per the objective's period.
    """
    if evaluation.agreement != agreement.id:
        raise ValueError(
            f"the evaluation is of agreement {evaluation.agreement}, not {agreement.id}"
        )
    credits = agreement.credits
    if credits is None:
        return []
    statements: list[CreditStatement] = []
    for period_result in evaluation.periods:
        if closed_only and period_result.period.end > evaluation.as_of:
            continue
        by_party: dict[str, list[CreditLine]] = defaultdict(list)
        for result in _credited(agreement, credits, period_result):
            by_party[result.owner].append(_line(credits, result))
        for party in sorted(by_party):
            statements.append(
                _statement(agreement.id, period_result, party, credits, by_party[party])
            )
    return statements


def _credited(
    agreement: Agreement, credits: Credits, period_result: PeriodResult
) -> list[ObjectiveResult]:
    kind = period_result.period.kind
    return [
        result
        for result in period_result.objectives
        if result.objective in credits.tiers
        and result.objective in agreement.objectives
        and agreement.objectives[result.objective].period == kind
    ]


def _line(credits: Credits, result: ObjectiveResult) -> CreditLine:
    tiers = credits.tiers[result.objective]
    index = tier_reached(tiers, result.value)
    tier = None if index is None else tiers[index - 1]
    share = Decimal(0) if tier is None else _decimal(tier.credit)
    return CreditLine(
        objective=result.objective,
        owner=result.owner,
        value=result.value,
        target=result.target,
        tier=index,
        threshold=None if tier is None else tier.threshold,
        credit_share=float(share),
        amount=float(_cents(share * _decimal(credits.fee.amount))),
    )


def _statement(
    agreement: str,
    period_result: PeriodResult,
    party: str,
    credits: Credits,
    lines: list[CreditLine],
) -> CreditStatement:
    fee = _cents(_decimal(credits.fee.amount))
    # Line amounts are already whole cents, so their sum is exact; the cap keeps a party from
    # owing more than the fee however many objectives it missed.
    owed = sum((_decimal(line.amount) for line in lines), Decimal(0))
    return CreditStatement(
        agreement=agreement,
        period=period_result.period.label,
        party=party,
        currency=credits.fee.currency,
        fee=float(fee),
        lines=tuple(sorted(lines, key=lambda line: line.objective)),
        total=float(min(owed, fee)),
    )


def _decimal(number: float) -> Decimal:
    # repr is the shortest text that reads back as the same float: 0.05 → "0.05", which is
    # what the agreement said; Decimal(0.05) would carry the binary error into the money.
    return Decimal(repr(number))


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
