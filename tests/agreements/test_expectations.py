import pytest

from slawatch.agreements.model import DurationUnit
from tests.agreements.support import line_of, make, only_problem, parse


def with_expect(body: str) -> str:
    return make(tail=f"expect:\n{body}")


def test_an_expectation_on_a_calendar_counts_working_time() -> None:
    agreement = parse(with_expect("  handed_over: {every: 4h, calendar: office}\n"))
    expectation = agreement.expect["handed_over"]
    assert expectation.every.unit is DurationUnit.WORKING
    assert expectation.every.amount == 4 * 3600
    assert expectation.calendar == "office"


def test_a_duration_alone_is_wall_time() -> None:
    agreement = parse(with_expect("  request_opened: 1d\n  contacted: {every: 2h}\n"))
    assert agreement.expect["request_opened"].every.unit is DurationUnit.WALL
    assert agreement.expect["request_opened"].calendar is None
    assert agreement.expect["contacted"].every.amount == 7200


def test_business_days_need_the_calendar() -> None:
    agreement = parse(with_expect("  handed_over: {every: 1bd, calendar: office}\n"))
    assert agreement.expect["handed_over"].every.unit is DurationUnit.BUSINESS_DAYS
    problem = only_problem(with_expect("  handed_over: {every: 1bd}\n"))
    assert problem.field == "expect.handed_over.every"
    assert "need a calendar" in problem.message


def test_an_agreement_without_the_section_expects_nothing() -> None:
    assert parse(make()).expect == {}
    assert parse(make(tail="expect:\n")).expect == {}


def test_an_expected_type_no_objective_uses_is_allowed() -> None:
    assert "invoice_sent" in parse(with_expect("  invoice_sent: 1d\n")).expect


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ("  Handed-Over: 4h\n", "expect.Handed-Over", "is not a valid event type"),
        ("  handed_over: {every: 2d, calendar: office}\n", "expect.handed_over.every", "days"),
        ("  handed_over: {every: 0h}\n", "expect.handed_over.every", "every instant"),
        ("  handed_over: {every: 4h, often: 2}\n", "expect.handed_over.often", "unknown key"),
        ("  handed_over: {every: 4h, calendar: home}\n", "expect.handed_over.calendar", "home"),
        ("  handed_over: {calendar: office}\n", "expect.handed_over.every", "missing"),
        ("  handed_over: 4 hours\n", "expect.handed_over", "is not a duration"),
        ("  handed_over: [4h]\n", "expect.handed_over", "needs a duration"),
    ],
)
def test_each_mistake_names_its_field_and_line(body: str, field: str, fragment: str) -> None:
    text = with_expect(body)
    problem = only_problem(text)
    assert problem.field == field
    assert fragment in problem.message
    assert problem.line == line_of(text, "expect:") + 1


def test_the_section_must_be_a_mapping() -> None:
    problem = only_problem(make(tail="expect: [handed_over]\n"))
    assert problem.field == "expect"
    assert "handed_over: {every: 4h, calendar: office}" in (problem.hint or "")
