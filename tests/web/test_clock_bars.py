"""The bar of one item clock: geometry in % of its width, markers, ticks and listed segments."""

from __future__ import annotations

import datetime as dt

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.instants import US
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.segments import Segment, SegmentKind
from slawatch.evaluation.item_clock import ItemClock
from slawatch.i18n import translator
from slawatch.store.agreements import StoredAgreement
from slawatch.web.pages.clock_bars import MAX_ROWS, MAX_TICKS, MIN_WIDTH, clock_bar

HOUR = 3600 * US
START = 1_772_524_800 * US  # 2026-03-03 08:00 UTC, a Tuesday
T = translator("en")


def clock(
    *, end: int, stop: int | None, deadline: int | None, segments: list[Segment]
) -> ItemClock:
    yaml = template_text("marketing-sales")
    agreement = parse_agreement(yaml)
    objective = agreement.objectives["speed-to-lead"]
    assert isinstance(objective, ClockObjective)
    stored = StoredAgreement(
        id=agreement.id,
        version=1,
        effective=dt.date(2026, 1, 1),
        agreement=agreement,
        yaml=yaml,
        title=agreement.title,
        author="t",
        reason="test",
        created_at=START,
    )
    return ItemClock(
        stored=stored,
        objective=objective,
        start=START,
        stop=stop,
        end=end,
        elapsed=end - START,
        paused=0,
        allowance=48 * HOUR,
        deadline=deadline,
        warning=None,
        state="met" if stop is not None else "running",
        segments=segments,
        pauses=[],
    )


def test_a_clock_stopped_at_its_start_still_gets_a_visible_minute():
    bar = clock_bar(clock(end=START, stop=START, deadline=None, segments=[]), T, "c")
    assert bar["rest"] == {"x": 0.0, "width": 100.0}
    assert [(m["kind"], m["x"]) for m in bar["markers"]] == [("end", 0.0)]


def test_a_segment_of_minutes_in_a_bar_of_days_stays_visible():
    short = Segment(START, START + 60 * US, SegmentKind.WORKING)
    long = Segment(START + 60 * US, START + 72 * HOUR, SegmentKind.CLOSED)
    bar = clock_bar(clock(end=long.end, stop=None, deadline=None, segments=[short, long]), T, "c")
    assert bar["rects"][0]["width"] == MIN_WIDTH
    assert bar["rest"] is None


def test_the_bar_reaches_a_later_deadline_and_its_scale_stays_short():
    worked = Segment(START, START + 10 * HOUR, SegmentKind.WORKING)
    bar = clock_bar(
        clock(end=worked.end, stop=None, deadline=START + 40 * HOUR, segments=[worked]), T, "c"
    )
    assert bar["rest"] == {"x": 25.0, "width": 75.0}
    assert [m["kind"] for m in bar["markers"]] == ["deadline", "end"]
    assert bar["markers"][0]["x"] == 100.0 and bar["markers"][0]["anchor"] == "end"
    assert 0 < len(bar["ticks"]) <= MAX_TICKS


def test_a_clock_of_many_segments_lists_its_first_and_last_and_sums_them_all():
    kinds = (SegmentKind.WORKING, SegmentKind.CLOSED)
    segments = [
        Segment(START + n * HOUR, START + (n + 1) * HOUR, kinds[n % 2]) for n in range(MAX_ROWS + 7)
    ]
    bar = clock_bar(
        clock(end=segments[-1].end, stop=None, deadline=None, segments=segments), T, "c"
    )
    assert (bar["count"], bar["left_out"], len(bar["rows"])) == (MAX_ROWS + 7, 7, MAX_ROWS)
    assert [row["text"] for row in bar["totals"]] == ["working time", "outside working hours"]
