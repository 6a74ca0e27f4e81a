"""Agreements in words: one line per objective, and the packaged templates to start from."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable

from slawatch.agreements.durations import format_duration
from slawatch.agreements.model import (
    Agreement,
    AttributeTest,
    AvailabilityObjective,
    ClockObjective,
    Comparison,
    CountObjective,
    PeriodKind,
    RatioObjective,
    Target,
)

_ADVERBS = {
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


def describe_objective(agreement: Agreement, objective_id: str) -> str:
    """Say in one line what an objective promises, for `slawatch check`.

    e.g. `speed-to-lead (sales): 95% of items from handed_over to contacted within 48h, monthly`
    """
    objective = agreement.objectives[objective_id]
    if isinstance(objective, CountObjective):
        what = f"{_count(objective.target)} items with {objective.count}"
    elif isinstance(objective, ClockObjective):
        clock = objective.clock
        within = objective.within.text or format_duration(objective.within)
        what = f"{_share(objective.target)} of items from {clock.start} to {clock.stop}"
        what += f" within {within}"
        if objective.calendar is not None:
            what += f" on calendar {objective.calendar}"
    elif isinstance(objective, RatioObjective):
        what = f"{_share(objective.target)} of items with {objective.of} also {objective.count}"
    else:
        what = _availability(objective)
    if objective.where:
        what += ", where " + " and ".join(_test(test) for test in objective.where)
    return f"{objective.id} ({objective.owner}): {what}, {_ADVERBS[objective.period]}"


def _availability(objective: AvailabilityObjective) -> str:
    what = f"{_share(objective.target)} available, down from {objective.down} to {objective.up}"
    if objective.calendar is not None:
        what += f" during calendar {objective.calendar}"
    if objective.maintenance:
        count = len(objective.maintenance)
        what += f", {count} maintenance window{'s' if count > 1 else ''} excluded"
    return what


def _share(target: Target) -> str:
    return f"{_SHARE_WORDS[target.op]}{_number(target.value * 100)}%"  # as presentation writes it


def _count(target: Target) -> str:
    return f"{_COUNT_WORDS[target.op]}{_number(target.value)}"


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
