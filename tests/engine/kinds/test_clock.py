"""The clock kind: how a running period is judged."""

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.clock import clock_status
from slawatch.engine.status import Status

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_items_at_risk_count_as_future_breaches():
    assert clock_status(19, 0, 1, 0, AT_LEAST, 0.95, running=True) is Status.ON_TRACK
    assert clock_status(18, 0, 2, 0, AT_LEAST, 0.95, running=True) is Status.AT_RISK
    assert clock_status(0, 0, 0, 3, AT_LEAST, 0.95, running=True) is Status.ON_TRACK
    assert clock_status(0, 0, 0, 0, AT_LEAST, 0.95, running=True) is Status.NO_DATA


def test_a_closed_clock_period_ignores_pending_items():
    assert clock_status(19, 1, 5, 5, AT_LEAST, 0.95, running=False) is Status.MET
