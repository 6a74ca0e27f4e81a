"""The availability kind: how a running period is judged."""

import pytest

from slawatch.agreements.model import Comparison
from slawatch.engine.kinds.availability import availability_status
from slawatch.engine.status import Status

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


@pytest.mark.parametrize(
    ("downtime", "gone", "expected"),
    [(50.0, 0.5, Status.ON_TRACK), (60.0, 0.5, Status.AT_RISK), (101.0, 0.9, Status.BREACHED)],
)
def test_availability_forecast_compares_budget_burn_with_time_gone(downtime, gone, expected):
    status = availability_status(
        0.999, AT_LEAST, 0.999, downtime=downtime, budget=100.0, gone=gone, running=True
    )
    assert status is expected
