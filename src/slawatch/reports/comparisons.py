"""Each reported objective beside its own past and beside published industry figures.

The comparison is `slawatch.comparisons.history.compare` over the objective's periods up to the
reported one (previous period, trailing 3 and 12, the same period a year ago); the references
are `benchmarks.references_for` with the admin's overrides. Pure: figures in, benchmarks out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from slawatch.agreements.model import Agreement
from slawatch.comparisons.history import compare
from slawatch.comparisons.industry import Reference, references_for
from slawatch.engine.periods import Period
from slawatch.engine.results import ObjectiveResult
from slawatch.reports.model import Benchmark, Figure, Score


def benchmarks_of(
    agreement: Agreement,
    scores: Iterable[Score],
    figures: Iterable[Figure],
    period: Period,
    overrides: Mapping[str, Reference],
) -> dict[str, Benchmark]:
    """Compare each scored objective's period with its history; attach its references.

    An objective whose own periods do not include the reported one (a monthly objective in a
    quarter's report from a file) has no history to compare that period with and is left out.
    """
    history: dict[str, list[tuple[Figure, ObjectiveResult]]] = {}
    for figure in sorted(figures, key=lambda f: f.period.start):
        if figure.period.start <= period.start:
            history.setdefault(figure.objective.objective, []).append((figure, figure.objective))
    found: dict[str, Benchmark] = {}
    for score in scores:
        own = history.get(score.id, [])
        if not own or own[-1][0].period.label != period.label:
            continue
        comparison = compare([(figure.period.label, objective) for figure, objective in own])
        references = references_for(agreement, score.id, overrides)
        found[score.id] = Benchmark(comparison, tuple(references))
    return found
