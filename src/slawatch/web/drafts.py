"""Drafts of an agreement: check the YAML, and measure it next to the version in force.

"What if" answers, before anything is saved, how the last periods would have turned out under
a draft: both sides are evaluated on the same events at the same instant, the version in force
exactly as the background evaluator does (each period with the version governing it), the
draft as if it had governed them all. It is the one place a page evaluates, on an explicit
request, in a worker thread; the events come from the background evaluator's cache when the
app runs one, else from a cache kept on the app.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import FastAPI
from sqlalchemy import Engine

from slawatch.agreements import Agreement, AgreementError, AgreementLimitError, Limits, Problem
from slawatch.agreements.limits import DEFAULT_LIMITS
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.events import EventTable
from slawatch.engine.objectives import evaluate
from slawatch.engine.results import ObjectiveResult
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.service import evaluate_history
from slawatch.store.agreements import StoredAgreement, all_versions
from slawatch.store.db import read_transaction

PERIODS = 3  # how many of the latest periods a what-if compares
_AGREEMENT_LINE = re.compile(r"^agreement\s*:")
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class DraftProblem:
    """One problem of a draft, with the text of the line it points at (if any)."""

    line: int | None
    field: str
    message: str
    hint: str | None
    source: str | None  # the draft's line, as written


@dataclass(frozen=True)
class Draft:
    """A checked draft: the agreement when valid, else every problem with its line."""

    text: str
    agreement: Agreement | None
    problems: tuple[DraftProblem, ...] = ()
    limit: str | None = None  # the limit a draft was refused at before it was read

    @property
    def status_code(self) -> int:
        """200 when valid; 413 for a draft too large to read; else 422."""
        if not self.problems:
            return 200
        return 413 if self.limit == "size" else 422

    @property
    def lines(self) -> frozenset[int]:
        return frozenset(p.line for p in self.problems if p.line is not None)


def _located(text: str, problems: Iterable[Problem]) -> tuple[DraftProblem, ...]:
    lines = text.splitlines()
    return tuple(
        DraftProblem(
            line=p.line,
            field=p.field,
            message=p.message,
            hint=p.hint,
            source=lines[p.line - 1] if p.line is not None and 0 < p.line <= len(lines) else None,
        )
        for p in problems
    )


def check_draft(text: str, agreement_id: str, limits: Limits = DEFAULT_LIMITS) -> Draft:
    """Parse a draft of agreement `agreement_id`; a draft naming another agreement is a problem.

    Browsers send form text with CRLF line ends; they are read as LF, so line numbers and
    the stored YAML are the same as from a file. It is CPU work: call it from a worker
    thread (a sync route), never on the event loop.
    """
    text = text.replace("\r\n", "\n")
    try:
        agreement = parse_agreement(text, source=f"{agreement_id}.yaml", limits=limits)
    except AgreementLimitError as error:
        return Draft(text, None, _located(text, error.problems), limit=error.limit)
    except AgreementError as error:
        return Draft(text, None, _located(text, error.problems))
    if agreement.id != agreement_id:
        line = next(
            (n for n, row in enumerate(text.splitlines(), 1) if _AGREEMENT_LINE.match(row)), None
        )
        problem = Problem(
            file=f"{agreement_id}.yaml",
            line=line,
            field="agreement",
            message=f"the draft says `agreement: {agreement.id}` but this is {agreement_id!r}",
            hint=f"write `agreement: {agreement_id}`, or store the other agreement by itself",
        )
        return Draft(text, None, _located(text, [problem]))
    return Draft(text, agreement)


@dataclass(frozen=True)
class PeriodFigures:
    """One period of one objective: its figures under the version in force and the draft.

    Each side is the objective's result, or None where that side does not measure the
    objective in that period.
    """

    period: str
    start: int
    version: int | None  # the version in force for the period
    in_force: ObjectiveResult | None
    draft: ObjectiveResult | None

    @property
    def status_changes(self) -> bool:
        before = None if self.in_force is None else self.in_force.status
        after = None if self.draft is None else self.draft.status
        return before != after


@dataclass(frozen=True)
class ObjectiveFigures:
    objective: str
    title: str
    periods: tuple[PeriodFigures, ...]


@dataclass(frozen=True)
class WhatIf:
    """The latest periods of every objective, under the version in force and under a draft."""

    as_of: int
    objectives: tuple[ObjectiveFigures, ...]
    warnings: tuple[str, ...] = field(default=())


def compare_draft(
    versions: list[StoredAgreement],
    draft: Agreement,
    table: EventTable,
    *,
    as_of: int,
    periods: int = PERIODS,
) -> WhatIf:
    """Measure the latest `periods` ended periods of each objective in force and under `draft`.

    The draft is measured from the same first day as the history, so both sides have the
    same periods whatever the draft's `effective:` says.
    """
    in_force: dict[str, dict[str, tuple[int, ObjectiveResult]]] = {}
    bounds: dict[str, tuple[int, int]] = {}  # label → (start, end)
    for row in evaluate_history(versions, table, as_of=as_of):
        bounds[row.period] = (row.period_start, row.period_end)
        for objective in row.objectives:
            in_force.setdefault(objective.objective, {})[row.period] = (row.version, objective)
    start = min([draft.effective] + [min(v.effective, v.agreement.effective) for v in versions])
    evaluation = evaluate(draft.model_copy(update={"effective": start}), table, as_of=as_of)
    drafted: dict[str, dict[str, ObjectiveResult]] = {}
    for result in evaluation.periods:
        bounds[result.period.label] = (result.period.start, result.period.end)
        for objective in result.objectives:
            drafted.setdefault(objective.objective, {})[result.period.label] = objective
    current = versions[-1].agreement if versions else draft
    titles = {o.id: o.title for o in current.objectives.values()}
    titles |= {o.id: o.title for o in draft.objectives.values() if o.id not in titles}
    figures = []
    for objective_id, title in titles.items():
        before, after = in_force.get(objective_id, {}), drafted.get(objective_id, {})
        rows = tuple(
            PeriodFigures(
                period=label,
                start=bounds[label][0],
                version=before[label][0] if label in before else None,
                in_force=before[label][1] if label in before else None,
                draft=after.get(label),
            )
            for label in latest_periods(set(before) | set(after), bounds, as_of, periods)
        )
        figures.append(ObjectiveFigures(objective_id, title, rows))
    return WhatIf(as_of=as_of, objectives=tuple(figures), warnings=evaluation.warnings)


def latest_periods(
    labels: set[str], bounds: dict[str, tuple[int, int]], as_of: int, count: int
) -> list[str]:
    """Return the latest `count` periods that have ended, earliest first.

    A running period's figures still move, so it is shown only while fewer have ended.
    """
    ordered = sorted(labels, key=lambda label: (bounds[label][0], label))
    ended = [label for label in ordered if bounds[label][1] <= as_of]
    return (ended if len(ended) >= count else ordered)[-count:]


def event_cache(app: FastAPI) -> EventCache:
    """Return the app's event cache: the background evaluator's, else one kept for drafts."""
    scheduler = getattr(app.state, "scheduler", None)
    if scheduler is not None:
        cache: EventCache = scheduler.recomputer.cache
        return cache
    with _cache_lock:
        kept: EventCache | None = getattr(app.state, "draft_events", None)
        if kept is None:
            kept = EventCache()
            app.state.draft_events = kept
        return kept


def what_if(
    engine: Engine, cache: EventCache, agreement_id: str, draft: Agreement, *, as_of: int
) -> WhatIf:
    """Compare a checked draft with the stored agreement; it blocks, so run it in a thread."""
    table, _last_event = cache.current(engine)
    with read_transaction(engine) as connection:
        versions = all_versions(connection, agreement_id)
    return compare_draft(versions, draft, table, as_of=as_of)
