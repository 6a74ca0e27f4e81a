"""The edges where period results once went wrong: `effective`, the as-of instant, the budget."""

import datetime as dt

from slawatch.agreements.model import ClockSpec, PeriodKind
from slawatch.engine.kinds.availability import AvailabilityObjective
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.kinds.ratio import RatioObjective
from slawatch.engine.objectives import evaluate
from slawatch.engine.status import Status
from tests.engine.builders import agreement, hours, instant, table, target

MID_JANUARY = {"effective": dt.date(2026, 1, 15)}


def leads() -> CountObjective:
    return CountObjective(
        id="leads",
        owner="marketing",
        title="Leads",
        count="qualified",
        target=target(">=", 1, False),
    )


def accepted() -> RatioObjective:
    return RatioObjective(
        id="accepted",
        owner="marketing",
        title="Accepted",
        count="accepted",
        of="handed_over",
        target=target(">=", 0.5),
    )


def speed() -> ClockObjective:
    return ClockObjective(
        id="speed",
        owner="marketing",
        title="Speed",
        clock=ClockSpec(start="handed_over", stop="contacted"),
        within=hours(24),
        target=target(">=", 0.5),
    )


def uptime(share: float = 0.999) -> AvailabilityObjective:
    return AvailabilityObjective(
        id="uptime",
        owner="marketing",
        title="Uptime",
        down="down",
        up="up",
        target=target(">=", share),
    )


def by_label(result, objective):
    return {
        p.period.label: next(r for r in p.objectives if r.objective == objective)
        for p in result.periods
    }


def test_items_that_start_before_effective_are_not_measured_in_the_first_period():
    events = table(
        [
            ("early", "qualified", "2026-01-14T23:59:59+01:00"),
            ("early", "handed_over", "2026-01-14T23:59:59+01:00"),
            ("early", "accepted", "2026-01-15T10:00:00+01:00"),
            ("early", "contacted", "2026-01-16T10:00:00+01:00"),  # late, but not measured
            ("on-time", "qualified", "2026-01-15T00:00:00+01:00"),
            ("on-time", "handed_over", "2026-01-15T00:00:00+01:00"),
            ("on-time", "contacted", "2026-01-15T10:00:00+01:00"),
        ]
    )
    defined = {"leads": leads(), "accepted": accepted(), "speed": speed()}
    result = evaluate(
        agreement(defined, **MID_JANUARY), events, as_of=instant("2026-02-01T00:00:00+01:00")
    )
    assert by_label(result, "leads")["2026-01"].value == 1
    assert by_label(result, "accepted")["2026-01"].columns() == {"numerator": 0, "denominator": 1}
    clock = by_label(result, "speed")["2026-01"]
    assert (clock.value, clock.met, clock.breached) == (1.0, 1, 0)


def test_the_period_that_begins_at_as_of_is_reported_running_with_the_event_at_as_of():
    events = table(
        [
            ("a", "qualified", "2026-02-01T00:00:00+01:00"),
            ("a", "handed_over", "2026-02-01T00:00:00+01:00"),
        ]
    )
    defined = {"leads": leads(), "accepted": accepted(), "speed": speed()}
    result = evaluate(agreement(defined), events, as_of=instant("2026-02-01T00:00:00+01:00"))
    assert [p.period.label for p in result.periods] == ["2026-01", "2026-02"]
    count = by_label(result, "leads")["2026-02"]
    assert (count.value, count.status) == (1, Status.MET)
    ratio = by_label(result, "accepted")["2026-02"]
    assert (ratio.value, ratio.denominator) == (0.0, 1)
    clock = by_label(result, "speed")["2026-02"]
    assert (clock.value, clock.running, clock.status) == (None, 1, Status.ON_TRACK)


def test_a_period_at_its_first_instant_with_nothing_in_it_is_on_track_or_without_data():
    defined = {"leads": leads(), "accepted": accepted(), "uptime": uptime()}
    events = table([("crm", "up", "2026-01-10T00:00:00+01:00")])
    result = evaluate(agreement(defined), events, as_of=instant("2026-02-01T00:00:00+01:00"))
    assert by_label(result, "leads")["2026-02"].status is Status.ON_TRACK  # no pace yet
    assert by_label(result, "accepted")["2026-02"].status is Status.NO_DATA
    availability = by_label(result, "uptime")["2026-02"]
    assert (availability.value, availability.status) == (None, Status.NO_DATA)


def test_as_of_before_effective_measures_nothing_and_at_effective_the_first_period_runs():
    events = table([("a", "qualified", "2026-01-15T00:00:00+01:00")])
    defined = {"leads": leads()}
    before = evaluate(
        agreement(defined, **MID_JANUARY), events, as_of=instant("2026-01-14T23:59:59+01:00")
    )
    assert before.periods == ()
    at = evaluate(
        agreement(defined, **MID_JANUARY), events, as_of=instant("2026-01-15T00:00:00+01:00")
    )
    assert [(p.period.label, p.objectives[0].value) for p in at.periods] == [("2026-01", 1)]


def test_a_count_pace_is_judged_from_effective_in_a_first_period_that_begins_earlier():
    # Effective on the 15th: 9 leads in 8 of the month's 17 measured days is on pace for 19;
    # judged from the 1st (22 of 31 days) it would look like 12.7 and at risk.
    events = table(
        [(f"l{n}", "qualified", f"2026-01-{15 + n % 8}T10:00:00+01:00") for n in range(9)]
    )
    sixteen = leads().model_copy(update={"target": target(">=", 16, False)})
    result = evaluate(
        agreement({"leads": sixteen}, **MID_JANUARY),
        events,
        as_of=instant("2026-01-23T00:00:00+01:00"),
    )
    assert result.periods[0].objectives[0].status is Status.ON_TRACK


def test_an_error_budget_is_exact_where_floating_point_falls_a_second_short():
    # October 2026 in Berlin has 745 hours (the clocks go back): 2,682,000 s; 10 % is 268,200 s.
    events = table([("crm", "up", "2026-09-01T00:00:00+02:00")])
    result = evaluate(
        agreement({"uptime": uptime(0.9)}), events, as_of=instant("2026-11-01T00:00:00+01:00")
    )
    october = by_label(result, "uptime")["2026-10"]
    assert october.eligible_seconds == 2_682_000
    assert october.error_budget_seconds == 268_200
    assert october.error_budget_remaining == 1.0


def test_an_availability_exactly_at_its_target_is_met():
    # 6,048 s down in a day of 86,400 s is exactly 7 %; 1 − 0.07 in floating point is below
    # 0.93, so subtracting a share from one would call this day breached.
    events = table(
        [
            ("crm", "down", "2026-01-01T10:00:00+01:00"),
            ("crm", "up", "2026-01-01T11:40:48+01:00"),
        ]
    )
    daily = uptime(0.93).model_copy(update={"period": PeriodKind.DAY})
    result = evaluate(
        agreement({"uptime": daily}), events, as_of=instant("2026-01-02T00:00:00+01:00")
    )
    first = by_label(result, "uptime")["2026-01-01"]
    assert first.value == 0.93
    assert first.status is Status.MET


def test_an_outage_that_began_before_effective_is_downtime_but_neither_failure_nor_repair():
    events = table(
        [
            ("crm", "down", "2026-01-14T23:00:00+01:00"),
            ("crm", "up", "2026-01-15T01:00:00+01:00"),  # one hour after effective
            ("crm", "down", "2026-01-20T10:00:00+01:00"),
            ("crm", "up", "2026-01-20T10:30:00+01:00"),
        ]
    )
    result = evaluate(
        agreement({"uptime": uptime()}, **MID_JANUARY),
        events,
        as_of=instant("2026-02-01T00:00:00+01:00"),
    )
    january = by_label(result, "uptime")["2026-01"]
    assert january.downtime_seconds == 3600 + 1800
    assert january.failures == 1
    assert january.mttr_seconds == 1800
    # Up from 01:00 on the 15th to 10:00 on the 20th, for the failure on the 20th.
    assert january.mttf_seconds == 5 * 86400 + 9 * 3600


def test_a_failure_and_a_recovery_at_as_of_are_counted():
    events = table(
        [
            ("crm", "down", "2026-01-31T23:00:00+01:00"),
            ("crm", "up", "2026-02-01T00:00:00+01:00"),  # exactly as of
            ("db", "down", "2026-02-01T00:00:00+01:00"),  # exactly as of
        ]
    )
    result = evaluate(
        agreement({"uptime": uptime()}), events, as_of=instant("2026-02-01T00:00:00+01:00")
    )
    february = by_label(result, "uptime")["2026-02"]
    assert (february.failures, february.mttr_seconds) == (1, 3600)
    january = by_label(result, "uptime")["2026-01"]
    assert (january.failures, january.downtime_seconds) == (1, 3600)
