"""Reports of one agreement and one period: PDF, XLSX and CSV from one computed `Report`."""

from slawatch.reports.model import ClockRow, PeriodFigure, Report, Score, build_report

__all__ = ["ClockRow", "PeriodFigure", "Report", "Score", "build_report"]
