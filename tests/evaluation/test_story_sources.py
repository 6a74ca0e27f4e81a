"""Each source of an item's story against the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.evaluation.item_clock import measure_item
from slawatch.evaluation.item_story import StoryEntry, StoryInput
from slawatch.evaluation.story_sources import (
    attribute_entries,
    audit_entries,
    clock_entries,
    escalation_entries,
    event_entries,
    item_story,
)
from slawatch.i18n import translator
from slawatch.store.agreements import versions_by_agreement
from slawatch.store.db import read_transaction
from slawatch.store.items import item_detail
from tests.evaluation.story_support import NOW, berlin, store_story


def story_of(engine: Engine, source, language: str = "en") -> list[StoryEntry]:
    with read_transaction(engine) as connection:
        detail = item_detail(connection, "default", "L-1")
        assert detail is not None
        as_of = berlin(NOW)
        clocks = measure_item(detail, versions_by_agreement(connection), as_of)
        return list(source(StoryInput(connection, detail, clocks, translator(language), as_of)))


def test_every_event_is_told_with_its_type_and_source(engine: Engine) -> None:
    store_story(engine)
    entries = story_of(engine, event_entries)
    assert [e.title for e in entries] == [
        "Event handed_over",
        "Event on_hold",
        "Event off_hold",
        "Event note",
        "Event contacted",
    ]
    assert entries[0].at == berlin("2026-05-04T09:00")
    # stored now, long after the instants: the receipt is told as late
    assert entries[0].detail_text.startswith("from source default, received ")


def test_the_clock_milestones_come_from_the_one_clock_computation(engine: Engine) -> None:
    store_story(engine)
    entries = [e for e in story_of(engine, clock_entries) if "48 hours" in e.title]
    told = [(e.at, e.title.split(": ", 1)[1], e.reason) for e in entries]
    assert told == [
        (berlin("2026-05-04T09:00"), "clock started", None),
        (berlin("2026-05-04T10:00"), "clock paused", "event on_hold"),
        (berlin("2026-05-04T14:00"), "clock resumed", "event off_hold"),
        (berlin("2026-05-05T11:00"), "clock stopped, met", None),
    ]
    assert entries[-1].detail_text == "by event contacted; 22 h of 48 h used"
    assert entries[0].link == "/agreements/marketing-sales/objectives/speed-to-lead"


def test_a_running_clock_tells_its_warning_and_deadline_ahead(engine: Engine) -> None:
    store_story(engine)
    with read_transaction(engine) as connection:
        detail = item_detail(connection, "default", "L-1")
        assert detail is not None
        versions = versions_by_agreement(connection)
        early = berlin("2026-05-04T12:00")  # on hold, then: the deadline is suspended
        later = berlin("2026-05-04T15:00")
        t = translator("en")
        on_hold = measure_item(detail, versions, early)
        running = measure_item(detail, versions, later)
        held = clock_entries(StoryInput(connection, detail, on_hold, t, early))
        ahead = clock_entries(StoryInput(connection, detail, running, t, later))
    assert not any("deadline" in e.title for e in held)
    milestones = [e.title.split(": ", 1)[1] for e in ahead if "48 hours" in e.title]
    assert "at risk from here" in milestones and "deadline ahead" in milestones


def test_attribute_changes_name_the_old_and_new_owner_from_the_directory(engine: Engine) -> None:
    store_story(engine)
    entries = story_of(engine, attribute_entries)
    titles = [e.title for e in entries]
    assert "owner changed from Tom Berg (tom) to Ana Ruiz (ana)" in titles
    given = next(e for e in entries if e.title == "Attributes given")
    assert given.at == berlin("2026-05-04T09:00")
    assert "owner: Tom Berg (tom)" in given.detail_text and "kind: lead" in given.detail_text


def test_escalation_steps_tell_who_was_notified_at_which_tier_and_the_snooze(
    engine: Engine,
) -> None:
    store_story(engine)
    entries = story_of(engine, escalation_entries)
    assert [e.title for e in entries] == [
        "Escalation opened: Item at risk",
        "Escalation step 1: tier 2, department head notified",
        "Escalation snoozed",
        "Escalation acknowledged",
    ]
    assert "notified: boss@example.com (queued)" in entries[1].detail_text
    assert (entries[2].actor, entries[2].reason) == ("sam@example.com", "calling the customer now")
    assert (entries[3].actor, entries[3].reason) == ("sam@example.com", "on it")
    assert entries[0].link is not None and entries[0].link.startswith("/escalations/")


def test_audit_entries_about_the_item_tell_who_and_why(engine: Engine) -> None:
    store_story(engine)
    [entry] = story_of(engine, audit_entries)
    assert entry.title == "Recorded: item.note"
    assert (entry.actor, entry.reason, entry.detail_text) == (
        "lena@example.com",
        "the customer called twice",
        "channel: phone",
    )


def test_the_whole_story_in_german_is_in_time_order(engine: Engine) -> None:
    store_story(engine)
    entries = story_of(engine, item_story, "de")
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert any(e.title == "Ereignis handed_over" for e in entries)
    assert any("Uhr angehalten, erfüllt" in e.title for e in entries)
    start = berlin("2026-05-04T09:00")
    at_start = [e.kind for e in entries if e.at == start]
    assert at_start[:3] == ["event", "attribute", "clock"]


def test_the_spans_of_the_items_clocks_per_agreement(engine: Engine) -> None:
    store_story(engine)
    with read_transaction(engine) as connection:
        detail = item_detail(connection, "default", "L-1")
        assert detail is not None
        as_of = berlin(NOW)
        clocks = measure_item(detail, versions_by_agreement(connection), as_of)
        story = StoryInput(connection, detail, clocks, translator("en"), as_of)
        spans = story.agreement_spans()
    assert spans == {"marketing-sales": (berlin("2026-05-04T09:00"), berlin("2026-05-05T11:00"))}
