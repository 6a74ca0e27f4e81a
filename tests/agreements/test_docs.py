"""The language reference names every key the parser accepts."""

import re
from pathlib import Path

import pytest

from slawatch.agreements.calendars import DAYS
from slawatch.agreements.objectives import KINDS, OBJECTIVE_KEYS
from slawatch.agreements.parse import TOP_KEYS, parse_agreement

DOC = (Path(__file__).parents[2] / "docs" / "agreements.md").read_text(encoding="utf-8")
OTHER_KEYS = (
    "name", "contacts", "timezone", "hours", "holidays", "closed", "country", "subdivision",
    "categories", "start", "stop", "pause", "resume", "of", "down", "up", "maintenance",
    "after", "tier", "fee", "below", "above", "credit",
)  # fmt: skip


@pytest.mark.parametrize("key", sorted({*TOP_KEYS, *OBJECTIVE_KEYS, *KINDS, *OTHER_KEYS, *DAYS}))
def test_every_key_is_documented(key: str) -> None:
    assert f"`{key}" in DOC or f"{key}:" in DOC


def test_the_complete_example_in_the_docs_parses() -> None:
    example = re.search(r"## A complete example\n\n```yaml\n(.*?)```", DOC, re.DOTALL)
    assert example is not None
    agreement = parse_agreement(example.group(1), source="docs")
    assert len(agreement.objectives) == 4
