import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from slawatch.agreements.model import PeriodKind
from slawatch.engine.instants import from_us, to_us
from slawatch.engine.periods import (
    PeriodLabelError,
    assign,
    comparison_labels,
    earlier_label,
    label_kind,
    make_period,
    parse_label,
    periods_between,
    share_of_periods,
    year_ago_label,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("label", "kind", "first", "after"),
    [
        ("2026-10-05", PeriodKind.DAY, dt.date(2026, 10, 5), dt.date(2026, 10, 6)),
        ("2026-W41", PeriodKind.WEEK, dt.date(2026, 10, 5), dt.date(2026, 10, 12)),
        ("2026-10", PeriodKind.MONTH, dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
        ("2026-Q4", PeriodKind.QUARTER, dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026", PeriodKind.YEAR, dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
        ("2026-12", PeriodKind.MONTH, dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
    ],
)
def test_labels_name_their_local_dates(label, kind, first, after):
    period = parse_label(label, BERLIN)
    assert (period.kind, period.first, period.after, period.label) == (kind, first, after, label)


def test_a_month_runs_from_local_midnight_to_local_midnight_across_dst():
    october = parse_label("2026-10", BERLIN)
    assert from_us(october.start, BERLIN).isoformat() == "2026-10-01T00:00:00+02:00"
    assert from_us(october.end, BERLIN).isoformat() == "2026-11-01T00:00:00+01:00"
    assert october.end - october.start == (31 * 24 + 1) * 3600 * 1_000_000


def test_iso_week_labels_use_the_iso_year():
    period = make_period(PeriodKind.WEEK, dt.date(2027, 1, 1), BERLIN)
    assert period.label == "2026-W53"
    assert parse_label("2026-W53", BERLIN).first == dt.date(2026, 12, 28)


@pytest.mark.parametrize("label", ["2026-13", "2026-W54", "2026-02-30", "26-10", "Oct 2026", ""])
def test_impossible_or_unknown_labels_are_refused_with_the_accepted_shapes(label):
    with pytest.raises(PeriodLabelError) as error:
        parse_label(label, BERLIN)
    assert "2026-W41" in str(error.value) or "does not exist" in str(error.value)


def test_a_midnight_in_a_dst_gap_moves_forward():
    # Santiago springs forward at 24:00 on 2026-09-05: 00:00 on the 6th does not exist.
    santiago = ZoneInfo("America/Santiago")
    day = make_period(PeriodKind.DAY, dt.date(2026, 9, 6), santiago)
    assert from_us(day.start, santiago).isoformat() == "2026-09-06T01:00:00-03:00"


def test_periods_between_are_consecutive():
    periods = periods_between(PeriodKind.MONTH, dt.date(2026, 1, 15), dt.date(2026, 11, 2), BERLIN)
    assert [p.label for p in periods][0::10] == ["2026-01", "2026-11"]
    assert len(periods) == 11
    assert all(a.end == b.start for a, b in itertools.pairwise(periods))


def test_assign_uses_half_open_periods():
    periods = periods_between(PeriodKind.MONTH, dt.date(2026, 9, 1), dt.date(2026, 10, 1), BERLIN)
    october = periods[1]
    instants = np.array(
        [periods[0].start - 1, periods[0].start, october.start - 1, october.start, october.end],
        dtype=np.int64,
    )
    assert assign(instants, periods).tolist() == [-1, 0, 0, 1, -1]
    assert assign(instants, []).tolist() == [-1] * 5


def test_a_quarter_spans_three_months_and_a_week_a_share_of_one():
    quarter = parse_label("2026-Q4", BERLIN)
    assert share_of_periods(quarter, PeriodKind.MONTH, BERLIN) == pytest.approx(3.0)
    week = parse_label("2026-W41", BERLIN)
    assert share_of_periods(week, PeriodKind.MONTH, BERLIN) == pytest.approx(7 / 31)
    october = parse_label("2026-10", BERLIN)
    assert share_of_periods(october, PeriodKind.MONTH, BERLIN) == 1.0


def test_to_us_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="no time zone"):
        to_us(dt.datetime(2026, 1, 1))


@pytest.mark.parametrize("label", ["9999-12", "0001", "1969-12-31", "2200-Q1", "0000-W01", "2200"])
def test_labels_outside_the_measured_years_are_refused_naming_the_limit(label):
    with pytest.raises(PeriodLabelError, match="from 1970 to 2199"):
        parse_label(label, BERLIN)


@pytest.mark.parametrize("label", ["1970-W01", "1970-01-01", "2199-12", "2199-Q4", "2199-W52"])
def test_the_first_and_last_measured_years_have_periods(label):
    period = parse_label(label, ZoneInfo("Pacific/Kiritimati"))
    assert period.start < period.end


# --- labels before and a year ago ----------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "steps", "earlier"),
    [
        ("2026-01", 1, "2025-12"),
        ("2026-03", 12, "2025-03"),
        ("2026-Q1", 1, "2025-Q4"),
        ("2026-W01", 1, "2025-W52"),
        ("2027-W01", 1, "2026-W53"),
        ("2026-03-01", 1, "2026-02-28"),
        ("2026", 2, "2024"),
    ],
)
def test_an_earlier_label_is_the_period_that_many_steps_before(label, steps, earlier):
    assert earlier_label(label, steps) == earlier


@pytest.mark.parametrize(
    ("label", "ago"),
    [
        ("2026-07", "2025-07"),
        ("2026-Q3", "2025-Q3"),
        ("2026-W30", "2025-W30"),
        ("2026-W53", None),  # 2025 has 52 ISO weeks
        ("2028-02-29", None),
        ("2026-06-15", "2025-06-15"),
        ("2026", "2025"),
    ],
)
def test_the_same_period_a_year_ago_is_found_by_its_label(label, ago):
    assert year_ago_label(label) == ago


def test_labels_that_are_no_period_are_refused():
    for label in ("2026-13", "2026-Q5", "2026-W60", "soon", "2026-Q"):
        with pytest.raises(PeriodLabelError):
            label_kind(label)


def test_a_comparison_reads_the_twelve_periods_before_and_a_year_ago():
    weekly = comparison_labels("2026-W30")
    assert weekly[:2] == ("2026-W29", "2026-W28") and weekly[-1] == "2025-W30"
    assert len(weekly) == 13
    assert len(comparison_labels("2026-07")) == 12  # a year ago is the 12th month before
