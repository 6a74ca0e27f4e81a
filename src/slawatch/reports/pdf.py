"""The report as a PDF: cover, scorecard, a chart per objective, breached items.

Drawn with fpdf2's core Helvetica, which is latin-1 only: German umlauts are in latin-1, but
"≥", "–" or "…" are not, so every text passes `_latin1` first instead of bundling a font.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from slawatch.engine.status import Status
from slawatch.reports.model import (
    ClockRow,
    PeriodFigure,
    Report,
    Score,
    elapsed_text,
    target_text,
    value_text,
)

MAX_BREACH_ROWS = 200
STATUS_COLOURS: dict[Status, tuple[int, int, int]] = {
    Status.MET: (46, 160, 67),
    Status.ON_TRACK: (52, 152, 219),
    Status.AT_RISK: (230, 160, 30),
    Status.BREACHED: (200, 40, 40),
    Status.NO_DATA: (150, 150, 150),
}
_REPLACEMENTS = str.maketrans(
    {"≥": ">=", "≤": "<=", "–": "-", "—": "-", "…": "...", "→": "->", "’": "'", "“": '"', "”": '"'}
)
SCORE_WIDTHS = (44, 26, 24, 28, 24, 28)  # objective, owner, value, target, status, details
BREACH_WIDTHS = (30, 36, 36, 36, 24)


def _latin1(text: str) -> str:
    return text.translate(_REPLACEMENTS).encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = _latin1(footer_text)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def text_line(self, text: str, size: float = 10, style: str = "", height: float = 6) -> None:
        self.set_font("Helvetica", style=style, size=size)
        self.multi_cell(0, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def row(self, cells: Sequence[str], widths: Sequence[float], *, bold: bool = False) -> None:
        self.set_font("Helvetica", style="B" if bold else "", size=9)
        for text, width in zip(cells, widths, strict=True):
            self.cell(width, 6, _latin1(text), border="B")
        self.ln(6)


def write_pdf(report: Report, path: Path) -> None:
    agreement = report.agreement
    pdf = _Document(f"{agreement.title} - {report.period.label}")
    _cover(pdf, report)
    _scorecard(pdf, report)
    for score in report.scores:
        _chart(pdf, score, report.history.get(score.objective, ()))
    _breaches(pdf, report)
    pdf.output(str(path))


def _cover(pdf: _Document, report: Report) -> None:
    agreement = report.agreement
    pdf.add_page()
    pdf.ln(40)
    pdf.text_line("Service level report", size=12)
    pdf.text_line(agreement.title, size=22, style="B", height=10)
    pdf.ln(6)
    last_day = report.period.after - dt.timedelta(days=1)
    pdf.text_line(f"Period: {report.period.label} ({report.period.first} to {last_day})", size=12)
    pdf.text_line(f"As of: {report.as_of:%Y-%m-%d %H:%M} ({agreement.timezone})")
    version = "not recorded" if agreement.version is None else str(agreement.version)
    pdf.text_line(f"Agreement: {agreement.id}, version {version}, effective {agreement.effective}")
    pdf.ln(6)
    pdf.text_line("Parties", size=12, style="B")
    for party in agreement.parties.values():
        contacts = f" ({', '.join(party.contacts)})" if party.contacts else ""
        pdf.text_line(f"{party.name}{contacts}")
    for warning in report.warnings:
        pdf.text_line(f"Warning: {warning}", size=9)


def _scorecard(pdf: _Document, report: Report) -> None:
    pdf.add_page()
    pdf.text_line(f"Scorecard {report.period.label}", size=16, style="B", height=9)
    pdf.ln(2)
    pdf.row(("objective", "owner", "value", "target", "status", "details"), SCORE_WIDTHS, bold=True)
    for score in report.scores:
        r = score.result
        texts = (r.objective, score.owner_name, value_text(r, r.value), target_text(r))
        pdf.set_font("Helvetica", size=9)
        for text, width in zip(texts, SCORE_WIDTHS, strict=False):
            pdf.cell(width, 7, _latin1(text), border="B")
        pdf.set_fill_color(*STATUS_COLOURS[r.status])
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Helvetica", style="B", size=9)
        pdf.cell(SCORE_WIDTHS[4], 7, r.status.value.replace("_", " "), border="B", fill=True)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(SCORE_WIDTHS[5], 7, _latin1(_short(score)), border="B")
        pdf.ln(7)


def _short(score: Score) -> str:
    d = score.result.details
    if score.result.kind == "clock":
        return f"{d.get('met', 0)} met, {d.get('breached', 0)} breached"
    if score.result.kind == "ratio":
        return f"{d['numerator']} of {d['denominator']}"
    return ""


def _chart(pdf: _Document, score: Score, figures: Sequence[PeriodFigure]) -> None:
    height, width = 55.0, pdf.w - pdf.l_margin - pdf.r_margin
    if pdf.get_y() + height + 22 > pdf.page_break_trigger:
        pdf.add_page()
    r = score.result
    pdf.ln(4)
    pdf.text_line(f"{r.objective}: {score.title}", size=11, style="B")
    pdf.text_line(f"target {target_text(r)}, last {len(figures)} periods", size=8, height=4)
    top, left = pdf.get_y() + 2, pdf.l_margin + 14
    plot = width - 14
    values = [f.result.value for f in figures]
    targets = [f.result.target for f in figures] or [r.target]
    low, high = _scale(r.kind, [v for v in values if v is not None] + targets)
    pdf.set_draw_color(180, 180, 180)
    pdf.line(left, top + height, left + plot, top + height)
    pdf.set_font("Helvetica", size=7)
    for fraction in (0.0, 0.5, 1.0):
        y = top + height - fraction * height
        pdf.text(pdf.l_margin, y + 1, _latin1(value_text(r, low + fraction * (high - low))))
    slot = plot / max(len(figures), 1)
    for index, figure in enumerate(figures):
        x = left + index * slot
        value = figure.result.value
        if value is not None:
            bar = (value - low) / (high - low) * height
            pdf.set_fill_color(*STATUS_COLOURS[figure.result.status])
            pdf.rect(x + slot * 0.15, top + height - bar, slot * 0.7, bar, style="F")
        pdf.text(x + slot * 0.15, top + height + 4, figure.period.label)
    pdf.set_draw_color(200, 40, 40)
    pdf.set_dash_pattern(dash=1.5, gap=1)
    for index, target in enumerate(targets[: max(len(figures), 1)]):
        y = top + height - (target - low) / (high - low) * height
        pdf.line(left + index * slot, y, left + (index + 1) * slot, y)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(top + height + 8)


def _scale(kind: str, numbers: list[float]) -> tuple[float, float]:
    """Return the chart's value range: from zero, except availability, which lives near 100 %."""
    high = max(numbers, default=1.0)
    if kind == "availability":
        low = min(numbers, default=0.0)
        margin = max((high - low) * 0.5, 0.001)
        return max(0.0, low - margin), min(1.0, high + margin)
    if kind != "count":
        return 0.0, max(1.0, high)
    return 0.0, max(high * 1.1, 1.0)


def _breaches(pdf: _Document, report: Report) -> None:
    clock_scores = [s for s in report.scores if s.result.kind == "clock"]
    if not clock_scores:
        return
    pdf.add_page()
    pdf.text_line(f"Breached items {report.period.label}", size=16, style="B", height=9)
    for score in clock_scores:
        rows = report.breaches(score.objective)
        pdf.ln(3)
        pdf.text_line(f"{score.objective}: {len(rows)} breached", size=11, style="B")
        if not rows:
            continue
        headings = ("item", "started", "deadline", "stopped", "elapsed")
        pdf.row(headings, BREACH_WIDTHS, bold=True)
        for row in rows[:MAX_BREACH_ROWS]:
            pdf.row(_breach_cells(row), BREACH_WIDTHS)
        if len(rows) > MAX_BREACH_ROWS:
            pdf.text_line(f"and {len(rows) - MAX_BREACH_ROWS} more", size=9)


def _breach_cells(row: ClockRow) -> tuple[str, ...]:
    def moment(value: object) -> str:
        return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"

    return (
        row.item,
        moment(row.started),
        moment(row.deadline),
        moment(row.stopped),
        elapsed_text(row.elapsed_seconds),
    )
