"""Industry references: external figures (studies, surveys) that fit an objective.

The references ship in `data/industry-references.yaml`; an admin may override an entry, and the
override replaces the shipped entry of the same key. An entry names what it applies to
(objective id patterns, or the kind and events of an objective, as the kind names them), so
templates' objectives find their references without configuration. Everything here is pure:
no database, no clock; the shipped file is read once.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from ruamel.yaml import YAML

from slawatch.agreements.model import Agreement, Objective
from slawatch.comparisons.history import Comparison, compare, objective_history
from slawatch.engine.kinds import KINDS, kind_of
from slawatch.engine.results import ObjectiveResult
from slawatch.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_

Unit = Literal["percent", "hours", "minutes", "count"]
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
TEXT_FIELDS = ("title", "measure", "note")
REFERENCES_FILE = "industry-references.yaml"
LARGEST_FIGURE = 1_000_000_000


def _known_kind(value: Any) -> str:
    """Accept the name of an objective kind, as a literal of the registry's names would."""
    if isinstance(value, str) and value in KINDS:
        return value
    names = [repr(name) for name in KINDS]
    expected = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


KindName = Annotated[
    str, PlainValidator(_known_kind), WithJsonSchema({"enum": list(KINDS), "type": "string"})
]


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
    kind: KindName | None = None
    start: tuple[str, ...] = ()  # a clock's start event is one of these
    stop: tuple[str, ...] = ()  # a clock's stop event is one of these
    count: tuple[str, ...] = ()  # a ratio counts one of these events
    of: tuple[str, ...] = ()  # … of one of these

    @model_validator(mode="after")
    def _some_condition(self) -> Match:
        if not (self.objectives or self.kind or self.start or self.stop or self.count or self.of):
            raise ValueError("name objective patterns, a kind or events to match")
        return self

    def matches(self, objective_id: str, objective: Objective) -> bool:
        """Tell whether the objective meets every condition; events are asked of its kind."""
        if self.objectives and not any(
            fnmatch.fnmatchcase(objective_id, p) for p in self.objectives
        ):
            return False
        if self.kind is not None and objective.kind != self.kind:
            return False
        events = kind_of(objective.kind).referenced_events(objective)
        wanted = {"start": self.start, "stop": self.stop, "count": self.count, "of": self.of}
        return all(events.get(role) in names for role, names in wanted.items() if names)


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

    def applies(self, objective_id: str, objective: Objective) -> bool:
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
