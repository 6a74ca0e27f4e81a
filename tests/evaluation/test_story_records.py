"""Corrections, disputes and incidents in an item's story (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.evaluation.story_corrections import correction_entries
from slawatch.evaluation.story_records import dispute_entries, incident_entries
from slawatch.evaluation.story_sources import item_story
from slawatch.store import corrections, disputes
from slawatch.store.corrections import CorrectionAction, CorrectionDraft
from slawatch.store.db import transaction
from slawatch.store.disputes import NewDispute
from slawatch.store.incidents import NewIncident, close_incident, open_incident
from tests.evaluation.story_support import berlin, store_story
from tests.evaluation.test_story_sources import story_of


def test_a_correction_is_told_when_proposed_and_when_decided(engine: Engine) -> None:
    item = store_story(engine)
    with transaction(engine) as connection:
        draft = CorrectionDraft(
            "marketing-sales",
            CorrectionAction.EXCLUDE,
            item,
            reason="a test lead",
            objective="speed-to-lead",
        )
        record = corrections.propose(
            connection,
            draft,
            actor="lena@example.com",
            now=berlin("2026-05-05T12:00"),
            applies=False,
        )
        corrections.decide(
            connection,
            record.id,
            approved=True,
            actor="tom@example.com",
            reason="agreed",
            now=berlin("2026-05-05T13:00"),
        )
    told = story_of(engine, correction_entries)
    assert [(e.kind, e.actor, e.reason) for e in told] == [
        ("exclusion", "lena@example.com", "a test lead"),
        ("exclusion", "tom@example.com", "agreed"),
    ]
    assert told[0].title == f"Exclusion from speed-to-lead proposed (correction #{record.id})"
    german = story_of(engine, correction_entries, "de")
    assert (
        german[1].title == f"Korrektur Nr. {record.id} genehmigt: die Auswertung berücksichtigt sie"
    )


def test_a_dispute_about_the_item_is_told_step_by_step(engine: Engine) -> None:
    item = store_story(engine)
    with transaction(engine) as connection:
        number = disputes.open_dispute(
            connection,
            NewDispute(
                "marketing-sales",
                "item",
                "marketing",
                "The lead was contacted in time",
                "lena@example.com",
                berlin("2026-05-05T12:00"),
                objective="speed-to-lead",
                item_id=item,
                links=("https://crm.example.com/L-1",),
            ),
        )
        disputes.decide(
            connection,
            number,
            upheld=False,
            reason="the log says otherwise",
            actor="boss@example.com",
            now=berlin("2026-05-06T09:00"),
        )
    told = story_of(engine, dispute_entries)
    assert [e.title for e in told] == [
        f"Dispute #{number} opened: The lead was contacted in time",
        f"Dispute #{number} rejected",
    ]
    assert told[0].detail_text == "https://crm.example.com/L-1"
    assert told[1].reason == "the log says otherwise"
    assert told[1].link == f"/agreements/marketing-sales/disputes/{number}"


def test_an_incident_overlapping_the_items_clock_is_told_and_others_are_not(
    engine: Engine,
) -> None:
    store_story(engine)  # the clock runs Monday 9:00 to Tuesday 11:00
    with transaction(engine) as connection:
        during = open_incident(
            connection,
            NewIncident(
                "marketing-sales",
                "declared",
                "declared:a",
                "CRM down",
                berlin("2026-05-04T15:00"),
                "it@example.com",
                1,
                {},
            ),
            now=berlin("2026-05-04T15:00"),
        )
        assert during is not None
        close_incident(
            connection, during, at=berlin("2026-05-04T16:00"), actor="it@example.com", note="fixed"
        )
        open_incident(
            connection,
            NewIncident(
                "marketing-sales",
                "declared",
                "declared:b",
                "Later outage",
                berlin("2026-05-05T12:00"),
                "it@example.com",
                1,
                {},
            ),
            now=berlin("2026-05-05T12:00"),
        )
    told = story_of(engine, incident_entries)
    assert [(e.title, e.reason) for e in told] == [
        (f"Incident #{during}: CRM down", None),
        (f"Incident #{during} closed", "fixed"),
    ]
    whole = story_of(engine, item_story)
    assert [e.kind for e in whole].count("incident") == 2
