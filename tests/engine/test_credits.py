from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slawatch.agreements.model import (
    Agreement,
    ClockSpec,
    Credits,
    CreditTier,
    Fee,
    Objective,
    Party,
    PeriodKind,
)
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.credits import CreditLine, credit_statements, tier_reached
from slawatch.engine.kinds import kind_of
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.kinds.ratio import RatioObjective
from slawatch.engine.objectives import evaluate
from slawatch.engine.periods import parse_label
from slawatch.engine.results import Evaluation, ObjectiveResult, PeriodResult
from slawatch.engine.status import Status, verdict
from tests.engine.builders import agreement, hours, instant, table, target

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = instant("2026-03-01T00:00:00+01:00")
PARTIES = {
    "marketing": Party(id="marketing", name="Marketing"),
    "sales": Party(id="sales", name="Sales"),
    "it": Party(id="it", name="IT"),
}


def below(threshold: float, credit: float) -> CreditTier:
    return CreditTier(threshold=threshold, direction="below", credit=credit)


def above(threshold: float, credit: float) -> CreditTier:
    return CreditTier(threshold=threshold, direction="above", credit=credit)


def speed_to_lead(owner: str = "sales", period: PeriodKind = PeriodKind.MONTH) -> ClockObjective:
    return ClockObjective(
        id="speed-to-lead",
        owner=owner,
        title="Speed to lead",
        period=period,
        clock=ClockSpec(start="handed_over", stop="contacted"),
        within=hours(48),
        target=target(">=", 0.95),
    )


def rejection_rate() -> RatioObjective:
    return RatioObjective(
        id="rejection-rate",
        owner="marketing",
        title="Rejection rate",
        count="rejected",
        of="handed_over",
        target=target("<=", 0.10),
    )


def qualified_leads() -> CountObjective:
    return CountObjective(
        id="qualified-leads",
        owner="marketing",
        title="Qualified leads",
        count="qualified",
        target=target(">=", 50, share=False),
    )


TIERS: dict[str, tuple[CreditTier, ...]] = {
    "speed-to-lead": (below(0.95, 0.05), below(0.90, 0.10)),
    "rejection-rate": (above(0.10, 0.05), above(0.20, 0.20)),
    "qualified-leads": (below(40, 0.05), below(20, 0.15)),
}


def sla(
    *objectives: Objective,
    tiers: dict[str, tuple[CreditTier, ...]] | None = None,
    fee: float = 10_000,
) -> Agreement:
    chosen = tiers if tiers is not None else {o.id: TIERS[o.id] for o in objectives}
    return agreement(
        {o.id: o for o in objectives},
        parties=PARTIES,
        credits=Credits(fee=Fee(amount=fee, currency="EUR"), tiers=chosen),
    )


def measured(agreement: Agreement, objective: str, value: float | None) -> ObjectiveResult:
    spec = agreement.objectives[objective]
    op, goal = spec.target.op, spec.target.value
    return kind_of(spec.kind).result(
        objective=objective,
        owner=spec.owner,
        value=value,
        target=goal,
        op=op,
        status=verdict(value, op, goal),
    )


def evaluation(
    agreement: Agreement, values: dict[str, dict[str, float | None]], as_of: int = MARCH
) -> Evaluation:
    """Build an evaluation from {period label: {objective id: value}}."""
    periods = tuple(
        PeriodResult(
            parse_label(label, BERLIN),
            tuple(measured(agreement, objective, v) for objective, v in by_objective.items()),
        )
        for label, by_objective in values.items()
    )
    return Evaluation(agreement.id, agreement.timezone, as_of, periods)


def only_line(agreement: Agreement, objective: str, value: float | None) -> CreditLine:
    (statement,) = credit_statements(
        agreement, evaluation(agreement, {"2026-01": {objective: value}})
    )
    (line,) = statement.lines
    return line


# ---------------------------------------------------------------- tiers


def test_a_value_below_the_mildest_threshold_owes_its_credit():
    line = only_line(sla(speed_to_lead()), "speed-to-lead", 0.93)
    assert (line.tier, line.threshold, line.credit_share, line.amount) == (1, 0.95, 0.05, 500.0)
    assert (line.owner, line.value, line.target) == ("sales", 0.93, 0.95)


def test_the_harshest_tier_that_holds_is_the_one_reached():
    line = only_line(sla(speed_to_lead()), "speed-to-lead", 0.85)
    assert (line.tier, line.threshold, line.credit_share, line.amount) == (2, 0.90, 0.10, 1000.0)


@pytest.mark.parametrize(
    ("value", "tier", "amount"),
    [
        (0.95, None, 0.0),
        (0.9499, 1, 500.0),
        (0.90, 1, 500.0),
        (0.8999, 2, 1000.0),
        (1.0, None, 0.0),
    ],
)
def test_a_value_exactly_at_a_threshold_does_not_reach_it(value, tier, amount):
    line = only_line(sla(speed_to_lead()), "speed-to-lead", value)
    assert (line.tier, line.amount) == (tier, amount)


def test_a_share_of_exactly_the_parsed_percentage_owes_nothing():
    text = """
agreement: handover
timezone: Europe/Berlin
effective: 2026-01-01
parties:
  sales: {name: Sales}
objectives:
  speed-to-lead:
    owner: sales
    clock: {start: handed_over, stop: contacted}
    within: 48h
    target: ">= 95%"
credits:
  fee: 10000 EUR
  speed-to-lead: [{below: 95%, credit: 5%}, {below: 90%, credit: 10%}]
"""
    parsed = parse_agreement(text)
    assert only_line(parsed, "speed-to-lead", 19 / 20).tier is None  # 19 of 20 in time
    assert only_line(parsed, "speed-to-lead", 18 / 20).tier == 1
    assert only_line(parsed, "speed-to-lead", 17 / 20).amount == 1000.0


@pytest.mark.parametrize(
    ("value", "tier", "amount"),
    [(0.05, None, 0.0), (0.10, None, 0.0), (0.15, 1, 500.0), (0.20, 1, 500.0), (0.25, 2, 2000.0)],
)
def test_above_tiers_owe_when_a_lower_is_better_objective_rises_past_them(value, tier, amount):
    line = only_line(sla(rejection_rate()), "rejection-rate", value)
    assert (line.tier, line.amount) == (tier, amount)


@pytest.mark.parametrize(
    ("count", "tier", "amount"),
    [(50, None, 0.0), (40, None, 0.0), (39, 1, 500.0), (20, 1, 500.0), (19, 2, 1500.0)],
)
def test_count_thresholds_are_numbers_of_items(count, tier, amount):
    line = only_line(sla(qualified_leads()), "qualified-leads", count)
    assert (line.tier, line.threshold, line.amount) == (
        tier,
        None if tier is None else TIERS["qualified-leads"][tier - 1].threshold,
        amount,
    )


def test_a_count_of_zero_is_data_and_reaches_the_harshest_tier():
    line = only_line(sla(qualified_leads()), "qualified-leads", 0)
    assert (line.tier, line.amount) == (2, 1500.0)


def test_an_objective_without_data_owes_nothing_but_is_listed():
    agreement = sla(speed_to_lead())
    (statement,) = credit_statements(
        agreement, evaluation(agreement, {"2026-01": {"speed-to-lead": None}})
    )
    assert statement.lines == (
        CreditLine("speed-to-lead", "sales", None, 0.95, None, None, 0.0, 0.0),
    )
    assert statement.total == 0.0


def test_unordered_tiers_still_reach_the_largest_credit_that_holds():
    tiers = (below(0.90, 0.10), below(0.95, 0.05))
    assert tier_reached(tiers, 0.85) == 1
    assert tier_reached(tiers, 0.93) == 2
    assert tier_reached(tiers, None) is None


# ---------------------------------------------------------------- periods


def test_only_closed_periods_are_settled_unless_asked():
    agreement = sla(speed_to_lead())
    values: dict[str, dict[str, float | None]] = {
        "2026-01": {"speed-to-lead": 0.93},
        "2026-02": {"speed-to-lead": 0.80},
    }
    mid_february = instant("2026-02-15T00:00:00+01:00")
    settled = credit_statements(agreement, evaluation(agreement, values, mid_february))
    assert [s.period for s in settled] == ["2026-01"]
    everything = credit_statements(
        agreement, evaluation(agreement, values, mid_february), closed_only=False
    )
    assert [(s.period, s.total) for s in everything] == [("2026-01", 500.0), ("2026-02", 1000.0)]


def test_a_period_ending_at_as_of_is_closed():
    agreement = sla(speed_to_lead())
    values: dict[str, dict[str, float | None]] = {"2026-02": {"speed-to-lead": 0.80}}
    closed = credit_statements(agreement, evaluation(agreement, values, MARCH))
    running = credit_statements(agreement, evaluation(agreement, values, MARCH - 1))
    assert ([s.period for s in closed], running) == (["2026-02"], [])


def test_a_window_other_than_the_objectives_period_is_not_settled():
    agreement = sla(speed_to_lead())
    quarter = evaluation(agreement, {"2026-Q1": {"speed-to-lead": 0.80}}, as_of=MARCH + 10**14)
    assert credit_statements(agreement, quarter) == []


def test_the_fee_is_owed_per_period_of_the_objective():
    agreement = sla(speed_to_lead(period=PeriodKind.WEEK))
    values: dict[str, dict[str, float | None]] = {
        "2026-W02": {"speed-to-lead": 0.93},
        "2026-W03": {"speed-to-lead": 0.85},
    }
    statements = credit_statements(agreement, evaluation(agreement, values))
    assert [(s.period, s.total) for s in statements] == [("2026-W02", 500.0), ("2026-W03", 1000.0)]


# ---------------------------------------------------------------- statements


def test_each_owing_party_gets_its_own_statement_with_lines_by_objective():
    agreement = sla(speed_to_lead(), rejection_rate(), qualified_leads())
    values: dict[str, dict[str, float | None]] = {
        "2026-01": {"speed-to-lead": 0.85, "rejection-rate": 0.15, "qualified-leads": 30},
        "2026-02": {"speed-to-lead": 0.99, "rejection-rate": 0.05, "qualified-leads": 10},
    }
    statements = credit_statements(agreement, evaluation(agreement, values))
    summary = [
        (s.period, s.party, [(line.objective, line.tier) for line in s.lines], s.total)
        for s in statements
    ]
    assert summary == [
        ("2026-01", "marketing", [("qualified-leads", 1), ("rejection-rate", 1)], 1000.0),
        ("2026-01", "sales", [("speed-to-lead", 2)], 1000.0),
        ("2026-02", "marketing", [("qualified-leads", 2), ("rejection-rate", None)], 1500.0),
        ("2026-02", "sales", [("speed-to-lead", None)], 0.0),
    ]
    assert {(s.agreement, s.currency, s.fee) for s in statements} == {("test", "EUR", 10_000.0)}


def test_objectives_without_tiers_and_parties_without_credits_are_left_out():
    agreement = sla(
        speed_to_lead(), qualified_leads(), tiers={"speed-to-lead": TIERS["speed-to-lead"]}
    )
    values: dict[str, dict[str, float | None]] = {
        "2026-01": {"speed-to-lead": 0.85, "qualified-leads": 0}
    }
    (statement,) = credit_statements(agreement, evaluation(agreement, values))
    assert (statement.party, [line.objective for line in statement.lines]) == (
        "sales",
        ["speed-to-lead"],
    )


def test_an_agreement_without_credits_owes_nothing():
    agreement_ = agreement({"speed-to-lead": speed_to_lead()}, parties=PARTIES)
    values: dict[str, dict[str, float | None]] = {"2026-01": {"speed-to-lead": 0.5}}
    assert credit_statements(agreement_, evaluation(agreement_, values)) == []


def test_the_total_is_capped_at_the_fee_and_the_lines_keep_their_amounts():
    tiers = {
        "rejection-rate": (above(0.10, 0.60),),
        "qualified-leads": (below(40, 0.70),),
    }
    agreement = sla(rejection_rate(), qualified_leads(), tiers=tiers, fee=2000)
    values: dict[str, dict[str, float | None]] = {
        "2026-01": {"rejection-rate": 0.5, "qualified-leads": 1}
    }
    (statement,) = credit_statements(agreement, evaluation(agreement, values))
    assert [line.amount for line in statement.lines] == [1400.0, 1200.0]
    assert statement.total == statement.fee == 2000.0


def test_amounts_are_decimal_exact_and_rounded_half_up_to_cents():
    # 5 % of 2.90 is 0.145: in floats 0.14499…, and banker's rounding would also give 0.14.
    assert only_line(sla(speed_to_lead(), fee=2.90), "speed-to-lead", 0.93).amount == 0.15
    assert only_line(sla(speed_to_lead(), fee=1234.56), "speed-to-lead", 0.93).amount == 61.73
    tiers = {"rejection-rate": (above(0.10, 0.1),), "qualified-leads": (below(40, 0.2),)}
    agreement = sla(rejection_rate(), qualified_leads(), tiers=tiers, fee=1.0)
    values: dict[str, dict[str, float | None]] = {
        "2026-01": {"rejection-rate": 0.5, "qualified-leads": 1}
    }
    (statement,) = credit_statements(agreement, evaluation(agreement, values))
    assert statement.total == 0.3  # 0.1 + 0.2 in floats is 0.30000000000000004


def test_the_fee_is_shown_in_cents():
    agreement = sla(speed_to_lead(), fee=99.999)
    (statement,) = credit_statements(
        agreement, evaluation(agreement, {"2026-01": {"speed-to-lead": 0.5}})
    )
    assert (statement.fee, statement.total) == (100.0, 10.0)


def test_an_evaluation_of_another_agreement_is_refused():
    agreement = sla(speed_to_lead())
    other = Evaluation("other", "Europe/Berlin", MARCH, ())
    with pytest.raises(ValueError, match="other"):
        credit_statements(agreement, other)


def test_statements_settle_what_evaluate_measured():
    agreement = sla(rejection_rate())
    rows = [(f"l{i}", "handed_over", f"2026-01-{i + 10}T10:00:00+01:00") for i in range(10)]
    rows += [("l0", "rejected", "2026-01-20T10:00:00+01:00")]
    rows += [(f"l{i}", "rejected", "2026-01-21T10:00:00+01:00") for i in (1, 2)]
    rows += [(f"m{i}", "handed_over", "2026-02-02T10:00:00+01:00") for i in range(2)]
    rows += [("m0", "rejected", "2026-02-03T10:00:00+01:00")]
    measured_ = evaluate(agreement, table(rows), as_of=instant("2026-02-10T00:00:00+01:00"))
    assert [p.period.label for p in measured_.periods] == ["2026-01", "2026-02"]
    (statement,) = credit_statements(agreement, measured_)
    assert statement.period == "2026-01"
    (line,) = statement.lines
    assert (line.value, line.tier, line.amount) == (pytest.approx(0.3), 2, 2000.0)
    assert measured_.periods[0].objectives[0].status is Status.BREACHED


# ---------------------------------------------------------------- properties


@st.composite
def tier_lists(draw: Any) -> tuple[CreditTier, ...]:
    direction = draw(st.sampled_from(["below", "above"]))
    thresholds = draw(
        st.lists(st.integers(0, 100), min_size=1, max_size=4, unique=True).map(sorted)
    )
    credits = draw(
        st.lists(st.integers(1, 100), min_size=len(thresholds), max_size=len(thresholds))
    )
    if direction == "below":
        thresholds.reverse()  # mildest (nearest the target) first
    pairs = draw(st.permutations(list(zip(thresholds, credits, strict=True))))
    return tuple(
        CreditTier(threshold=t / 100, direction=direction, credit=c / 100) for t, c in pairs
    )


@given(tier_lists(), st.integers(-5, 105), st.integers(-5, 105), st.integers(0, 10**7))
def test_a_worse_value_never_owes_less(tiers, first, second, fee_cents):
    worse_first = (first < second) == (tiers[0].direction == "below")
    better, worse = (second, first) if worse_first else (first, second)
    if first == second:
        better = worse = first
    agreement = sla(speed_to_lead(), tiers={"speed-to-lead": tiers}, fee=fee_cents / 100)
    lines = [only_line(agreement, "speed-to-lead", v / 100) for v in (better, worse)]
    assert lines[1].credit_share >= lines[0].credit_share
    assert lines[1].amount >= lines[0].amount
    assert 0 <= lines[1].amount <= fee_cents / 100
