"""Disputes and incidents in an item's story: each step of a dispute about the item, and the
incidents of its agreements that overlapped its clocks (they may have paused them)."""

from __future__ import annotations

from slawatch.evaluation.item_story import StoryEntry, StoryInput
from slawatch.i18n import N_, Translator
from slawatch.store.disputes import Dispute, DisputeEntry, disputes_for_item
from slawatch.store.incidents import Incident, incidents_for_agreement

DISPUTE_STEPS = {
    "opened": N_("Dispute #%(number)s opened: %(title)s"),
    "comment": N_("Dispute #%(number)s: comment"),
    "escalated": N_("Dispute #%(number)s escalated to tier %(tier)s"),
    "overdue": N_("Dispute #%(number)s overdue: management informed"),
}
DECISIONS = {
    "upheld": N_("Dispute #%(number)s upheld"),
    "rejected": N_("Dispute #%(number)s rejected"),
}


def dispute_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell every step of each dispute about the item, with who and why."""
    return [
        _dispute_step(dispute, entry, story.t)
        for dispute in disputes_for_item(story.connection, story.item.id)
        for entry in dispute.entries
    ]


def _dispute_step(dispute: Dispute, entry: DisputeEntry, t: Translator) -> StoryEntry:
    link = f"/agreements/{dispute.agreement_id}/disputes/{dispute.id}"
    if entry.kind == "decided":
        title = t.gettext(
            DECISIONS.get(dispute.status, N_("Dispute #%(number)s decided")), number=dispute.id
        )
        return StoryEntry(
            entry.at, "dispute", title, actor=entry.actor, reason=entry.text, link=link
        )
    words = DISPUTE_STEPS.get(entry.kind, N_("Dispute #%(number)s: comment"))
    title = t.gettext(words, number=dispute.id, title=dispute.title, tier=entry.tier or "")
    detail = " ".join(entry.links)
    reason = entry.text if entry.kind in ("opened", "comment") else None
    return StoryEntry(
        entry.at, "dispute", title, detail, actor=entry.actor, reason=reason, link=link
    )


def incident_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell the incidents of the item's agreements that overlapped its clocks."""
    entries = []
    for agreement, (start, end) in story.agreement_spans().items():
        for incident in incidents_for_agreement(story.connection, agreement, start, end):
            entries += _incident(incident, story.t)
    return entries


def _incident(incident: Incident, t: Translator) -> list[StoryEntry]:
    link = f"/agreements/{incident.agreement_id}/incidents/{incident.id}"
    opened = StoryEntry(
        incident.started_at,
        "incident",
        t.gettext(N_("Incident #%(number)s: %(title)s"), number=incident.id, title=incident.title),
        actor=incident.declared_by,
        link=link,
    )
    if incident.closed_at is None:
        return [opened]
    closed = StoryEntry(
        incident.closed_at,
        "incident",
        t.gettext(N_("Incident #%(number)s closed"), number=incident.id),
        actor=incident.closed_by,
        reason=incident.note,
        link=link,
    )
    return [opened, closed]
