from pathlib import Path

import pytest

from slawatch.agreement_files import load_agreement
from slawatch.agreements import template_names, template_text
from slawatch.agreements.model import DurationUnit
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.kinds.availability import AvailabilityObjective
from slawatch.engine.kinds.clock import ClockObjective
from slawatch.engine.kinds.count import CountObjective
from slawatch.engine.kinds.ratio import RatioObjective

EXAMPLES = Path(__file__).parents[2] / "examples"
TEMPLATES = ["hr-requests", "it-service", "marketing-sales"]


def test_the_three_templates_are_packaged() -> None:
    assert template_names() == TEMPLATES


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_parses(name: str) -> None:
    agreement = parse_agreement(template_text(name), source=f"{name}.yaml")
    assert agreement.id == name
    assert agreement.objectives


@pytest.mark.parametrize("name", TEMPLATES)
def test_examples_are_identical_copies_of_the_templates(name: str) -> None:
    assert (EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8") == template_text(name)
    assert load_agreement(EXAMPLES / f"{name}.yaml").id == name


def test_an_unknown_template_names_the_ones_there_are() -> None:
    with pytest.raises(ValueError, match="choose one of hr-requests, it-service, marketing-sales"):
        template_text("finance")


def test_marketing_sales_is_the_design_example() -> None:
    agreement = parse_agreement(template_text("marketing-sales"))
    assert list(agreement.objectives) == [
        "qualified-leads", "speed-to-lead", "request-response", "request-resolution",
        "lead-acceptance", "rejection-rate", "conversion",
    ]  # fmt: skip
    assert set(agreement.parties) == {"marketing", "sales"}
    office = agreement.calendars["office"]
    assert office.holidays is not None
    assert (office.holidays.country, office.holidays.subdivision) == ("DE", "BY")
    assert len(office.hours[0]) == 2 and len(office.hours[4]) == 1
    assert [s.tier for s in agreement.escalation] == [1, 2, 3]
    assert agreement.credits is not None
    assert agreement.credits.fee.currency == "EUR"
    resolution = agreement.objectives["request-resolution"]
    assert isinstance(resolution, ClockObjective)
    assert resolution.within.unit is DurationUnit.BUSINESS_DAYS


def test_it_service_covers_priorities_availability_and_recovery() -> None:
    agreement = parse_agreement(template_text("it-service"))
    hours = agreement.calendars["service-desk"].hours
    assert len(hours[0]) == 3
    p1 = agreement.objectives["p1-response"]
    assert isinstance(p1, ClockObjective)
    assert p1.where[1].equals == ("P1",)
    availability = agreement.objectives["crm-availability"]
    assert isinstance(availability, AvailabilityObjective)
    assert availability.target.value == 0.999
    assert availability.maintenance
    recovery = agreement.objectives["crm-recovery"]
    assert isinstance(recovery, AvailabilityObjective)
    assert recovery.calendar == "service-desk"
    assert agreement.credits is not None
    assert agreement.credits.tiers["reopen-rate"][0].direction == "above"


def test_hr_requests_covers_response_processing_feedback_and_a_ratio() -> None:
    agreement = parse_agreement(template_text("hr-requests"))
    feedback = agreement.objectives["applicant-feedback"]
    assert isinstance(feedback, ClockObjective)
    assert (feedback.within.unit, feedback.within.amount) == (DurationUnit.BUSINESS_DAYS, 5)
    first = agreement.objectives["first-response"]
    assert isinstance(first, ClockObjective)
    assert (first.within.unit, first.within.amount) == (DurationUnit.WORKING, 4 * 3600)
    assert isinstance(agreement.objectives["hotline-reachability"], RatioObjective)
    rework = agreement.objectives["rework-rate"]
    assert isinstance(rework, RatioObjective)
    assert not rework.target.op.higher_is_better


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_event_names_are_documented_in_its_header(name: str) -> None:
    text = template_text(name)
    header = text.split("\nagreement:")[0]
    agreement = parse_agreement(text)
    events: set[str] = set()
    for o in agreement.objectives.values():
        if isinstance(o, CountObjective):
            events.add(o.count)
        elif isinstance(o, ClockObjective):
            events |= {e for e in (o.clock.start, o.clock.stop, o.clock.pause, o.clock.resume) if e}
        elif isinstance(o, RatioObjective):
            events |= {o.count, o.of}
        else:
            events |= {o.down, o.up}
    assert events
    assert all(event in header for event in events), events
