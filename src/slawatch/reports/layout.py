"""The page every PDF of slawatch is drawn on: A4, a footer, headings, text and tables.

Drawn with fpdf2's built-in Helvetica, so nothing is downloaded or bundled; it covers
Latin-1, which holds German umlauts and ß. Every text passes `latin1` on its way in, so
"≥", "–" or "€" in an agreement print as ">=", "-" and "EUR" instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from fpdf import FPDF
from fpdf.fonts import FontFace
from fpdf.table import Row, Table

from slawatch.i18n import Translator
from slawatch.reports.text import latin1

FONT = "Helvetica"
GREY = (110, 110, 110)
RULE = (200, 200, 200)
STATUS_COLOURS: dict[str, tuple[int, int, int]] = {
    "met": (46, 140, 67),
    "on_track": (40, 110, 180),
    "at_risk": (190, 120, 0),
    "breached": (200, 40, 40),
    "no_data": (120, 120, 120),
}


class Page(FPDF):
    """An A4 document with a footer of its subject and "page N of M" in the reader's language."""

    def __init__(self, footer_text: str, t: Translator) -> None:
        super().__init__(format="A4")
        self.t = t
        self.footer_text = latin1(footer_text)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.set_title(self.footer_text)
        self.set_creator("slawatch")

    @property
    def width(self) -> float:
        """Return the width between the margins, in mm."""
        return float(self.w - self.l_margin - self.r_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(self.width * 0.7, 5, self.fit(self.footer_text, self.width * 0.7), align="L")
        self.set_x(self.l_margin)
        pages = self.t.gettext("page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, latin1(pages), align="R")
        self.set_text_color(0, 0, 0)

    def text_line(self, text: str, size: float = 10, style: str = "", height: float = 5.5) -> None:
        """Write a paragraph that wraps at the margin."""
        self.set_font(FONT, style=style, size=size)
        self.multi_cell(0, height, latin1(text), new_x="LMARGIN", new_y="NEXT")

    def muted(self, text: str, size: float = 8.5) -> None:
        self.set_text_color(*GREY)
        self.text_line(text, size=size, height=4.5)
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 15) -> None:
        """Start a section: keep it with some of its body on one page."""
        self.ensure(30)
        self.ln(3)
        self.text_line(text, size=size, style="B", height=8)
        self.ln(1)

    def subheading(self, text: str) -> None:
        self.ensure(22)
        self.ln(2)
        self.text_line(text, size=11, style="B", height=6)

    def ensure(self, space: float) -> None:
        """Begin a new page unless `space` mm are left on this one."""
        if self.get_y() + space > self.page_break_trigger:
            self.add_page()

    def fit(self, text: str, width: float) -> str:
        """Shorten a Latin-1 text with "..." until it fits `width` mm in the current font."""
        text = latin1(text)
        if self.get_string_width(text) <= width - 1:
            return text
        while text and self.get_string_width(text + "...") > width - 1:
            text = text[:-1]
        return text + "..."

    @contextmanager
    def grid(
        self, headings: Sequence[str], widths: Sequence[float], size: float = 8.5
    ) -> Iterator[Table]:
        """Draw a table with ruled rows whose headings repeat on every page it spans."""
        self.set_font(FONT, size=size)
        # A table takes the current colours as its cells' defaults: start from plain ones.
        self.set_fill_color(255, 255, 255)
        self.set_text_color(0, 0, 0)
        with self.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align="LEFT",
            borders_layout="HORIZONTAL_LINES",
            line_height=size * 0.55,
            padding=(1, 1.2),
            headings_style=FontFace(emphasis="BOLD", fill_color=(238, 238, 238)),
        ) as table:
            header = table.row()
            for text in headings:
                header.cell(latin1(text))
            yield table
        self.ln(2)

    @staticmethod
    def cells(row: Row, texts: Sequence[str]) -> None:
        for text in texts:
            row.cell(latin1(text))

    @staticmethod
    def status_cell(row: Row, status: str, text: str) -> None:
        """Add a status cell: its colour, and its name for those who print in black and white."""
        colour = STATUS_COLOURS.get(status, STATUS_COLOURS["no_data"])
        row.cell(
            latin1(text), style=FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=colour)
        )
