"""The overview's words beside a figure: a forecast never reads across its target."""

from __future__ import annotations

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.count import CountResult
from slawatch.engine.status import Status
from slawatch.i18n import translator
from slawatch.store.results import StoredResult
from slawatch.web.pages.verdicts import (
    DAY_US,
    days_left,
    forecast_figure,
    pace_text,
    verdict_period,
)

EN = translator("en")
AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def row(days: float) -> StoredResult:
    return StoredResult("a", "2026-12", 1, 0, int(days * DAY_US), 0, {})


def test_a_forecast_just_short_of_its_target_does_not_read_as_reaching_it():
    assert forecast_figure(49.96, AT_LEAST, 50, EN) == "49"
    assert forecast_figure(50.0, AT_LEAST, 50, EN) == "50"
    assert forecast_figure(10.01, AT_MOST, 10, EN) == "11"


def test_a_pro_rata_target_gets_the_decimal_that_keeps_the_forecast_on_its_side():
    assert forecast_figure(19.42, AT_LEAST, 19.35, EN) == "19.4"
    assert forecast_figure(19.3, AT_LEAST, 19.35, EN) == "19"  # short either way


def test_a_part_day_left_counts_as_a_day():
    assert days_left(row(24.4)) == 25
    assert days_left(row(0)) == 0


def test_the_pace_of_an_at_most_count_says_how_many_more_may_come():
    result = CountResult("errors", "it", 4, 10, AT_MOST, Status.AT_RISK, 12.4)
    assert pace_text(result, row(15.5), EN) == "4 so far, on pace for 13; at most 6 more in 16 days"


def test_a_count_that_met_its_target_has_no_pace():
    result = CountResult("leads", "marketing", 52, 50, AT_LEAST, Status.MET, 90.0)
    assert pace_text(result, row(10), EN) is None


def test_the_verdict_is_of_the_period_most_objectives_closed():
    assert verdict_period(["2026-11", "2026-W49", "2026-11", "2026-Q3"]) == "2026-11"
    assert verdict_period([]) is None
