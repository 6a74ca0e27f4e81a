"""Corrections and exclusions give exactly the results of event files edited by hand.

A correction that moves, retypes or voids an event must measure as the event file with that
edit; an exclusion as the item removed from that objective (and only from it); a standing
`exclude:` as the matching items removed from the file.
"""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.model import AttributeTest, StandingExclusion
from slawatch.engine.corrections import (
    Corrections,
    EventCorrection,
    Exclusion,
    corrected,
    corrected_events,
)
from slawatch.engine.events import EventTable
from slawatch.engine.objectives import evaluate
from tests.engine.builders import agreement, office
from tests.engine.test_objective_properties import (
    DAY,
    ITEMS,
    TYPES,
    event_table,
    objectives,
    scenarios,
)

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Event = tuple[str, str, int]


def _agreement(s: dict[str, object], **fields: object):  # type: ignore[no-untyped-def]
    zone = s["zone"]
    return agreement(
        objectives(s),
        timezone=zone.key,  # type: ignore[attr-defined]
        effective=s["effective"],
        calendars={"office": office(zone.key)},  # type: ignore[attr-defined]
        **fields,
    )


def _periods(evaluation) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return evaluation.document()["periods"]


def _replay(events: list[Event], corrections: list[EventCorrection]) -> list[Event]:
    """Edit the event list by hand, the obviously correct way."""
    edited = list(dict.fromkeys(events))
    for c in corrections:
        if c.key not in edited:
            continue
        edited.remove(c.key)  # type: ignore[arg-type]
        new = c.corrected_key()
        if new is not None and new not in edited:
            edited.append(new)  # type: ignore[arg-type]
    return edited


@st.composite
def event_corrections(draw: st.DrawFn, events: list[Event]) -> list[EventCorrection]:
    keys = list(dict.fromkeys(events)) or [("a", "qualified", 0)]
    found: list[EventCorrection] = []
    for _ in range(draw(st.integers(1, 3))):
        item, kind, at = draw(st.sampled_from(keys))
        how = draw(st.sampled_from(["move", "retype", "void"]))
        if how == "move":
            shift = draw(st.sampled_from([1, -1, 3600 * 10**6, -DAY, 3 * DAY, -40 * DAY]))
            correction = EventCorrection(item, kind, at, new_at=at + shift)
        elif how == "retype":
            correction = EventCorrection(item, kind, at, new_type=draw(st.sampled_from(TYPES)))
        else:
            correction = EventCorrection(item, kind, at, void=True)
        found.append(correction)
        keys.append(correction.corrected_key() or keys[0])
    return found


@given(s=scenarios(), data=st.data())
@PROPERTY
def test_a_corrected_event_measures_as_the_file_with_the_corrected_event(s, data):
    events: list[Event] = s["events"]
    corrections = data.draw(event_corrections(events))
    unique = list(dict.fromkeys(events))
    expected = evaluate(_agreement(s), event_table(_replay(unique, corrections)), as_of=s["as_of"])
    table = corrected(event_table(unique), Corrections(events=tuple(corrections)))
    got = evaluate(_agreement(s), table, as_of=s["as_of"])
    assert _periods(got) == _periods(expected)


@given(
    s=scenarios(),
    item=st.sampled_from(ITEMS),
    objective=st.sampled_from(["leads", "accepted", "speed", "uptime"]),
)
@PROPERTY
def test_an_exclusion_measures_as_the_item_removed_from_that_objective(s, item, objective):
    events: list[Event] = s["events"]
    exclusion = Corrections(exclusions=(Exclusion(item, objective),))
    got = evaluate(_agreement(s), corrected(event_table(events), exclusion), as_of=s["as_of"])
    without_item = [e for e in events if e[0] != item]
    removed = evaluate(_agreement(s), event_table(without_item), as_of=s["as_of"])
    untouched = evaluate(_agreement(s), event_table(events), as_of=s["as_of"])
    for mine, gone, before in zip(got.periods, removed.periods, untouched.periods, strict=True):
        for result, other, plain in zip(
            mine.objectives, gone.objectives, before.objectives, strict=True
        ):
            reference = other if result.objective == objective else plain
            assert result.document() == reference.document()


def _with_sources(events: list[Event], sources: dict[str, str]) -> EventTable:
    table = event_table(events)
    items = table.items.with_columns(
        pl.col("item").replace_strict(sources, default=None, return_dtype=pl.String).alias("source")
    )
    return EventTable(table.events, items)


@given(
    s=scenarios(),
    sources=st.dictionaries(st.sampled_from(ITEMS), st.sampled_from(["test", "crm"])),
)
@PROPERTY
def test_a_standing_exclusion_measures_as_the_matching_items_removed(s, sources):
    events: list[Event] = s["events"]
    standing = StandingExclusion(where=(AttributeTest(attribute="source", equals=("test",)),))
    got = evaluate(
        _agreement(s, exclude=standing), _with_sources(events, sources), as_of=s["as_of"]
    )
    kept = [e for e in events if sources.get(e[0]) != "test"]
    expected = evaluate(_agreement(s), _with_sources(kept, sources), as_of=s["as_of"])
    assert _periods(got) == _periods(expected)


def test_no_corrections_return_the_same_table():
    table = event_table([("a", "qualified", 5)])
    assert corrected(table, Corrections()) is table


def test_a_second_correction_continues_from_where_the_first_left_the_event():
    frame = event_table([("a", "qualified", 5), ("b", "qualified", 7)]).events
    first = EventCorrection("a", "qualified", 5, new_at=9)
    second = EventCorrection("a", "qualified", 9, new_type="handed_over")
    stale = EventCorrection("a", "qualified", 5, void=True)  # the event is no longer there
    rows = corrected_events(frame, [first, second, stale]).rows()
    assert sorted(rows) == [("a", "handed_over", 9), ("b", "qualified", 7)]
