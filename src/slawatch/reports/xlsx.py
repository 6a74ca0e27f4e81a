"""The report as a workbook: a scorecard sheet, then one sheet per objective."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from slawatch.render import CLOCK_COLUMNS
from slawatch.reports.model import PeriodFigure, Report

MAX_SHEET_NAME = 31
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
BOLD = Font(bold=True)
SCORECARD_COLUMNS = (
    "objective",
    "title",
    "owner",
    "kind",
    "value",
    "target",
    "op",
    "status",
)
PERIOD_COLUMNS = ("period", "first_day", "last_day", "value", "target", "op", "status")
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(report: Report, path: Path) -> None:
    workbook = Workbook()
    scorecard = workbook.active
    assert scorecard is not None
    scorecard.title = "Scorecard"
    _scorecard(scorecard, report)
    taken = {"scorecard"}
    for score in report.scores:
        sheet = workbook.create_sheet(sheet_name(score.objective, taken))
        if score.result.kind == "clock":
            _clock_sheet(sheet, report, score.objective)
        else:
            _period_sheet(sheet, report.history.get(score.objective, ()))
    workbook.save(path)


def sheet_name(objective: str, taken: set[str]) -> str:
    """Return a unique sheet name: Excel allows 31 characters, no []:*?/\\, case-blind."""
    base = _FORBIDDEN.sub("_", objective)[:MAX_SHEET_NAME] or "objective"
    name, suffix = base, 1
    while name.lower() in taken:
        suffix += 1
        tail = f"~{suffix}"
        name = base[: MAX_SHEET_NAME - len(tail)] + tail
    taken.add(name.lower())
    return name


def _scorecard(sheet: Worksheet, report: Report) -> None:
    _header(sheet, ("period", *SCORECARD_COLUMNS, "details"))
    for score in report.scores:
        r = score.result
        details = ", ".join(f"{k}={v}" for k, v in r.details.items() if v is not None)
        sheet.append(
            [
                report.period.label,
                r.objective,
                score.title,
                score.owner_name,
                r.kind,
                r.value,
                r.target,
                r.op.value,
                r.status.value,
                details,
            ]
        )
        _percent(sheet, r.kind, (6, 7))
    _widths(sheet, (10, 24, 36, 14, 13, 12, 12, 5, 10, 60))


def _clock_sheet(sheet: Worksheet, report: Report, objective: str) -> None:
    _header(sheet, CLOCK_COLUMNS)
    comment = f"Local time in {report.agreement.timezone} (Excel datetimes carry no zone)."
    for column in (2, 3, 4):
        sheet.cell(row=1, column=column).comment = Comment(comment, "slawatch")
    for row in report.clocks.get(objective, ()):
        sheet.append(
            [
                row.item,
                row.started,
                row.stopped,
                row.deadline,
                row.elapsed_seconds,
                row.paused_seconds,
                row.state,
            ]
        )
        for column in (2, 3, 4):
            sheet.cell(row=sheet.max_row, column=column).number_format = DATETIME_FORMAT
    _widths(sheet, (14, 20, 20, 20, 16, 16, 10))


def _period_sheet(sheet: Worksheet, figures: Sequence[PeriodFigure]) -> None:
    detail_names = list(dict.fromkeys(k for f in figures for k in f.result.details))
    _header(sheet, (*PERIOD_COLUMNS, *detail_names))
    for figure in figures:
        r = figure.result
        last_day = figure.period.after - dt.timedelta(days=1)
        sheet.append(
            [
                figure.period.label,
                figure.period.first,
                last_day,
                r.value,
                r.target,
                r.op.value,
                r.status.value,
                *(r.details.get(name) for name in detail_names),
            ]
        )
        for column in (2, 3):
            sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd"
        _percent(sheet, r.kind, (4, 5))
    _widths(sheet, (10, 12, 12, 12, 12, 5, 10, *(16 for _ in detail_names)))


def _header(sheet: Worksheet, names: Sequence[str]) -> None:
    sheet.append(list(names))
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.freeze_panes = "A2"


def _percent(sheet: Worksheet, kind: str, columns: Sequence[int]) -> None:
    if kind == "count":
        return
    pattern = "0.00%" if kind == "availability" else "0.0%"
    for column in columns:
        sheet.cell(row=sheet.max_row, column=column).number_format = pattern


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
