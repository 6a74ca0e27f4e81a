"""A dispute's PDF: `/agreements/{id}/disputes/{n}/report.pdf`, in the reader's language.

It prints what the dispute page shows and, for a dispute about one item, the item's story as
its page tells it (`story_view`), so the document is the same whichever page it came from.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from slawatch.evaluation.item_story import page_of
from slawatch.i18n import Translator
from slawatch.reports.dispute_pdf import dispute_pdf
from slawatch.reports.story import PDF_ENTRIES, StoryDocument
from slawatch.store.db import read_transaction
from slawatch.store.disputes import Dispute
from slawatch.web.deps import AgreementId, Now, Reader, engine_of
from slawatch.web.dispute_actions import agreement_of, existing
from slawatch.web.pages.disputes import DisputeId, dispute_view
from slawatch.web.pages.reports import Language, download, reader_translator
from slawatch.web.pages.story_view import read_story, story_rows
from slawatch.web.pages.zones import zoned_text

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/agreements/{agreement_id}/disputes/{dispute_id}/report.pdf", response_class=Response)
def dispute_report(
    agreement_id: AgreementId,
    dispute_id: DisputeId,
    request: Request,
    principal: Reader,
    now: Now,
    lang: Language = None,
) -> Response:
    """Download the dispute with its timeline, and its item's story, as a PDF."""
    t = reader_translator(request, principal, lang)
    with read_transaction(engine_of(request)) as connection:
        agreement = agreement_of(connection, agreement_id).agreement
        dispute = existing(connection, agreement_id, dispute_id)
        view = dispute_view(dispute, agreement, t)
        story = _item_story(connection, dispute, t, now)
    body = dispute_pdf(view, story, t)
    return download(body, "pdf", f"{agreement_id}-dispute-{dispute_id}-{t.language}.pdf")


def _item_story(
    connection: Connection, dispute: Dispute, t: Translator, now: int
) -> StoryDocument | None:
    """Return the story of the item a dispute is about, as the item's PDF prints it."""
    if dispute.item is None or "/" not in dispute.item:
        return None
    source, external_id = dispute.item.split("/", 1)
    story = read_story(connection, source, external_id, t, now)
    if story is None:
        return None
    page = page_of(story.entries, size=PDF_ENTRIES)
    return StoryDocument(
        source=story.detail.source,
        external_id=story.detail.external_id,
        zone=story.zone,
        as_of=zoned_text(now, story.zone, t),
        rows=story_rows(page, story.zone, t),
        total=page.total,
    )
