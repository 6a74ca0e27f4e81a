"""Build small agreements for tests and read back the problems they produce."""

from __future__ import annotations

import textwrap

import pytest

from slawatch.agreements import AgreementError, Problem
from slawatch.agreements.model import Agreement
from slawatch.agreements.parse import parse_agreement

SOURCE = "test.yaml"

HEAD = """\
agreement: test
timezone: Europe/Berlin
effective: 2026-01-01
"""

PARTIES = """\
parties:
  sales: {name: Sales}
  marketing: {name: Marketing}
"""

CALENDARS = """\
calendars:
  office:
    hours: {mon-fri: "09:00-17:00"}
"""

DEFAULT_OBJECTIVE = """\
owner: sales
clock: {start: handed_over, stop: contacted}
within: 48h
target: ">= 95%"
"""


def objective(body: str = DEFAULT_OBJECTIVE, *, name: str = "speed") -> str:
    """An objectives section with one objective whose body is YAML at column 0."""
    return f"objectives:\n  {name}:\n" + textwrap.indent(textwrap.dedent(body), "    ")


def make(
    *,
    head: str = HEAD,
    parties: str = PARTIES,
    calendars: str = CALENDARS,
    objectives: str | None = None,
    tail: str = "",
) -> str:
    return head + parties + calendars + (objectives or objective()) + textwrap.dedent(tail)


def parse(text: str) -> Agreement:
    return parse_agreement(text, source=SOURCE)


def problems_of(text: str) -> tuple[Problem, ...]:
    with pytest.raises(AgreementError) as caught:
        parse_agreement(text, source=SOURCE)
    return caught.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def line_of(text: str, fragment: str) -> int:
    """1-based number of the first line containing `fragment`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in text")
