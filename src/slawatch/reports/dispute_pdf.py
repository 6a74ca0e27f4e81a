"""A dispute as a PDF: what it contests, where it stands, its timeline, and for a dispute
about one item, that item's story — the document both parties can take into the argument.

Everything arrives written (the page's `dispute_view`, the item page's story rows), so the
PDF cannot say anything the pages do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slawatch.i18n import Translator
from slawatch.reports.layout import Page
from slawatch.reports.story import StoryDocument, draw_rows, draw_story


def dispute_pdf(view: Mapping[str, Any], story: StoryDocument | None, t: Translator) -> bytes:
    """Draw the dispute (`dispute_view`) and its item's story, if any; return the PDF."""
    title = t.gettext("Dispute #%(id)s", id=view["id"]) + f": {view['title']}"
    pdf = Page(f"{title} · {view['agreement_title']}", t)
    pdf.add_page()
    pdf.text_line(title, size=18, style="B", height=9)
    pdf.text_line(view["agreement_title"])
    about = t.gettext("%(party)s disputes %(about)s", party=view["party"], about=view["about"])
    pdf.text_line(about)
    pdf.text_line(t.gettext("Opened") + f": {view['opened_at']} · {view['opened_by']}")
    if view["is_open"]:
        pdf.text_line(t.gettext("Decide by") + f": {view['deadline']}")
    else:
        decided = f"{view['status_text']} · {view['decided_at']} · {view['decided_by']}"
        pdf.text_line(t.gettext("Decision") + f": {decided}")
        pdf.text_line(t.gettext("Why") + f": {view['decision_reason'] or ''}")
        if view["correction_id"]:
            pdf.text_line(t.gettext("Correction applied") + f": {view['correction_id']}")
    pdf.ln(2)
    pdf.text_line(t.gettext("Timeline"), size=14, style="B", height=8)
    draw_rows(pdf, [_row(entry) for entry in view["entries"]], t)
    if story is not None:
        pdf.add_page()
        draw_story(pdf, story, t, size=14)
    return bytes(pdf.output())


def _row(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Return a timeline entry of the dispute as a row of the story's grid."""
    return {
        "at": entry["at"],
        "title": entry["label"],
        "detail": " ".join([entry["text"] or "", *entry["links"]]).strip(),
        "actor": entry["actor"],
        "reason": "",
    }
