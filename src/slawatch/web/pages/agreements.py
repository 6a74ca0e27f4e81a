"""The agreement as a document: parties, responsibilities, calendars, escalation, credits.

It reads the current version as stored and says in the reader's language what the YAML says:
who owes what by when (task · owner · timeframe · target), whom an escalation reaches at each
tier, what a missed target costs. It prints as the contract's annex. Shared pieces of the
agreement pages (the id in the path, the missing-agreement page) live here too.
"""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from slawatch.agreements.model import (
    Agreement,
    Calendar,
    Duration,
    DurationUnit,
    Interval,
    Objective,
)
from slawatch.engine.instants import from_us
from slawatch.engine.kinds import kind_of
from slawatch.engine.vocabulary import Vocabulary
from slawatch.formatting import (
    agreed_text,
    count_text,
    kind_text,
    money_text,
    share_text,
    target_text,
    threshold_text,
)
from slawatch.i18n import N_, Translator
from slawatch.ingest.vocabulary import StoredVocabularies
from slawatch.store.agreements import StoredAgreement, get_version
from slawatch.store.db import read_transaction
from slawatch.store.health import health_of
from slawatch.store.history import latest_closed_result
from slawatch.store.results import stored_periods
from slawatch.store.reviews import held_dates
from slawatch.web.deps import AgreementId, Now, Reader
from slawatch.web.pages.feeds import feeds_panel
from slawatch.web.pages.health import failure_notice
from slawatch.web.pages.period_picker import (
    PickedPeriod,
    RangeFrom,
    RangeTo,
    latest_first,
    period_picker,
    picked_or_refused,
)
from slawatch.web.pages.templating import page_translator, render
from slawatch.web.pages.verdicts import review_notice
from slawatch.web.pages.zones import zoned_text
from slawatch.web.security import Principal

router = APIRouter(tags=["pages"], include_in_schema=False)

TIER_NAMES = {
    1: N_("Tier 1 · employee"),
    2: N_("Tier 2 · department head"),
    3: N_("Tier 3 · management"),
}
PER_PERIOD = {
    "day": N_("per day"),
    "week": N_("per week"),
    "month": N_("per month"),
    "quarter": N_("per quarter"),
    "year": N_("per year"),
}
REVIEW_NAMES = {
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "yearly": N_("yearly"),
}
REPORT_FORMATS = ("pdf", "xlsx", "csv")


def objective_figure(objective: Objective) -> dict[str, Any]:
    """Return an objective's target as the `evaluate` JSON has it, for presentation's helpers."""
    return {
        "kind": objective.kind,
        "op": objective.target.op.value,
        "target": objective.target.value,
    }


def load_agreement(request: Request, agreement_id: str) -> StoredAgreement | None:
    with read_transaction(request.app.state.engine) as connection:
        return get_version(connection, agreement_id)


def missing_page(
    request: Request, principal: Principal, message: str, *, agreement_id: str | None = None
) -> HTMLResponse:
    """Answer 404 with a page saying what is missing (the message is already translated)."""
    return render(
        request,
        "agreements/missing.html",
        {"message": message, "agreement_id": agreement_id},
        principal,
        status_code=404,
    )


def no_agreement(request: Request, principal: Principal, agreement_id: str) -> HTMLResponse:
    t = page_translator(request, principal)
    message = t.gettext("There is no agreement %(id)s.", id=agreement_id)
    return missing_page(request, principal, message)


def within_text(duration: Duration, t: Translator) -> str:
    """Say an allowance: 'within 48 h', 'within 8 h of working time', 'within 3 business days'."""
    if duration.unit is DurationUnit.BUSINESS_DAYS:
        return t.ngettext(
            "within %(num)s business day", "within %(num)s business days", duration.amount
        )
    if duration.unit is DurationUnit.WORKING:
        return t.gettext("within %(time)s of working time", time=agreed_text(duration, t))
    return t.gettext("within %(time)s", time=agreed_text(duration, t))


def timeframe_text(objective: Objective, t: Translator) -> str:
    """Say by when: the allowance of a clock, the measuring period of anything else."""
    allowance = kind_of(objective.kind).allowance(objective)
    if allowance is not None:
        return within_text(allowance, t)
    return t.gettext(PER_PERIOD[objective.period.value])


def _scope(objective: Objective) -> str:
    parts = []
    for test in objective.where:
        if test.compare is not None and test.number is not None:
            parts.append(f"{test.attribute} {test.compare.value} {test.number:g}")
        else:
            parts.append(f"{test.attribute} = {' | '.join(test.equals)}")
    return ", ".join(parts)


def responsibilities(agreement: Agreement, t: Translator) -> list[dict[str, Any]]:
    """Return one row per objective: task, owner, timeframe, target, kind and scope."""
    return [
        {
            "id": objective.id,
            "task": objective.title,
            "owner": agreement.parties[objective.owner].name,
            "timeframe": timeframe_text(objective, t),
            "target": target_text(objective_figure(objective), t),
            "kind": kind_text(objective.kind, t),
            "scope": _scope(objective),
            "calendar": getattr(objective, "calendar", None),
        }
        for objective in agreement.objectives.values()
    ]


def _clock_time(seconds: int) -> str:
    hours, rest = divmod(seconds % 86_400, 3600)
    text = f"{hours:02d}:{rest // 60:02d}"
    return text if seconds < 86_400 else f"{text} (+1)"


def _day_hours(intervals: tuple[Interval, ...], t: Translator) -> str:
    if not intervals:
        return t.gettext("closed")
    return ", ".join(f"{_clock_time(i.start)}–{_clock_time(i.end)}" for i in intervals)


def week_hours(calendar: Calendar, t: Translator) -> list[tuple[str, str]]:
    """Return the weekly hours as (days, hours) rows, runs of equal days joined: Mon–Thu."""
    names = t.locale.days["format"]["abbreviated"]
    rows: list[tuple[str, str]] = []
    first = 0
    for day in range(1, 8):
        if day < 7 and calendar.hours[day] == calendar.hours[first]:
            continue
        days = names[first] if day - 1 == first else f"{names[first]}–{names[day - 1]}"
        rows.append((days, _day_hours(calendar.hours[first], t)))
        first = day
    return rows


def calendars(agreement: Agreement, t: Translator) -> list[dict[str, Any]]:
    shown = []
    for calendar in agreement.calendars.values():
        holidays = None
        if calendar.holidays is not None:
            source = calendar.holidays
            country = t.locale.territories.get(source.country, source.country)
            holidays = (
                country if source.subdivision is None else f"{country} ({source.subdivision})"
            )
            if source.categories:
                holidays += " · " + ", ".join(source.categories)
        shown.append(
            {
                "id": calendar.id,
                "zone": calendar.timezone,
                "hours": week_hours(calendar, t),
                "holidays": holidays,
                "closed": [t.date(day) for day in sorted(calendar.closed)],
            }
        )
    return shown


def after_text(duration: Duration, t: Translator) -> str:
    if duration.amount == 0:
        return t.gettext("at once")
    if duration.unit is DurationUnit.BUSINESS_DAYS:
        return t.ngettext(
            "after %(num)s business day", "after %(num)s business days", duration.amount
        )
    return t.gettext("after %(time)s", time=agreed_text(duration, t))


def escalation_path(agreement: Agreement, t: Translator) -> dict[str, Any]:
    """Return the ladder: each step's delay and tier, and whom it reaches in each owning party."""
    owners = list(dict.fromkeys(o.owner for o in agreement.objectives.values()))
    parties = [agreement.parties[owner] for owner in owners]
    steps = []
    for step in agreement.escalation:
        contacts = [
            party.contacts[step.tier - 1] if step.tier <= len(party.contacts) else None
            for party in parties
        ]
        steps.append(
            {
                "after": after_text(step.after, t),
                "tier": t.gettext(TIER_NAMES[step.tier]),
                "contacts": contacts,
            }
        )
    return {"parties": [party.name for party in parties], "steps": steps}


def credits(agreement: Agreement, t: Translator) -> dict[str, Any] | None:
    terms = agreement.credits
    if terms is None:
        return None
    fee = terms.fee

    def money(amount: float) -> str:
        return money_text(amount, fee.currency, t)

    objectives = []
    for objective_id, tiers in terms.tiers.items():
        objective = agreement.objectives[objective_id]
        figure = objective_figure(objective)
        rows = []
        for tier in tiers:
            threshold = threshold_text(figure, tier.threshold, t)
            when = (
                t.gettext("below %(threshold)s", threshold=threshold)
                if tier.direction == "below"
                else t.gettext("above %(threshold)s", threshold=threshold)
            )
            rows.append(
                {
                    "when": when,
                    "credit": share_text(tier.credit, t, digits=2),
                    "amount": money(fee.amount * tier.credit),
                }
            )
        objectives.append({"id": objective_id, "title": objective.title, "tiers": rows})
    return {"fee": money(fee.amount), "objectives": objectives}


def parties(agreement: Agreement, t: Translator) -> list[dict[str, Any]]:
    return [
        {
            "name": party.name,
            "contacts": [
                (t.gettext(TIER_NAMES[tier]), contact)
                for tier, contact in enumerate(party.contacts, start=1)
                if tier in TIER_NAMES
            ],
        }
        for party in agreement.parties.values()
    ]


def stored_vocabulary(request: Request, stored: StoredAgreement) -> Vocabulary:
    """Return what the stored data holds that nothing uses, from the process's cache."""
    state = request.app.state
    kept: StoredVocabularies | None = getattr(state, "stored_vocabularies", None)
    if kept is None:
        kept = state.stored_vocabularies = StoredVocabularies(state.engine)
    return kept.of(stored)


def unused_names(vocabulary: Vocabulary, t: Translator) -> dict[str, list[dict[str, Any]]]:
    """Return the stored names nothing uses, in the reader's words, for the page's notice."""
    types = [
        {
            "name": name.name,
            "count": t.ngettext(
                "%(count)s event", "%(count)s events", name.count, count=count_text(name.count, t)
            ),
            "did_you_mean": name.did_you_mean,
        }
        for name in vocabulary.unused_event_types
    ]
    attributes = [
        {
            "name": attribute.name,
            "objectives": ", ".join(attribute.objectives),
            "did_you_mean": attribute.did_you_mean,
        }
        for attribute in vocabulary.unused_where_attributes
    ]
    return {"types": types, "attributes": attributes}


def report_links(agreement_id: str, period: str | None) -> list[tuple[str, str]]:
    """Return (format, URL) of the reports of a closed period, the document's PDF last."""
    links = []
    if period is not None:
        links = [
            (kind.upper(), f"/agreements/{agreement_id}/report.{kind}?period={period}")
            for kind in REPORT_FORMATS
        ]
    return links


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_page(
    agreement_id: AgreementId,
    request: Request,
    principal: Reader,
    now: Now,
    saved: Annotated[int | None, Query(ge=1, le=2_000_000_000)] = None,
    period: PickedPeriod = "",
    first: RangeFrom = "",
    last: RangeTo = "",
) -> HTMLResponse:
    """Show the current version of an agreement as a document."""
    engine = request.app.state.engine
    with read_transaction(engine) as connection:
        stored = get_version(connection, agreement_id)
        closed = latest_closed_result(connection, agreement_id)
        health = health_of(connection, agreement_id)
        labels = latest_first(stored_periods(connection, agreement_id))
        held = held_dates(connection).get(agreement_id, [])
    if stored is None:
        return no_agreement(request, principal, agreement_id)
    zone = ZoneInfo(stored.agreement.timezone)
    picked = picked_or_refused(
        request, principal, agreement_id, zone, (period, first, last), labels
    )
    if isinstance(picked, HTMLResponse):
        return picked
    shown = picked or (closed.period if closed is not None else None)
    vocabulary = stored_vocabulary(request, stored)
    t = page_translator(request, principal)
    agreement = stored.agreement
    review = agreement.review
    context = {
        "stored": stored,
        "agreement": agreement,
        "effective": t.date(stored.effective),
        "saved_at": zoned_text(stored.created_at, agreement.timezone, t),
        "saved": saved,
        "failure": failure_notice(health, agreement.timezone, t),
        "review": t.gettext(REVIEW_NAMES[review.value]) if review is not None else None,
        "review_overdue": review_notice(agreement, held, from_us(now, zone).date(), t),
        "parties": parties(agreement, t),
        "responsibilities": responsibilities(agreement, t),
        "calendars": calendars(agreement, t),
        "escalation": escalation_path(agreement, t),
        "credits": credits(agreement, t),
        "period": shown,
        "reports": report_links(agreement_id, shown),
        "picker": period_picker(f"/agreements/{agreement_id}", labels, shown, t),
        "unused": unused_names(vocabulary, t),
        "feeds": feeds_panel(request, agreement, now, t),
    }
    return render(request, "agreements/document.html", context, principal)
