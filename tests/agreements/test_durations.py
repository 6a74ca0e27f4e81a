import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.agreements import DurationError, format_duration, parse_duration
from slawatch.agreements.durations import LONGEST_BUSINESS_DAYS, LONGEST_SECONDS
from slawatch.agreements.model import Duration, DurationUnit


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("24h", 86_400), ("3d", 259_200), ("2w", 1_209_600), ("0h", 0),
     ("1h30m", 5400), ("1h 30m", 5400), ("1d12h", 129_600), ("45s", 45), (" 48h ", 172_800)],
)  # fmt: skip
def test_without_a_calendar_durations_are_wall_seconds(text: str, seconds: int) -> None:
    duration = parse_duration(text, calendar=False)
    assert duration.unit is DurationUnit.WALL
    assert duration.amount == seconds
    assert duration.text == text.strip()


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("8h", 28_800), ("4h30m", 16_200)])
def test_with_a_calendar_minutes_and_hours_are_working_seconds(text: str, seconds: int) -> None:
    duration = parse_duration(text, calendar=True)
    assert duration.unit is DurationUnit.WORKING
    assert duration.amount == seconds


def test_with_a_calendar_bd_counts_business_days() -> None:
    duration = parse_duration("3bd", calendar=True)
    assert (duration.unit, duration.amount, duration.text) == (DurationUnit.BUSINESS_DAYS, 3, "3bd")
    with pytest.raises(ValueError, match="no fixed length"):
        _ = duration.seconds


def test_business_days_without_a_calendar_are_refused_with_a_hint() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("3bd", calendar=False)
    assert caught.value.message == '"3bd" counts business days, which need a calendar'
    assert "calendar:" in caught.value.hint
    assert "3d" in caught.value.hint


@pytest.mark.parametrize(("text", "suggested"), [("3d", "3bd"), ("2w", "14bd"), ("1d4h", "1bd")])
def test_days_and_weeks_on_a_calendar_are_refused_with_a_hint(text: str, suggested: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text, calendar=True)
    assert "ambiguous in working time" in caught.value.message
    assert suggested in caught.value.hint


@pytest.mark.parametrize(
    ("text", "calendar", "hint"),
    [
        ("48 hours", False, "write 48h"),
        ("48 H", False, "write 48h"),
        ("48H", False, "write 48h"),
        ("30 minutes", True, "write 30m"),
        ("2 days", False, "write 2d"),
        ("2 Tage", False, "write 2d"),
        ("3 Werktage", True, "write 3bd"),
        ("5 business days", True, "write 5bd"),
        ("1.5h", False, "write 1h30m"),
        ("1,5 Stunden", True, "write 1h30m"),
        ("2.5 days", False, "write 2d12h"),
    ],
)
def test_near_misses_suggest_the_spelling_meant(text: str, calendar: bool, hint: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text, calendar=calendar)
    assert caught.value.message == f'"{text}" is not a duration'
    assert caught.value.hint == hint
    assert str(caught.value) == f'"{text}" is not a duration; {hint}'


@pytest.mark.parametrize(
    ("text", "hint_part"),
    [
        ("48", "add a unit"),
        ("", "write a number and a unit"),
        ("soon", "write a number and a unit"),
        ("-5h", "cannot be negative"),
        ("3 fortnights", "use one of the units"),
        ("0.5bd", "whole days"),
        ("0.5s", "whole minutes"),
    ],
)
def test_non_durations_are_refused_with_a_hint(text: str, hint_part: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration|needs") as caught:
        parse_duration(text, calendar=True)
    assert hint_part in str(caught.value)


def test_a_business_day_near_miss_without_calendar_repeats_the_calendar_hint() -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration("3 business days", calendar=False)
    assert caught.value.message == '"3 business days" is not a duration'
    assert "calendar" in caught.value.hint


def test_units_out_of_order_or_repeated_are_refused_with_the_canonical_form() -> None:
    with pytest.raises(DurationError, match="write the largest unit first, each once: 1h30m"):
        parse_duration("30m1h", calendar=False)
    with pytest.raises(DurationError, match="each once: 2h"):
        parse_duration("1h1h", calendar=True)


def test_business_days_do_not_mix_with_other_units() -> None:
    with pytest.raises(DurationError, match="mixes business days"):
        parse_duration("1bd4h", calendar=True)


@pytest.mark.parametrize(
    ("unit", "amount", "text"),
    [
        (DurationUnit.WALL, 0, "0h"),
        (DurationUnit.WALL, 1800, "30m"),
        (DurationUnit.WALL, 172_800, "2d"),
        (DurationUnit.WALL, 129_600, "1d12h"),
        (DurationUnit.WALL, 1_209_600, "2w"),
        (DurationUnit.WALL, 5445, "1h30m45s"),
        (DurationUnit.WORKING, 172_800, "48h"),
        (DurationUnit.WORKING, 5400, "1h30m"),
        (DurationUnit.BUSINESS_DAYS, 3, "3bd"),
    ],
)
def test_format_duration_writes_the_canonical_form(
    unit: DurationUnit, amount: int, text: str
) -> None:
    assert format_duration(Duration(unit=unit, amount=amount, text="whatever")) == text


@given(
    st.sampled_from([DurationUnit.WALL, DurationUnit.WORKING, DurationUnit.BUSINESS_DAYS]),
    st.integers(min_value=0, max_value=10**8),
)
def test_format_duration_reads_back_to_the_same_duration(unit: DurationUnit, amount: int) -> None:
    if unit is DurationUnit.BUSINESS_DAYS:
        amount = min(amount, LONGEST_BUSINESS_DAYS)
    duration = Duration(unit=unit, amount=amount, text="")
    again = parse_duration(format_duration(duration), calendar=unit is not DurationUnit.WALL)
    assert (again.unit, again.amount) == (unit, amount)


@pytest.mark.parametrize(
    ("text", "calendar"),
    [
        ("3661d", False),
        ("87841h", True),
        ("2611bd", True),
        ("1000000000000d", False),
        ("9" * 5000 + "h", False),
    ],
)
def test_a_duration_longer_than_ten_years_is_refused(text: str, calendar: bool) -> None:
    with pytest.raises(DurationError) as refused:
        parse_duration(text, calendar=calendar)
    assert refused.value.message.endswith("is longer than ten years")
    assert refused.value.hint == "write at most 3660d, 87840h or 2610bd"


def test_ten_years_and_thousands_of_leading_zeros_are_read() -> None:
    assert parse_duration("3660d", calendar=False).amount == LONGEST_SECONDS
    assert parse_duration("2610bd", calendar=True).amount == LONGEST_BUSINESS_DAYS
    assert parse_duration("1h" + "0" * 5000 + "m", calendar=False).amount == 3_600
