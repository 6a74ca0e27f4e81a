import pytest

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.kinds import describe_objective
from tests.agreements.support import make, objective, parse


@pytest.mark.parametrize(
    ("objective_id", "line"),
    [
        (
            "speed-to-lead",
            "speed-to-lead (sales): 95% of items from handed_over to contacted within 48h, monthly",
        ),
        (
            "qualified-leads",
            "qualified-leads (marketing): at least 50 items with qualified, "
            "where kind = lead, monthly",
        ),
        (
            "request-resolution",
            "request-resolution (marketing): 90% of items from request_opened to request_resolved "
            "within 3bd on calendar office, monthly",
        ),
        (
            "rejection-rate",
            "rejection-rate (marketing): at most 10% of items with handed_over "
            "also rejected, monthly",
        ),
    ],
)
def test_describe_objective_says_the_promise_in_one_line(objective_id: str, line: str) -> None:
    agreement = parse_agreement(template_text("marketing-sales"))
    assert describe_objective(agreement, objective_id) == line


def test_describe_availability_with_calendar_maintenance_and_filters() -> None:
    agreement = parse_agreement(template_text("it-service"))
    assert describe_objective(agreement, "crm-availability") == (
        "crm-availability (it): 99.9% available, down from down to up, "
        "2 maintenance windows excluded, where kind = service, monthly"
    )
    assert describe_objective(agreement, "ticket-resolution").endswith(
        "where kind = ticket and priority in [P2, P3, P4], monthly"
    )


@pytest.mark.parametrize(
    ("target", "words"),
    [
        (">= 95%", "95%"),
        ("> 95%", "more than 95%"),
        ("< 5%", "less than 5%"),
        ("<= 5%", "at most 5%"),
    ],
)
def test_share_comparisons_read_as_words(target: str, words: str) -> None:
    body = f'owner: sales\nratio: {{count: a, of: b}}\ntarget: "{target}"\nperiod: week'
    agreement = parse(make(objectives=objective(body)))
    assert (
        describe_objective(agreement, "speed")
        == f"speed (sales): {words} of items with b also a, weekly"
    )


@pytest.mark.parametrize(
    ("target", "words"), [("< 3", "fewer than 3"), ("> 3", "more than 3"), ("<= 3", "at most 3")]
)
def test_count_comparisons_read_as_words(target: str, words: str) -> None:
    body = f'owner: sales\ncount: incident\ntarget: "{target}"\nperiod: quarter\n'
    body += 'where: {score: ">= 7.5"}'
    agreement = parse(make(objectives=objective(body)))
    assert describe_objective(agreement, "speed") == (
        f"speed (sales): {words} items with incident, where score >= 7.5, quarterly"
    )
