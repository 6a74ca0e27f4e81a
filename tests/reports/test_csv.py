"""The scorecard as CSV: one fixed header, the same data in every language."""

from __future__ import annotations

import csv
import io

from slawatch.reports.csv import COLUMNS, DETAIL_COLUMNS, report_csv
from tests.reports.support import from_file


def test_the_csv_is_the_scorecard_with_every_details_column():
    report = from_file("2026-10")
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert list(rows[0]) == [*COLUMNS, *DETAIL_COLUMNS]
    assert [row["objective"] for row in rows] == list(report.agreement.objectives)
    speed = next(row for row in rows if row["objective"] == "speed-to-lead")
    assert (speed["period"], speed["status"], speed["met"], speed["breached"]) == (
        "2026-10",
        "met",
        "77",
        "1",
    )
    assert speed["value"] == "0.9871794871794872"
    conversion = next(row for row in rows if row["objective"] == "conversion")
    assert (conversion["numerator"], conversion["denominator"], conversion["met"]) == (
        "2",
        "79",
        "",
    )
    leads = next(row for row in rows if row["objective"] == "qualified-leads")
    assert (leads["value"], leads["target"]) == ("86", "50")
