"""The report as a workbook: the scorecard, a sheet per objective, and the service credits.

Values stay numbers with formats, so the workbook can be sorted, filtered and summed: shares
as percentages (0.0%), durations as Excel durations (`[h]:mm`, a day being 1), counts as
integers, money in its currency, instants as real Excel datetimes. Every sheet is one table
with a frozen header row and an autofilter. Headings and statuses are in the reader's
language. Text that could start a formula is stored as text (`reports.cells`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.formatting import (
    Measured,
    clock_state_text,
    count_text,
    details_text,
    excel_format,
    money_text,
    status_text,
)
from slawatch.i18n import Translator
from slawatch.reports.cells import xlsx_texts
from slawatch.reports.corrections import correction_cells, correction_headings
from slawatch.reports.model import Credit, Figure, Report, disputed_note, first_and_last_day

MAX_SHEET_NAME = 31
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
DURATION_FORMAT = "[h]:mm"
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"
SECONDS_PER_DAY = 86_400
SHARE_FIGURES = frozenset({"error_budget_remaining"})
BOLD = Font(bold=True)
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def report_xlsx(report: Report, t: Translator) -> bytes:
    """Write the workbook in the reader's language and return its bytes."""
    workbook = Workbook()
    scorecard = workbook.active
    assert scorecard is not None
    taken: set[str] = set()
    scorecard.title = sheet_name(t.gettext("Scorecard"), taken)
    _scorecard(scorecard, report, t)
    for score in report.scores:
        sheet = workbook.create_sheet(sheet_name(score.id, taken))
        if score.kind.item_clocks:
            _clock_sheet(sheet, report, score.id, t)
        else:
            _period_sheet(sheet, report.history.get(score.id, ()), t)
    credits = workbook.create_sheet(sheet_name(t.gettext("Credits"), taken))
    _credits_sheet(credits, report, t)
    if report.corrections:
        listed = workbook.create_sheet(sheet_name(t.gettext("Corrections"), taken))
        _header(listed, correction_headings(t))
        for correction in report.corrections:
            _append(listed, correction_cells(correction, t))
        _finish(listed)
        _widths(listed, (8, 16, 44, 50, 28, 28))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_name(name: str, taken: set[str]) -> str:
    """Return a unique sheet name: Excel allows 31 characters, no []:*?/\\, case-blind."""
    base = _FORBIDDEN.sub("_", name)[:MAX_SHEET_NAME] or "objective"
    chosen, suffix = base, 1
    while chosen.lower() in taken:
        suffix += 1
        tail = f"~{suffix}"
        chosen = base[: MAX_SHEET_NAME - len(tail)] + tail
    taken.add(chosen.lower())
    return chosen


def _scorecard(sheet: Worksheet, report: Report, t: Translator) -> None:
    _header(
        sheet,
        (
            t.gettext("Period"),
            t.gettext("Objective"),
            t.gettext("Title"),
            t.gettext("Owner"),
            t.gettext("Value"),
            t.gettext("Target"),
            t.gettext("Comparison"),
            t.gettext("Status"),
            t.gettext("Details"),
        ),
    )
    for score in report.scores:
        objective = score.objective
        _append(
            sheet,
            [
                report.period.label,
                score.id,
                score.title,
                score.owner_name,
                score.value,
                objective.target,
                objective.op.value,
                status_text(score.status, t),
                details_text(objective, t),
            ],
        )
        _percent(sheet, objective, (5, 6))
    _finish(sheet)
    _widths(sheet, (10, 22, 36, 16, 12, 12, 11, 14, 44))


def _clock_sheet(sheet: Worksheet, report: Report, objective: str, t: Translator) -> None:
    _header(
        sheet,
        (
            t.gettext("Item"),
            t.gettext("Started"),
            t.gettext("Stopped"),
            t.gettext("Deadline"),
            t.gettext("Elapsed"),
            t.gettext("Paused"),
            t.gettext("State"),
        ),
    )
    comment = t.gettext(
        "Local time in %(zone)s (Excel datetimes carry no zone).", zone=report.agreement.timezone
    )
    for column in (2, 3, 4):
        sheet.cell(row=1, column=column).comment = Comment(comment, "slawatch")
    listed = report.items.get(objective)
    for row in () if listed is None else listed.rows:
        _append(
            sheet,
            [
                row.item,
                row.started,
                row.stopped,
                row.deadline,
                row.elapsed_seconds / SECONDS_PER_DAY,
                row.paused_seconds / SECONDS_PER_DAY,
                clock_state_text(row.state, t),
            ],
        )
        for column in (2, 3, 4):
            sheet.cell(row=sheet.max_row, column=column).number_format = DATETIME_FORMAT
        for column in (5, 6):
            sheet.cell(row=sheet.max_row, column=column).number_format = DURATION_FORMAT
    _finish(sheet)
    if listed is not None and listed.more:
        _append(sheet, [t.gettext("and %(count)s more", count=count_text(listed.more, t))])
    _widths(sheet, (16, 20, 20, 20, 18, 18, 12))


def _period_sheet(sheet: Worksheet, figures: Sequence[Figure], t: Translator) -> None:
    detail_names = list(dict.fromkeys(k for f in figures for k in f.objective.columns()))
    _header(
        sheet,
        (
            t.gettext("Period"),
            t.gettext("First day"),
            t.gettext("Last day"),
            t.gettext("Value"),
            t.gettext("Target"),
            t.gettext("Comparison"),
            t.gettext("Status"),
            *(_detail_heading(name) for name in detail_names),
        ),
    )
    for figure in figures:
        first, last = first_and_last_day(figure.period)
        _append(
            sheet,
            [
                figure.period.label,
                first,
                last,
                figure.value,
                figure.target,
                figure.objective.op.value,
                status_text(figure.status, t),
                *(_detail(name, figure.objective.columns().get(name)) for name in detail_names),
            ],
        )
        for column in (2, 3):
            sheet.cell(row=sheet.max_row, column=column).number_format = DATE_FORMAT
        _percent(sheet, figure.objective, (4, 5))
        for column, name in enumerate(detail_names, start=8):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.number_format = _detail_format(name, cell.value)
    _finish(sheet)
    _widths(sheet, (10, 12, 12, 12, 12, 11, 14, *(16 for _ in detail_names)))


def _detail_heading(name: str) -> str:
    """Name a details column; a duration in seconds is shown as hours and minutes."""
    return f"{name.removesuffix('_seconds')} [h:mm]" if name.endswith("_seconds") else name


def _detail(name: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if name.endswith("_seconds") and isinstance(value, int | float):
        return value / SECONDS_PER_DAY
    return value


def _detail_format(name: str, value: Any) -> str:
    """Return a details cell's format: a duration, a share, a count or a decimal number."""
    if name.endswith("_seconds"):
        return DURATION_FORMAT
    if name in SHARE_FIGURES:
        return "0.0%"
    if isinstance(value, int):
        return COUNT_FORMAT
    return DECIMAL_FORMAT if isinstance(value, float) else "General"


def _credits_sheet(sheet: Worksheet, report: Report, t: Translator) -> None:
    _header(
        sheet,
        (
            t.gettext("Period"),
            t.gettext("Party"),
            t.gettext("Objective"),
            t.gettext("Value"),
            t.gettext("Target"),
            t.gettext("Tier reached"),
            t.gettext("Threshold"),
            t.gettext("Credit"),
            t.gettext("Amount"),
            t.gettext("Currency"),
            t.gettext("Note"),
        ),
    )
    for credit in report.credits:
        _statement_rows(sheet, report, credit, t)
    _finish(sheet)
    _widths(sheet, (10, 16, 22, 10, 10, 12, 11, 9, 14, 9, 60))


def _statement_rows(sheet: Worksheet, report: Report, credit: Credit, t: Translator) -> None:
    note = ""
    if credit.provisional:
        note = t.gettext("Provisional: the period is still running.")
    if credit.revised is not None:
        note = t.gettext(
            "Revised after issue: recomputed, the total would be %(total)s.",
            total=money_text(credit.revised.total, credit.revised.currency, t),
        )
    if credit.disputes:
        note = " ".join(part for part in (note, disputed_note(credit, t)) if part)
    statement = credit.statement
    party = report.agreement.parties.get(statement.party)
    name = statement.party if party is None else party.name
    for line in statement.lines:
        spec = report.agreement.objectives.get(line.objective)
        shape = {
            "kind": None if spec is None else spec.kind,
            "share": spec is None,
            "op": ">=" if spec is None else spec.target.op.value,
            "target": line.target,
            "value": line.value,
            "tier": line.tier,
            "threshold": line.threshold,
        }
        _append(
            sheet,
            [
                statement.period,
                name,
                line.objective,
                line.value,
                line.target,
                line.tier,
                line.threshold,
                line.credit_share,
                line.amount,
                statement.currency,
                "",
            ],
        )
        _percent(sheet, shape, (4, 5, 7))
        sheet.cell(row=sheet.max_row, column=8).number_format = "0.00%"
        sheet.cell(row=sheet.max_row, column=9).number_format = money_format(statement.currency)
    _append(
        sheet,
        [statement.period, name, t.gettext("Total (at most the fee)"), None, None, None, None,
         None, statement.total, statement.currency, note]
    )  # fmt: skip
    sheet.cell(row=sheet.max_row, column=9).number_format = money_format(statement.currency)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row; text from users (item ids, titles, names) never becomes a formula."""
    sheet.append(values)
    xlsx_texts(sheet[sheet.max_row])


def _header(sheet: Worksheet, names: Sequence[str]) -> None:
    _append(sheet, list(names))
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.freeze_panes = "A2"


def _percent(sheet: Worksheet, objective: Measured, columns: Sequence[int]) -> None:
    """Format an objective's value and target cells: a percentage, or a count."""
    pattern = excel_format(objective)
    for column in columns:
        cell = sheet.cell(row=sheet.max_row, column=column)
        if pattern is not None:
            cell.number_format = pattern
        elif isinstance(cell.value, int) or (
            isinstance(cell.value, float) and cell.value.is_integer()
        ):
            cell.number_format = COUNT_FORMAT
        elif isinstance(cell.value, float):
            cell.number_format = DECIMAL_FORMAT  # a count target scaled to a window: 24.19


def money_format(currency: str) -> str:
    """Return an amount's format in its currency: 1,234.50 EUR (Excel localises the marks)."""
    code = re.sub(r"[^A-Za-z]", "", currency)[:3] or "EUR"
    return f'{MONEY_FORMAT} "{code}"'


def _finish(sheet: Worksheet) -> None:
    """Put an autofilter on the sheet's table: the header and every row below it."""
    last = max(sheet.max_row, 2)
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{last}"


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
