"""The scorecard of the report's period as CSV: one row per objective.

The CSV is data, not prose: the same columns, ids and plain numbers in every language, so
files of different agreements, periods and readers stack and load anywhere. Text that a
spreadsheet could take for a formula gets a leading `'` (`reports.cells`).

Numbers follow the reader's conventions on request: English (the default, and the contract
scripts read) is comma-separated with decimal points, as the evaluate JSON writes them.
German is what German Excel opens by double-click: semicolons, decimal commas, figures to at
most six decimals, and UTF-8 with a byte order mark, without which Excel reads ANSI.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from slawatch.engine.kinds import detail_columns
from slawatch.reports.cells import csv_text
from slawatch.reports.model import Report

# One fixed header for every agreement, so files of different agreements stack; a column
# that does not apply to an objective's kind stays empty.
DETAIL_COLUMNS = detail_columns()
COLUMNS = ("period", "objective", "owner", "kind", "value", "target", "op", "status")
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvConventions:
    """How a CSV writes its cells: the separator, the decimal mark, the precision, a BOM."""

    separator: str = ","
    decimal: str = "."
    decimals: int | None = None  # None: numbers as the evaluate JSON writes them
    bom: bool = False

    @classmethod
    def of(cls, language: str) -> CsvConventions:
        """Return the conventions of a reader's language: German, or the English default."""
        return GERMAN if language == "de" else ENGLISH

    def number(self, value: Any) -> Any:
        """Write a number in these conventions; anything else as it is."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        if self.decimals is None and self.decimal == ".":
            return value  # the csv module writes it as the JSON does
        if isinstance(value, int) or self.decimals is None:
            text = str(value)
        else:
            text = f"{value:.{self.decimals}f}".rstrip("0").rstrip(".")
            text = "0" if text in ("-0", "") else text
        return text.replace(".", self.decimal)


ENGLISH = CsvConventions()
GERMAN = CsvConventions(separator=";", decimal=",", decimals=6, bom=True)


def report_csv(report: Report, conventions: CsvConventions = ENGLISH) -> str:
    """Return the scorecard CSV; with a BOM first when the conventions ask for one."""
    buffer = io.StringIO()
    if conventions.bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=conventions.separator, lineterminator="\n")
    writer.writerow((*COLUMNS, *DETAIL_COLUMNS, "corrections"))
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
            sum(1 for found in report.corrections if found.concerns(score.id)),
        )
        writer.writerow(conventions.number(csv_text(cell)) for cell in row)
    return buffer.getvalue()
