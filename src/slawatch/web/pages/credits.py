"""The service-credit page: each closed period's statements per party, revisions flagged.

Statements are shown as issued. When a period's numbers changed after issue, the statement
says so in words and lists what the recomputed one would change; an admin can accept it from
here, which issues it in place of the old one (kept in the audit log).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from slawatch.agreements.model import Agreement
from slawatch.engine.instants import from_us
from slawatch.evaluation.credits import accept_revision, period_order, statement_differences
from slawatch.formatting import money_text, share_text, target_text, threshold_text, value_text
from slawatch.i18n import N_, Translator
from slawatch.store.agreements import all_versions, get_version
from slawatch.store.credits import IssuedStatement, issued_statements
from slawatch.store.db import read_transaction, transaction
from slawatch.web.deps import Admin, AgreementId, Now, Reader
from slawatch.web.dispute_actions import refuse_if_disputed, statement_holds
from slawatch.web.pages.agreements import no_agreement
from slawatch.web.pages.templating import NO_STORE, page_translator, render
from slawatch.web.pages.zones import zoned_text
from slawatch.web.sessions import form_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
FIELD_NAMES = {
    "version": N_("agreement version"),
    "currency": N_("currency"),
    "fee": N_("fee"),
    "total": N_("total"),
    "value": N_("value"),
    "target": N_("target"),
    "tier": N_("tier reached"),
    "threshold": N_("threshold"),
    "credit_share": N_("share of the fee"),
    "amount": N_("credit"),
    "line": N_("objective"),
}


def money(amount: str | Decimal, currency: str, t: Translator) -> str:
    return money_text(amount, currency, t)


def _tier(line: dict[str, Any], t: Translator) -> str:
    if line.get("tier") is None:
        return t.gettext("none")
    return t.gettext(
        "tier %(tier)s (%(share)s of the fee)",
        tier=line["tier"],
        share=share_text(line.get("credit_share", 0.0), t, digits=2),
    )


def _figure(line: dict[str, Any], name: str, value: Any, currency: str, t: Translator) -> str:
    if value is None:
        return "–"
    if name == "value":
        return value_text(line, value, t)
    if name in ("target", "threshold"):
        return threshold_text(line, value, t)
    if name in ("amount", "fee", "total"):
        return money(value, currency, t)
    if name == "credit_share":
        return share_text(value, t, digits=2)
    if name == "line":
        return t.gettext("listed")
    return str(value)


def _differences(stored: IssuedStatement, t: Translator) -> list[dict[str, str]]:
    assert stored.revised is not None
    lines = {line["objective"]: line for line in stored.revised.get("lines", [])}
    lines.update({line["objective"]: line for line in stored.statement.get("lines", [])})
    rows = []
    for found in statement_differences(stored.statement, stored.revised):
        line = lines.get(found["objective"], {})
        field = found["field"]
        rows.append(
            {
                "objective": found["objective"] or "",
                "field": t.gettext(FIELD_NAMES.get(field, field)),
                "issued": _figure(line, field, found["issued"], stored.currency, t),
                "revised": _figure(line, field, found["revised"], stored.currency, t),
            }
        )
    return rows


def _lines(
    document: dict[str, Any], currency: str, titles: dict[str, str], t: Translator
) -> list[dict[str, str]]:
    return [
        {
            "objective": line["objective"],
            "title": titles.get(line["objective"], line["objective"]),
            "value": value_text(line, line.get("value"), t),
            "target": target_text(line, t) if line.get("op") else "",
            "tier": _tier(line, t),
            "amount": money(line["amount"], currency, t),
        }
        for line in document.get("lines", [])
    ]


def statement_view(
    stored: IssuedStatement, versions: dict[int, Agreement], zone: ZoneInfo, t: Translator
) -> dict[str, Any]:
    """Return what the page shows of one statement, in the reader's language."""
    measured = versions.get(stored.version)
    party = measured.parties.get(stored.party) if measured else None
    titles = {o.id: o.title for o in measured.objectives.values()} if measured else {}
    view: dict[str, Any] = {
        "party": stored.party,
        "party_name": party.name if party else stored.party,
        "version": stored.version,
        "issued_at": zoned_text(stored.issued_at, zone.key, t),
        "total": money(stored.amount, stored.currency, t),
        "owes": stored.amount > 0,
        "lines": _lines(stored.statement, stored.currency, titles, t),
        "revised": None,
    }
    if stored.revised is not None and stored.revised_at is not None:
        view["revised"] = {
            "revision": stored.revised_at,
            "revised_at": zoned_text(stored.revised_at, zone.key, t),
            "total": money(stored.revised["total"], stored.currency, t),
            "differences": _differences(stored, t),
            "reason": stored.revision_reason,
        }
    return view


def period_views(
    stored: list[IssuedStatement], agreements: dict[int, Agreement], zone: ZoneInfo, t: Translator
) -> list[dict[str, Any]]:
    """Return each period's statements, the latest period first, and whether it owes anything.

    A period that owes nothing and has no revision is `quiet`: the page folds a run of quiet
    periods into one line, so the periods with an amount stand out.
    """
    by_period: dict[str, list[IssuedStatement]] = defaultdict(list)
    for statement in stored:
        by_period[statement.period].append(statement)
    periods = []
    for label in sorted(by_period, key=period_order, reverse=True):
        statements = by_period[label]
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for statement in statements:
            totals[statement.currency] += statement.amount
        revised = any(s.changed_after_issue for s in statements)
        periods.append(
            {
                "label": label,
                "total": ", ".join(money(a, c, t) for c, a in sorted(totals.items())),
                "revised": revised,
                "quiet": not revised and all(s.amount == 0 for s in statements),
                "statements": [statement_view(s, agreements, zone, t) for s in statements],
            }
        )
    return periods


def quiet_runs(periods: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group the periods: each period with an amount alone, consecutive quiet ones together."""
    groups: list[dict[str, Any]] = []
    for period in periods:
        if period["quiet"] and groups and groups[-1]["quiet"]:
            groups[-1]["periods"].append(period)
        else:
            groups.append({"quiet": period["quiet"], "periods": [period]})
    return groups


def year_to_date(
    stored: list[IssuedStatement], agreement: Agreement, year: int, t: Translator
) -> list[dict[str, Any]]:
    """Sum the credits of this year's periods per party: what it owes and what it receives.

    A credit is owed to the agreement's other party; with more than two parties the statements
    do not say which one receives it, so "received" is left open there.
    """
    owed: dict[str, dict[str, Decimal]] = {p: defaultdict(Decimal) for p in agreement.parties}
    for statement in stored:
        if period_order(statement.period)[0].year != year:
            continue
        owed.setdefault(statement.party, defaultdict(Decimal))
        owed[statement.party][statement.currency] += statement.amount
    currency = agreement.credits.fee.currency if agreement.credits is not None else "EUR"

    def total(amounts: dict[str, Decimal]) -> str:
        shown = {c: a for c, a in amounts.items() if a} or {currency: Decimal(0)}
        return ", ".join(money(a, c, t) for c, a in sorted(shown.items()))

    rows = []
    for party, amounts in owed.items():
        others = [o for o in owed if o != party]
        received: dict[str, Decimal] = defaultdict(Decimal)
        for other in others:
            for found, amount in owed[other].items():
                received[found] += amount
        found_party = agreement.parties.get(party)
        rows.append(
            {
                "party": found_party.name if found_party is not None else party,
                "owed": total(amounts),
                "received": total(received) if len(owed) == 2 else "–",
                "owes": any(amounts.values()),
            }
        )
    return rows


@router.get("/agreements/{agreement_id}/credits", response_class=HTMLResponse)
def credits_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    now: Now,
    accepted: Annotated[int | None, Query(ge=0, le=1)] = None,
    stale: Annotated[int | None, Query(ge=0, le=1)] = None,
) -> HTMLResponse:
    """Show this year's totals per party, then every statement, latest period first."""
    with read_transaction(request.app.state.engine) as connection:
        versions = all_versions(connection, agreement_id)
        stored = issued_statements(connection, agreement_id)
        held = statement_holds(connection, versions[-1].agreement) if versions else {}
    if not versions:
        return no_agreement(request, principal, agreement_id)
    t = page_translator(request, principal)
    current = versions[-1].agreement
    zone = ZoneInfo(current.timezone)
    agreements = {v.version: v.agreement for v in versions}
    year = from_us(now, zone).year
    periods = period_views(stored, agreements, zone, t)
    for period in periods:  # an open dispute holds a statement: shown, and not settled
        for statement in period["statements"]:
            statement["disputes"] = held.get((period["label"], statement["party"]), [])
    context = {
        "agreement_id": agreement_id,
        "title": current.title,
        "has_credits": any(v.agreement.credits is not None for v in versions),
        "periods": periods,
        "groups": quiet_runs(periods),
        "year": year,
        "summary": year_to_date(stored, current, year, t) if stored else [],
        "zone": current.timezone,
        "pending": sum(1 for s in stored if s.changed_after_issue),
        "here": "credits",
        "accepted": bool(accepted),
        "stale": bool(stale),
    }
    return render(request, "credits/list.html", context, principal)


@router.post(
    "/agreements/{agreement_id}/credits/{period}/{party}/accept-revision",
    dependencies=[Depends(form_csrf)],
    response_class=RedirectResponse,
)
def accept_from_page(
    agreement_id: AgreementId,
    period: Annotated[str, Path(min_length=1, max_length=20)],
    party: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]*$")],
    request: Request,
    principal: Admin,
    now: Now,
    revision: Annotated[int, Form(ge=0, le=2**63 - 1)],
) -> RedirectResponse:
    """Accept the revision the admin saw, and return to the statements.

    A revision recomputed or accepted since the page was drawn is not accepted; the page
    then says so, and shows the revision as it stands now.
    """
    with transaction(request.app.state.engine) as connection:
        stored = get_version(connection, agreement_id)
        if stored is not None:
            refuse_if_disputed(connection, stored.agreement, period, party)
        accepted = accept_revision(
            connection,
            agreement_id,
            period,
            party,
            seen_revised_at=revision,
            actor=principal.name,
            now=now,
        )
    outcome = "accepted=1" if accepted is not None else "stale=1"
    return RedirectResponse(
        f"/agreements/{agreement_id}/credits?{outcome}#period-{period}",
        status.HTTP_303_SEE_OTHER,
        headers=NO_STORE,
    )
