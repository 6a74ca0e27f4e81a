"""The PDF page: text that fits its column, tables that keep their colours to themselves."""

from __future__ import annotations

import io

from pypdf import PdfReader

from slawatch.i18n import translator
from slawatch.reports.layout import Page
from tests.reports.support import pdf_text


def test_a_text_too_wide_for_its_column_is_shortened_with_dots():
    page = Page("footer", translator("en"))
    page.add_page()
    page.set_font("Helvetica", size=9)
    assert page.fit("short", 40) == "short"
    cut = page.fit("a rather long objective title – that does not fit", 30)
    assert cut.endswith("...")
    assert page.get_string_width(cut) <= 30


def test_a_table_spanning_pages_repeats_its_headings_and_the_footer_counts_pages():
    page = Page("Übergabe ≥ Vertrieb", translator("de"))
    page.add_page()
    with page.grid(("Spalte", "Wert"), (60, 60)) as table:
        for n in range(120):
            page.cells(table.row(), (f"Zeile {n}", "≥ 5 €"))
    data = bytes(page.output())
    pages = len(PdfReader(io.BytesIO(data)).pages)
    text = pdf_text(data)
    assert pages > 1
    assert text.count("Spalte") == pages
    assert "Zeile 119" in text and ">= 5 EUR" in text
    assert f"Seite {pages} von {pages}" in text
    assert "Übergabe >= Vertrieb" in text
