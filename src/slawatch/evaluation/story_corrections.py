"""The corrections and exclusions in an item's story: proposed, then approved or rejected."""

from __future__ import annotations

from slawatch.evaluation.item_story import StoryEntry, StoryInput
from slawatch.i18n import N_, Translator
from slawatch.store.corrections import CorrectionAction, CorrectionRecord, corrections_for_item

PROPOSED = {
    CorrectionAction.EXCLUDE: N_("Exclusion from %(objective)s proposed (%(label)s)"),
    CorrectionAction.MOVE: N_("Correction proposed (%(label)s): %(type)s moved"),
    CorrectionAction.RETYPE: N_("Correction proposed (%(label)s): %(type)s retyped"),
    CorrectionAction.VOID: N_("Correction proposed (%(label)s): %(type)s voided"),
}
LABEL = N_("correction #%(number)s")
DECIDED = {
    True: N_("Correction #%(number)s approved: evaluation applies it"),
    False: N_("Correction #%(number)s rejected"),
}


def correction_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell each correction and exclusion of the item: who proposed it and why, the decision."""
    entries = []
    for record in corrections_for_item(story.connection, story.item.id):
        entries.append(_proposed(record, story.t))
        if record.approved is not None and record.decided_at is not None:
            entries.append(
                StoryEntry(
                    record.decided_at,
                    _kind(record),
                    story.t.gettext(DECIDED[record.approved], number=record.id),
                    actor=record.decided_by,
                    reason=record.decision_reason,
                    link=_link(record),
                )
            )
    return entries


def _label(record: CorrectionRecord, t: Translator) -> str:
    return t.gettext(LABEL, number=record.id)


def _kind(record: CorrectionRecord) -> str:
    return "exclusion" if record.action is CorrectionAction.EXCLUDE else "correction"


def _link(record: CorrectionRecord) -> str:
    return f"/agreements/{record.agreement_id}/corrections#correction-{record.id}"


def _proposed(record: CorrectionRecord, t: Translator) -> StoryEntry:
    title = t.gettext(
        PROPOSED[record.action],
        label=_label(record, t),
        objective=record.objective or "",
        type=record.event_type or "",
    )
    return StoryEntry(
        record.proposed_at,
        _kind(record),
        title,
        detail=record.evidence,
        actor=record.proposed_by,
        reason=record.reason,
        link=_link(record),
    )
