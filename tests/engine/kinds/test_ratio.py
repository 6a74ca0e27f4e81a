"""The ratio kind: how a running period is judged."""

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.ratio import ratio_status
from slawatch.engine.status import Status

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_a_running_ratio_is_judged_as_it_stands():
    assert ratio_status(0.5, AT_LEAST, 0.8, running=True) is Status.AT_RISK
    assert ratio_status(None, AT_LEAST, 0.8, running=True) is Status.NO_DATA
