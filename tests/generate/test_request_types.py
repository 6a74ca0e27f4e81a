"""A request's type fits the team it goes to: Sales asks Marketing for material, not payslips."""

from __future__ import annotations

import polars as pl
import pytest

from slawatch.agreements import template_text
from slawatch.agreements.parse import parse_agreement
from slawatch.generate import generate_events
from slawatch.generate.attributes import REQUEST_TYPES, kind_attributes
from slawatch.generate.flows import flows_of

HR_ONLY = {"certificate", "payroll", "tax", "master_data", "leave"}


def request_types(template: str) -> set[str]:
    agreement = parse_agreement(template_text(template))
    events = generate_events(agreement, items=600, months=3, seed=7)
    requests = events.filter(pl.col("kind") == "request")
    return set(requests.get_column("request_type").drop_nulls())


def test_sales_requests_to_marketing_carry_marketing_types():
    types = request_types("marketing-sales")
    assert types <= set(REQUEST_TYPES["marketing"][0])
    assert {"collateral", "campaign"} <= types
    assert not types & HR_ONLY


def test_hr_requests_carry_the_types_the_hr_template_lists():
    types = request_types("hr-requests")
    assert types <= set(REQUEST_TYPES["hr"][0])
    assert {"certificate", "payroll", "tax", "master_data"} <= types  # its objectives' filters


@pytest.mark.parametrize("team", sorted(REQUEST_TYPES))
def test_every_teams_types_are_weighted_to_one(team: str):
    choices, weights = REQUEST_TYPES[team]
    assert len(choices) == len(weights) == len(set(choices))
    assert sum(weights) == pytest.approx(1)


def test_a_team_without_its_own_types_gets_generic_ones():
    text = template_text("marketing-sales").replace("owner: marketing", "owner: sales")
    agreement = parse_agreement(text)
    requests = next(flow for flow in flows_of(agreement) if flow.kind == "request")
    choices, _ = kind_attributes(requests, agreement)["request_type"]
    assert set(choices) == {"question", "change", "problem", "other"}
