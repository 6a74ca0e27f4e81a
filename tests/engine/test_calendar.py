import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.engine.calendar import AlwaysOpen, WorkingCalendar, _SortedIndex, working_calendar
from slawatch.engine.instants import US, from_us, to_us
from tests.engine.reference import ReferenceCalendar, calendar_spec

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600 * US


def at(text: str, zone: str = "Europe/Berlin") -> int:
    return to_us(dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)))


def one(values: np.ndarray) -> int:
    assert values.shape == (1,)
    return int(values[0])


def w(cal: WorkingCalendar, a: str, b: str, zone: str = "Europe/Berlin") -> int:
    return one(cal.working_time(np.array([at(a, zone)]), np.array([at(b, zone)])))


def local(cal: WorkingCalendar, a: str, b: str) -> list[tuple[str, str]]:
    zone = ZoneInfo(cal.spec.timezone)
    return [
        (from_us(o, zone).isoformat(), from_us(c, zone).isoformat())
        for o, c in cal.intervals_between(at(a, cal.spec.timezone), at(b, cal.spec.timezone))
    ]


@pytest.fixture(scope="module")
def office() -> WorkingCalendar:
    return WorkingCalendar.from_spec(calendar_spec(public_holidays="DE-BY"))


def test_working_time_counts_only_office_hours(office):
    assert w(office, "2026-11-23 09:00", "2026-11-24 10:00") == 9 * HOUR


def test_working_time_is_zero_when_the_end_is_not_after_the_start(office):
    assert w(office, "2026-11-23 10:00", "2026-11-23 09:00") == 0
    assert w(office, "2026-11-23 10:00", "2026-11-23 10:00") == 0


def test_intervals_are_half_open_at_both_edges(office):
    assert w(office, "2026-11-23 17:00", "2026-11-23 18:00") == 0
    assert w(office, "2026-11-23 12:00", "2026-11-23 13:00") == 0
    assert w(office, "2026-11-23 07:00", "2026-11-23 08:00") == 0
    assert w(office, "2026-11-23 16:59:59.999999", "2026-11-23 17:00") == 1
    assert w(office, "2026-11-23 08:00", "2026-11-23 08:00:00.000001") == 1


def test_weekends_and_holidays_are_not_working_time(office):
    assert w(office, "2026-11-28 00:00", "2026-11-30 00:00") == 0  # Saturday and Sunday
    assert w(office, "2026-01-06 00:00", "2026-01-07 00:00") == 0  # Epiphany, Bavaria


def test_cumulative_is_monotone_and_instant_at_inverts_it(office):
    t = np.sort(at("2026-01-01 00:00") + np.arange(0, 40 * 86_400 * US, 977 * US * 61))
    c = office.cumulative(t)
    assert np.all(np.diff(c) >= 0)
    back = office.instant_at(c)
    assert np.all(back <= t)
    assert np.array_equal(office.cumulative(back), c)


def test_an_exact_fit_lands_on_the_closing_time_not_the_next_opening(office):
    c = office.cumulative(np.array([at("2026-11-23 13:00")])) + 4 * HOUR
    assert from_us(one(office.instant_at(c)), BERLIN).isoformat() == "2026-11-23T17:00:00+01:00"


def test_a_night_interval_across_the_spring_gap_is_an_hour_shorter():
    cal = WorkingCalendar.from_spec(calendar_spec(days="sat sun", hours="01:00-04:00"))
    assert w(cal, "2026-03-29 00:00", "2026-03-30 00:00") == 2 * HOUR
    assert local(cal, "2026-03-29 00:00", "2026-03-30 00:00") == [
        ("2026-03-29T01:00:00+01:00", "2026-03-29T04:00:00+02:00")
    ]


def test_a_night_interval_across_the_autumn_overlap_is_an_hour_longer():
    cal = WorkingCalendar.from_spec(calendar_spec(days="sat sun", hours="01:00-04:00"))
    assert w(cal, "2026-10-25 00:00", "2026-10-26 00:00") == 4 * HOUR
    assert w(cal, "2026-10-24 00:00", "2026-10-25 00:00") == 3 * HOUR


def test_a_wall_time_in_the_spring_gap_moves_forward():
    cal = WorkingCalendar.from_spec(calendar_spec(days="sun", hours="02:30-05:00"))
    assert local(cal, "2026-03-29 00:00", "2026-03-30 00:00") == [
        ("2026-03-29T03:30:00+02:00", "2026-03-29T05:00:00+02:00")
    ]


def test_an_ambiguous_wall_time_takes_its_first_occurrence():
    cal = WorkingCalendar.from_spec(calendar_spec(days="sun", hours="02:30-05:00"))
    assert local(cal, "2026-10-25 00:00", "2026-10-26 00:00") == [
        ("2026-10-25T02:30:00+02:00", "2026-10-25T05:00:00+01:00")
    ]
    assert w(cal, "2026-10-25 00:00", "2026-10-26 00:00") == 3 * HOUR + HOUR // 2


def test_an_interval_shrunk_to_nothing_by_the_spring_gap_is_dropped():
    # 02:30 moves forward to 03:30 CEST, which is after the 03:00 CEST close.
    cal = WorkingCalendar.from_spec(calendar_spec(days="sun", hours="02:30-03:00"))
    assert w(cal, "2026-03-29 00:00", "2026-03-30 00:00") == 0
    assert w(cal, "2026-03-22 00:00", "2026-03-23 00:00") == HOUR // 2


def test_lord_howe_moves_its_clocks_by_half_an_hour():
    cal = WorkingCalendar.from_spec(
        calendar_spec("Australia/Lord_Howe", days="sun", hours="01:00-04:00")
    )
    zone = "Australia/Lord_Howe"
    assert w(cal, "2026-10-04 00:00", "2026-10-05 00:00", zone) == 2 * HOUR + HOUR // 2
    assert w(cal, "2026-04-05 00:00", "2026-04-06 00:00", zone) == 3 * HOUR + HOUR // 2


def test_a_date_that_starts_in_a_midnight_gap_starts_when_the_gap_ends():
    zone = "America/Santiago"  # 2026-09-06 00:00 -04 jumps to 01:00 -03
    cal = WorkingCalendar.from_spec(calendar_spec(zone, days="sun", hours="00:00-02:00"))
    assert w(cal, "2026-09-05 12:00", "2026-09-07 00:00", zone) == HOUR
    gap_end = to_us(dt.datetime(2026, 9, 6, 4, tzinfo=dt.UTC))
    assert cal.local_date_ordinal(np.array([gap_end - 1, gap_end])).tolist() == [
        dt.date(2026, 9, 5).toordinal(),
        dt.date(2026, 9, 6).toordinal(),
    ]


def test_an_overnight_interval_runs_into_the_next_day():
    cal = WorkingCalendar.from_spec(calendar_spec(hours="22:00-06:00"))
    assert local(cal, "2026-11-27 00:00", "2026-11-30 12:00") == [
        ("2026-11-27T00:00:00+01:00", "2026-11-27T06:00:00+01:00"),  # Thursday's night
        ("2026-11-27T22:00:00+01:00", "2026-11-28T06:00:00+01:00"),  # Friday's, into Saturday
    ]


def test_a_closed_date_removes_the_intervals_that_open_on_it():
    cal = WorkingCalendar.from_spec(calendar_spec(hours="22:00-06:00", closed=("2026-11-24",)))
    assert w(cal, "2026-11-24 00:00", "2026-11-24 06:00") == 6 * HOUR  # opened Monday
    assert w(cal, "2026-11-24 22:00", "2026-11-25 06:00") == 0


def test_touching_intervals_merge_into_one():
    cal = WorkingCalendar.from_spec(calendar_spec(hours="22:00-06:00, 06:00-10:00"))
    assert local(cal, "2026-11-24 00:00", "2026-11-24 12:00") == [
        ("2026-11-24T00:00:00+01:00", "2026-11-24T10:00:00+01:00")
    ]


def test_24_00_is_the_next_midnight():
    cal = WorkingCalendar.from_spec(calendar_spec(days="sun", hours="00:00-24:00"))
    assert w(cal, "2026-03-29 00:00", "2026-03-30 12:00") == 23 * HOUR
    assert w(cal, "2026-10-25 00:00", "2026-10-26 12:00") == 25 * HOUR


def test_instants_years_outside_the_first_table_work(office):
    mid = np.array([at("2026-06-01 09:00")])
    before = one(office.cumulative(mid))
    reference = ReferenceCalendar(office.spec)
    for a, b in [
        ("1990-01-02 10:00", "1990-01-09 10:00"),
        ("2080-12-20 10:00", "2081-01-05 10:00"),
    ]:
        assert w(office, a, b) == reference.working_time(at(a), at(b))
    assert one(office.cumulative(mid)) == before  # the anchor never moves
    span = w(office, "1990-01-01 00:00", "2080-01-01 00:00")
    assert 90 * 1900 * HOUR < span < 90 * 2100 * HOUR


def test_growing_backwards_keeps_cumulative_values_of_overnight_calendars():
    cal = WorkingCalendar.from_spec(calendar_spec(days="mon tue wed thu fri", hours="22:00-06:00"))
    mid = np.array([at("2026-06-01 09:00")])
    before = one(cal.cumulative(mid))
    a, b = "1990-01-02 10:00", "2026-06-03 10:00"
    assert w(cal, a, b) == ReferenceCalendar(cal.spec).working_time(at(a), at(b))
    assert one(cal.cumulative(mid)) == before


def test_instant_at_grows_the_table_for_far_deadlines(office):
    c = office.cumulative(np.array([at("2026-01-02 08:00")])) + 40 * 2000 * HOUR
    deadline = from_us(one(office.instant_at(c)), BERLIN)
    assert 2064 <= deadline.year <= 2068


def test_local_date_ordinal_follows_the_zone(office):
    t = np.array([to_us(dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.UTC)), at("2026-03-29 03:00")])
    assert office.local_date_ordinal(t).tolist() == [
        dt.date(2026, 11, 28).toordinal(),
        dt.date(2026, 3, 29).toordinal(),
    ]


def bd(cal: WorkingCalendar, start: str, days: int) -> str:
    return from_us(one(cal.business_day_deadline(np.array([at(start)]), days)), BERLIN).isoformat()


def test_business_days_from_a_saturday_start_at_monday(office):
    assert bd(office, "2026-11-28 10:00", 1) == "2026-11-30T17:00:00+01:00"
    assert bd(office, "2026-11-28 10:00", 2) == "2026-12-01T17:00:00+01:00"


def test_business_days_count_from_the_local_date_of_the_start(office):
    assert bd(office, "2026-11-23 07:00", 1) == "2026-11-24T17:00:00+01:00"
    assert bd(office, "2026-11-23 23:59", 3) == "2026-11-26T17:00:00+01:00"
    assert bd(office, "2026-11-23 10:00", 0) == "2026-11-23T10:00:00+01:00"


def test_business_days_skip_holidays_and_closed_dates():
    cal = WorkingCalendar.from_spec(
        calendar_spec(public_holidays="DE-BY", closed=("2026-12-24", "2026-12-31"))
    )
    assert bd(cal, "2026-01-05 10:00", 1) == "2026-01-07T17:00:00+01:00"  # Epiphany
    assert bd(cal, "2026-12-23 10:00", 1) == "2026-12-28T17:00:00+01:00"


def test_a_business_day_closes_with_its_overnight_interval():
    cal = WorkingCalendar.from_spec(calendar_spec(hours="08:00-12:00, 22:00-02:00"))
    assert bd(cal, "2026-11-26 10:00", 1) == "2026-11-28T02:00:00+01:00"


def test_a_date_whose_only_interval_the_spring_gap_swallowed_is_no_business_day():
    # 02:30 moves forward to 03:30 CEST, exactly the close: the interval is empty.
    cal = WorkingCalendar.from_spec(calendar_spec(days="sun mon", hours="02:30-03:30"))
    assert bd(cal, "2026-03-28 10:00", 1) == "2026-03-30T03:30:00+02:00"  # not Sunday 29th
    assert bd(cal, "2026-03-21 10:00", 1) == "2026-03-22T03:30:00+01:00"


def test_far_business_day_deadlines_grow_the_table(office):
    deadline = bd(office, "2026-01-02 10:00", 2500)
    assert deadline.startswith(("2035", "2036"))


@pytest.mark.parametrize(("categories", "working"), [(None, 8 * HOUR), (("public", "catholic"), 0)])
def test_assumption_day_is_a_holiday_in_bavaria_only_with_the_catholic_category(
    categories, working
):
    cal = WorkingCalendar.from_spec(calendar_spec(public_holidays="DE-BY", categories=categories))
    assert w(cal, "2025-08-15 00:00", "2025-08-16 00:00") == working  # a Friday


def test_empty_arrays_need_no_table():
    cal = WorkingCalendar.from_spec(calendar_spec())
    empty = np.empty(0, dtype=np.int64)
    assert cal.working_time(empty, empty).shape == (0,)
    assert cal.instant_at(empty).shape == (0,)
    assert cal.business_day_deadline(empty, 3).shape == (0,)
    assert cal.local_date_ordinal(empty).shape == (0,)


def test_instants_a_calendar_cannot_place_are_refused(office):
    with pytest.raises(ValueError, match="not an instant"):
        office.cumulative(np.array([np.iinfo(np.int64).max]))


def test_a_calendar_without_working_hours_is_refused():
    with pytest.raises(ValueError, match="no working hours"):
        WorkingCalendar.from_spec(calendar_spec(days=""))


def test_no_calendar_means_wall_clock_time():
    cal = working_calendar(None)
    assert isinstance(cal, AlwaysOpen)
    a, b = np.array([10, 50]), np.array([30, 20])
    assert cal.working_time(a, b).tolist() == [20, 0]
    assert cal.intervals_between(5, 9) == [(5, 9)]
    assert isinstance(working_calendar(calendar_spec()), WorkingCalendar)


@given(
    keys=st.sets(st.integers(-(2**50), 2**50), min_size=1, max_size=300),
    queries=st.lists(st.integers(-(2**51), 2**51), min_size=1, max_size=50),
    side=st.sampled_from(["left", "right"]),
)
@settings(max_examples=300, deadline=None)
def test_the_bucket_index_answers_like_searchsorted(keys, queries, side):
    table = np.array(sorted(keys), dtype=np.int64)
    x = np.array(queries + [int(k) + d for k in table[:20] for d in (-1, 0, 1)], dtype=np.int64)
    index = _SortedIndex(table, side)
    assert index(x).tolist() == np.searchsorted(table, x, side).tolist()


def test_a_regular_table_uses_buckets_and_an_irregular_one_falls_back():
    regular = np.arange(0, 10_000 * 3600, 3600, dtype=np.int64) * US
    assert 0 < _SortedIndex(regular, "right").depth <= 2
    clustered = np.concatenate((np.arange(50), 10**15 + np.arange(50))).astype(np.int64)
    assert _SortedIndex(clustered, "right").depth == 0
