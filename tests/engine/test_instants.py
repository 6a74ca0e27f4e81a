"""The one grammar of instants: ISO 8601, a zone for local times, bare dates, the range."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.engine.instants import (
    ACCEPTED_FORMS,
    LATEST,
    InstantError,
    read_instant,
    read_instants,
    read_moment,
    to_us,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-05T07:30:00Z", dt.datetime(2026, 10, 5, 7, 30, tzinfo=dt.UTC)),
        ("2026-10-05T07:30:00z", dt.datetime(2026, 10, 5, 7, 30, tzinfo=dt.UTC)),
        ("2026-10-05T09:30:00+02:00", dt.datetime(2026, 10, 5, 7, 30, tzinfo=dt.UTC)),
        ("2026-10-05 09:30:00.250+02:00", dt.datetime(2026, 10, 5, 7, 30, 0, 250_000, dt.UTC)),
    ],
)
def test_an_instant_with_an_offset_needs_no_zone(text: str, expected: dt.datetime) -> None:
    assert read_instant(text) == to_us(expected)


def test_a_local_time_is_placed_in_the_zone_and_a_date_at_its_midnight() -> None:
    assert read_instant("2026-10-05T09:30", BERLIN) == to_us(
        dt.datetime(2026, 10, 5, 7, 30, tzinfo=dt.UTC)
    )
    assert read_instant("2026-10-05", BERLIN) == to_us(
        dt.datetime(2026, 10, 4, 22, 0, tzinfo=dt.UTC)
    )
    assert read_instant("2026-10-05", BERLIN, date_zone=dt.UTC) == to_us(
        dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
    )


def test_a_wall_time_in_the_spring_gap_moves_forward() -> None:
    assert read_moment("2026-03-29T02:30", BERLIN).astimezone(dt.UTC).hour == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("yesterday", "form"),
        ("", "form"),
        ("2026-13-01T00:00:00Z", "form"),
        ("2026-10-05", "date"),
        ("2026-10-05T09:30", "offset"),
        ("1969-12-31T23:59:59Z", "range"),
        ("2200-01-02T00:00:00.000001Z", "range"),
    ],
)
def test_what_is_wrong_with_a_text_is_named(text: str, problem: str) -> None:
    with pytest.raises(InstantError) as caught:
        read_instant(text)
    assert caught.value.problem == problem


def test_a_text_that_is_no_instant_is_told_the_accepted_forms() -> None:
    with pytest.raises(InstantError, match="is not an instant") as caught:
        read_instant("soon")
    assert ACCEPTED_FORMS in str(caught.value)


def test_a_local_time_without_a_zone_keeps_what_was_read_for_a_suggestion() -> None:
    with pytest.raises(InstantError) as caught:
        read_moment("2026-03-07T22:00")
    assert caught.value.moment == dt.datetime(2026, 3, 7, 22, 0)


def test_the_last_instant_of_the_range_is_accepted() -> None:
    assert read_instant("2200-01-02T00:00:00Z") == LATEST


instant_texts = st.one_of(
    st.sampled_from(
        [
            "2026-10-05T07:30:00Z",
            "2026-10-05T07:30:00z",
            "2026-10-05T09:30:00.5+02:00",
            "2026-10-05",
            "2026-10-05T09:30",
            "1969-12-31T23:59:59Z",
            "2200-01-02T00:00:00Z",
            "2200-01-02T00:00:00.000001Z",
            "soon",
        ]
    ),
    st.datetimes(
        dt.datetime(1960, 1, 1),
        dt.datetime(2210, 1, 1),
        timezones=st.sampled_from([dt.UTC, BERLIN]),
    ).map(dt.datetime.isoformat),
)


@given(st.lists(instant_texts, max_size=8))
def test_a_batch_of_instants_is_read_by_the_same_rule_as_each_one(texts: list[str]) -> None:
    def one_by_one() -> list[int] | str:
        try:
            return [read_instant(text) for text in texts]
        except InstantError as error:
            return str(error)

    try:
        batch: list[int] | str = read_instants(texts)
    except InstantError as error:
        batch = str(error)
    assert batch == one_by_one()
