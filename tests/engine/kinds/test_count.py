"""The count kind: how a running period is judged."""

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.count import CountResult, count_forecast, count_status
from slawatch.engine.status import Status

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_twenty_of_fifty_leads_with_forty_percent_of_the_month_left_is_at_risk():
    assert count_status(20, AT_LEAST, 50, gone=0.6, running=True) is Status.AT_RISK


def test_a_count_on_pace_is_on_track_and_a_reached_one_is_met():
    assert count_status(31, AT_LEAST, 50, gone=0.6, running=True) is Status.ON_TRACK
    assert count_status(50, AT_LEAST, 50, gone=0.2, running=True) is Status.MET


def test_an_at_most_count_already_exceeded_is_breached_while_running():
    assert count_status(11, AT_MOST, 10, gone=0.5, running=True) is Status.BREACHED
    assert count_status(6, AT_MOST, 10, gone=0.5, running=True) is Status.AT_RISK
    assert count_status(4, AT_MOST, 10, gone=0.5, running=True) is Status.ON_TRACK


def test_a_count_at_its_periods_first_instant_has_no_pace_and_is_on_track():
    assert count_status(0, AT_LEAST, 50, gone=0.0, running=True) is Status.ON_TRACK
    assert count_status(3, AT_MOST, 2, gone=0.0, running=True) is Status.BREACHED


def test_the_forecast_is_the_count_at_the_periods_end_at_todays_pace():
    assert count_forecast(18, gone=0.25, running=True) == 72
    assert count_forecast(18, gone=1.0, running=False) is None  # a closed period has its count
    assert count_forecast(0, gone=0.0, running=True) is None  # no pace at the first instant


def test_the_status_of_a_running_count_is_its_forecast_against_the_target():
    forecast = count_forecast(18, gone=0.4, running=True)
    assert forecast is not None and forecast < 50
    assert count_status(18, AT_LEAST, 50, gone=0.4, running=True) is Status.AT_RISK
    assert count_status(18, AT_LEAST, 45, gone=0.4, running=True) is Status.ON_TRACK


def test_a_running_counts_forecast_is_in_its_json_and_a_closed_ones_json_is_unchanged():
    running = CountResult("leads", "marketing", 18, 50, AT_LEAST, Status.ON_TRACK, 77.41935)
    assert running.document()["forecast"] == 77.4
    assert CountResult.from_document(running.document()).forecast == 77.4
    closed = CountResult("leads", "marketing", 52, 50, AT_LEAST, Status.MET)
    assert "forecast" not in closed.document()
    assert CountResult.from_document(closed.document()).forecast is None
