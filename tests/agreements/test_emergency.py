"""The `emergency:` section: triggers, steps, contacts and paused clocks, and its mistakes."""

from __future__ import annotations

from slawatch.agreements.model import IncidentTrigger
from tests.agreements.support import line_of, make, objective, only_problem, parse, problems_of

AVAILABILITY = """\
  uptime:
    owner: marketing
    availability: {down: down, up: up}
    target: ">= 99%"
"""

PLAN = """\
emergency:
  triggers:
    - service-down: uptime
    - {service-down: uptime, service: crm}
    - feed-silent: handed_over
    - declared
  pause: [speed]
  contacts: [oncall@example.com]
  steps:
    - {do: "Sales works new leads from the backup list", owner: sales, within: 1h}
    - {do: "Marketing posts status every 2 hours", owner: marketing, within: 2h}
"""


def text(plan: str = PLAN) -> str:
    return make(objectives=objective() + AVAILABILITY, tail=plan)


def test_a_plan_reads_its_triggers_steps_contacts_and_paused_clocks():
    plan = parse(text()).emergency
    assert plan is not None
    assert plan.triggers == (
        IncidentTrigger(kind="service-down", objective="uptime"),
        IncidentTrigger(kind="service-down", objective="uptime", service="crm"),
        IncidentTrigger(kind="feed-silent", event="handed_over"),
        IncidentTrigger(kind="declared"),
    )
    assert [(s.owner, s.within.seconds) for s in plan.steps] == [
        ("sales", 3600),
        ("marketing", 7200),
    ]
    assert plan.contacts == ("oncall@example.com",) and plan.pause == ("speed",)


def test_an_agreement_without_a_plan_has_none():
    assert parse(make()).emergency is None


def test_service_down_must_name_an_availability_objective():
    written = text(PLAN.replace("service-down: uptime\n", "service-down: speed\n", 1))
    problem = only_problem(written)
    assert problem.line == line_of(written, "service-down: speed")
    assert "not an availability objective" in problem.message and "uptime" in (problem.hint or "")


def test_only_clock_objectives_pause():
    written = text(PLAN.replace("pause: [speed]", "pause: [uptime]"))
    problem = only_problem(written)
    assert problem.line == line_of(written, "pause:")
    assert "not a clock objective" in problem.message


def test_a_step_names_a_party_and_a_wall_clock_limit():
    written = text(PLAN.replace("owner: sales, within: 1h", "owner: it, within: 1bd"))
    messages = [p.message for p in problems_of(written)]
    assert any("not a party" in m for m in messages)
    assert len(messages) == 2


def test_an_unknown_trigger_is_refused_with_the_ways_to_write_one():
    written = text(PLAN.replace("    - declared\n", "    - by-hand\n"))
    problem = only_problem(written)
    assert problem.line == line_of(written, "by-hand")
    assert "declared" in (problem.hint or "")


def test_a_contact_must_be_an_email():
    written = text(PLAN.replace("oncall@example.com", "oncall"))
    assert "not an e-mail address" in only_problem(written).message


def test_a_broken_objective_named_by_the_plan_is_reported_once():
    written = text().replace("within: 48h", "within: 48 hours")
    problem = only_problem(written)
    assert problem.field.endswith("speed.within")
