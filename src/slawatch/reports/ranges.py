"""A report of a free range of days (`2026-10-01..2026-10-15`), measured when it is asked for.

The background evaluation stores each objective's own periods, not every stretch a reader
may name, so a range is evaluated from the process's copy of the event table (as the editor's
what-if is), with the version in force on the range's first day, as of now. A named period
is never evaluated here: its report reads the stored figures (`reports.stored`).
"""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from slawatch.agreements.model import Agreement
from slawatch.engine.events import EventTable
from slawatch.engine.objectives import evaluate
from slawatch.engine.periods import Period, parse_label
from slawatch.engine.results import Evaluation
from slawatch.reports.model import Items, Report
from slawatch.reports.offline import report_from_events
from slawatch.reports.stored import ReportNotFoundError
from slawatch.store.agreements import StoredAgreement, all_versions
from slawatch.store.reports import external_ids


def governing_version(versions: list[StoredAgreement], label: str) -> StoredAgreement:
    """Return the version in force on the first day of `label` (the first version before it)."""
    zone = ZoneInfo(versions[-1].agreement.timezone)
    first = parse_label(label, zone).first
    in_force = [v for v in versions if v.effective <= first]
    return in_force[-1] if in_force else versions[0]


def _range_of(
    connection: Connection, agreement_id: str, label: str, as_of: int
) -> tuple[Agreement, Period]:
    """Return the agreement version in force on the range's first day, and the range."""
    versions = all_versions(connection, agreement_id)
    if not versions:
        raise ReportNotFoundError(f"there is no agreement {agreement_id!r}")
    stored = governing_version(versions, label)
    agreement = stored.agreement.model_copy(update={"version": stored.version})
    window = parse_label(label, ZoneInfo(agreement.timezone))
    if window.start > as_of:
        raise ReportNotFoundError(f"the range {window.label} has not begun yet")
    return agreement, window


def range_evaluation(
    connection: Connection, table: EventTable, agreement_id: str, label: str, *, as_of: int
) -> tuple[Evaluation, int]:
    """Evaluate a range of days as one window: the evaluate JSON's one period, and the version.

    Raises PeriodLabelError or ReportNotFoundError as `range_report` does.
    """
    agreement, window = _range_of(connection, agreement_id, label, as_of)
    return evaluate(agreement, table, as_of=as_of, window=window), agreement.version or 1


def range_report(
    connection: Connection,
    table: EventTable,
    agreement_id: str,
    label: str,
    *,
    as_of: int,
    generated_at: int,
) -> Report:
    """Evaluate one range of days of a stored agreement as of `as_of`.

    Raises PeriodLabelError for a bad range, ReportNotFoundError for an unknown agreement or a
    range that has not begun.
    """
    agreement, window = _range_of(connection, agreement_id, label, as_of)
    report = report_from_events(
        agreement, table, window=window, as_of=as_of, generated_at=generated_at
    )
    return named_items(connection, report)


def named_items(connection: Connection, report: Report) -> Report:
    """Name the report's items by their external ids: the event table knows stored ids."""
    listed = [*report.items.values(), *report.breaches.values()]
    names = external_ids(connection, (int(row.item) for items in listed for row in items.rows))

    def named(items: Items) -> Items:
        rows = tuple(
            replace(row, item=names.get(int(row.item), str(row.item))) for row in items.rows
        )
        return Items(rows, items.total)

    return replace(
        report,
        source="range",
        items={name: named(items) for name, items in report.items.items()},
        breaches={name: named(items) for name, items in report.breaches.items()},
    )
