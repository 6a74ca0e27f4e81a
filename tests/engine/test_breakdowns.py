"""Breakdowns agree with a slow, obviously correct reference on random items.

The reference groups with a dict, sorts each group's times and reads the nearest rank
⌈p·n/100⌉ (docs/semantics.md, "Breakdowns"), one item at a time.
"""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.engine.breakdowns import (
    MISSING,
    NO_TEAM,
    NO_VALUE,
    UNKNOWN_OWNER,
    Column,
    GroupFigures,
    Measure,
    breakdown,
    group_figures,
    nearest_rank,
    overall,
    sort_groups,
    team_keys,
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATES = ("met", "breached", "paused", "at_risk", "running")
KEYS = st.one_of(st.none(), st.sampled_from(["anna", "ben", "cleo", "Dora", "ä-1", ""]))


def reference_percentile(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p * len(ordered) / 100)
    return ordered[max(rank, 1) - 1]


def reference_clocks(rows: list[tuple[str | None, str, int, bool]]) -> dict[str, dict[str, object]]:
    groups: dict[str, list[tuple[str, int, bool]]] = {}
    for key, state, elapsed, stopped in rows:
        groups.setdefault(NO_VALUE if key is None else key, []).append((state, elapsed, stopped))
    found = {}
    for key, members in groups.items():
        met = sum(1 for state, _, _ in members if state == "met")
        breached = sum(1 for state, _, _ in members if state == "breached")
        times = [elapsed for _, elapsed, stopped in members if stopped]
        found[key] = {
            "items": len(members),
            "met": met,
            "breached": breached,
            "pending": len(members) - met - breached,
            "value": met / (met + breached) if met + breached else None,
            "median_us": reference_percentile(times, 50),
            "p90_us": reference_percentile(times, 90),
        }
    return found


def clock_frame(rows: list[tuple[str | None, str, int, bool]]) -> pl.DataFrame:
    schema = {"key": pl.String, "state": pl.String, "elapsed_us": pl.Int64, "stopped": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row")


@st.composite
def clock_rows(draw: st.DrawFn) -> list[tuple[str | None, str, int, bool]]:
    rows = []
    for _ in range(draw(st.integers(0, 60))):
        state = draw(st.sampled_from(STATES))
        stopped = state in ("met", "breached") and draw(st.booleans())  # a breach may still run
        elapsed = draw(st.integers(0, 10**12) | st.sampled_from([0, 1, 3_600_000_000]))
        rows.append((draw(KEYS), state, elapsed, stopped))
    return rows


def as_dict(figures: GroupFigures) -> dict[str, object]:
    return {
        name: getattr(figures, name)
        for name in ("items", "met", "breached", "pending", "value", "median_us", "p90_us")
    }


@PROPERTY
@given(clock_rows())
def test_clock_groups_match_the_reference(rows):
    found = group_figures(clock_frame(rows), Measure.CLOCK)
    assert {key: as_dict(figures) for key, figures in found.items()} == reference_clocks(rows)


@PROPERTY
@given(clock_rows())
def test_the_groups_counts_sum_to_the_objectives(rows):
    groups = group_figures(clock_frame(rows), Measure.CLOCK).values()
    everything = overall(clock_frame(rows), Measure.CLOCK)
    if not rows:
        assert everything is None and not groups
        return
    assert everything is not None
    for name in ("items", "met", "breached", "pending", "at_risk"):
        assert sum(getattr(g, name) for g in groups) == getattr(everything, name)
    assert everything.items == len(rows)
    assert everything.met == sum(1 for row in rows if row[1] == "met")


@PROPERTY
@given(st.lists(st.tuples(KEYS, st.booleans()), max_size=60))
def test_ratio_groups_match_the_reference(rows):
    frame = pl.DataFrame(rows, schema={"key": pl.String, "hit": pl.Boolean}, orient="row")
    found = group_figures(frame, Measure.RATIO)
    expected: dict[str, list[bool]] = {}
    for key, hit in rows:
        expected.setdefault(NO_VALUE if key is None else key, []).append(hit)
    assert set(found) == set(expected)
    for key, hits in expected.items():
        figures = found[key]
        assert (figures.items, figures.met, figures.breached) == (
            len(hits),
            sum(hits),
            len(hits) - sum(hits),
        )
        assert figures.value == sum(hits) / len(hits)
        assert figures.pending == 0 and figures.median_us is None
    assert sum(f.met for f in found.values()) == sum(hit for _, hit in rows)


@PROPERTY
@given(clock_rows(), clock_rows())
def test_the_change_is_against_the_same_group_of_the_period_before(now, before):
    rows = breakdown(clock_frame(now), clock_frame(before), Measure.CLOCK)
    earlier = reference_clocks(before)
    assert [row.key for row in rows] == sorted(reference_clocks(now))
    for row in rows:
        previous = earlier.get(row.key, {}).get("value")
        assert row.previous == previous
        if previous is None or row.value is None:
            assert row.change is None
        else:
            assert row.change == pytest.approx(row.value - previous)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("percentile", "count", "rank"),
    [(50, 1, 1), (50, 2, 1), (50, 3, 2), (50, 4, 2), (90, 10, 9), (90, 11, 10), (90, 1, 1)],
)
def test_nearest_rank_is_the_smallest_rank_covering_the_share(percentile, count, rank):
    assert nearest_rank(percentile, count) == rank


def test_a_percentile_is_a_time_an_item_took():
    rows = [("a", "met", t, True) for t in (10, 20, 30, 40)]
    (figures,) = group_figures(clock_frame(rows), Measure.CLOCK).values()
    assert (figures.median_us, figures.p90_us) == (20, 40)


def test_running_clocks_count_as_pending_and_have_no_time():
    rows = [("a", "running", 5, False), ("a", "at_risk", 7, False), ("a", "breached", 9, False)]
    (figures,) = group_figures(clock_frame(rows), Measure.CLOCK).values()
    assert (figures.pending, figures.at_risk, figures.breached) == (2, 1, 1)
    assert figures.median_us is None and figures.value == 0.0


def test_an_empty_period_has_no_groups():
    assert group_figures(clock_frame([]), Measure.CLOCK) == {}
    assert breakdown(clock_frame([]), None, Measure.CLOCK) == []
    assert overall(clock_frame([]), Measure.CLOCK) is None


def test_items_without_the_attribute_form_their_own_group():
    rows = [(None, "met", 1, True), ("anna", "met", 1, True)]
    groups = breakdown(clock_frame(rows), None, Measure.CLOCK)
    assert {g.key: g.missing for g in groups} == {NO_VALUE: "no_value", "anna": None}


def test_teams_keep_owners_without_a_team_or_an_entry():
    owners = pl.Series(["anna", "ben", None, "zoe"])
    teams = {"anna": "Inside sales", "ben": None}
    assert team_keys(owners, teams).to_list() == ["Inside sales", NO_TEAM, None, UNKNOWN_OWNER]


def figures(key: str, value: float | None, p90: int | None = None) -> GroupFigures:
    return GroupFigures(key, 1, 0, 0, 0, value, None, p90)


def test_sorting_puts_groups_without_a_figure_last_both_ways():
    groups = [figures("a", 0.5), figures("b", None), figures("c", 0.9), figures(NO_VALUE, 0.1)]
    up = sort_groups(groups, Column.VALUE, descending=False)
    down = sort_groups(groups, Column.VALUE, descending=True)
    assert [g.key for g in up] == [NO_VALUE, "a", "c", "b"]
    assert [g.key for g in down] == ["c", "a", NO_VALUE, "b"]


def test_sorting_by_group_keeps_the_unnamed_groups_at_the_end():
    groups = [figures(UNKNOWN_OWNER, 1), figures("b", 1), figures("a", 1), figures(NO_TEAM, 1)]
    names = [g.key for g in sort_groups(groups, Column.GROUP, descending=True)]
    assert names[:2] == ["b", "a"] and set(names[2:]) == {NO_TEAM, UNKNOWN_OWNER}


@PROPERTY
@given(clock_rows(), st.sampled_from(list(Column)), st.booleans())
def test_sorting_keeps_every_group_once(rows, column, descending):
    groups = breakdown(clock_frame(rows), None, Measure.CLOCK)
    ordered = sort_groups(groups, column, descending=descending)
    assert sorted(g.key for g in ordered) == sorted(g.key for g in groups)
    assert all(key in MISSING or "\x00" not in key for key in (g.key for g in ordered))
