"""Agreement YAML is bounded before work starts: size, nesting, what aliases expand to, dates."""

from __future__ import annotations

import json
import time

import pytest
from ruamel.yaml import YAML

from slawatch.agreements import AgreementError, AgreementLimitError, Limits
from slawatch.agreements import template_text as template
from slawatch.agreements.limits import DEFAULT_LIMITS, EARLIEST_DATE, LATEST_DATE, STORED
from slawatch.agreements.parse import parse_agreement
from tests.agreements.support import (
    CALENDARS,
    DEFAULT_OBJECTIVE,
    HEAD,
    SOURCE,
    make,
    objective,
    only_problem,
    parse,
    problems_of,
)


def refusal(text: str, limits: Limits = DEFAULT_LIMITS) -> AgreementLimitError:
    started = time.perf_counter()
    with pytest.raises(AgreementLimitError) as caught:
        parse_agreement(text, source=SOURCE, limits=limits)
    assert time.perf_counter() - started < 5, "a refusal must come before the work"
    return caught.value


def alias_bomb(levels: int, fan_out: int = 9, *, used: bool = True) -> str:
    """Each level names the one below `fan_out` times: fan_out ** levels values, one line each.

    Unless `used`, no field names the last level: the old reader wrote it out only into the
    hint of a field, so a test of a big bomb fails on it without filling the memory.
    """
    lines = [f"a0: &a0 [{', '.join(['x'] * fan_out)}]"]
    for level in range(1, levels):
        names = ", ".join([f"*a{level - 1}"] * fan_out)
        lines.append(f"a{level}: &a{level} [{names}]")
    used_by = f"title: *a{levels - 1}\n" if used else ""
    return "agreement: bomb\n" + "\n".join(lines) + "\n" + used_by


# ---------------------------------------------------------------- aliases


def test_an_alias_bomb_is_refused_before_it_expands_naming_the_limit() -> None:
    error = refusal(alias_bomb(12, used=False))  # 9**12 values: terabytes once written out
    assert error.limit == "nodes"
    problem = error.problems[0]
    assert problem.line is not None and problem.file == SOURCE
    assert "more than 20,000 values" in problem.message
    assert "aliases" in problem.message
    assert "SLAWATCH_MAX_AGREEMENT_NODES" in (problem.hint or "")


def test_nested_aliases_are_never_written_out_in_a_hint() -> None:
    problems = problems_of(alias_bomb(4))  # 6,561 values: within the limit
    title = next(p for p in problems if p.field == "title")
    assert title.message == "must be text, not a list"
    assert len(str(title)) < 200, str(title)


def test_aliases_that_share_calendar_hours_are_read_as_written_out() -> None:
    calendars = """\
calendars:
  office:
    hours: &hours {mon-fri: "09:00-17:00"}
    closed: &closed [2026-12-24, 2026-12-31]
  support:
    hours: *hours
    closed: *closed
    holidays: DE
"""
    agreement = parse(make(calendars=calendars))
    assert agreement.calendars["support"].closed == agreement.calendars["office"].closed
    assert agreement.calendars["support"].hours == agreement.calendars["office"].hours


def test_a_merge_key_shares_an_objective_s_fields() -> None:
    objectives = """\
objectives:
  speed: &speed
    owner: sales
    clock: {start: handed_over, stop: contacted}
    within: 48h
    target: ">= 95%"
  faster:
    <<: *speed
    within: 24h
"""
    agreement = parse(make(objectives=objectives))
    assert str(agreement.objectives["faster"].within) != str(agreement.objectives["speed"].within)
    assert agreement.objectives["faster"].owner == "sales"


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    for text in ("a: &a [x, *a]\n", "a: &a {b: *a}\n"):
        error = refusal(text)
        assert error.limit == "nodes"
        assert "inside its own anchor" in error.problems[0].message


def test_aliases_of_a_long_value_are_bounded_by_the_text_they_expand_to() -> None:
    text = "a: &a " + "x" * 100_000 + "\nb: [" + ", ".join(["*a"] * 50) + "]\n"
    error = refusal(text)
    assert error.limit == "expansion"
    assert "SLAWATCH_MAX_AGREEMENT_BYTES" in (error.problems[0].hint or "")


def test_the_node_limit_is_a_parameter() -> None:
    text = make()
    parse_agreement(text, limits=Limits(max_nodes=200))
    error = refusal(text, Limits(max_nodes=20))
    assert "more than 20 values" in error.problems[0].message
    assert "with its aliases" not in error.problems[0].message  # there are none


# ---------------------------------------------------------------- nesting


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 500 + "]" * 500,
        "a: " + "{a: " * 500 + "}" * 500,
        "a: " + "[" * 200_000,
        "a:\n" + "- " * 100_000 + "x\n",
        "a: " + "[\n" * 500,
        "".join(" " * level + "k:\n" for level in range(200)),
    ],
    ids=["flow-lists", "flow-maps", "unclosed", "block-lists", "list-per-line", "indented"],
)
def test_deep_nesting_is_refused_at_its_line_not_by_a_recursion_error(text: str) -> None:
    error = refusal(text)
    assert error.limit == "depth"
    problem = error.problems[0]
    assert problem.line is not None
    assert problem.message == "values nest more than 32 levels deep here"
    assert "SLAWATCH_MAX_AGREEMENT_DEPTH" in (problem.hint or "")


def test_an_alias_counts_at_the_depth_it_is_used() -> None:
    deep = "[" * 20 + "x" + "]" * 20
    error = refusal(f"a: &a {deep}\nb: {'[' * 20}*a{']' * 20}\n")
    assert (error.limit, error.problems[0].line) == ("depth", 2)


def test_brackets_in_quotes_and_comments_do_not_count_as_nesting() -> None:
    brackets = "[" * 100
    text = make(tail=f"title: '{brackets}'\n# {brackets}\n")
    assert parse(text).title == brackets


def test_an_agreement_written_as_json_on_one_line_is_read() -> None:
    document = YAML(typ="safe").load(template("marketing-sales"))
    text = json.dumps(document, default=str)
    assert text.count("{") > 8 and "\n" not in text
    parsed = parse_agreement(text, limits=Limits(max_depth=8))
    assert parsed.id == "marketing-sales"


# ---------------------------------------------------------------- size


def test_text_over_the_size_limit_is_refused_before_it_is_read() -> None:
    error = refusal(make() + "#" + "x" * 300_000 + "\n")
    assert error.limit == "size"
    problem = error.problems[0]
    assert problem.line is None
    assert problem.message.endswith("over the limit of 262,144 bytes")
    assert "SLAWATCH_MAX_AGREEMENT_BYTES" in (problem.hint or "")


def test_the_size_limit_counts_utf8_bytes_not_characters() -> None:
    text = make(tail="title: " + "ä" * 600 + "\n")
    assert len(text) < 1_500 < len(text.encode())
    parse_agreement(text, limits=Limits(max_bytes=2_000))
    assert refusal(text, Limits(max_bytes=1_500)).limit == "size"


# ---------------------------------------------------------------- the end of the file


@pytest.mark.parametrize("opening", ["[", "{", '"', "'", "[a, {b: "])
def test_a_file_ending_inside_an_open_bracket_or_quote_names_a_line_of_the_file(
    opening: str,
) -> None:
    text = f"agreement: x\ntimezone: UTC\nx: {opening}\n"
    problem = only_problem(text)
    assert problem.line == 3
    assert problem.message.startswith("malformed YAML: the file ends before")
    assert problem.hint == "close it with ], } or the matching quote"


# ---------------------------------------------------------------- values that would not build


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 5000, "is too large"),
        ("0x" + "f" * 40, "is too large"),
        ("9223372036854775808", "is too large"),
        ("!!int abc", '"abc" is not a whole number'),
        ("!!float abc", '"abc" is not a number'),
        ("!!bool maybe", '"maybe" is not true or false'),
        ("!!python/object:os.system x", "the tag !!python/object:os.system is not used"),
        ("!!binary eA==", "the tag !!binary is not used"),
        ("!custom x", "the tag !custom is not used"),
        ('"\\ud800"', "the character U+D800, which cannot be stored"),
        ('"a\\0b"', "the character U+0000, which cannot be stored"),
    ],
)
def test_a_value_that_cannot_be_read_is_a_problem_at_its_line(value: str, message: str) -> None:
    text = make(tail=f"version: {value}\n")
    problem = only_problem(text)
    assert problem.line == text.count("\n")
    assert message in problem.message


def test_the_largest_whole_number_is_read() -> None:
    assert parse(make(tail="version: 9223372036854775807\n")).version == 2**63 - 1


@pytest.mark.parametrize("key", ["? [a, b]\n: 1\n", "? {a: b}\n: 1\n", "[a]: 1\n"])
def test_a_key_must_be_a_name(key: str) -> None:
    problem = only_problem(make(tail=key))
    assert problem.message.startswith("a key must be a name")


def test_a_character_yaml_does_not_allow_is_named_at_its_line() -> None:
    problem = only_problem("agreement: x\ntitle: a\x00b\n")
    assert problem.line == 2
    assert "U+0000" in problem.message


def test_a_percentage_with_a_huge_exponent_is_not_written_out_in_the_hint() -> None:
    text = make(objectives=objective(DEFAULT_OBJECTIVE + 'warn: "1e999999999"\n'))
    problem = only_problem(text)
    assert problem.hint == "write it with %, such as 75%"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("day", ["0001-01-01", "1969-12-31", "2200-01-01", "9999-12-31"])
def test_an_effective_date_out_of_range_is_refused_with_the_range(day: str) -> None:
    text = make(head=HEAD.replace("2026-01-01", day))
    problem = only_problem(text)
    assert (problem.line, problem.field) == (3, "effective")
    assert problem.message == f"{day} is out of range"
    assert problem.hint == (
        "agreements use dates from 1970-01-01 to 2199-12-31; write one in those years"
    )


def test_closed_dates_and_maintenance_windows_are_range_checked() -> None:
    calendars = CALENDARS + "    closed: [2026-12-24, 0001-01-01]\n"
    maintenance = """\
owner: sales
availability:
  down: down
  up: up
  maintenance:
    - {start: "2026-03-01T00:00:00Z", end: "9999-12-31T23:00:00+01:00"}
target: ">= 99.9%"
"""
    text = make(calendars=calendars, objectives=objective(maintenance))
    problems = problems_of(text)
    assert [p.field for p in problems] == [
        "calendars.office.closed[1]",
        "objectives.speed.availability.maintenance[0].end",
    ]
    assert all(p.message.endswith("is out of range") for p in problems)


def test_the_first_and_last_dates_of_the_range_are_read() -> None:
    head = HEAD.replace("2026-01-01", EARLIEST_DATE.isoformat())
    calendars = CALENDARS + f"    closed: [{EARLIEST_DATE}, {LATEST_DATE}]\n"
    agreement = parse(make(head=head, calendars=calendars))
    assert agreement.effective == EARLIEST_DATE
    assert agreement.calendars["office"].closed == frozenset({EARLIEST_DATE, LATEST_DATE})


def test_stored_versions_are_read_without_the_limits() -> None:
    """A version saved before a limit existed (or was lowered) stays readable."""
    text = make(head=HEAD.replace("2026-01-01", "1969-12-31"))
    assert parse_agreement(text, limits=STORED).effective.year == 1969
    with pytest.raises(AgreementError):
        parse(text)
