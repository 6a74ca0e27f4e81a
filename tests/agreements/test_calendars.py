import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.agreements.model import Calendar, HolidaySource, Interval
from tests.agreements.support import line_of, make, only_problem, parse, problems_of

H = 3600


def calendar(body: str) -> str:
    return "calendars:\n  office:\n" + "".join(f"    {line}\n" for line in body.splitlines())


def office(body: str) -> Calendar:
    return parse(make(calendars=calendar(body))).calendars["office"]


def hours_of(spec: str) -> tuple[tuple[Interval, ...], ...]:
    return office(f"hours: {spec}").hours


def iv(start: float, end: float) -> Interval:
    return Interval(start=int(start * H), end=int(end * H))


def test_a_calendar_defaults_to_the_agreement_time_zone_and_may_have_its_own() -> None:
    assert office('hours: {mon: "09:00-17:00"}').timezone == "Europe/Berlin"
    assert office('timezone: America/New_York\nhours: {mon: "09:00-17:00"}').timezone == (
        "America/New_York"
    )


def test_a_range_of_days_and_a_comma_list_get_the_same_hours() -> None:
    hours = hours_of('{mon-wed: "08:00-12:00, 13:00-17:00", "thu,sat": "09:00-10:00"}')
    two = (iv(8, 12), iv(13, 17))
    assert hours == (two, two, two, (iv(9, 10),), (), (iv(9, 10),), ())


def test_a_range_may_wrap_over_the_weekend() -> None:
    hours = hours_of('{fri-mon: "10:00-14:00"}')
    assert [bool(day) for day in hours] == [True, False, False, False, True, True, True]


def test_day_names_are_case_insensitive_and_ranges_tolerate_spaces() -> None:
    hours = hours_of('{"Mon - Tue": "10:00-14:00"}')
    assert [bool(day) for day in hours] == [True, True, False, False, False, False, False]


def test_intervals_may_be_a_yaml_list_and_come_out_sorted() -> None:
    hours = office('hours:\n  mon: ["13:00-17:00", "08:00-12:00"]').hours
    assert hours[0] == (iv(8, 12), iv(13, 17))


def test_an_empty_day_is_closed() -> None:
    hours = hours_of('{mon: "09:00-17:00", sat: "", sun: []}')
    assert hours[5:] == ((), ())


def test_several_intervals_a_day_as_in_the_it_template() -> None:
    hours = hours_of('{mon-fri: "07:30-12:00, 12:30-16:30, 17:00-19:00"}')
    assert hours[0] == (iv(7.5, 12), iv(12.5, 16.5), iv(17, 19))


def test_an_overnight_interval_runs_into_the_next_day() -> None:
    hours = hours_of('{mon-fri: "22:00-06:00"}')
    assert hours[0] == (Interval(start=79_200, end=108_000),)


def test_24_00_is_the_next_midnight_and_a_whole_day_can_be_written_two_ways() -> None:
    assert hours_of('{mon: "18:00-24:00"}')[0] == (iv(18, 24),)
    assert hours_of('{mon: "00:00-24:00"}')[0] == (iv(0, 24),)
    assert hours_of('{mon: "00:00-00:00"}')[0] == (iv(0, 24),)


def test_single_digit_hours_are_accepted() -> None:
    assert hours_of('{mon: "8:00-12:00"}')[0] == (iv(8, 12),)


def test_touching_intervals_do_not_overlap() -> None:
    assert hours_of('{mon: "08:00-12:00, 12:00-13:00"}')[0] == (iv(8, 12), iv(12, 13))


def test_overlapping_intervals_on_one_day_are_refused() -> None:
    text = make(calendars=calendar('hours: {mon-fri: "08:00-12:00, 11:00-13:00"}'))
    problem = only_problem(text)
    assert problem.field == "calendars.office.hours.mon-fri"
    assert problem.line == line_of(text, "11:00-13:00")
    assert problem.message == "08:00-12:00 and 11:00-13:00 overlap"


def test_an_overnight_interval_that_runs_into_the_next_days_hours_is_refused() -> None:
    problem = only_problem(
        make(calendars=calendar('hours: {mon: "22:00-06:00", tue: "05:00-09:00"}'))
    )
    assert problem.message == "mon 22:00-06:00 runs into tue 05:00-09:00"
    assert problem.hint == "close the overnight interval before the next day opens"


def test_sunday_night_runs_into_monday() -> None:
    problem = only_problem(
        make(calendars=calendar('hours: {mon: "05:00-09:00", sun: "23:00-07:00"}'))
    )
    assert problem.message == "sun 23:00-07:00 runs into mon 05:00-09:00"


def test_a_day_named_twice_is_refused() -> None:
    text = make(calendars=calendar('hours: {mon-fri: "08:00-12:00", fri: "08:00-14:00"}'))
    problem = only_problem(text)
    assert problem.field == "calendars.office.hours.fri"
    assert problem.message == 'fri is named twice (in "mon-fri" and "fri")'


def test_a_day_named_twice_in_one_spec_is_refused() -> None:
    problem = only_problem(make(calendars=calendar('hours: {"mon-wed,tue": "08:00-12:00"}')))
    assert problem.message == 'tue is named twice in "mon-wed,tue"'


@pytest.mark.parametrize(
    ("spec", "hint"),
    [
        ("monday", "write mon"),
        ("Montag", "write mon"),
        ("di", "write tue"),
        ("mno", "did you mean mon?"),
        ("holiday", "days: fri, mon, sat, sun, thu, tue, wed"),
    ],
)
def test_an_unknown_day_gets_a_hint(spec: str, hint: str) -> None:
    problem = only_problem(make(calendars=calendar(f'hours: {{{spec}: "08:00-12:00"}}')))
    assert problem.field == f"calendars.office.hours.{spec}"
    assert problem.message == f'"{spec.casefold()}" is not a day'
    assert problem.hint is not None
    assert problem.hint.startswith(hint)


def test_a_range_from_a_day_to_itself_is_refused() -> None:
    problem = only_problem(make(calendars=calendar('hours: {mon-mon: "08:00-12:00"}')))
    assert problem.hint == "write mon"


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ("8-12", '"8-12" is not a working interval'),
        ("08:00 to 12:00", '"08:00 to 12:00" is not a working interval'),
        ("08:00–12:00", '"08:00–12:00" is not a working interval'),
        ("25:00-26:00", '"25:00" in "25:00-26:00" is not a time of day'),
        ("08:60-12:00", '"08:60" in "08:60-12:00" is not a time of day'),
        ("24:30-01:00", '"24:30" in "24:30-01:00" is not a time of day'),
        ("24:00-06:00", '"24:00-06:00" opens at 24:00'),
    ],
)
def test_a_malformed_interval_is_refused(interval: str, message: str) -> None:
    problem = only_problem(make(calendars=calendar(f'hours: {{mon: "{interval}"}}')))
    assert problem.field == "calendars.office.hours.mon"
    assert problem.message == message
    assert problem.hint


def test_an_en_dash_gets_a_hint_to_use_a_hyphen() -> None:
    problem = only_problem(make(calendars=calendar('hours: {mon: "08:00–12:00"}')))
    assert problem.hint == "use a plain hyphen: 08:00-12:00"


def test_a_calendar_without_any_working_time_is_refused() -> None:
    problem = only_problem(make(calendars=calendar('hours: {sat: "", sun: []}')))
    assert (problem.field, problem.message) == (
        "calendars.office.hours",
        "has no working hours at all",
    )


def test_a_calendar_needs_hours() -> None:
    problem = only_problem(make(calendars=calendar("holidays: DE")))
    assert (problem.field, problem.message) == ("calendars.office.hours", "is required but missing")


def test_unknown_calendar_keys_get_a_did_you_mean() -> None:
    problem = only_problem(make(calendars=calendar('hours: {mon: "09:00-17:00"}\nholiday: DE')))
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean holidays?")


def test_a_calendar_id_must_be_lowercase() -> None:
    text = make(calendars='calendars:\n  Office_Hours:\n    hours: {mon: "09:00-17:00"}\n')
    problem = only_problem(text)
    assert problem.hint == "use lowercase letters, digits and dashes, such as office-hours"


# ---------------------------------------------------------------- holidays and closed dates


@pytest.mark.parametrize(
    ("spec", "source"),
    [
        ("DE-BY", HolidaySource(country="DE", subdivision="BY")),
        ("US", HolidaySource(country="US")),
        ("de-by", HolidaySource(country="DE", subdivision="BY")),
        (
            "{country: DE, subdivision: BY, categories: [public, catholic]}",
            HolidaySource(country="DE", subdivision="BY", categories=("public", "catholic")),
        ),
        ("{country: AT, categories: public}", HolidaySource(country="AT", categories=("public",))),
    ],
)
def test_holidays_are_a_code_or_a_mapping(spec: str, source: HolidaySource) -> None:
    assert office(f'hours: {{mon: "09:00-17:00"}}\nholidays: {spec}').holidays == source


@pytest.mark.parametrize(
    ("spec", "message", "hint"),
    [
        ("XX", '"XX" is not a country the holidays package knows', "write an ISO 3166 code"),
        ("DEU", '"DEU" is not a two-letter country code', "write DE"),
        ("DE-BX", '"BX" is not a subdivision of DE', "subdivisions of DE: Augsburg, BB, BE"),
        ("DE-Bayrn", '"Bayrn" is not a subdivision of DE', "did you mean BY (Bayern)?"),
        ("DE-Bayern", '"Bayern" is not a subdivision of DE', "write BY"),
        (
            "{country: DE, categories: [public, catolic]}",
            '"catolic" is not a holiday category of DE',
            "did you mean catholic?",
        ),
        ("{country: DE, categories: []}", "lists no categories", "leave categories out"),
        ("{country: DE, region: BY}", 'unknown key "region"', "known keys: country"),
        ("{subdivision: BY}", "is required but missing", None),
    ],
)
def test_holidays_are_validated_against_the_holidays_package(
    spec: str, message: str, hint: str | None
) -> None:
    problems = problems_of(
        make(calendars=calendar(f'hours: {{mon: "09:00-17:00"}}\nholidays: {spec}'))
    )
    assert len(problems) == 1, problems
    assert problems[0].field.startswith("calendars.office.holidays")
    assert problems[0].message == message
    if hint is not None:
        assert problems[0].hint is not None
        assert hint in problems[0].hint


def test_closed_dates_are_read() -> None:
    closed = office('hours: {mon: "09:00-17:00"}\nclosed: [2026-12-24, "2026-12-31"]').closed
    assert closed == frozenset({dt.date(2026, 12, 24), dt.date(2026, 12, 31)})


def test_a_bad_closed_date_is_reported_with_its_index() -> None:
    text = make(
        calendars=calendar('hours: {mon: "09:00-17:00"}\nclosed:\n  - 2026-12-24\n  - 2026-12-32')
    )
    problem = only_problem(text)
    assert problem.field == "calendars.office.closed[1]"
    assert problem.line == line_of(text, "2026-12-32")


@pytest.mark.parametrize(
    ("hours", "field"), [("{mon: 8}", "hours.mon"), ("{mon: [8]}", "hours.mon[0]")]
)
def test_hours_that_are_not_text_are_refused_with_a_hint(hours: str, field: str) -> None:
    problem = only_problem(make(calendars=calendar(f"hours: {hours}")))
    assert problem.field == f"calendars.office.{field}"
    assert problem.hint is not None


@given(
    st.lists(st.integers(min_value=0, max_value=24 * 60), min_size=2, max_size=12, unique=True).map(
        sorted
    )
)
def test_any_disjoint_intervals_read_back_exactly(minutes: list[int]) -> None:
    pairs = list(zip(minutes[0::2], minutes[1::2], strict=False))
    text = ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in pairs)
    hours = hours_of(f'{{mon: "{text}"}}')
    assert hours[0] == tuple(Interval(start=a * 60, end=b * 60) for a, b in pairs)
