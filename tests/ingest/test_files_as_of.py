"""Nothing may depend on when one evaluates: as of X, only the events at or before X count.

Property: evaluating a whole event file as of X gives exactly what evaluating a file of only
its rows at or before X gives, also when later rows re-label items that `where:` filters on.
The reference is the obvious one: cut the file, then read it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.agreements.parse import parse_agreement
from slawatch.commands.output import evaluation_json
from slawatch.engine.instants import to_us
from slawatch.engine.objectives import evaluate
from slawatch.ingest.files import read_events

AGREEMENT = parse_agreement(
    """
agreement: relabel
title: Attributes as of the evaluation
timezone: Europe/Berlin
effective: 2026-10-01
parties:
  marketing: {name: Marketing, contacts: [m@example.com]}
objectives:
  eu-leads:
    owner: marketing
    count: qualified
    where: {kind: lead, region: [EU, CH]}
    target: ">= 1"
  eu-acceptance:
    owner: marketing
    ratio: {count: accepted, of: qualified}
    where: {region: EU}
    target: ">= 50%"
  big-contact:
    owner: marketing
    clock: {start: qualified, stop: contacted}
    within: 48h
    where: {size: ">= 10"}
    target: ">= 90%"
"""
)
T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
HEADER = "item,type,at,kind,region,size\n"

rows = st.lists(
    st.tuples(
        st.sampled_from(["L1", "L2", "L3"]),
        st.sampled_from(["qualified", "accepted", "contacted", "relabelled"]),
        st.integers(0, 60 * 24 * 45),  # minutes after T0: October and half of November
        st.sampled_from(["", "lead", "partner"]),
        st.sampled_from(["", "EU", "US", "CH"]),
        st.sampled_from(["", "5", "12"]),
    ),
    max_size=14,
)


def csv(selected: list[tuple[str, str, int, str, str, str]]) -> str:
    lines = [
        f"{item},{kind_of_event},{(T0 + dt.timedelta(minutes=minute)).isoformat()},{k},{r},{s}\n"
        for item, kind_of_event, minute, k, r, s in selected
    ]
    return HEADER + "".join(lines)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows, cut=st.integers(0, 60 * 24 * 45))
def test_an_evaluation_as_of_x_equals_the_evaluation_of_only_the_events_until_x(
    tmp_path: Path, rows: list[tuple[str, str, int, str, str, str]], cut: int
) -> None:
    as_of = to_us(T0 + dt.timedelta(minutes=cut))
    whole = tmp_path / "whole.csv"
    whole.write_text(csv(rows), encoding="utf-8")
    until = tmp_path / "until.csv"
    until.write_text(csv([row for row in rows if row[2] <= cut]), encoding="utf-8")
    got = evaluate(AGREEMENT, read_events(whole).table(), as_of=as_of)
    expected = evaluate(AGREEMENT, read_events(until).table(), as_of=as_of)
    assert evaluation_json(got) == evaluation_json(expected)


def test_attributes_named_like_the_history_columns_are_read_as_of_too(tmp_path: Path) -> None:
    path = tmp_path / "named.csv"
    path.write_text(
        "item,type,at,kind,region,name,value\n"
        "L-1,qualified,2026-10-05T09:00:00+02:00,lead,EU,Ada,1\n"
        "L-1,accepted,2026-10-20T09:00:00+02:00,lead,US,Ada L.,2\n"
    )
    table = read_events(path).table()
    early = table.until(to_us(dt.datetime(2026, 10, 10, tzinfo=dt.UTC))).items.row(0, named=True)
    assert (early["region"], early["name"], early["value"]) == ("EU", "Ada", "1")
    late = table.until(to_us(dt.datetime(2026, 10, 21, tzinfo=dt.UTC))).items.row(0, named=True)
    assert (late["region"], late["name"], late["value"]) == ("US", "Ada L.", "2")
