import polars as pl

from slawatch.agreements.model import AttributeTest, ClockSpec, Comparison
from slawatch.engine.events import EventTable, clock_items, first_events, outages, select_items
from slawatch.engine.instants import NO_INSTANT
from tests.engine.builders import instant, table


def test_where_selects_by_equality_one_of_and_numeric_comparison():
    events = table(
        [("a", "x", "2026-01-05T09:00:00+01:00")],
        {
            "a": {"kind": "lead", "score": "70", "source": "web"},
            "b": {"kind": "lead", "score": "40", "source": "ads"},
            "c": {"kind": "request", "score": "n/a", "source": "web"},
        },
    )
    leads = (AttributeTest(attribute="kind", equals=("lead",)),)
    assert select_items(events, leads).to_list() == ["a", "b"]
    one_of = (AttributeTest(attribute="source", equals=("web", "event")),)
    assert select_items(events, one_of).to_list() == ["a", "c"]
    high = (AttributeTest(attribute="score", compare=Comparison.AT_LEAST, number=50),)
    assert select_items(events, high).to_list() == ["a"]
    assert select_items(events, ()).to_list() == ["a", "b", "c"]


def test_where_on_an_attribute_no_item_has_matches_nothing():
    events = table([("a", "x", "2026-01-05T09:00:00+01:00")], {"a": {"kind": "lead"}})
    assert select_items(events, (AttributeTest(attribute="region", equals=("eu",)),)).len() == 0


def test_first_events_take_each_items_earliest():
    events = table(
        [
            ("a", "qualified", "2026-01-06T09:00:00+01:00"),
            ("a", "qualified", "2026-01-05T09:00:00+01:00"),
            ("b", "qualified", "2026-01-07T09:00:00+01:00"),
            ("b", "created", "2026-01-01T09:00:00+01:00"),
        ]
    )
    firsts = first_events(events.events, "qualified", None)
    assert firsts.rows() == [
        ("a", instant("2026-01-05T09:00:00+01:00")),
        ("b", instant("2026-01-07T09:00:00+01:00")),
    ]


def test_a_clock_stops_at_the_first_stop_at_or_after_its_start():
    events = table(
        [
            ("a", "contacted", "2026-01-05T08:00:00+01:00"),  # before the start: ignored
            ("a", "handed_over", "2026-01-05T09:00:00+01:00"),
            ("a", "contacted", "2026-01-05T11:00:00+01:00"),
            ("a", "contacted", "2026-01-05T10:00:00+01:00"),
            ("b", "handed_over", "2026-01-05T09:00:00+01:00"),
        ]
    )
    spec = ClockSpec(start="handed_over", stop="contacted")
    found = clock_items(events, spec, pl.Series("item", ["a", "b"]))
    assert found.items.to_list() == ["a", "b"]
    assert found.inputs.stop.tolist() == [instant("2026-01-05T10:00:00+01:00"), NO_INSTANT]


def test_pauses_pair_with_the_next_resume_and_stay_open_without_one():
    events = table(
        [
            ("a", "handed_over", "2026-01-05T09:00:00+01:00"),
            ("a", "on_hold", "2026-01-05T10:00:00+01:00"),
            ("a", "off_hold", "2026-01-05T11:00:00+01:00"),
            ("a", "on_hold", "2026-01-05T12:00:00+01:00"),
        ]
    )
    spec = ClockSpec(start="handed_over", stop="contacted", pause="on_hold", resume="off_hold")
    found = clock_items(events, spec, pl.Series("item", ["a"]))
    pauses = sorted(
        zip(found.inputs.pause_start.tolist(), found.inputs.pause_end.tolist(), strict=True)
    )
    assert pauses == [
        (instant("2026-01-05T10:00:00+01:00"), instant("2026-01-05T11:00:00+01:00")),
        (instant("2026-01-05T12:00:00+01:00"), NO_INSTANT),
    ]
    assert found.inputs.pause_item.tolist() == [0, 0]


def test_overlapping_outages_merge_and_touching_ones_stay_apart():
    events = table(
        [
            ("crm", "down", "2026-01-05T09:00:00+01:00"),
            ("crm", "down", "2026-01-05T09:10:00+01:00"),
            ("crm", "up", "2026-01-05T09:30:00+01:00"),
            ("crm", "down", "2026-01-05T09:30:00+01:00"),
            ("crm", "up", "2026-01-05T09:40:00+01:00"),
            ("crm", "down", "2026-01-06T09:00:00+01:00"),
        ]
    )
    merged = outages(events, "down", "up", None)
    assert merged.select("begin", "finish", "recovered").rows() == [
        (instant("2026-01-05T09:00:00+01:00"), instant("2026-01-05T09:30:00+01:00"), True),
        (instant("2026-01-05T09:30:00+01:00"), instant("2026-01-05T09:40:00+01:00"), True),
        (instant("2026-01-06T09:00:00+01:00"), NO_INSTANT, False),
    ]


def test_a_where_on_an_attribute_no_item_carries_selects_none_of_any_id_type():
    for ids in (pl.Series("item", ["a", "b"]), pl.Series("item", [1, 2], dtype=pl.Int64)):
        items = pl.DataFrame({"item": ids, "kind": ["lead", "lead"]})
        table = EventTable(
            events=pl.DataFrame({"item": ids, "type": ["x", "x"], "at": [1, 2]}), items=items
        )
        selected = select_items(table, (AttributeTest(attribute="region", equals=("north",)),))
        assert selected.len() == 0
        assert selected.dtype == ids.dtype
