import pytest

from slawatch.agreements.model import CreditTier, Fee
from tests.agreements.support import line_of, make, only_problem, parse

OBJECTIVES = """\
objectives:
  speed:
    owner: sales
    clock: {start: handed_over, stop: contacted}
    within: 48h
    target: ">= 95%"
  rejections:
    owner: marketing
    ratio: {count: rejected, of: handed_over}
    target: "<= 10%"
  leads:
    owner: marketing
    count: qualified
    target: ">= 50"
"""


def with_credits(body: str) -> str:
    return make(objectives=OBJECTIVES, tail="credits:\n" + body)


def test_credits_read_fee_and_tiers_as_fractions() -> None:
    credits = parse(
        with_credits(
            "  fee: 10000 EUR\n"
            "  speed: [{below: 95%, credit: 5%}, {below: 90%, credit: 10%}]\n"
            "  rejections: [{above: 10%, credit: 2.5%}, {above: 20%, credit: 5%}]\n"
            "  leads: [{below: 40, credit: 5%}]\n"
        )
    ).credits
    assert credits is not None
    assert credits.fee == Fee(amount=10_000, currency="EUR")
    assert credits.tiers["speed"] == (
        CreditTier(threshold=0.95, direction="below", credit=0.05),
        CreditTier(threshold=0.90, direction="below", credit=0.10),
    )
    assert credits.tiers["rejections"][0] == CreditTier(
        threshold=0.10, direction="above", credit=0.025
    )
    assert credits.tiers["leads"] == (CreditTier(threshold=40, direction="below", credit=0.05),)


@pytest.mark.parametrize(
    ("fee", "hint"),
    [
        ("10000", "add the currency: 10000 EUR"),
        ("EUR 10000", "write 10000 EUR"),
        ("10.000 EUR", "write 10000 EUR without thousands separators"),
        ("10,000 EUR", "write 10000 EUR without thousands separators"),
        ("10000 €", "write the currency as an ISO code: 10000 EUR"),
        ("10000 eur", "write 10000 EUR"),
        ("a lot", "write an amount and an ISO currency code, such as 10000 EUR"),
    ],
)
def test_a_fee_is_an_amount_and_an_iso_currency(fee: str, hint: str) -> None:
    problem = only_problem(with_credits(f"  fee: {fee}\n"))
    assert problem.field == "credits.fee"
    assert problem.hint == hint


def test_a_fee_may_have_cents() -> None:
    credits = parse(with_credits("  fee: 1234.50 CHF\n")).credits
    assert credits is not None
    assert credits.fee == Fee(amount=1234.5, currency="CHF")


def test_credits_need_a_fee() -> None:
    problem = only_problem(with_credits("  speed: [{below: 95%, credit: 5%}]\n"))
    assert (problem.field, problem.message) == ("credits.fee", "is required but missing")


def test_an_unknown_objective_in_credits_gets_a_did_you_mean() -> None:
    text = with_credits("  fee: 100 EUR\n  sped: [{below: 95%, credit: 5%}]\n")
    problem = only_problem(text)
    assert problem.field == "credits.sped"
    assert problem.line == line_of(text, "sped:")
    assert problem.message == '"sped" is not an objective of this agreement'
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean speed?")


def test_below_does_not_fit_a_lower_is_better_objective() -> None:
    problem = only_problem(
        with_credits("  fee: 100 EUR\n  rejections: [{below: 5%, credit: 5%}]\n")
    )
    assert problem.field == "credits.rejections[0].below"
    assert problem.message == "below does not fit rejections (<= 10%): lower is better"
    assert problem.hint == "write above:"


def test_above_does_not_fit_a_higher_is_better_objective() -> None:
    problem = only_problem(with_credits("  fee: 100 EUR\n  speed: [{above: 5%, credit: 5%}]\n"))
    assert problem.hint == "write below:"


def test_a_credit_owed_while_the_objective_is_met_is_refused() -> None:
    problem = only_problem(with_credits("  fee: 100 EUR\n  speed: [{below: 97%, credit: 5%}]\n"))
    assert problem.field == "credits.speed[0].below"
    assert problem.message == "a credit below this would be owed while speed (>= 95%) is met"


@pytest.mark.parametrize(
    "tiers",
    [
        "[{below: 90%, credit: 10%}, {below: 95%, credit: 5%}]",
        "[{below: 95%, credit: 10%}, {below: 90%, credit: 5%}]",
        "[{below: 95%, credit: 5%}, {below: 95%, credit: 10%}]",
    ],
)
def test_tiers_go_from_mildest_to_harshest(tiers: str) -> None:
    problem = only_problem(with_credits(f"  fee: 100 EUR\n  speed: {tiers}\n"))
    assert problem.field == "credits.speed[1]"
    assert problem.message == "tiers must go from mildest to harshest"


@pytest.mark.parametrize(
    ("tier", "message"),
    [
        ("{below: 95%, credit: 120%}", "120% is outside 0–100 %"),
        ("{below: 95%, credit: 0.05}", '"0.05" is not a percentage'),
        ("{below: 95, credit: 5%}", '"95" is not a percentage'),
        ("{below: 95%, above: 99%, credit: 5%}", "needs exactly one of below or above"),
        ("{below: 95%}", "is required but missing"),
    ],
)
def test_bad_tiers_are_refused(tier: str, message: str) -> None:
    problem = only_problem(with_credits(f"  fee: 100 EUR\n  speed: [{tier}]\n"))
    assert problem.field.startswith("credits.speed[0]")
    assert problem.message == message


def test_count_objectives_take_counts_as_thresholds() -> None:
    problem = only_problem(with_credits("  fee: 100 EUR\n  leads: [{below: 40%, credit: 5%}]\n"))
    assert problem.message == '"40%" is not a number of items'


def test_an_empty_tier_list_is_refused() -> None:
    problem = only_problem(with_credits("  fee: 100 EUR\n  speed: []\n"))
    assert problem.message == "lists no credit tiers"


def test_a_broken_objective_is_not_reported_again_through_its_credits() -> None:
    text = with_credits("  fee: 100 EUR\n  leads: [{below: 40, credit: 5%}]\n").replace(
        'target: ">= 50"', 'target: ">= 50.5"'
    )
    problem = only_problem(text)
    assert problem.field == "objectives.leads.target"
