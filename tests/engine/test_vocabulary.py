"""Which names an agreement uses, and which names of the data nothing uses."""

from __future__ import annotations

from collections import Counter

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from slawatch.agreements.describe import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.vocabulary import (
    UnusedName,
    carried_attributes,
    check_vocabulary,
    closest,
    event_type_counts,
    missing_attributes,
    objective_event_types,
    required_event_types,
    unused_names,
    used_event_types,
    where_attributes,
)
from tests.agreements.support import make, objective, parse
from tests.engine.builders import table

COUNT = """\
owner: marketing
count: qualified
where: {kind: lead, segment: [smb, enterprise]}
target: ">= 50"
"""
CLOCK = """\
owner: sales
clock: {start: handed_over, stop: contacted, pause: on_hold, resume: off_hold}
within: 48h
target: ">= 95%"
"""
RATIO = """\
owner: marketing
ratio: {count: accepted, of: handed_over}
where: {score: ">= 50"}
target: ">= 80%"
"""
AVAILABILITY = """\
owner: sales
availability:
  down: down
  up: up
  maintenance: [{start: "2026-03-01T02:00:00+01:00", end: "2026-03-01T04:00:00+01:00"}]
target: ">= 99.9%"
"""


def one(body: str):
    agreement = parse(make(objectives=objective(body, name="it")))
    return agreement, agreement.objectives["it"]


def test_a_count_objective_uses_its_counted_event():
    agreement, count = one(COUNT)
    assert objective_event_types(count) == {"count": "qualified"}
    assert used_event_types(agreement) == {"qualified"}


def test_a_clock_objective_uses_start_stop_pause_and_resume_but_needs_only_start_and_stop():
    agreement, clock = one(CLOCK)
    assert used_event_types(agreement) == {"handed_over", "contacted", "on_hold", "off_hold"}
    assert required_event_types(clock) == ("handed_over", "contacted")


def test_a_ratio_objective_uses_its_count_and_its_denominator():
    agreement, _ = one(RATIO)
    assert used_event_types(agreement) == {"accepted", "handed_over"}


def test_an_availability_objective_uses_down_and_up_and_maintenance_is_no_event():
    agreement, _ = one(AVAILABILITY)
    assert used_event_types(agreement) == {"down", "up"}


def test_the_template_uses_every_event_type_its_header_lists():
    agreement = parse_agreement(template_text("marketing-sales"), source="t.yaml")
    assert used_event_types(agreement) == {
        "qualified",
        "handed_over",
        "contacted",
        "on_hold",
        "off_hold",
        "accepted",
        "rejected",
        "converted",
        "request_opened",
        "request_answered",
        "request_resolved",
    }


def test_where_attributes_name_each_attribute_once_with_the_objectives_that_filter_on_it():
    agreement = parse(
        make(
            objectives=objective(COUNT, name="leads")
            + "\n".join(objective(RATIO, name="accept").splitlines()[1:])
            + "\n"
        )
    )
    assert where_attributes(agreement) == {
        "kind": ("leads",),
        "segment": ("leads",),
        "score": ("accept",),
    }


def test_a_typo_of_a_used_type_is_reported_with_its_count_and_the_intended_type():
    assert unused_names({"contaced": 3, "contacted": 10}, {"contacted", "handed_over"}) == [
        UnusedName("contaced", 3, "contacted")
    ]


def test_a_type_like_no_used_one_has_no_suggestion():
    assert unused_names({"created": 5}, {"rejected", "converted"}) == [
        UnusedName("created", 5, None)
    ]


def test_unused_names_come_most_frequent_first_then_by_name():
    seen = {"b": 2, "a": 2, "c": 7, "used": 1}
    assert [n.name for n in unused_names(seen, {"used"})] == ["c", "a", "b"]


def test_suggestions_ignore_case():
    assert closest("Contacted", ["contacted", "converted"]) == "contacted"
    assert closest("handover", ["handed_over"]) == "handed_over"
    assert closest("opened", ["request_opened"]) is None


def test_messages_read_as_the_docs_show_them():
    assert (
        UnusedName("contaced", 3, "contacted").message()
        == "contaced (3 rows): no objective uses this type; did you mean contacted?"
    )
    assert (
        UnusedName("created", 1, None).message() == "created (1 row): no objective uses this type"
    )
    assert (
        UnusedName("x", 1_234, None).message("ms")
        == "x (1,234 rows): no objective of ms uses this type"
    )


def test_a_where_attribute_no_item_has_is_reported_with_the_closest_carried_one():
    missing = missing_attributes({"segmnt": ("leads",), "kind": ("leads",)}, {"kind", "segment"})
    assert [(m.name, m.objectives, m.did_you_mean) for m in missing] == [
        ("segmnt", ("leads",), "segment")
    ]
    assert missing[0].message() == "segmnt: no item has this attribute; did you mean segment?"


def test_an_attribute_column_without_any_value_is_not_carried():
    events = table([("L-1", "qualified", "2026-01-05T09:00:00+01:00")], {"L-1": {"segment": "smb"}})
    items = events.items.with_columns(pl.lit(None, pl.String).alias("region"))
    assert carried_attributes(items) == {"segment"}  # kind is all null too


def test_the_vocabulary_of_a_table_reports_types_and_attributes_the_agreement_misses():
    agreement, _ = one(COUNT.replace("segment:", "segmnt:"))
    events = table(
        [
            ("L-1", "qualified", "2026-01-05T09:00:00+01:00"),
            ("L-1", "qualifed", "2026-01-05T10:00:00+01:00"),
            ("L-2", "qualifed", "2026-01-05T10:00:00+01:00"),
        ],
        {"L-1": {"kind": "lead", "segment": "smb"}},
    ).encoded()
    vocabulary = check_vocabulary(agreement, events.events, events.items)
    assert vocabulary.as_json() == {
        "unused_event_types": [{"type": "qualifed", "count": 2, "did_you_mean": "qualified"}],
        "unused_where_attributes": [
            {"attribute": "segmnt", "objectives": ["it"], "did_you_mean": "segment"}
        ],
    }


names = st.sampled_from(["qualified", "qualifed", "contacted", "contaced", "created", "up", "Up"])


@given(st.lists(names, max_size=60), st.sets(names))
def test_counts_and_unused_names_agree_with_a_plain_counter(types, used):
    events = pl.DataFrame({"type": types}, schema={"type": pl.String})
    for frame in (events, events.with_columns(pl.col("type").cast(pl.Categorical))):
        assert event_type_counts(frame) == Counter(types)
    reported = unused_names(Counter(types), used)
    expected = Counter(t for t in types if t not in used)
    assert {n.name: n.count for n in reported} == expected
    assert all(n.did_you_mean is None or n.did_you_mean in used for n in reported)
