"""Issue service-credit statements from stored results, and flag the ones the numbers overtook.

Each closed period of an agreement's stored results is settled by the engine's own
`credit_statements`, with the agreement version that measured the period, so an issued amount
is the engine's to the cent. A statement is issued once per period and owing party (with a
total of 0 when nothing is owed, so "issued" is visible); when the stored results of a stated
period change later, the new statement is stored beside it as a revision and flagged, never
applied, until an admin accepts it. Only a moved figure or amount makes a revision: a period
measured by another version with the same figures keeps its statement as issued. Calling
`issue_statements` when nothing changed only reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement
from slawatch.engine.credits import CreditStatement, credit_statements
from slawatch.engine.periods import Period, PeriodLabelError, parse_label
from slawatch.engine.results import Evaluation, ObjectiveResult, PeriodResult
from slawatch.store.agreements import all_versions
from slawatch.store.corrections import approved_since
from slawatch.store.credits import (
    IssuedStatement,
    issue_statement,
    issued_statement,
    issued_statements,
    set_revision,
)
from slawatch.store.credits import accept_revision as store_accept_revision
from slawatch.store.db import read_transaction, transaction
from slawatch.store.results import StoredResult, stored_results

CENT = Decimal("0.01")
LINE_FIELDS = ("value", "target", "tier", "threshold", "credit_share", "amount")
STATEMENT_FIELDS = ("version", "currency", "fee", "total")


def money(amount: float | str | Decimal) -> Decimal:
    """Return an amount as Decimal cents: the engine's floats hold whole cents exactly in repr."""
    text = repr(amount) if isinstance(amount, float) else str(amount)
    return Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)


def period_order(label: str) -> tuple[dt.date, dt.date, str]:
    """Sort key for period labels: by first day, shorter periods first, then the label."""
    try:
        period = parse_label(label, ZoneInfo("UTC"))
    except PeriodLabelError:
        return (dt.date.max, dt.date.max, label)
    return (period.first, period.after, label)


def evaluation_of(agreement: Agreement, result: StoredResult) -> Evaluation:
    """Turn one stored period back into the engine's evaluation of it, as credits read it.

    The period keeps the instants it was stored with; the objectives are the stored results.
    """
    named = parse_label(result.period, ZoneInfo(agreement.timezone))
    period = Period(
        start=result.period_start,
        end=result.period_end,
        kind=named.kind,
        label=named.label,
        first=named.first,
        after=named.after,
    )
    objectives = result.objectives
    return Evaluation(
        agreement=agreement.id,
        zone=agreement.timezone,
        as_of=result.as_of,
        periods=(PeriodResult(period, objectives),),
    )


def statement_document(
    statement: CreditStatement, *, version: int, objectives: Mapping[str, ObjectiveResult]
) -> dict[str, Any]:
    """Return a statement as stored and served: money as Decimal text, lines by objective."""
    lines = []
    for line in statement.lines:
        measured = objectives.get(line.objective)
        lines.append(
            {
                "objective": line.objective,
                "owner": line.owner,
                "kind": None if measured is None else measured.kind,
                "op": None if measured is None else measured.op.value,
                "value": line.value,
                "target": line.target,
                "tier": line.tier,
                "threshold": line.threshold,
                "credit_share": line.credit_share,
                "amount": str(money(line.amount)),
            }
        )
    return {
        "agreement": statement.agreement,
        "period": statement.period,
        "party": statement.party,
        "version": version,
        "currency": statement.currency,
        "fee": str(money(statement.fee)),
        "total": str(money(statement.total)),
        "lines": lines,
    }


def period_statements(agreement: Agreement, result: StoredResult) -> list[dict[str, Any]]:
    """Return the statement documents of a stored period: none unless the period is closed."""
    if agreement.credits is None or result.period_end > result.as_of:
        return []
    objectives = {found.objective: found for found in result.objectives}
    return [
        statement_document(statement, version=result.version, objectives=objectives)
        for statement in credit_statements(agreement, evaluation_of(agreement, result))
    ]


def same_figures(issued: Mapping[str, Any], recomputed: Mapping[str, Any]) -> bool:
    """Say whether two statements state the same figures and amounts, whatever their version.

    Which version measured a period is bookkeeping: a new version number alone is no reason
    to tell a party that what it was told has changed.
    """
    return {k: v for k, v in issued.items() if k != "version"} == {
        k: v for k, v in recomputed.items() if k != "version"
    }


def _withdrawn(issued: Mapping[str, Any], version: int) -> dict[str, Any]:
    """Return what a party owes for a period once it no longer owns a credited objective."""
    return {**issued, "version": version, "total": str(money(0)), "lines": []}


def statement_differences(
    issued: Mapping[str, Any], revised: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """List what a revision changes: statement fields, then each line's fields by objective."""
    found: list[dict[str, Any]] = [
        {"objective": None, "field": name, "issued": issued.get(name), "revised": revised.get(name)}
        for name in STATEMENT_FIELDS
        if issued.get(name) != revised.get(name)
    ]
    before = {line["objective"]: line for line in issued.get("lines", [])}
    after = {line["objective"]: line for line in revised.get("lines", [])}
    for objective in sorted(before.keys() | after.keys()):
        old, new = before.get(objective), after.get(objective)
        if old is None or new is None:
            found.append({"objective": objective, "field": "line", "issued": old, "revised": new})
            continue
        found.extend(
            {"objective": objective, "field": name, "issued": old.get(name), "revised": new[name]}
            for name in LINE_FIELDS
            if old.get(name) != new.get(name)
        )
    return found


@dataclass(frozen=True)
class _Change:
    action: Literal["issue", "revise", "clear"]
    period: str
    party: str
    document: dict[str, Any] | None


@dataclass(frozen=True)
class IssueReport:
    """What one call did: statements newly issued, revisions flagged or updated, and cleared.

    Each entry is a (period, party) pair. A revision is cleared when the numbers went back to
    what was issued.
    """

    agreement_id: str
    issued: tuple[tuple[str, str], ...] = ()
    revised: tuple[tuple[str, str], ...] = ()
    cleared: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.issued or self.revised or self.cleared)


def _plan(connection: Connection, agreement_id: str) -> list[_Change]:
    versions = {
        stored.version: stored.agreement for stored in all_versions(connection, agreement_id)
    }
    if not versions:
        return []
    issued: dict[tuple[str, str], IssuedStatement] = {
        (s.period, s.party): s for s in issued_statements(connection, agreement_id)
    }
    stated: dict[str, set[str]] = {}
    for period, party in issued:
        stated.setdefault(period, set()).add(party)
    changes: list[_Change] = []
    for result in stored_results(connection, agreement_id):
        agreement = versions.get(result.version)
        if agreement is None or result.period_end > result.as_of:
            continue
        documents = {d["party"]: d for d in period_statements(agreement, result)}
        for party in sorted(documents.keys() | stated.get(result.period, set())):
            before = issued.get((result.period, party))
            if before is None:
                changes.append(_Change("issue", result.period, party, documents[party]))
                continue
            document = documents.get(party) or _withdrawn(before.statement, result.version)
            if same_figures(before.statement, document):
                if before.revised is not None:
                    changes.append(_Change("clear", result.period, party, None))
            elif before.revised is None or not same_figures(before.revised, document):
                changes.append(_Change("revise", result.period, party, document))
    return changes


def _apply(
    connection: Connection, agreement_id: str, changes: list[_Change], now: int
) -> IssueReport:
    done: dict[str, list[tuple[str, str]]] = {"issue": [], "revise": [], "clear": []}
    for change in changes:
        document = change.document
        if change.action == "issue" and document is not None:
            if not issue_statement(
                connection,
                agreement_id=agreement_id,
                period=change.period,
                party=change.party,
                version=int(document["version"]),
                amount=money(document["total"]),
                currency=str(document["currency"]),
                statement=document,
                now=now,
            ):
                continue  # another replica issued it a moment ago
        else:
            set_revision(
                connection,
                agreement_id,
                change.period,
                change.party,
                revised=document,
                now=now,
                reason=_revision_reason(connection, agreement_id, change) if document else None,
            )
        done[change.action].append((change.period, change.party))
    return IssueReport(
        agreement_id,
        issued=tuple(done["issue"]),
        revised=tuple(done["revise"]),
        cleared=tuple(done["clear"]),
    )


def _revision_reason(connection: Connection, agreement_id: str, change: _Change) -> str | None:
    """Name the corrections approved since the statement was issued: what revises it.

    None when there are none (late events or a retroactive version moved the figures).
    """
    before = issued_statement(connection, agreement_id, change.period, change.party)
    if before is None:
        return None
    applied = approved_since(connection, agreement_id, before.issued_at)
    if not applied:
        return None
    return "; ".join(f"{record.label()}: {record.reason}" for record in applied)


def issue_statements(bind: Engine | Connection, agreement_id: str, *, now: int) -> IssueReport:
    """Issue the statements of newly closed periods and flag changes to stated ones.

    With an Engine, the check runs in a read transaction and writes happen only when something
    changed (the plan is made again inside the write transaction, so it acts on what is
    stored then). With a Connection, everything runs in the caller's transaction, e.g. the
    one that has just stored the results.
    """
    if isinstance(bind, Connection):
        return _apply(bind, agreement_id, _plan(bind, agreement_id), now)
    with read_transaction(bind) as connection:
        if not _plan(connection, agreement_id):
            return IssueReport(agreement_id)
    with transaction(bind) as connection:
        return _apply(connection, agreement_id, _plan(connection, agreement_id), now)


def accept_revision(
    connection: Connection,
    agreement_id: str,
    period: str,
    party: str,
    *,
    seen_revised_at: int,
    actor: str,
    now: int,
) -> IssuedStatement | None:
    """Issue a pending revision in place of the statement (the old one goes to the audit log).

    None when there is no revision, or it is not the one seen (`seen_revised_at`).
    """
    before = issued_statement(connection, agreement_id, period, party)
    if before is None or before.revised is None:
        return None
    revised = before.revised
    return store_accept_revision(
        connection,
        agreement_id,
        period,
        party,
        seen_revised_at=seen_revised_at,
        version=int(revised["version"]),
        amount=money(revised["total"]),
        currency=str(revised["currency"]),
        actor=actor,
        now=now,
    )
