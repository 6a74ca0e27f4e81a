"""Agreements in words: the phrases a kind's description is made of, and the templates.

Each kind says what it measures (`engine/kinds/`); the words for targets, `where:` and
periods are shared here.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from slawatch.agreements.model import AttributeTest, Comparison, PeriodKind, Target

PERIOD_ADVERBS = {
    PeriodKind.DAY: "daily",
    PeriodKind.WEEK: "weekly",
    PeriodKind.MONTH: "monthly",
    PeriodKind.QUARTER: "quarterly",
    PeriodKind.YEAR: "yearly",
}
# ">=" reads as the plain promise ("95% of items …"); the other operators need a word.
_SHARE_WORDS = {
    Comparison.AT_LEAST: "",
    Comparison.AT_MOST: "at most ",
    Comparison.MORE_THAN: "more than ",
    Comparison.LESS_THAN: "less than ",
}
_COUNT_WORDS = {
    Comparison.AT_LEAST: "at least ",
    Comparison.AT_MOST: "at most ",
    Comparison.MORE_THAN: "more than ",
    Comparison.LESS_THAN: "fewer than ",
}


def share_words(target: Target) -> str:
    """Say a share target: '95%', 'at most 5%'."""
    return f"{_SHARE_WORDS[target.op]}{_number(target.value * 100)}%"  # as formatting writes it


def count_words(target: Target) -> str:
    """Say a count target: 'at least 50', 'fewer than 3'."""
    return f"{_COUNT_WORDS[target.op]}{_number(target.value)}"


def where_words(tests: tuple[AttributeTest, ...]) -> str:
    """Say an objective's `where:` conditions: 'region = EU and score >= 50'."""
    return " and ".join(_test(test) for test in tests)


def _number(value: float) -> str:
    return f"{round(value, 6):g}"


def _test(test: AttributeTest) -> str:
    if test.compare is not None and test.number is not None:
        return f"{test.attribute} {test.compare.value} {_number(test.number)}"
    if len(test.equals) == 1:
        return f"{test.attribute} = {test.equals[0]}"
    return f"{test.attribute} in [{', '.join(test.equals)}]"


def template_names() -> list[str]:
    """List the packaged agreement templates by name (without `.yaml`)."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _templates().iterdir()
        if entry.name.endswith(".yaml")
    )


def template_text(name: str) -> str:
    """Return a packaged template's YAML; raise `ValueError` naming the templates there are."""
    if name not in template_names():
        raise ValueError(f'"{name}" is not a template; choose one of {", ".join(template_names())}')
    return _templates().joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def _templates() -> Traversable:
    return resources.files("slawatch.agreements").joinpath("templates")
