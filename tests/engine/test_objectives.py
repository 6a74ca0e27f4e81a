from zoneinfo import ZoneInfo

import pytest

from slawatch.agreements.model import AttributeTest, PeriodKind
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.objectives import evaluate
from slawatch.engine.periods import parse_label
from slawatch.engine.status import Status
from tests.engine.builders import agreement, instant, table, target

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
