from slawatch.agreements.model import Comparison
from slawatch.engine.status import Status, verdict

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_a_closed_period_is_met_breached_or_without_data():
    assert verdict(0.95, AT_LEAST, 0.95) is Status.MET
    assert verdict(0.9499, AT_LEAST, 0.95) is Status.BREACHED
    assert verdict(None, AT_LEAST, 0.95) is Status.NO_DATA
    assert verdict(0.10, AT_MOST, 0.10) is Status.MET
