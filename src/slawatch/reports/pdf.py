"""The report as a PDF: cover, scorecard, a chart per objective, breaches, credits, benchmarks.

Every word passes the reader's Translator and every figure `slawatch.formatting`, so the
German report reads "erfüllt" and "95,3 %" where the English one reads "met" and "95.3%",
and the PDF shows each figure as the pages, the workbook and the mail do.
"""

from __future__ import annotations

from collections.abc import Sequence

from slawatch.agreements.model import Agreement
from slawatch.comparisons.history import Average, Comparison
from slawatch.engine.credits import CreditStatement
from slawatch.engine.kinds.base import Kind
from slawatch.formatting import (
    count_text,
    details_text,
    figure_text,
    money_text,
    share_text,
    status_text,
    target_text,
    threshold_text,
    value_text,
    working_text,
)
from slawatch.i18n import Translator
from slawatch.reports.corrections import corrections_section
from slawatch.reports.layout import FONT, RULE, STATUS_COLOURS, Page
from slawatch.reports.model import (
    ClockRow,
    Credit,
    Figure,
    Report,
    Score,
    disputed_note,
    first_and_last_day,
)
from slawatch.reports.text import latin1, moment_text

SCORE_WIDTHS = (52, 24, 20, 22, 22, 34)  # objective, owner, value, target, status, details
BREACH_WIDTHS = (34, 36, 36, 36, 32)  # item, started, deadline, stopped, elapsed
CREDIT_WIDTHS = (44, 22, 22, 40, 20, 26)  # objective, value, target, tier, credit, amount
BENCHMARK_WIDTHS = (72, 28, 74)  # comparison, value, source
CHART_HEIGHT = 50.0


def report_pdf(report: Report, t: Translator) -> bytes:
    """Draw the report in the reader's language and return the PDF."""
    pdf = Page(f"{report.agreement.title} · {report.period.label}", t)
    _cover(pdf, report, t)
    _scorecard(pdf, report, t)
    for score in report.scores:
        _chart(pdf, score, report.history.get(score.id, ()), t)
    _breaches(pdf, report, t)
    _credits(pdf, report, t)
    corrections_section(pdf, report, t)
    _benchmarks(pdf, report, t)
    return bytes(pdf.output())


def _cover(pdf: Page, report: Report, t: Translator) -> None:
    agreement = report.agreement
    pdf.add_page()
    pdf.ln(30)
    pdf.text_line(t.gettext("Service level report"), size=12)
    pdf.text_line(agreement.title, size=22, style="B", height=10)
    pdf.ln(4)
    first, last = first_and_last_day(report.period)
    pdf.text_line(
        t.gettext(
            "Period: %(period)s (%(first)s to %(last)s)",
            period=report.period.label,
            first=t.date(first),
            last=t.date(last),
        ),
        size=12,
    )
    if not report.closed:
        pdf.muted(t.gettext("The period is still running: its statuses are a forecast."), 10)
    facts = [
        t.gettext("Agreement: %(id)s", id=agreement.id),
        t.gettext("Version: %(version)s", version=_version(agreement, t)),
        t.gettext("Effective from: %(date)s", date=t.date(agreement.effective)),
        t.gettext(
            "Measured as of: %(moment)s (%(zone)s)",
            moment=moment_text(report.as_of, t),
            zone=agreement.timezone,
        ),
        t.gettext("Generated at: %(moment)s", moment=moment_text(report.generated_at, t)),
        _source_text(report.source, t),
    ]
    pdf.ln(2)
    for fact in facts:
        pdf.text_line(fact)
    pdf.ln(4)
    pdf.text_line(t.gettext("Parties"), size=12, style="B")
    for party in agreement.parties.values():
        pdf.text_line(party.name, style="B")
        for tier, contact in enumerate(party.contacts, start=1):
            pdf.muted(f"{_tier_name(tier, t)}: {contact}", size=9)
    for warning in report.warnings:
        pdf.ln(2)
        pdf.muted(t.gettext("Warning: %(warning)s", warning=warning), size=9)


def _version(agreement: Agreement, t: Translator) -> str:
    return t.gettext("not recorded") if agreement.version is None else str(agreement.version)


def _tier_name(tier: int, t: Translator) -> str:
    names = {
        1: t.gettext("tier 1, employee"),
        2: t.gettext("tier 2, department head"),
        3: t.gettext("tier 3, management"),
    }
    return names.get(tier, str(tier))


def _scorecard(pdf: Page, report: Report, t: Translator) -> None:
    pdf.add_page()
    pdf.heading(t.gettext("Scorecard %(period)s", period=report.period.label))
    headings = (
        t.gettext("Objective"),
        t.gettext("Owner"),
        t.gettext("Value"),
        t.gettext("Target"),
        t.gettext("Status"),
        t.gettext("Details"),
    )
    with pdf.grid(headings, SCORE_WIDTHS) as table:
        for score in report.scores:
            row = table.row()
            objective = score.objective
            pdf.cells(
                row,
                (
                    f"{score.title} ({score.id})",
                    score.owner_name,
                    value_text(objective, score.value, t),
                    target_text(objective, t),
                ),
            )
            pdf.status_cell(row, score.status, status_text(score.status, t))
            pdf.cells(row, (details_text(objective, t),))


def _chart(pdf: Page, score: Score, figures: Sequence[Figure], t: Translator) -> None:
    pdf.ensure(CHART_HEIGHT + 24)
    objective = score.objective
    pdf.ln(3)
    pdf.text_line(f"{score.id}: {score.title}", size=11, style="B")
    pdf.muted(
        t.ngettext(
            "target %(target)s, the last period",
            "target %(target)s, the last %(num)s periods",
            len(figures),
            target=target_text(objective, t),
        )
    )
    height = CHART_HEIGHT
    top, left = pdf.get_y() + 2, pdf.l_margin + 16
    plot = pdf.width - 16
    values = [f.value for f in figures]
    targets = [f.target for f in figures] or [objective.target]
    low, high = _scale(score.kind, [v for v in values if v is not None] + targets)
    pdf.set_draw_color(*RULE)
    pdf.line(left, top + height, left + plot, top + height)
    pdf.set_font(FONT, size=6.5)
    for fraction in (0.0, 0.5, 1.0):
        y = top + height - fraction * height
        pdf.text(
            pdf.l_margin, y + 1, latin1(value_text(objective, low + fraction * (high - low), t))
        )
    slot = plot / max(len(figures), 1)
    for index, figure in enumerate(figures):
        x = left + index * slot
        if figure.value is not None:
            bar = (min(max(figure.value, low), high) - low) / (high - low) * height
            pdf.set_fill_color(*STATUS_COLOURS.get(figure.status, STATUS_COLOURS["no_data"]))
            pdf.rect(x + slot * 0.15, top + height - bar, slot * 0.7, bar, style="F")
        pdf.text(x + slot * 0.1, top + height + 4, figure.period.label)
    pdf.set_draw_color(200, 40, 40)
    pdf.set_dash_pattern(dash=1.5, gap=1)
    for index, target in enumerate(targets[: max(len(figures), 1)]):
        y = top + height - (min(max(target, low), high) - low) / (high - low) * height
        pdf.line(left + index * slot, y, left + (index + 1) * slot, y)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(top + height + 8)


def _scale(kind: Kind, numbers: list[float]) -> tuple[float, float]:
    """Return the chart's value range: from zero, except a kind that lives near 100 %."""
    high = max(numbers, default=1.0)
    if kind.near_full:
        low = min(numbers, default=0.0)
        margin = max((high - low) * 0.5, 0.001)
        return max(0.0, low - margin), min(1.0, high + margin)
    if kind.share:
        return 0.0, max(1.0, high)
    return 0.0, max(high * 1.1, 1.0)


def _breaches(pdf: Page, report: Report, t: Translator) -> None:
    clock_scores = [s for s in report.scores if s.kind.item_clocks]
    if not clock_scores:
        return
    pdf.add_page()
    pdf.heading(t.gettext("Breached items %(period)s", period=report.period.label))
    headings = (
        t.gettext("Item"),
        t.gettext("Started"),
        t.gettext("Deadline"),
        t.gettext("Stopped"),
        t.gettext("Elapsed"),
    )
    for score in clock_scores:
        listed = report.breaches.get(score.id)
        total = 0 if listed is None else listed.total
        pdf.subheading(
            t.ngettext(
                "%(objective)s: %(num)s breached item",
                "%(objective)s: %(num)s breached items",
                total,
                objective=score.id,
            )
        )
        if listed is None or not listed.rows:
            continue
        with pdf.grid(headings, BREACH_WIDTHS) as table:
            for row in listed.rows:
                pdf.cells(table.row(), _breach_cells(row, t))
        if listed.more:
            pdf.text_line(t.gettext("and %(count)s more", count=count_text(listed.more, t)), size=9)


def _breach_cells(row: ClockRow, t: Translator) -> tuple[str, ...]:
    return (
        row.item,
        moment_text(row.started, t),
        moment_text(row.deadline, t),
        moment_text(row.stopped, t),
        working_text(row.elapsed_seconds, t),
    )


def _credits(pdf: Page, report: Report, t: Translator) -> None:
    agreement = report.agreement
    if agreement.credits is None and not report.credits:
        return
    pdf.heading(t.gettext("Service credits %(period)s", period=report.period.label))
    if agreement.credits is not None:
        fee = agreement.credits.fee
        pdf.muted(
            t.gettext(
                "Fee per period: %(fee)s", fee=money_text(fee.amount, fee.currency, t, code=True)
            ),
            9,
        )
    if not report.credits:
        pdf.text_line(t.gettext("No objective with service credits is measured over this period."))
        return
    for credit in report.credits:
        _statement(pdf, agreement, credit, t)


def _statement(pdf: Page, agreement: Agreement, credit: Credit, t: Translator) -> None:
    statement = credit.statement
    party = agreement.parties.get(statement.party)
    name = statement.party if party is None else party.name
    pdf.subheading(
        t.gettext(
            "%(party)s: %(total)s",
            party=name,
            total=money_text(statement.total, statement.currency, t, code=True),
        )
    )
    if credit.provisional:
        pdf.muted(t.gettext("Provisional: the period is still running."))
    if credit.disputes:
        pdf.muted(disputed_note(credit, t))
    if credit.issued_at is not None:
        pdf.muted(t.gettext("Issued on %(date)s.", date=moment_text(credit.issued_at, t)))
    _credit_lines(pdf, agreement, statement, t)
    if credit.revised is not None:
        revised = credit.revised
        pdf.set_text_color(*STATUS_COLOURS["breached"])
        pdf.text_line(
            t.gettext(
                "Revised after issue: the period's numbers changed, and %(party)s would now "
                "owe %(total)s. The issued statement stands until the parties agree otherwise.",
                party=name,
                total=money_text(revised.total, revised.currency, t, code=True),
            ),
            size=9,
            style="B",
        )
        if credit.revised_at is not None:
            pdf.muted(t.gettext("Revised on %(date)s.", date=moment_text(credit.revised_at, t)))
        pdf.set_text_color(0, 0, 0)
        _credit_lines(pdf, agreement, revised, t)


def _credit_lines(
    pdf: Page, agreement: Agreement, statement: CreditStatement, t: Translator
) -> None:
    headings = (
        t.gettext("Objective"),
        t.gettext("Value"),
        t.gettext("Target"),
        t.gettext("Tier reached"),
        t.gettext("Credit"),
        t.gettext("Amount"),
    )
    with pdf.grid(headings, CREDIT_WIDTHS) as table:
        for line in statement.lines:
            spec = agreement.objectives.get(line.objective)
            shape = {
                "kind": None if spec is None else spec.kind,
                "share": spec is None,
                "op": ">=" if spec is None else spec.target.op.value,
                "target": line.target,
                "value": line.value,
                "tier": line.tier,
                "threshold": line.threshold,
            }
            if line.tier is None or line.threshold is None:
                tier = t.gettext("none")
            else:
                tier = t.gettext(
                    "tier %(tier)s (threshold %(threshold)s)",
                    tier=line.tier,
                    threshold=threshold_text(shape, line.threshold, t),
                )
            pdf.cells(
                table.row(),
                (
                    line.objective,
                    value_text(shape, line.value, t),
                    target_text(shape, t),
                    tier,
                    share_text(line.credit_share, t, digits=2),
                    money_text(line.amount, statement.currency, t, code=True),
                ),
            )
        total = table.row()
        total.cell(latin1(t.gettext("Total (at most the fee)")), colspan=5)
        total.cell(latin1(money_text(statement.total, statement.currency, t, code=True)))


def _benchmarks(pdf: Page, report: Report, t: Translator) -> None:
    if not report.benchmarks:
        return
    pdf.heading(t.gettext("Benchmarks %(period)s", period=report.period.label))
    pdf.muted(
        t.gettext(
            "Each objective beside its own earlier periods (averages over several periods "
            "pool their items), and beside industry figures. External figures are published "
            "figures of other organisations, with their source and year, not measured here: "
            "read them as orientation, not as targets."
        ),
        9,
    )
    headings = (t.gettext("Comparison"), t.gettext("Value"), t.gettext("Source"))
    for score in report.scores:
        benchmark = report.benchmarks.get(score.id)
        if benchmark is None:
            continue
        pdf.subheading(f"{score.id}: {score.title}")
        with pdf.grid(headings, BENCHMARK_WIDTHS) as table:
            for label, value in _own_lines(benchmark.comparison, t):
                pdf.cells(
                    table.row(),
                    (label, value_text(score.objective, value, t), t.gettext("this agreement")),
                )
            for reference in benchmark.references:
                source = reference.source
                pdf.cells(
                    table.row(),
                    (
                        t.gettext(
                            "%(title)s (external figure): %(measure)s",
                            title=reference.text("title", t.language),
                            measure=reference.text("measure", t.language),
                        ),
                        figure_text(reference.figure, t),
                        f"{source.author}: {source.title}, {source.publication}, "
                        f"{source.year}. {source.url}",
                    ),
                )


def _own_lines(comparison: Comparison, t: Translator) -> list[tuple[str, float | None]]:
    """Return the agreement's own figures: this period, the previous, trailing, a year ago."""

    def span(average: Average) -> str:
        labels = sorted(average.labels)
        return labels[0] if len(labels) == 1 else f"{labels[0]} – {labels[-1]}"

    lines = [
        (t.gettext("This period (%(period)s)", period=comparison.period), comparison.value),
        (
            t.gettext("Previous period (%(period)s)", period=span(comparison.previous)),
            comparison.previous.value,
        ),
        (
            t.gettext("Previous 3 periods (%(periods)s)", periods=span(comparison.trailing_3)),
            comparison.trailing_3.value,
        ),
        (
            t.gettext("Previous 12 periods (%(periods)s)", periods=span(comparison.trailing_12)),
            comparison.trailing_12.value,
        ),
    ]
    if comparison.year_ago.labels:
        lines.append(
            (
                t.gettext("Same period a year ago (%(period)s)", period=span(comparison.year_ago)),
                comparison.year_ago.value,
            )
        )
    return lines


def _source_text(source: str, t: Translator) -> str:
    """Say where the figures come from: the store, the stored events now, or a file."""
    match source:
        case "store":
            return t.gettext("Source: stored results")
        case "range":
            return t.gettext("Source: the stored events, evaluated for this range of days")
        case _:
            return t.gettext("Source: an event file, evaluated for this report")
