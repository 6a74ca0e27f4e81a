"""The sources of an item's story: one function per kind of record, each returning entries.

`item_story` asks every function in `SOURCES` and puts their entries in order
(`item_story.collect`). The clock milestones come from the item's clocks as
`evaluation.item_clock.measure_item` computed them for the page — the one computation — and
are only told here, never recomputed.

How to add a source (corrections, disputes, incidents …):

1. Write a function `def correction_entries(story: StoryInput) -> list[StoryEntry]` here or in
   a module of its own. Read through `story.connection` (the item is `story.item`, its id
   `story.item.id`; `story.agreement_spans()` gives each agreement with a clock on the item
   and the span of those clocks), translate with `story.t`, and give each entry its instant
   (µs), a `kind` (listed in `item_story.KIND_ORDER` to place it among entries of the same
   instant), a title that says what happened, and where known the `actor`, the `reason` and a
   `link` to the record's page. For example::

       def incident_entries(story: StoryInput) -> list[StoryEntry]:
           return [
               StoryEntry(incident.declared_at, "incident", story.t.gettext(...),
                          actor=incident.declared_by, reason=incident.reason,
                          link=f"/agreements/{agreement}/incidents/{incident.id}")
               for agreement, (start, end) in story.agreement_spans().items()
               for incident in incidents_for_agreement(story.connection, agreement, start, end)
           ]

2. Append it to `SOURCES`. The page, the PDF and the API show its entries from then on.
3. Test it against the store (tests/evaluation/test_story_sources.py shows how), and add the
   German of its titles to `locale/de/story.po`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from slawatch.engine.instants import US
from slawatch.evaluation.item_clock import ItemClock
from slawatch.evaluation.item_story import Source, StoryEntry, StoryInput, Text, collect
from slawatch.evaluation.story_corrections import correction_entries
from slawatch.evaluation.story_records import dispute_entries, incident_entries
from slawatch.formatting import clock_state_text, duration_text, share_text, working_text
from slawatch.i18n import N_, Translator
from slawatch.store.directory import people_by_key
from slawatch.store.escalations import SNOOZE_PREFIX, STEP_PREFIX, Escalation, Step
from slawatch.store.item_story import (
    AttributeValue,
    ItemEscalation,
    attribute_history,
    item_audit,
    item_escalations,
)
from slawatch.store.owner_clocks import OWNER

LATE_RECEIPT_US = 60 * US  # an event received later than this after its instant says so
TRIGGERS = {
    "warn": N_("Item at risk"),
    "breach": N_("Item breached"),
}
TIERS = {
    1: N_("tier 1, employee"),
    2: N_("tier 2, department head"),
    3: N_("tier 3, management"),
}
CLOSINGS = {
    "acknowledged": N_("Escalation acknowledged"),
    "resolved": N_("Escalation resolved"),
    "recovered": N_("Escalation closed: the item recovered"),
    "superseded": N_("Escalation closed: superseded by a breach"),
}
DELIVERY_STATES = {"pending": N_("queued"), "sent": N_("sent"), "failed": N_("failed")}


# -- events -----------------------------------------------------------------------------------


def event_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell every event: its type, the source it came from, and a late receipt."""
    t = story.t
    source = t.gettext("from source %(source)s", source=story.item.source)
    titles: dict[str, str] = {}  # an item's events have a few types, told thousands of times
    entries = []
    for event in story.item.events:
        late = event.received_at - event.at
        detail: Text = source
        if late > LATE_RECEIPT_US:
            detail = partial(_late_text, t, source, late)
        title = titles.get(event.type)
        if title is None:
            title = titles[event.type] = t.gettext("Event %(type)s", type=event.type)
        entries.append(StoryEntry(at=event.at, kind="event", title=title, detail=detail))
    return entries


def _late_text(t: Translator, source: str, late: int) -> str:
    return t.gettext(
        "%(source)s, received %(late)s later", source=source, late=duration_text(late / US, t)
    )


# -- clocks -----------------------------------------------------------------------------------


def _objective_link(clock: ItemClock) -> str:
    return f"/agreements/{clock.stored.id}/objectives/{clock.objective.id}"


def clock_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell each clock's milestones: started, paused and resumed, at risk, deadline, stopped."""
    return [entry for clock in story.clocks for entry in _Milestones(clock, story).entries()]


def _by_event(event: str | None, t: Translator) -> str | None:
    return None if event is None else t.gettext("event %(event)s", event=event)


class _Milestones:
    """One clock's milestones, each titled with its objective and linked to its page."""

    def __init__(self, clock: ItemClock, story: StoryInput) -> None:
        self.clock = clock
        self.t = story.t
        self.as_of = story.as_of
        self.allowed = working_text(clock.allowance / US, story.t)

    def entry(self, at: int, text: str, detail: str = "", reason: str | None = None) -> StoryEntry:
        title = self.t.gettext(
            "%(objective)s: %(milestone)s", objective=self.clock.objective.title, milestone=text
        )
        link = f"/agreements/{self.clock.stored.id}/objectives/{self.clock.objective.id}"
        return StoryEntry(at, "clock", title, detail, reason=reason, link=link)

    def entries(self) -> Iterator[StoryEntry]:
        clock, t = self.clock, self.t
        spec = clock.objective.clock
        yield self.entry(
            clock.start,
            t.gettext("clock started"),
            t.gettext(
                "by event %(event)s; %(allowed)s allowed", event=spec.start, allowed=self.allowed
            ),
        )
        for paused, resumed in clock.pauses:
            yield self.entry(paused, t.gettext("clock paused"), reason=_by_event(spec.pause, t))
            if resumed < clock.end:  # else it is still on hold, or stopped while on hold
                yield self.entry(
                    resumed, t.gettext("clock resumed"), reason=_by_event(spec.resume, t)
                )
        yield from self.warning()
        yield from self.deadline()
        if clock.stop is not None:
            used = t.gettext(
                "by event %(event)s; %(used)s of %(allowed)s used",
                event=spec.stop,
                used=working_text(clock.elapsed / US, t),
                allowed=self.allowed,
            )
            verdict = clock_state_text(clock.state, t)
            yield self.entry(
                clock.stop, t.gettext("clock stopped, %(verdict)s", verdict=verdict), used
            )

    def within(self, at: int) -> bool:
        """Tell whether a point is in the story: before the stop, or ahead of a running clock."""
        return self.clock.stop is None or at <= self.clock.stop

    def warning(self) -> Iterator[StoryEntry]:
        clock, t = self.clock, self.t
        warn = clock.objective.warn
        if clock.warning is None or warn is None or not self.within(clock.warning):
            return
        share = share_text(warn, t, digits=0)
        if clock.warning <= self.as_of:
            detail = t.gettext("%(share)s of the allowance used", share=share)
            yield self.entry(clock.warning, t.gettext("at risk"), detail)
        else:
            detail = t.gettext("at %(share)s of the allowance", share=share)
            yield self.entry(clock.warning, t.gettext("at risk from here"), detail)

    def deadline(self) -> Iterator[StoryEntry]:
        clock, t = self.clock, self.t
        if clock.deadline is None or not self.within(clock.deadline):
            return
        if clock.deadline <= self.as_of:
            verdict = clock_state_text("breached", t)
            yield self.entry(clock.deadline, t.gettext("deadline passed"), verdict)
        else:
            yield self.entry(clock.deadline, t.gettext("deadline ahead"))


# -- attributes -------------------------------------------------------------------------------


def attribute_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell the attribute history: the values an item came with, then every change."""
    t = story.t
    history = attribute_history(story.connection, story.item.id)
    names = _owner_names(story, history)
    latest: dict[str, str] = {}
    given: dict[int, list[str]] = {}
    entries = []
    for value in history:
        shown = names.get(value.value, value.value) if value.name == OWNER else value.value
        before = latest.get(value.name)
        if before == value.value:
            continue
        if before is None:
            given.setdefault(value.at, []).append(f"{value.name}: {shown}")
        else:
            old = names.get(before, before) if value.name == OWNER else before
            title = t.gettext(
                "%(name)s changed from %(old)s to %(new)s", name=value.name, old=old, new=shown
            )
            entries.append(StoryEntry(value.at, "attribute", title))
        latest[value.name] = value.value
    for at, values in given.items():
        title = t.gettext("Attributes given")
        entries.append(StoryEntry(at, "attribute", title, " · ".join(values)))
    return entries


def _owner_names(story: StoryInput, history: list[AttributeValue]) -> dict[str, str]:
    """Return the directory's name of each owner the history names ("Tom Berg (tom)")."""
    keys = {value.value for value in history if value.name == OWNER}
    found = people_by_key(story.connection, keys)
    return {key: f"{p.name} ({key})" for key, p in found.items() if p.name != key}


# -- escalations ------------------------------------------------------------------------------


def escalation_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell each escalation about the item: opened, each tier notified and whom, snoozes, end."""
    return [
        _step_entry(found, step, story.t)
        for found in item_escalations(story.connection, story.item.id)
        for step in found.steps
    ]


def _step_entry(found: ItemEscalation, step: Step, t: Translator) -> StoryEntry:
    escalation = found.escalation
    trigger = t.gettext(TRIGGERS.get(escalation.trigger, escalation.trigger))
    link = f"/escalations/{escalation.id}"
    about = t.gettext(
        "%(trigger)s (%(objective)s)", trigger=trigger, objective=escalation.objective
    )
    actor, reason, detail = step.actor, step.comment, about
    if step.action == "opened":
        title = t.gettext("Escalation opened: %(trigger)s", trigger=trigger)
        detail = escalation.objective
    elif step.action.startswith(STEP_PREFIX):
        title = t.gettext(
            "Escalation step %(step)s: %(tier)s notified",
            step=step.step_number,
            tier=_tier_text(escalation, step.tier, t),
        )
        notified = found.notified.get(step.id, [])
        if notified:
            detail = t.gettext(
                "%(about)s; notified: %(whom)s",
                about=about,
                whom=", ".join(
                    f"{n.recipient} ({t.gettext(DELIVERY_STATES.get(n.status, n.status))})"
                    for n in notified
                ),
            )
    elif step.action.startswith(SNOOZE_PREFIX):
        title = t.gettext("Escalation snoozed")
    else:
        title = t.gettext(CLOSINGS.get(step.action, step.action))
    return StoryEntry(step.at, "escalation", title, detail, actor, reason or None, link)


def _tier_text(escalation: Escalation, tier: int | None, t: Translator) -> str:
    contacts = TIERS.get(tier or 0)
    return t.gettext(contacts) if contacts else escalation.party


# -- the audit log ----------------------------------------------------------------------------


def audit_entries(story: StoryInput) -> list[StoryEntry]:
    """Tell the audit log's entries about the item: who did what, with the recorded facts."""
    entries = []
    for found in item_audit(story.connection, story.item.id):
        facts = {key: value for key, value in found.detail.items() if key != "reason"}
        detail = " · ".join(f"{key}: {value}" for key, value in sorted(facts.items()))
        reason = found.detail.get("reason")
        title = story.t.gettext("Recorded: %(action)s", action=found.action)
        entries.append(
            StoryEntry(
                found.at,
                "audit",
                title,
                detail,
                found.actor,
                str(reason) if reason else None,
            )
        )
    return entries


SOURCES: tuple[Source, ...] = (
    event_entries,
    attribute_entries,
    clock_entries,
    correction_entries,
    dispute_entries,
    incident_entries,
    escalation_entries,
    audit_entries,
)


def item_story(story: StoryInput) -> list[StoryEntry]:
    """Return the item's whole story in order, from every source in `SOURCES`."""
    return collect(story, SOURCES)
