"""The demo's live leads tell a plausible story: created, qualified, then handed over."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from slawatch.commands.serve import LIVE_ALLOWANCE, live_leads
from slawatch.engine.instants import US, to_us

NOW = to_us(dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC))
HOUR = 3600 * US


def timelines() -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for event in live_leads(NOW):
        assert event.type not in found[event.item], f"{event.item}: {event.type} twice"
        found[event.item][event.type] = event.at
    return found


def test_every_live_lead_is_created_and_qualified_before_its_hand_over():
    for item, at in timelines().items():
        assert list(at) == ["created", "qualified", "handed_over"], item
        assert at["created"] < at["qualified"] < at["handed_over"] <= NOW, item


def test_qualification_precedes_the_hand_over_by_hours_as_in_generated_leads():
    for item, at in timelines().items():
        assert HOUR <= at["handed_over"] - at["qualified"] <= 6 * HOUR, item
        assert 4 * HOUR <= at["qualified"] - at["created"] <= 48 * HOUR, item


def test_the_live_leads_are_past_their_warning_and_breach_within_the_demos_first_hours():
    left = sorted(at["handed_over"] + LIVE_ALLOWANCE * US - NOW for at in timelines().values())
    assert left[0] == 3 * 60 * US  # the first breach a few minutes after the start
    assert all(0 < time_left <= LIVE_ALLOWANCE * US / 4 for time_left in left)  # warn at 75 %


def test_no_live_lead_is_contacted_yet_and_each_is_a_lead_with_the_usual_attributes():
    for event in live_leads(NOW):
        assert event.type != "contacted"
        assert event.kind == "lead"
        assert set(event.attributes) == {"source", "region", "owner"}


def test_the_live_leads_belong_to_the_rep_their_warnings_reach():
    from slawatch.commands.directory import demo_people

    owners = {event.attributes.get("owner") for event in live_leads(NOW)}
    assert owners == {"tom.berg"}
    assert "tom.berg" in {person.key for person in demo_people()}
