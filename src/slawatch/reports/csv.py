"""The scorecard of the report's period as CSV: one row per objective."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from slawatch.render import STATE_NAMES
from slawatch.reports.model import Report

# One fixed header for every agreement, so files of different agreements stack; a column
# that does not apply to an objective's kind stays empty.
DETAIL_COLUMNS = (
    *STATE_NAMES,
    "numerator",
    "denominator",
    "services",
    "eligible_seconds",
    "downtime_seconds",
    "failures",
    "mttr_seconds",
    "mttf_seconds",
    "mtbf_seconds",
    "error_budget_seconds",
    "error_budget_remaining",
)
COLUMNS = ("period", "objective", "owner", "kind", "value", "target", "op", "status")


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((*COLUMNS, *DETAIL_COLUMNS))
    for score in report.scores:
        r = score.result
        details = dict(r.details)
        if r.kind == "clock":
            details = {name: details.get(name, 0) for name in STATE_NAMES}
        writer.writerow(
            (
                report.period.label,
                r.objective,
                r.owner,
                r.kind,
                "" if r.value is None else r.value,
                _number(r.target) if r.kind == "count" else r.target,
                r.op.value,
                r.status.value,
                *("" if details.get(c) is None else details[c] for c in DETAIL_COLUMNS),
            )
        )
    return buffer.getvalue()


def _number(value: float) -> int | float:
    """Write a whole count target as 50, not 50.0; a pro-rata target stays a float."""
    return int(value) if float(value).is_integer() else value


def write_csv(report: Report, path: Path) -> None:
    path.write_text(report_csv(report), encoding="utf-8")
