"""The approved corrections and exclusions a report lists for its period."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.i18n import Translator
from slawatch.reports.layout import Page
from slawatch.reports.model import PeriodCorrection, Report, local
from slawatch.reports.text import moment_text
from slawatch.store.corrections import corrections_in_period
from slawatch.store.results import StoredResult


def period_corrections(
    connection: Connection, result: StoredResult, zone: ZoneInfo
) -> tuple[PeriodCorrection, ...]:
    """Return the approved corrections that concern the stored result's period."""
    found = corrections_in_period(
        connection, result.agreement_id, result.period_start, result.period_end
    )
    return tuple(
        PeriodCorrection(
            number=record.id,
            action=record.action.value,
            item=record.external_id,
            objective=record.objective,
            event_type=record.event_type,
            event_at=local(record.event_at, zone),
            new_type=record.new_type,
            new_at=local(record.new_at, zone),
            reason=record.reason,
            proposed_by=record.proposed_by,
            decided_by=record.decided_by,
        )
        for record in found
    )


def what_text(correction: PeriodCorrection, t: Translator) -> str:
    """Say what a correction does, in the reader's language (reports write it the same way)."""
    event = f"{correction.event_type} {moment_text(correction.event_at, t)}"
    if correction.action == "exclude":
        return t.gettext("Exclude from %(objective)s", objective=correction.objective)
    if correction.action == "move":
        moved = moment_text(correction.new_at, t)
        return t.gettext("Move %(event)s to %(when)s", event=event, when=moved)
    if correction.action == "retype":
        return t.gettext("Retype %(event)s as %(type)s", event=event, type=correction.new_type)
    return t.gettext("Void %(event)s", event=event)


def correction_cells(correction: PeriodCorrection, t: Translator) -> tuple[str, ...]:
    """Return one correction's row: number, item, what, reason, proposed by, approved by."""
    return (
        f"#{correction.number}",
        correction.item,
        what_text(correction, t),
        correction.reason,
        correction.proposed_by,
        correction.decided_by or "",
    )


def correction_headings(t: Translator) -> tuple[str, ...]:
    return (
        "#",
        t.gettext("Item"),
        t.gettext("Correction"),
        t.gettext("Reason"),
        t.gettext("Proposed by"),
        t.gettext("Approved by"),
    )


CORRECTION_WIDTHS = (12, 24, 44, 44, 25, 25)  # mm, the page width


def corrections_section(pdf: Page, report: Report, t: Translator) -> None:
    """Draw the period's corrections in the PDF, when there are any."""
    if not report.corrections:
        return
    pdf.ensure(30)
    pdf.heading(t.gettext("Corrections and exclusions %(period)s", period=report.period.label))
    with pdf.grid(correction_headings(t), CORRECTION_WIDTHS) as table:
        for correction in report.corrections:
            pdf.cells(table.row(), correction_cells(correction, t))
