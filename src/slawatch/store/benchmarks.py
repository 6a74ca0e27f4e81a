"""Admin overrides of industry references, and the bounded reads of stored results pages need.

An override is a whole reference stored under its key in `benchmark_references`; it replaces
the shipped entry of the same key (or adds a new one) until an admin resets it. The result
reads fetch only the periods a page shows, so the overview costs the same with a year of
history as with ten.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Connection, delete, select, update

from slawatch.comparisons.industry import Reference
from slawatch.engine.periods import PeriodLabelError, comparison_labels, label_kind
from slawatch.store import audit
from slawatch.store.results import StoredResult, stored_periods
from slawatch.store.schema import benchmark_references, results
from slawatch.wall_clock import now_us

log = logging.getLogger("slawatch.store.benchmarks")


@dataclass(frozen=True)
class Override:
    """An admin's edit of a reference: the reference as edited, who and when."""

    reference: Reference
    updated_by: str
    updated_at: int  # µs since the epoch


def stored_overrides(connection: Connection) -> dict[str, Override]:
    """Return every override by key; a row that no longer validates is logged and left out."""
    found: dict[str, Override] = {}
    rows = connection.execute(select(benchmark_references).order_by(benchmark_references.c.key))
    for row in rows:
        try:
            reference = Reference.model_validate(row.reference)
        except ValidationError as error:
            log.warning("benchmark override %s is invalid and ignored: %s", row.key, error)
            continue
        found[row.key] = Override(reference, row.updated_by, row.updated_at)
    return found


def reference_overrides(connection: Connection) -> dict[str, Reference]:
    """Return the overridden references by key, for `benchmarks.references_for`."""
    return {key: o.reference for key, o in stored_overrides(connection).items()}


def save_override(connection: Connection, reference: Reference, *, actor: str) -> None:
    """Store `reference` as the override of its key (replacing an earlier override)."""
    values = {
        "reference": reference.model_dump(mode="json"),
        "updated_by": actor,
        "updated_at": now_us(),
    }
    updated = connection.execute(
        update(benchmark_references)
        .where(benchmark_references.c.key == reference.key)
        .values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(benchmark_references.insert().values(key=reference.key, **values))
    audit.record(
        connection,
        actor=actor,
        action="benchmark.override",
        subject=f"benchmark:{reference.key}",
        figure=reference.figure.model_dump(mode="json"),
    )


def delete_override(connection: Connection, key: str, *, actor: str) -> bool:
    """Remove the override of `key` (back to the shipped entry); False if there was none."""
    deleted = connection.execute(
        delete(benchmark_references).where(benchmark_references.c.key == key)
    )
    if deleted.rowcount == 0:
        return False
    audit.record(connection, actor=actor, action="benchmark.reset", subject=f"benchmark:{key}")
    return True


def latest_results(connection: Connection, agreement_id: str, per_kind: int) -> list[StoredResult]:
    """Return the latest `per_kind` stored periods of each period kind, earliest first.

    An agreement may measure objectives by week, month and quarter at once; each kind gets
    its own latest periods. Only the labels are read for all periods; payloads only for those
    returned.
    """
    labels = connection.execute(
        select(results.c.period, results.c.period_start)
        .where(results.c.agreement_id == agreement_id)
        .order_by(results.c.period_start.desc(), results.c.period.desc())
    )
    kept: dict[object, int] = defaultdict(int)
    wanted = []
    for label, _start in labels:
        try:
            kind: object = label_kind(label)
        except PeriodLabelError:
            kind = None
        if kept[kind] < per_kind:
            kept[kind] += 1
            wanted.append(label)
    return results_by_label(connection, agreement_id, wanted)


def comparison_results(connection: Connection, agreement_id: str) -> list[StoredResult]:
    """Return what comparing each period kind's latest period needs, earliest first.

    That is the latest period, the 12 before it and the same period a year earlier, of each
    kind: 14 rows for a monthly agreement, also when years of history are stored.
    """
    latest: dict[object, str] = {}
    for label in stored_periods(connection, agreement_id):  # earliest first: the last wins
        try:
            latest[label_kind(label)] = label
        except PeriodLabelError:
            continue
    wanted = {label for last in latest.values() for label in (last, *comparison_labels(last))}
    return results_by_label(connection, agreement_id, wanted)


def results_by_label(
    connection: Connection, agreement_id: str, labels: Iterable[str]
) -> list[StoredResult]:
    """Return the stored periods of an agreement with these labels, earliest first."""
    chosen = sorted(set(labels))
    if not chosen:
        return []
    rows = connection.execute(
        select(results)
        .where(results.c.agreement_id == agreement_id, results.c.period.in_(chosen))
        .order_by(results.c.period_start, results.c.period)
    )
    return [
        StoredResult(
            agreement_id=row.agreement_id,
            period=row.period,
            version=row.version,
            period_start=row.period_start,
            period_end=row.period_end,
            as_of=row.as_of,
            payload=row.payload,
        )
        for row in rows
    ]
