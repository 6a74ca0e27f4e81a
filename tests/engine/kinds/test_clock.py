"""The clock kind: measuring it per period, and how a running period is judged."""

from slawatch.agreements.model import ClockSpec, Comparison
from slawatch.engine.kinds.clock import ClockObjective, clock_status, item_clocks
from slawatch.engine.objectives import evaluate
from slawatch.engine.status import Status
from tests.engine.builders import agreement, hours, instant, table, target

AT_LEAST, AT_MOST = Comparison.AT_LEAST, Comparison.AT_MOST


def test_items_at_risk_count_as_future_breaches():
    assert clock_status(19, 0, 1, 0, AT_LEAST, 0.95, running=True) is Status.ON_TRACK
    assert clock_status(18, 0, 2, 0, AT_LEAST, 0.95, running=True) is Status.AT_RISK
    assert clock_status(0, 0, 0, 3, AT_LEAST, 0.95, running=True) is Status.ON_TRACK
    assert clock_status(0, 0, 0, 0, AT_LEAST, 0.95, running=True) is Status.NO_DATA


def test_a_closed_clock_period_ignores_pending_items():
    assert clock_status(19, 1, 5, 5, AT_LEAST, 0.95, running=False) is Status.MET


def test_clock_objective_counts_states_per_period_of_the_start():
    events = table(
        [
            ("a", "handed_over", "2026-01-05T09:00:00+01:00"),
            ("a", "contacted", "2026-01-06T09:00:00+01:00"),  # 24h: met
            ("b", "handed_over", "2026-01-05T09:00:00+01:00"),
            ("b", "contacted", "2026-01-08T09:00:00+01:00"),  # 72h: breached
            ("c", "handed_over", "2026-01-30T09:00:00+01:00"),  # still running on Feb 1
        ]
    )
    speed = ClockObjective(
        id="speed-to-lead",
        owner="marketing",
        title="Speed",
        within=hours(48),
        clock=ClockSpec(start="handed_over", stop="contacted"),
        target=target(">=", 0.5),
    )
    result = evaluate(
        agreement({"speed-to-lead": speed}), events, as_of=instant("2026-02-01T00:00:00+01:00")
    )
    january = result.periods[0].objectives[0]
    assert january.value == 0.5
    assert january.columns() == {"met": 1, "breached": 1, "paused": 0, "at_risk": 0, "running": 1}
    clocks = item_clocks(
        agreement({"speed-to-lead": speed}),
        events,
        "speed-to-lead",
        as_of=instant("2026-02-01T00:00:00+01:00"),
    )
    assert clocks.items.to_list() == ["a", "b", "c"]
    assert clocks.clocks.elapsed.tolist()[:2] == [24 * 3600 * 10**6, 72 * 3600 * 10**6]
