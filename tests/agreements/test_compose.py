"""Writing an agreement from a template and a form's answers."""

from __future__ import annotations

import pytest

from slawatch.agreements.compose import compose, read_template, template_fields, week_hours
from slawatch.agreements.describe import template_names, template_text
from slawatch.agreements.parse import parse_agreement


@pytest.mark.parametrize("name", template_names())
def test_the_templates_own_answers_make_the_template_again(name: str):
    text = template_text(name)
    answers = template_fields(text) | {"id": "acme"}
    made = parse_agreement(compose(text, answers), source="acme.yaml")
    template = read_template(text)
    assert made.id == "acme"
    assert (made.parties, made.calendars, made.objectives) == (
        template.parties,
        template.calendars,
        template.objectives,
    )
    assert (made.escalation, made.credits) == (template.escalation, template.credits)


def test_answers_are_written_where_the_template_has_them_and_comments_stay():
    text = template_text("marketing-sales")
    answers = template_fields(text) | {
        "id": "acme-leads",
        "title": "ACME: leads",
        "effective": "2027-01-01",
        "party.sales.contact.1": "ann@acme.example",
        "party.sales.contact.3": "",
        "objective.speed-to-lead.target": ">= 96%",
        "objective.speed-to-lead.within": "24h",
        "calendar.office.region": "",
        "calendar.office.closed": "",
    }
    made = compose(text, answers)
    agreement = parse_agreement(made, source="acme-leads.yaml")
    assert agreement.title == "ACME: leads" and str(agreement.effective) == "2027-01-01"
    assert agreement.parties["sales"].contacts == ("ann@acme.example", "head.sales@example.com")
    assert 'target: ">= 96%"' in made and "within: 24h" in made
    assert "holidays: DE " in made or "holidays: DE\n" in made
    assert "closed:" not in made.split("objectives:")[0]
    assert "# items whose first `qualified` event falls in the period" in made


def test_days_with_the_same_hours_are_written_as_ranges():
    answers = {f"c.hours.{day}": "09:00-17:00" for day in ("mon", "tue", "wed", "thu")}
    answers |= {"c.hours.fri": "09:00-13:00", "c.hours.sun": "10:00-12:00"}
    assert week_hours(answers, "c") == {
        "mon-thu": "09:00-17:00",
        "fri": "09:00-13:00",
        "sun": "10:00-12:00",
    }
