"""The availability kind: measuring it per period, and how a running period is judged."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from slawatch.agreements.model import AttributeTest, Comparison, MaintenanceWindow
from slawatch.engine.kinds.availability import AvailabilityObjective, availability_status
from slawatch.engine.objectives import evaluate
from slawatch.engine.status import Status
from tests.engine.builders import agreement, instant, table, target

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("downtime", "gone", "expected"),
    [(50.0, 0.5, Status.ON_TRACK), (60.0, 0.5, Status.AT_RISK), (101.0, 0.9, Status.BREACHED)],
)
def test_availability_forecast_compares_budget_burn_with_time_gone(downtime, gone, expected):
    status = availability_status(
        0.999, AT_LEAST, 0.999, downtime=downtime, budget=100.0, gone=gone, running=True
    )
    assert status is expected


def test_availability_reports_downtime_failures_mttr_mttf_and_budget():
    events = table(
        [
            ("crm", "down", "2026-01-10T10:00:00+01:00"),
            ("crm", "up", "2026-01-10T10:30:00+01:00"),
            ("crm", "down", "2026-01-20T10:00:00+01:00"),
            ("crm", "up", "2026-01-20T10:10:00+01:00"),
            ("crm", "down", "2026-01-25T02:00:00+01:00"),  # inside maintenance: not downtime
            ("crm", "up", "2026-01-25T03:00:00+01:00"),
        ],
        {"crm": {"kind": "service"}},
    )
    uptime = AvailabilityObjective(
        id="crm-availability",
        owner="marketing",
        title="CRM",
        down="down",
        up="up",
        where=(AttributeTest(attribute="kind", equals=("service",)),),
        target=target(">=", 0.999),
        maintenance=(
            MaintenanceWindow(
                start=dt.datetime(2026, 1, 25, 1, tzinfo=BERLIN),
                end=dt.datetime(2026, 1, 25, 5, tzinfo=BERLIN),
            ),
        ),
    )
    result = evaluate(
        agreement({"crm-availability": uptime}), events, as_of=instant("2026-02-01T00:00:00+01:00")
    )
    january = result.periods[0].objectives[0]
    eligible = 31 * 86400 - 4 * 3600
    assert january.eligible_seconds == eligible
    assert january.downtime_seconds == 40 * 60
    assert january.value == pytest.approx(1 - 2400 / eligible)
    assert january.failures == 3
    assert january.mttr_seconds == (30 + 10 + 60) * 60 // 3
    # Up from 10:30 on the 10th to 10:00 on the 20th, then 10:10 on the 20th to 02:00 on the 25th.
    ups = [10 * 86400 - 1800, 4 * 86400 + 15 * 3600 + 50 * 60]
    assert january.mttf_seconds == sum(ups) // 2
    assert january.status is Status.MET
    assert january.error_budget_remaining == pytest.approx(1 - 2400 / (0.001 * eligible))
