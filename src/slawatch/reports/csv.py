"""The scorecard of the report's period as CSV: one row per objective.

The CSV is data, not prose: the same columns, ids and plain numbers in every language, so
files of different agreements, periods and readers stack and load anywhere. Text that a
spreadsheet could take for a formula gets a leading `'` (`reports.cells`).
"""

from __future__ import annotations

import csv
import io

from slawatch.engine.kinds import detail_columns
from slawatch.reports.cells import csv_text
from slawatch.reports.model import Report

# One fixed header for every agreement, so files of different agreements stack; a column
# that does not apply to an objective's kind stays empty.
DETAIL_COLUMNS = detail_columns()
COLUMNS = ("period", "objective", "owner", "kind", "value", "target", "op", "status")


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((*COLUMNS, *DETAIL_COLUMNS))
    for score in report.scores:
        document = score.objective.document()  # the figures as the evaluate JSON writes them
        details = score.objective.columns()
        row = (
            report.period.label,
            score.id,
            document["owner"],
            score.kind.name,
            "" if score.value is None else document["value"],
            document["target"],
            document["op"],
            score.status,
            *("" if details.get(c) is None else details[c] for c in DETAIL_COLUMNS),
        )
        writer.writerow(map(csv_text, row))
    return buffer.getvalue()
