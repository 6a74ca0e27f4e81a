"""Compare an objective's period with its own history, and find industry figures that fit it.

History comparisons take the stored `evaluate` JSON of an objective's periods and set the
current period beside the previous one, the trailing 3 and 12 periods and the same period a
year earlier. Averages over several periods are pooled where the parts are known, so a quiet
month weighs less than a busy one: ratios as Σ numerator / Σ denominator, clocks as
Σ met / Σ (met + breached), availability as 1 − Σ downtime / Σ eligible time. Counts (and
anything without its parts) take the plain mean of the periods' values.

Industry references are external figures (studies, surveys) shipped in
`data/industry-references.yaml`; an admin may override an entry, and the override replaces the
shipped entry of the same key. An entry names what it applies to (objective id patterns, or
the kind and events of an objective), so templates' objectives find their references without
configuration. Everything here is pure: no database, no clock; the shipped file is read once.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from ruamel.yaml import YAML

from slawatch.agreements.model import Agreement
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.kinds.ratio import RatioObjective
from slawatch.engine.periods import earlier_label, year_ago_label
from slawatch.engine.results import ObjectiveResult
from slawatch.formatting import (
    HOUR,
    Measured,
    duration_text,
    is_share,
    number_text,
    share_text,
)
from slawatch.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Translator

Method = Literal["pooled", "mean"]
Unit = Literal["percent", "hours", "minutes", "count"]
Kind = Literal["count", "clock", "ratio", "availability"]
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TEXT_FIELDS = ("title", "measure", "note")
REFERENCES_FILE = "industry-references.yaml"
LARGEST_FIGURE = 1_000_000_000

# ---------------------------------------------------------------------------------------------
# History comparisons


@dataclass(frozen=True)
class Average:
    """A figure from earlier periods: its value, how it was made and from which periods."""

    value: float | None
    method: Method
    labels: tuple[str, ...]  # the periods asked for
    periods: int  # how many of them had a value


@dataclass(frozen=True)
class Comparison:
    """One period of an objective beside its previous period, trailing averages, a year ago."""

    period: str
    kind: str
    value: float | None
    previous: Average
    trailing_3: Average
    trailing_12: Average
    year_ago: Average

    @property
    def change(self) -> float | None:
        """The difference to the previous period (a share's in fractions: 0.021 = 2.1 pp)."""
        if self.value is None or self.previous.value is None:
            return None
        return self.value - self.previous.value


def average(objectives: Sequence[ObjectiveResult], labels: tuple[str, ...] = ()) -> Average:
    """Average periods of one objective: pooled if every period carries its parts, else mean."""
    values = [o.value for o in objectives if o.value is not None and math.isfinite(o.value)]
    parts = [o.parts for o in objectives]
    if objectives and all(p is not None for p in parts):
        hits = sum(p[0] for p in parts if p is not None)
        base = sum(p[1] for p in parts if p is not None)
        value = hits / base if base > 0 else None
        return Average(value, "pooled", labels, len(values))
    value = sum(values) / len(values) if values else None
    return Average(value, "mean", labels, len(values))


def objective_history(
    periods: Iterable[tuple[str, Sequence[ObjectiveResult]]], objective_id: str
) -> list[tuple[str, ObjectiveResult]]:
    """Pick one objective out of stored periods: (label, the period's results)."""
    return [
        (label, result)
        for label, results in periods
        for result in results
        if result.objective == objective_id
    ]


def compare(history: Sequence[tuple[str, ObjectiveResult]]) -> Comparison:
    """Compare the last period of `history` ((label, result), any order) with the rest.

    Earlier periods are found by their labels, so a missing period counts as no data rather
    than shifting the window.
    """
    if not history:
        raise ValueError("compare needs at least the period to compare")
    by_label = dict(history)
    label, current = history[-1]

    def over(labels: tuple[str, ...]) -> Average:
        return average([by_label[x] for x in labels if x in by_label], labels)

    earlier = tuple(earlier_label(label, steps) for steps in range(1, 13))
    ago = year_ago_label(label)
    value = current.value
    return Comparison(
        period=label,
        kind=current.kind,
        value=value if value is not None and math.isfinite(value) else None,
        previous=over(earlier[:1]),
        trailing_3=over(earlier[:3]),
        trailing_12=over(earlier),
        year_ago=over((ago,) if ago is not None else ()),
    )


def change_text(objective: Measured, change: float | None, t: Translator) -> str:
    """Say how much a value moved: '▲ +2.1 pp' for shares, '▼ −3' for counts, '±0'."""
    if change is None:
        return "–"
    share = is_share(objective)
    amount = change * 100 if share else change
    digits = 1
    if round(amount, digits) == 0:
        shown = number_text(0, t, digits)
        return t.gettext("±%(points)s pp", points=shown) if share else f"±{shown}"
    arrow, sign = ("▲", "+") if amount > 0 else ("▼", "−")
    shown = sign + number_text(abs(amount), t, digits)
    if share:
        shown = t.gettext("%(points)s pp", points=shown)
    return f"{arrow} {shown}"


def improved(objective: ObjectiveResult, change: float | None) -> bool | None:
    """Tell whether a change is for the better (by the target's direction); None if no change."""
    if change is None or change == 0:
        return None
    return (change > 0) == objective.op.higher_is_better


# ---------------------------------------------------------------------------------------------
# Industry references


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class ReferenceProblemError(ValueError):
    """Why a reference cannot stand, in words a page can translate: a template and its values."""

    def __init__(self, template: str, **values: object) -> None:
        super().__init__(template % values)
        self.template = template
        self.values = values


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Figure(_Model):
    """An external figure: one value or a band from low to high, in a unit."""

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: Unit

    @model_validator(mode="after")
    def _one_value_or_a_band(self) -> Figure:
        numbers = [n for n in (self.value, self.low, self.high) if n is not None]
        if any(not math.isfinite(n) or not 0 <= n <= LARGEST_FIGURE for n in numbers):
            raise ReferenceProblemError(
                N_("figures are numbers from 0 to %(largest)s"), largest=f"{LARGEST_FIGURE:,}"
            )
        if self.unit == "percent" and any(n > 100 for n in numbers):
            raise ReferenceProblemError(N_("a percentage is at most 100"))
        band = self.low is not None or self.high is not None
        if self.value is not None and band:
            raise ReferenceProblemError(N_("give either value or low and high, not both"))
        if self.value is None and (self.low is None or self.high is None):
            raise ReferenceProblemError(N_("give a value, or both low and high for a band"))
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ReferenceProblemError(
                N_("low (%(low)s) is above high (%(high)s)"),
                low=f"{self.low:g}",
                high=f"{self.high:g}",
            )
        return self


class Source(_Model):
    """Where a figure comes from, so a reader can look it up."""

    author: str = Field(min_length=1, max_length=300)
    title: str = Field(min_length=1, max_length=300)
    publication: str = Field(min_length=1, max_length=300)
    year: int = Field(ge=1900, le=2100)
    url: str = Field(min_length=10, max_length=500)

    @field_validator("url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            raise ReferenceProblemError(
                N_("the url must be a web address starting with https:// or http://")
            )
        return url


class Match(_Model):
    """One way a reference applies: every condition given must hold for the objective."""

    objectives: tuple[str, ...] = ()  # glob patterns on objective ids: "speed-to-lead*"
    kind: Kind | None = None
    start: tuple[str, ...] = ()  # a clock's start event is one of these
    stop: tuple[str, ...] = ()  # a clock's stop event is one of these
    count: tuple[str, ...] = ()  # a ratio counts one of these events
    of: tuple[str, ...] = ()  # … of one of these

    @model_validator(mode="after")
    def _some_condition(self) -> Match:
        if not (self.objectives or self.kind or self.start or self.stop or self.count or self.of):
            raise ValueError("name objective patterns, a kind or events to match")
        return self

    def matches(self, objective_id: str, objective: Any) -> bool:
        if self.objectives and not any(
            fnmatch.fnmatchcase(objective_id, p) for p in self.objectives
        ):
            return False
        if self.kind is not None and getattr(objective, "kind", None) != self.kind:
            return False
        if self.start or self.stop:
            if not isinstance(objective, ClockObjective):
                return False
            if self.start and objective.clock.start not in self.start:
                return False
            if self.stop and objective.clock.stop not in self.stop:
                return False
        if self.count or self.of:
            if not isinstance(objective, RatioObjective):
                return False
            if self.count and objective.count not in self.count:
                return False
            if self.of and objective.of not in self.of:
                return False
        return True


class Texts(_Model):
    title: str | None = Field(default=None, max_length=300)
    measure: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=4000)


class Reference(_Model):
    """An industry reference figure: what it measures, what it applies to and its source."""

    key: str = Field(min_length=1, max_length=100, pattern=KEY_PATTERN)
    title: str = Field(min_length=1, max_length=300)
    measure: str = Field(min_length=1, max_length=300)  # what the figure is a figure of
    applies_to: tuple[Match, ...] = Field(min_length=1)
    figure: Figure
    source: Source
    note: str = Field(default="", max_length=4000)
    translations: dict[str, Texts] = {}  # language → texts in it, e.g. {"de": {...}}

    @field_validator("translations")
    @classmethod
    def _known_languages(cls, translations: dict[str, Texts]) -> dict[str, Texts]:
        unknown = sorted(set(translations) - (set(LANGUAGES) - {DEFAULT_LANGUAGE}))
        if unknown:
            raise ValueError(f"translations are for {', '.join(LANGUAGES[1:])}, not {unknown}")
        return translations

    @model_validator(mode="after")
    def _no_nul_characters(self) -> Reference:
        if _has_nul(self.model_dump()):
            raise ReferenceProblemError(N_("texts may not contain NUL characters"))
        return self

    def applies(self, objective_id: str, objective: Any) -> bool:
        return any(match.matches(objective_id, objective) for match in self.applies_to)

    def text(self, field: Literal["title", "measure", "note"], language: str) -> str:
        """Return a text in `language` if the entry has it, else the English original."""
        texts = self.translations.get(language)
        translated = getattr(texts, field, None) if texts is not None else None
        return translated or str(getattr(self, field))

    def edited(self, **changes: Any) -> Reference:
        """Return a copy with `changes`, dropping translations of texts that changed."""
        changed = {f for f in TEXT_FIELDS if f in changes and changes[f] != getattr(self, f)}
        translations = {
            language: texts.model_copy(update=dict.fromkeys(changed))
            for language, texts in self.translations.items()
        }
        data = self.model_dump() | changes | {"translations": translations}
        return Reference.model_validate(data)


@cache
def shipped_references() -> tuple[Reference, ...]:
    """Read the references shipped with slawatch (once); their order is the file's."""
    text = resources.files("slawatch").joinpath("data", REFERENCES_FILE).read_text("utf-8")
    return parse_references(text)


def parse_references(text: str) -> tuple[Reference, ...]:
    """Read a references YAML document: `references:` followed by a list of entries."""
    document = YAML(typ="safe").load(text)
    entries = document.get("references") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("a references file is a mapping with a `references:` list")
    references = tuple(Reference.model_validate(entry) for entry in entries)
    keys = [r.key for r in references]
    if len(set(keys)) != len(keys):
        raise ValueError(
            f"duplicate reference keys: {sorted({k for k in keys if keys.count(k) > 1})}"
        )
    return references


def effective_references(overrides: Mapping[str, Reference]) -> list[Reference]:
    """Return the shipped references with overrides in place, then overrides of new keys."""
    shipped = shipped_references()
    known = {r.key for r in shipped}
    merged = [overrides.get(r.key, r) for r in shipped]
    return merged + [overrides[k] for k in sorted(overrides) if k not in known]


def references_for(
    agreement: Agreement, objective_id: str, overrides: Mapping[str, Reference]
) -> list[Reference]:
    """Return the references (with admin overrides) that apply to one objective of an agreement."""
    objective = agreement.objectives.get(objective_id)
    if objective is None:
        return []
    return [r for r in effective_references(overrides) if r.applies(objective_id, objective)]


def objective_comparisons(
    agreement: Agreement,
    periods: Sequence[tuple[str, Sequence[ObjectiveResult]]],
    references: Sequence[Reference],
) -> list[tuple[str, Comparison, list[Reference]]]:
    """Compare each objective's latest stored period; pair it with the references that apply.

    `periods` are stored periods (label, their results); objectives without any are left out.
    """
    found = []
    for objective_id, objective in agreement.objectives.items():
        history = objective_history(periods, objective_id)
        if history:
            applying = [r for r in references if r.applies(objective_id, objective)]
            found.append((objective_id, compare(history), applying))
    return found


def figure_text(figure: Figure, t: Translator) -> str:
    """Format a figure in its unit: '37 %', '5 min', '40–60 %', '42 h'."""

    def one(number: float) -> str:
        match figure.unit:
            case "percent":
                return share_text(number / 100, t, digits=2)
            case "hours":
                return duration_text(number * 3600, t, largest=HOUR)
            case "minutes":
                return duration_text(number * 60, t)
            case _:
                return number_text(number, t, 2)

    if figure.value is not None:
        return one(figure.value)
    assert figure.low is not None and figure.high is not None  # the validator ensures a band
    return f"{one(figure.low)} – {one(figure.high)}"
