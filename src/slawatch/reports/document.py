"""The agreement itself as a document to print and sign, in English or German.

What the parties promise each other, in words rather than YAML: who they are and whom to
call at each tier, who is responsible for what by when, the working calendars, the
escalation path, the service credits, the review cycle, and a signature block per party.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import get_day_names

from slawatch.agreements.model import (
    Agreement,
    AttributeTest,
    Calendar,
    DurationUnit,
    Interval,
    Objective,
    PeriodKind,
)
from slawatch.engine.kinds import kind_of
from slawatch.formatting import agreed_text, money_text, share_text, threshold_text
from slawatch.i18n import N_, Translator
from slawatch.reports.layout import FONT, RULE, Page
from slawatch.reports.text import latin1, promised_text, target_of

PARTY_WIDTHS = (30, 48.5, 48, 47.5)
DUTY_WIDTHS = (70, 30, 44, 30)  # task, owner, timeframe, target
HOURS_WIDTHS = (40, 134)
STEP_WIDTHS = (40, 134)
CREDIT_WIDTHS = (62, 56, 56)
PER_PERIOD = {
    PeriodKind.DAY: N_("per day"),
    PeriodKind.WEEK: N_("per week"),
    PeriodKind.MONTH: N_("per month"),
    PeriodKind.QUARTER: N_("per quarter"),
    PeriodKind.YEAR: N_("per year"),
}
TIERS = {
    1: N_("Tier 1: employee"),
    2: N_("Tier 2: department head"),
    3: N_("Tier 3: management"),
}
SIGNATURE_FIELDS = (N_("Name"), N_("Role"), N_("Date"), N_("Signature"))


def agreement_pdf(agreement: Agreement, t: Translator, *, generated_at: dt.datetime) -> bytes:
    """Write the agreement as a document for signing and return the PDF."""
    version = _version(agreement, t)
    pdf = Page(f"{agreement.title} · {t.gettext('Version %(version)s', version=version)}", t)
    pdf.add_page()
    _title(pdf, agreement, t, generated_at)
    _parties(pdf, agreement, t)
    _responsibilities(pdf, agreement, t)
    _calendars(pdf, agreement, t)
    _escalation(pdf, agreement, t)
    _credits(pdf, agreement, t)
    _review(pdf, agreement, t)
    _signatures(pdf, agreement, t)
    return bytes(pdf.output())


def _version(agreement: Agreement, t: Translator) -> str:
    return t.gettext("not recorded") if agreement.version is None else str(agreement.version)


def _title(pdf: Page, agreement: Agreement, t: Translator, generated_at: dt.datetime) -> None:
    pdf.text_line(t.gettext("Service level agreement"), size=12)
    pdf.text_line(agreement.title, size=20, style="B", height=9)
    pdf.ln(2)
    pdf.text_line(
        t.gettext(
            "Agreement %(id)s, version %(version)s, effective from %(date)s",
            id=agreement.id,
            version=_version(agreement, t),
            date=t.date(agreement.effective),
        )
    )
    pdf.muted(
        t.gettext(
            "Times are local to %(zone)s. Printed on %(date)s.",
            zone=agreement.timezone,
            date=t.date(generated_at.date()),
        )
    )


def _parties(pdf: Page, agreement: Agreement, t: Translator) -> None:
    pdf.heading(t.gettext("Parties and contacts"))
    headings = (t.gettext("Party"), *(t.gettext(TIERS[tier]) for tier in (1, 2, 3)))
    with pdf.grid(headings, PARTY_WIDTHS) as table:
        for party in agreement.parties.values():
            contacts = [*party.contacts, "", "", ""][:3]
            pdf.cells(table.row(), (party.name, *(c or "–" for c in contacts)))


def _responsibilities(pdf: Page, agreement: Agreement, t: Translator) -> None:
    pdf.heading(t.gettext("Responsibilities"))
    headings = (
        t.gettext("Task"),
        t.gettext("Owner"),
        t.gettext("Timeframe"),
        t.gettext("Target"),
    )
    with pdf.grid(headings, DUTY_WIDTHS) as table:
        for objective in agreement.objectives.values():
            pdf.cells(table.row(), responsibility(agreement, objective, t))


def responsibility(
    agreement: Agreement, objective: Objective, t: Translator
) -> tuple[str, str, str, str]:
    """Return an objective's row of the responsibilities: task, owner, timeframe and target.

    e.g. ("First contact within 48 hours", "Sales", "within 48 hr, around the clock",
    "≥ 95% of items per month"): a clock's timeframe is its allowance, any other
    objective's the period it is measured over.
    """
    task = objective.title
    if objective.where:
        task += "\n" + t.gettext(
            "for %(conditions)s", conditions="; ".join(_condition(w) for w in objective.where)
        )
    party = agreement.parties.get(objective.owner)
    owner = objective.owner if party is None else party.name
    return task, owner, _timeframe(objective, t), _target(objective, t)


def _timeframe(objective: Objective, t: Translator) -> str:
    period = t.gettext(PER_PERIOD[objective.period])
    calendar: str | None = getattr(objective, "calendar", None)
    within = kind_of(objective.kind).allowance(objective)
    if within is not None:
        if within.unit is DurationUnit.BUSINESS_DAYS:
            text = t.ngettext(
                "within %(num)s business day", "within %(num)s business days", within.amount
            )
        elif within.unit is DurationUnit.WORKING:
            text = t.gettext("within %(time)s of working time", time=agreed_text(within, t))
        else:
            text = t.gettext("within %(duration)s", duration=agreed_text(within, t))
            return text + ", " + t.gettext("around the clock")
        if calendar is not None:
            return text + ", " + t.gettext("calendar %(calendar)s", calendar=calendar)
        return text
    if calendar is not None:
        return period + ", " + t.gettext("calendar %(calendar)s", calendar=calendar)
    return period


def _target(objective: Objective, t: Translator) -> str:
    promised = promised_text(objective, t)
    if kind_of(objective.kind).allowance(objective) is not None:
        return t.gettext(
            "%(target)s of items %(period)s",
            target=promised,
            period=t.gettext(PER_PERIOD[objective.period]),
        )
    return promised


def _condition(test: AttributeTest) -> str:
    if test.compare is not None and test.number is not None:
        return f"{test.attribute} {test.compare.value} {test.number:g}"
    return f"{test.attribute} = {', '.join(test.equals)}"


def _calendars(pdf: Page, agreement: Agreement, t: Translator) -> None:
    if not agreement.calendars:
        return
    pdf.heading(t.gettext("Working calendars"))
    days = get_day_names("wide", locale=t.locale)  # 0 is Monday
    for calendar in agreement.calendars.values():
        pdf.subheading(t.gettext("Calendar %(calendar)s", calendar=calendar.id))
        pdf.muted(t.gettext("Time zone: %(zone)s", zone=calendar.timezone))
        with pdf.grid((t.gettext("Day"), t.gettext("Working hours")), HOURS_WIDTHS) as table:
            for index, intervals in enumerate(calendar.hours):
                hours = ", ".join(_interval(i) for i in intervals) or t.gettext("closed")
                pdf.cells(table.row(), (days[index], hours))
        pdf.text_line(t.gettext("Public holidays: %(holidays)s", holidays=_holidays(calendar, t)))
        if calendar.closed:
            closed = ", ".join(t.date(day) for day in sorted(calendar.closed))
            pdf.text_line(t.gettext("Also closed on: %(dates)s", dates=closed))


def _interval(interval: Interval) -> str:
    def clock(seconds: int) -> str:
        hours, rest = divmod(seconds % 86_400, 3600)
        return f"{hours:02d}:{rest // 60:02d}"

    text = f"{clock(interval.start)}–{clock(interval.end)}"
    return text + " (+1)" if interval.end > 86_400 else text


def _holidays(calendar: Calendar, t: Translator) -> str:
    source = calendar.holidays
    if source is None:
        return t.gettext("none")
    text = (
        source.country if source.subdivision is None else f"{source.country}-{source.subdivision}"
    )
    if source.categories:
        text += f" ({', '.join(source.categories)})"
    return text


def _escalation(pdf: Page, agreement: Agreement, t: Translator) -> None:
    pdf.heading(t.gettext("Escalation path"))
    if not agreement.escalation:
        pdf.text_line(t.gettext("This agreement sets no escalation path."))
        return
    pdf.text_line(
        t.gettext(
            "When an item or an objective is at risk or breached, the owning party's contacts "
            "are notified, rising a tier at each step until someone acknowledges it:"
        )
    )
    with pdf.grid((t.gettext("After"), t.gettext("Notified")), STEP_WIDTHS) as table:
        for step in agreement.escalation:
            after = agreed_text(step.after, t)
            pdf.cells(table.row(), (after, t.gettext(TIERS[step.tier])))


def _credits(pdf: Page, agreement: Agreement, t: Translator) -> None:
    pdf.heading(t.gettext("Service credits"))
    credits = agreement.credits
    if credits is None:
        pdf.text_line(t.gettext("This agreement sets no service credits."))
        return
    fee = money_text(credits.fee.amount, credits.fee.currency, t, code=True)
    pdf.text_line(
        t.gettext(
            "Fee per period: %(fee)s. A party's credits in one period never exceed the fee.",
            fee=fee,
        )
    )
    headings = (t.gettext("Objective"), t.gettext("When the value is"), t.gettext("Credit"))
    with pdf.grid(headings, CREDIT_WIDTHS) as table:
        for name, tiers in credits.tiers.items():
            objective = agreement.objectives.get(name)
            shape = {"share": True, "op": ">="} if objective is None else target_of(objective)
            title = name if objective is None else f"{objective.title} ({name})"
            for tier in tiers:
                threshold = threshold_text(shape, tier.threshold, t)
                condition = (
                    t.gettext("below %(threshold)s", threshold=threshold)
                    if tier.direction == "below"
                    else t.gettext("above %(threshold)s", threshold=threshold)
                )
                credit = t.gettext(
                    "%(share)s of the fee", share=share_text(tier.credit, t, digits=2)
                )
                pdf.cells(table.row(), (title, condition, credit))


def _review(pdf: Page, agreement: Agreement, t: Translator) -> None:
    pdf.heading(t.gettext("Review"))
    if agreement.review is None:
        pdf.text_line(t.gettext("This agreement sets no review cycle."))
        return
    cadence = {
        "monthly": t.gettext("The parties review this agreement and its results monthly."),
        "quarterly": t.gettext("The parties review this agreement and its results quarterly."),
        "yearly": t.gettext("The parties review this agreement and its results yearly."),
    }
    pdf.text_line(cadence[agreement.review.value])


def _signatures(pdf: Page, agreement: Agreement, t: Translator) -> None:
    pdf.heading(t.gettext("Signatures"))
    pdf.text_line(
        t.gettext(
            "By signing, the parties agree to this version of the agreement, in force from "
            "%(date)s.",
            date=t.date(agreement.effective),
        )
    )
    for party in agreement.parties.values():
        pdf.ensure(48)
        pdf.ln(4)
        pdf.text_line(t.gettext("For %(party)s", party=party.name), size=11, style="B")
        for label in SIGNATURE_FIELDS:
            pdf.ln(5)
            y = pdf.get_y() + 5
            pdf.set_font(FONT, size=9)
            pdf.cell(32, 5, latin1(t.gettext(label)))
            pdf.set_draw_color(*RULE)
            pdf.line(pdf.l_margin + 32, y, pdf.l_margin + pdf.width * 0.75, y)
            pdf.set_draw_color(0, 0, 0)
            pdf.ln(5)
