"""A NaN or an infinity is refused wherever a number enters an agreement, at its line."""

from pathlib import Path

import pytest

from slawatch.agreements import AgreementError
from slawatch.agreements.parse import parse_agreement

EXAMPLE = (Path(__file__).parents[2] / "examples" / "it-service.yaml").read_text(encoding="utf-8")
# field → (text in the example, the same with {} where the number goes)
PLACES = {
    "objectives.ticket-response.warn": ("warn: 75%", "warn: {}"),
    "objectives.crm-availability.target": ('target: ">= 99.9%"', "target: {}"),
    "credits.fee": ("fee: 25000 EUR", "fee: {}"),
    "credits.crm-availability[0].below": (
        "{below: 99.9%, credit: 10%}",
        "{{below: {}, credit: 10%}}",
    ),
    "credits.crm-availability[0].credit": (
        "{below: 99.9%, credit: 10%}",
        "{{below: 99.9%, credit: {}}}",
    ),
}
SPELLINGS = ["nan", ".nan", ".NaN", ".inf", "-.inf", "inf", "Infinity", "1e400", "NaN%"]


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("field", sorted(PLACES))
def test_non_finite_numbers_are_refused_at_their_line(field, spelling):
    old, new = PLACES[field]
    text = EXAMPLE.replace(old, new.format(spelling), 1)
    with pytest.raises(AgreementError) as error:
        parse_agreement(text, source="it.yaml")
    problems = [p for p in error.value.problems if p.field == field]
    assert [p.message.endswith("is not a finite number") for p in problems] == [True]
    assert problems[0].line == line_of(text, new.format(spelling))
    assert "Infinity" not in (problems[0].hint or "")
