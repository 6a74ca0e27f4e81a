"""Reports of one agreement and period (PDF, XLSX, CSV), and the agreement as a document.

One `Report` is built from either source, an event file evaluated now (`offline`) or the
stored results and clocks (`stored`), and every writer reads it.
"""

from slawatch.reports.model import ClockRow, Credit, Figure, Items, Report, Score
from slawatch.reports.offline import build_report, report_from_events
from slawatch.reports.stored import ReportNotFoundError, report_from_store

__all__ = [
    "ClockRow",
    "Credit",
    "Figure",
    "Items",
    "Report",
    "ReportNotFoundError",
    "Score",
    "build_report",
    "report_from_events",
    "report_from_store",
]
