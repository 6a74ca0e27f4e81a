"""Service credits of a stored period: computed by the engine, or as issued and revised.

The stored period goes back into the engine's evaluation (`evaluation.credits.evaluation_of`)
and the engine's own `credit_statements` settles it, so a report's amounts are the engine's
to the cent. Once a closed period's statement is issued (`store.credits`), the issued one is
what the report shows, with the recomputed one beside it when the numbers changed after issue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.engine.credits import CreditLine, CreditStatement, credit_statements
from slawatch.engine.instants import from_us
from slawatch.engine.periods import Period, parse_label
from slawatch.evaluation.credits import evaluation_of
from slawatch.reports.model import Credit, sorted_statements
from slawatch.store.credits import IssuedStatement, issued_statements
from slawatch.store.disputes import disputed_statements
from slawatch.store.results import StoredResult


def stored_period(result: StoredResult, zone: ZoneInfo) -> Period:
    """Return the period of a stored result, with the instants it was stored with."""
    named = parse_label(result.period, zone)
    return Period(
        start=result.period_start,
        end=result.period_end,
        kind=named.kind,
        label=named.label,
        first=named.first,
        after=named.after,
    )


def period_credits(
    connection: Connection, agreement: Agreement, result: StoredResult
) -> tuple[Credit, ...]:
    """Return each party's statement for a stored period: as issued if it was, else computed.

    A running period's statements are computed and marked provisional.
    """
    computed = credit_statements(agreement, evaluation_of(agreement, result), closed_only=False)
    provisional = result.period_end > result.as_of
    zone = ZoneInfo(agreement.timezone)
    issued = {s.party: s for s in issued_statements(connection, agreement.id, result.period)}
    credits: list[Credit] = []
    for statement in computed:
        stored = issued.pop(statement.party, None)
        if stored is None:
            credits.append(Credit(statement, provisional=provisional))
        else:
            credits.append(_issued(stored, zone))
    credits.extend(_issued(s, zone) for s in issued.values())  # e.g. an objective since removed
    owners = {o.id: o.owner for o in agreement.objectives.values()}
    held = disputed_statements(connection, agreement.id, owners)
    credits = [
        replace(c, disputes=tuple(held.get((result.period, c.statement.party), ())))
        for c in credits
    ]
    return sorted_statements(credits)


def _issued(stored: IssuedStatement, zone: ZoneInfo) -> Credit:
    return Credit(
        statement=statement_from_json(stored.statement, stored),
        issued_at=from_us(stored.issued_at, zone),
        revised=None if stored.revised is None else statement_from_json(stored.revised, stored),
        revised_at=None if stored.revised_at is None else from_us(stored.revised_at, zone),
    )


def statement_from_json(document: Mapping[str, Any], stored: IssuedStatement) -> CreditStatement:
    """Read a stored statement document (money as Decimal text) as the engine's statement."""
    lines = tuple(
        CreditLine(
            objective=str(line["objective"]),
            owner=str(line.get("owner") or stored.party),
            value=_number_or_none(line.get("value")),
            target=float(line.get("target") or 0.0),
            tier=None if line.get("tier") is None else int(line["tier"]),
            threshold=_number_or_none(line.get("threshold")),
            credit_share=float(line.get("credit_share") or 0.0),
            amount=float(line.get("amount") or 0.0),
        )
        for line in _lines(document)
    )
    return CreditStatement(
        agreement=str(document.get("agreement", stored.agreement_id)),
        period=str(document.get("period", stored.period)),
        party=str(document.get("party", stored.party)),
        currency=str(document.get("currency", stored.currency)),
        fee=float(document.get("fee") or 0.0),
        lines=lines,
        total=float(document.get("total", stored.amount)),
    )


def _lines(document: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    lines = document.get("lines", ())
    return lines if isinstance(lines, list | tuple) else ()


def _number_or_none(value: Any) -> float | None:
    return None if value is None else float(value)
