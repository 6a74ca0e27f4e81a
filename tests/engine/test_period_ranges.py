"""A free range of days (`2026-10-01..2026-10-15`) as a window, beside the five labels."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.agreements.model import PeriodKind
from slawatch.engine.instants import from_us
from slawatch.engine.periods import (
    MAX_RANGE_DAYS,
    PeriodLabelError,
    is_range,
    parse_label,
    range_label,
    read_range,
    share_of_periods,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_range_names_both_its_days_and_ends_at_the_midnight_after_the_last():
    period = parse_label("2026-10-01..2026-10-15", BERLIN)
    assert (period.first, period.after) == (dt.date(2026, 10, 1), dt.date(2026, 10, 16))
    assert period.label == "2026-10-01..2026-10-15"
    assert period.kind is PeriodKind.DAY
    assert from_us(period.end, BERLIN) == dt.datetime(2026, 10, 16, tzinfo=BERLIN)


def test_a_range_across_the_autumn_clock_change_is_cut_at_local_midnights():
    period = parse_label("2026-10-24..2026-10-25", BERLIN)
    assert period.end - period.start == 49 * 3600 * 1_000_000


def test_a_range_of_one_day_is_that_day():
    assert parse_label("2026-10-05..2026-10-05", BERLIN).label == "2026-10-05"


def test_a_range_tolerates_spaces_around_its_days():
    assert read_range(" 2026-10-01 .. 2026-10-15 ") == (dt.date(2026, 10, 1), dt.date(2026, 10, 15))


@pytest.mark.parametrize(
    ("label", "says"),
    [
        ("2026-10-15..2026-10-01", "ends before it begins"),
        ("2026-10..2026-11", "from day to day"),
        ("2026-10-01..", "is not a label"),
        ("2026-02-30..2026-03-01", "does not exist"),
        ("1969-12-31..1970-01-02", "outside the years"),
        ("2000-01-01..2026-01-01", f"longer than {MAX_RANGE_DAYS} days"),
    ],
)
def test_a_bad_range_is_refused_with_the_reason(label, says):
    with pytest.raises(PeriodLabelError, match=says):
        parse_label(label, BERLIN)


def test_a_monthly_count_target_is_scaled_to_the_share_of_the_month_a_range_covers():
    window = parse_label("2026-10-01..2026-10-15", BERLIN)
    assert share_of_periods(window, PeriodKind.MONTH, BERLIN) == pytest.approx(15 / 31)
    assert share_of_periods(window, PeriodKind.DAY, BERLIN) == 15


def test_a_range_covering_a_whole_month_counts_as_that_month():
    window = parse_label("2026-10-01..2026-10-31", BERLIN)
    assert share_of_periods(window, PeriodKind.MONTH, BERLIN) == pytest.approx(1.0)


def test_range_labels_round_trip():
    label = range_label(dt.date(2026, 10, 1), dt.date(2026, 10, 15))
    assert is_range(label) and not is_range("2026-10")
    assert parse_label(label, BERLIN).label == label


@given(
    start=st.dates(dt.date(1970, 1, 1), dt.date(2190, 12, 31)),
    first=st.integers(0, 400),
    second=st.integers(0, 400),
    kind=st.sampled_from(list(PeriodKind)),
)
def test_two_adjacent_ranges_share_as_much_of_a_period_kind_as_the_range_they_make(
    start, first, second, kind
):
    middle = start + dt.timedelta(days=first)
    end = middle + dt.timedelta(days=second + 1)
    whole = parse_label(range_label(start, end), BERLIN)
    left = parse_label(range_label(start, middle), BERLIN)
    right = parse_label(range_label(middle + dt.timedelta(days=1), end), BERLIN)
    assert whole.start == left.start and left.end == right.start and right.end == whole.end
    shares = [share_of_periods(window, kind, BERLIN) for window in (whole, left, right)]
    assert shares[0] == pytest.approx(shares[1] + shares[2])
