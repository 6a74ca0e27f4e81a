"""Objective figures read the same everywhere, in English and German."""

from __future__ import annotations

from slawatch.i18n import translator
from slawatch.presentation import details_text, status_text, target_text, value_text

RATIO = {
    "kind": "ratio",
    "value": 0.953,
    "target": 0.9,
    "op": ">=",
    "numerator": 1234,
    "denominator": 1300,
}
UPTIME = {
    "kind": "availability",
    "value": 0.9995,
    "target": 0.999,
    "op": ">=",
    "failures": 2,
    "downtime_seconds": 4000,
    "mttr_seconds": 2000,
}


def test_shares_are_percentages_and_counts_are_numbers():
    en = translator("en")
    assert value_text(RATIO, RATIO["value"], en) == "95.3%"
    assert value_text({"kind": "count"}, 1234.0, en) == "1,234"
    assert value_text(UPTIME, UPTIME["value"], en) == "99.95%"
    assert value_text(RATIO, None, en) == "–"


def test_targets_show_their_comparison():
    assert target_text(RATIO, translator("en")) == "≥ 90%"
    assert target_text(RATIO, translator("de")) == "≥ 90\xa0%"


def test_german_reads_statuses_and_details_in_german():
    de = translator("de")
    assert status_text("at_risk", de) == "gefährdet"
    assert details_text(RATIO, de) == "1.234 von 1.300"
    assert details_text(UPTIME, de).startswith("2 Ausfälle, 1 Std. 6 Min. nicht verfügbar")
