"""Generated items carry an owner: the people of the party whose clocks measure them."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from slawatch.agreement_files import load_agreement
from slawatch.generate import generate_events
from slawatch.generate.owners import OWNERS

TEMPLATES = Path(__file__).parents[1] / "src/slawatch/agreements/templates"


def owners_by_kind(frame: pl.DataFrame) -> dict[str, set[str]]:
    described = frame.filter(pl.col("kind").is_not_null())
    return {
        kind: set(group["owner"].drop_nulls())
        for (kind,), group in described.group_by("kind", maintain_order=True)
    }


def test_leads_go_to_sales_reps_and_requests_to_marketing_contacts() -> None:
    frame = generate_events(
        load_agreement(TEMPLATES / "marketing-sales.yaml"), items=600, months=3, seed=7
    )
    assert frame.columns[-1] == "owner"
    assert frame.columns[:4] == ["item", "type", "at", "kind"]
    found = owners_by_kind(frame)
    assert found["lead"] == {key for key, _ in OWNERS["sales"]}
    assert found["request"] == {key for key, _ in OWNERS["marketing"]}
    per_item = frame.filter(pl.col("owner").is_not_null()).group_by("item").len()
    assert per_item["len"].max() == 1  # on the item's first event, like every attribute


def test_tickets_go_to_the_service_desk_and_services_have_no_owner() -> None:
    frame = generate_events(
        load_agreement(TEMPLATES / "it-service.yaml"), items=300, months=2, seed=3
    )
    found = owners_by_kind(frame)
    assert found["ticket"] <= {key for key, _ in OWNERS["it"]}
    assert all(not owners for kind, owners in found.items() if kind != "ticket")


def test_the_owners_are_the_same_for_the_same_seed() -> None:
    agreement = load_agreement(TEMPLATES / "hr-requests.yaml")
    first = generate_events(agreement, items=200, months=2, seed=5)
    second = generate_events(agreement, items=200, months=2, seed=5)
    assert first.equals(second)
