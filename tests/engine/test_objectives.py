import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from slawatch.agreements.model import AttributeTest, ClockSpec, MaintenanceWindow, PeriodKind
from slawatch.engine.kinds.availability import AvailabilityObjective
from slawatch.engine.kinds.clock import ClockObjective, item_clocks
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.kinds.ratio import RatioObjective
from slawatch.engine.objectives import evaluate
from slawatch.engine.periods import parse_label
from slawatch.engine.status import Status
from tests.engine.builders import agreement, hours, instant, table, target

BERLIN = ZoneInfo("Europe/Berlin")
LEADS = (AttributeTest(attribute="kind", equals=("lead",)),)


def qualified_leads(value: float = 2) -> CountObjective:
    return CountObjective(
        id="qualified-leads",
        owner="marketing",
        title="Qualified leads",
        count="qualified",
        where=LEADS,
        target=target(">=", value, share=False),
    )


def test_counts_are_distinct_items_by_their_first_event_per_month():
    events = table(
        [
            ("a", "qualified", "2026-01-31T23:30:00+01:00"),
            ("a", "qualified", "2026-02-03T10:00:00+01:00"),  # not a second count
            ("b", "qualified", "2026-02-01T00:00:00+01:00"),  # February starts at local midnight
            ("c", "qualified", "2026-02-10T10:00:00+01:00"),
            ("x", "qualified", "2026-02-10T10:00:00+01:00"),  # not a lead
        ],
        {"a": {"kind": "lead"}, "b": {"kind": "lead"}, "c": {"kind": "lead"}, "x": {"kind": "ad"}},
    )
    result = evaluate(
        agreement({"qualified-leads": qualified_leads()}),
        events,
        as_of=instant("2026-03-01T00:00:00+01:00"),
    )
    values = {
        (p.period.label, p.objectives[0].value, p.objectives[0].status) for p in result.periods
    }
    # As of March's first instant, March has begun: it is running, with nothing in it yet.
    assert values == {
        ("2026-01", 1, Status.BREACHED),
        ("2026-02", 2, Status.MET),
        ("2026-03", 0, Status.ON_TRACK),
    }


def test_events_after_as_of_do_not_exist():
    events = table(
        [
            ("a", "qualified", "2026-01-10T10:00:00+01:00"),
            ("b", "qualified", "2026-01-20T10:00:00+01:00"),
        ],
        {"a": {"kind": "lead"}, "b": {"kind": "lead"}},
    )
    result = evaluate(
        agreement({"qualified-leads": qualified_leads(10)}),
        events,
        as_of=instant("2026-01-15T00:00:00+01:00"),
    )
    (period,) = result.periods
    assert period.objectives[0].value == 1
    # 1 lead in 14 of 31 days extrapolates to ~2, far short of 10.
    assert period.objectives[0].status is Status.AT_RISK


def test_a_quarter_window_scales_a_monthly_count_target():
    events = table([("a", "qualified", "2026-01-10T10:00:00+01:00")], {"a": {"kind": "lead"}})
    result = evaluate(
        agreement({"qualified-leads": qualified_leads(50)}),
        events,
        as_of=instant("2026-05-01T00:00:00+02:00"),
        window=parse_label("2026-Q1", BERLIN),
    )
    (period,) = result.periods
    assert period.period.label == "2026-Q1"
    assert period.objectives[0].target == pytest.approx(150)


def test_ratio_counts_numerators_among_the_periods_denominators():
    events = table(
        [
            ("a", "handed_over", "2026-01-10T10:00:00+01:00"),
            ("a", "converted", "2026-02-10T10:00:00+01:00"),  # counts for January's handover
            ("b", "handed_over", "2026-01-11T10:00:00+01:00"),
            ("c", "converted", "2026-01-12T10:00:00+01:00"),  # never handed over
        ]
    )
    conversion = RatioObjective(
        id="conversion",
        owner="marketing",
        title="Conversion",
        count="converted",
        of="handed_over",
        target=target(">=", 0.15),
    )
    result = evaluate(
        agreement({"conversion": conversion}), events, as_of=instant("2026-03-01T00:00:00+01:00")
    )
    january, february, march = (p.objectives[0] for p in result.periods)
    assert (january.value, january.columns()) == (0.5, {"numerator": 1, "denominator": 2})
    assert january.status is Status.MET
    assert (february.value, february.status) == (None, Status.NO_DATA)
    assert (march.value, march.status) == (None, Status.NO_DATA)  # its first instant


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


def test_periods_start_with_the_agreement_and_end_with_as_of():
    events = table([("a", "qualified", "2025-12-10T10:00:00+01:00")], {"a": {"kind": "lead"}})
    weekly = qualified_leads().model_copy(update={"period": PeriodKind.WEEK})
    result = evaluate(
        agreement({"qualified-leads": weekly}), events, as_of=instant("2026-01-14T12:00:00+01:00")
    )
    assert [p.period.label for p in result.periods] == ["2026-W01", "2026-W02", "2026-W03"]
    assert all(p.objectives[0].value == 0 for p in result.periods)


def test_a_where_on_a_missing_attribute_warns():
    events = table([("a", "qualified", "2026-01-10T10:00:00+01:00")])
    result = evaluate(
        agreement({"qualified-leads": qualified_leads()}),
        events,
        as_of=instant("2026-02-01T00:00:00+01:00"),
    )
    assert result.warnings == (
        "objective qualified-leads: no item has the attribute 'kind' that its `where:` names, "
        "so it measures no items",
    )
    assert result.periods[0].objectives[0].value == 0
