"""The count kind: how a running period is judged."""

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.count import count_status
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
