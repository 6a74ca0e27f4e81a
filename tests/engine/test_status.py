import pytest

from slawatch.agreements.model import Comparison
from slawatch.engine.status import (
    Status,
    availability_status,
    clock_status,
    count_status,
    ratio_status,
    verdict,
)

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_a_closed_period_is_met_breached_or_without_data():
    assert verdict(0.95, AT_LEAST, 0.95) is Status.MET
    assert verdict(0.9499, AT_LEAST, 0.95) is Status.BREACHED
    assert verdict(None, AT_LEAST, 0.95) is Status.NO_DATA
    assert verdict(0.10, AT_MOST, 0.10) is Status.MET


def test_twenty_of_fifty_leads_with_forty_percent_of_the_month_left_is_at_risk():
    assert count_status(20, AT_LEAST, 50, gone=0.6, running=True) is Status.AT_RISK


def test_a_count_on_pace_is_on_track_and_a_reached_one_is_met():
    assert count_status(31, AT_LEAST, 50, gone=0.6, running=True) is Status.ON_TRACK
    assert count_status(50, AT_LEAST, 50, gone=0.2, running=True) is Status.MET


def test_an_at_most_count_already_exceeded_is_breached_while_running():
    assert count_status(11, AT_MOST, 10, gone=0.5, running=True) is Status.BREACHED
    assert count_status(6, AT_MOST, 10, gone=0.5, running=True) is Status.AT_RISK
    assert count_status(4, AT_MOST, 10, gone=0.5, running=True) is Status.ON_TRACK


def test_items_at_risk_count_as_future_breaches():
    assert clock_status(19, 0, 1, 0, AT_LEAST, 0.95, running=True) is Status.ON_TRACK
    assert clock_status(18, 0, 2, 0, AT_LEAST, 0.95, running=True) is Status.AT_RISK
    assert clock_status(0, 0, 0, 3, AT_LEAST, 0.95, running=True) is Status.ON_TRACK
    assert clock_status(0, 0, 0, 0, AT_LEAST, 0.95, running=True) is Status.NO_DATA


def test_a_closed_clock_period_ignores_pending_items():
    assert clock_status(19, 1, 5, 5, AT_LEAST, 0.95, running=False) is Status.MET


def test_a_running_ratio_is_judged_as_it_stands():
    assert ratio_status(0.5, AT_LEAST, 0.8, running=True) is Status.AT_RISK
    assert ratio_status(None, AT_LEAST, 0.8, running=True) is Status.NO_DATA


@pytest.mark.parametrize(
    ("downtime", "gone", "expected"),
    [(50.0, 0.5, Status.ON_TRACK), (60.0, 0.5, Status.AT_RISK), (101.0, 0.9, Status.BREACHED)],
)
def test_availability_forecast_compares_budget_burn_with_time_gone(downtime, gone, expected):
    status = availability_status(
        0.999, AT_LEAST, 0.999, downtime=downtime, budget=100.0, gone=gone, running=True
    )
    assert status is expected


def test_a_count_at_its_periods_first_instant_has_no_pace_and_is_on_track():
    assert count_status(0, AT_LEAST, 50, gone=0.0, running=True) is Status.ON_TRACK
    assert count_status(3, AT_MOST, 2, gone=0.0, running=True) is Status.BREACHED
