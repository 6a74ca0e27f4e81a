"""An item's story as a PDF: the rows its page shows, to print or attach to an argument.

The rows come written already (instants in the reader's zone, every word translated), so the
PDF and the page cannot tell the story differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slawatch.i18n import Translator
from slawatch.reports.layout import Page

PDF_ENTRIES = 1_000  # the latest entries a PDF prints; the page and the API page through all
STORY_WIDTHS = (40, 88, 46)  # when, what, who and why


@dataclass(frozen=True)
class StoryDocument:
    """What the PDF prints: the item, the zone its instants are in, and the story's rows."""

    source: str
    external_id: str
    zone: str
    as_of: str
    rows: Sequence[Mapping[str, Any]]  # at, title, detail, actor, reason
    total: int  # entries in the whole story; more than the rows when it was cut


def story_pdf(document: StoryDocument, t: Translator) -> bytes:
    """Draw the story in the reader's language and return the PDF."""
    title = t.gettext("Story of item %(id)s", id=document.external_id)
    pdf = Page(f"{title} · {document.source}", t)
    pdf.add_page()
    draw_story(pdf, document, t, size=18)
    return bytes(pdf.output())


def draw_story(pdf: Page, document: StoryDocument, t: Translator, *, size: int) -> None:
    """Draw an item's story on `pdf`: its heading (`size` pt), the facts, then the rows."""
    title = t.gettext("Story of item %(id)s", id=document.external_id)
    pdf.text_line(title, size=size, style="B", height=9)
    pdf.text_line(t.gettext("Source: %(source)s", source=document.source))
    pdf.text_line(t.gettext("As of %(when)s", when=document.as_of))
    pdf.muted(t.gettext("Times in %(zone)s.", zone=document.zone), 9)
    if document.total > len(document.rows):
        pdf.muted(
            t.gettext(
                "The latest %(shown)s of %(total)s entries; the page has the earlier ones.",
                shown=len(document.rows),
                total=document.total,
            ),
            9,
        )
    pdf.ln(2)
    if not document.rows:
        pdf.text_line(t.gettext("Nothing has happened to this item yet."))
        return
    draw_rows(pdf, document.rows, t)


def draw_rows(pdf: Page, rows: Sequence[Mapping[str, Any]], t: Translator) -> None:
    """Draw timeline rows (at, title, detail, actor, reason) as a when / what / who grid."""
    headings = (t.gettext("When"), t.gettext("What"), t.gettext("Who and why"))
    with pdf.grid(headings, STORY_WIDTHS) as grid:
        for row in rows:
            what = row["title"]
            if row["detail"]:
                what += f"\n{row['detail']}"
            who = "\n".join(part for part in (row["actor"], row["reason"]) if part)
            pdf.cells(grid.row(), (row["at"], what, who))
