import datetime as dt
from pathlib import Path

import pytest

from slawatch.agreement_files import load_agreement
from slawatch.agreements import AgreementError
from slawatch.agreements.model import ReviewCadence
from slawatch.agreements.parse import parse_agreement
from tests.agreements.support import HEAD, SOURCE, line_of, make, only_problem, parse, problems_of


def test_a_minimal_agreement_parses_with_defaults() -> None:
    agreement = parse(make())
    assert agreement.id == "test"
    assert agreement.title == "Test"
    assert agreement.timezone == "Europe/Berlin"
    assert agreement.effective == dt.date(2026, 1, 1)
    assert agreement.review is None
    assert agreement.version is None
    assert agreement.escalation == ()
    assert agreement.credits is None


def test_review_version_and_title_are_read() -> None:
    head = HEAD + "title: Lead handover\nreview: quarterly\nversion: 3\n"
    agreement = parse(make(head=head))
    assert (agreement.title, agreement.review, agreement.version) == (
        "Lead handover",
        ReviewCadence.QUARTERLY,
        3,
    )


def test_a_problem_names_file_line_field_and_fix() -> None:
    text = make().replace("within: 48h", "within: 48 hours")
    problem = only_problem(text)
    assert str(problem) == (
        f"test.yaml:{line_of(text, '48 hours')}: objectives.speed.within: "
        '"48 hours" is not a duration; write 48h'
    )


def test_every_problem_of_a_file_is_reported_at_once_in_line_order() -> None:
    text = (
        make(head="agreement: Test_1\ntimezone: Berln\neffective: 2026-13-01\nreview: weekly\n")
        .replace("within: 48h", "within: 2 days")
        .replace("owner: sales", "owner: sails")
    )
    problems = problems_of(text)
    assert [p.field for p in problems] == [
        "agreement", "timezone", "effective", "review",
        "objectives.speed.owner", "objectives.speed.within",
    ]  # fmt: skip
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    assert all(p.hint for p in problems)
    assert all(p.file == SOURCE for p in problems)


@pytest.mark.parametrize(
    ("key", "field"),
    [("agreement", "agreement"), ("timezone", "timezone"), ("effective", "effective")],
)
def test_required_top_level_keys_are_reported_when_missing(key: str, field: str) -> None:
    head = "".join(line + "\n" for line in HEAD.splitlines() if not line.startswith(key))
    problem = only_problem(make(head=head))
    assert (problem.field, problem.line, problem.message) == (field, 1, "is required but missing")
    assert problem.hint


def test_parties_and_objectives_are_required() -> None:
    problems = problems_of(HEAD)
    assert {p.field for p in problems} == {"parties", "objectives"}


def test_unknown_top_level_key_suggests_the_close_one_and_lists_the_known() -> None:
    text = make(tail="escalaton: []\n")
    problem = only_problem(text)
    assert problem.line == line_of(text, "escalaton")
    assert problem.field == "escalaton"
    assert problem.message == 'unknown key "escalaton"'
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean escalation? known keys: agreement, title")


@pytest.mark.parametrize(
    ("value", "hint"),
    [("Marketing Sales", "marketing-sales"), ("sales_2026", "sales-2026"), ("-x", "x")],
)
def test_an_agreement_id_is_lowercase_letters_digits_and_dashes(value: str, hint: str) -> None:
    problem = only_problem(make(head=HEAD.replace("agreement: test", f"agreement: {value}")))
    assert problem.field == "agreement"
    assert problem.hint == f"use lowercase letters, digits and dashes, such as {hint}"


@pytest.mark.parametrize(
    ("zone", "guess"),
    [
        ("Europe/Berln", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
    ],
)
def test_an_unknown_time_zone_suggests_a_close_iana_name(zone: str, guess: str) -> None:
    problem = only_problem(make(head=HEAD.replace("Europe/Berlin", zone)))
    assert problem.message == f'"{zone}" is not a time zone'
    assert problem.hint == f"did you mean {guess}?"


def test_a_time_zone_far_from_any_name_gets_an_example() -> None:
    problem = only_problem(make(head=HEAD.replace("Europe/Berlin", "Mars/Olympus_Mons_Base")))
    assert problem.hint == "write an IANA time zone such as Europe/Berlin"


@pytest.mark.parametrize("value", ["2026-02-30", "01.01.2026", "2026", "next monday"])
def test_effective_must_be_a_real_date(value: str) -> None:
    problem = only_problem(make(head=HEAD.replace("2026-01-01", value)))
    assert problem.field == "effective"
    assert "is not a date" in problem.message


@pytest.mark.parametrize("value", ["0", "two", "1.5", "true"])
def test_version_is_a_whole_number_from_one(value: str) -> None:
    problem = only_problem(make(head=HEAD + f"version: {value}\n"))
    assert problem.field == "version"
    assert problem.hint == "write a whole number from 1 up, such as 2"


def test_a_misspelt_review_cadence_is_suggested() -> None:
    problem = only_problem(make(head=HEAD + "review: quartely\n"))
    assert problem.hint == "did you mean quarterly? (one of: monthly, quarterly, yearly)"


# ---------------------------------------------------------------- malformed YAML


def test_a_duplicate_key_is_one_problem_at_the_second_occurrence() -> None:
    text = make(head=HEAD + "timezone: UTC\n")
    problem = only_problem(text)
    assert problem.line == 4
    assert problem.message == 'duplicate key "timezone"'
    assert problem.hint is not None


def test_a_tab_is_one_problem_with_a_hint_to_use_spaces() -> None:
    problem = only_problem("agreement: x\nparties:\n\tsales: {}\n")
    assert (problem.line, problem.message) == (3, "tab character in YAML")
    assert problem.hint == "indent with spaces, not tabs"


def test_an_unquoted_comparison_is_explained_with_the_quoted_line() -> None:
    text = make().replace('target: ">= 95%"', "target: >= 95%")
    problem = only_problem(text)
    assert problem.line == line_of(text, "target:")
    assert problem.hint == 'write target: ">= 95%"'


def test_an_unclosed_bracket_points_where_it_opened() -> None:
    problem = only_problem("agreement: x\ncontacts: [a, b\n")
    assert problem.line == 2
    assert problem.message.startswith("malformed YAML")


def test_an_empty_file_is_one_problem_without_line() -> None:
    problem = only_problem("# nothing here\n")
    assert (problem.line, problem.field, problem.message) == (None, "", "the file is empty")


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    problem = only_problem("- agreement: x\n")
    assert problem.message == "an agreement must be a mapping of key: value lines"


# ---------------------------------------------------------------- parties


def test_party_name_defaults_from_the_id_and_short_ids_are_acronyms() -> None:
    parties = "parties:\n  sales:\n  it: {}\n  business-unit: {contacts: [a@example.com]}\n"
    agreement = parse(make(parties=parties))
    names = {p.id: p.name for p in agreement.parties.values()}
    assert names == {"sales": "Sales", "it": "IT", "business-unit": "Business Unit"}
    assert agreement.parties["business-unit"].contacts == ("a@example.com",)


def test_contacts_are_at_most_three_email_addresses() -> None:
    emails = "a@example.com, b@example.com, c@example.com, d@example.com"
    parties = f"parties:\n  sales: {{contacts: [{emails}]}}\n"
    problem = only_problem(make(parties=parties))
    assert problem.field == "parties.sales.contacts"
    assert problem.message == "lists 4 contacts, at most 3 are used"


@pytest.mark.parametrize("email", ["lena", "lena@", "lena@example", "a b@example.com"])
def test_a_contact_must_look_like_an_email_address(email: str) -> None:
    text = make(parties=f'parties:\n  sales:\n    contacts: [ok@example.com, "{email}"]\n')
    problem = only_problem(text)
    assert problem.field == "parties.sales.contacts[1]"
    assert problem.line == 6
    assert problem.hint == "write name@example.com"


def test_a_party_must_be_a_mapping() -> None:
    problem = only_problem(make(parties="parties:\n  sales: Sales\n"))
    assert (problem.field, problem.message) == ("parties.sales", "must be a mapping of key: value")


def test_a_broken_party_does_not_cascade_into_unknown_owner_problems() -> None:
    text = make(parties="parties:\n  sales: {name: Sales, contacts: [nobody]}\n")
    problem = only_problem(text)
    assert problem.field == "parties.sales.contacts[0]"


def test_unknown_keys_in_a_party_are_reported() -> None:
    problem = only_problem(make(parties="parties:\n  sales: {nmae: Sales}\n"))
    assert problem.field == "parties.sales.nmae"
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean name?")


def test_an_empty_parties_section_is_refused() -> None:
    problems = problems_of(make(parties="parties: {}\n"))
    assert any(p.message == "needs at least one party" for p in problems)


# ---------------------------------------------------------------- files


def test_load_agreement_names_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text(make().replace("48h", "48 hours"), encoding="utf-8")
    with pytest.raises(AgreementError) as caught:
        load_agreement(path)
    assert str(caught.value).startswith(f"{path}:14: objectives.speed.within:")


def test_load_agreement_reports_a_missing_file_as_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(AgreementError) as caught:
        load_agreement(path)
    assert str(caught.value).startswith(f"{path}: cannot read")


def test_load_agreement_reads_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text(make(), encoding="utf-8")
    assert load_agreement(path) == parse_agreement(make())


def test_a_second_yaml_document_is_refused() -> None:
    problem = only_problem(make() + "---\nagreement: other\n")
    assert problem.message == "the file holds more than one YAML document"


KITCHEN_SINK = """\
agreement: Marketing_Sales
titel: x
timezone: Berlin
effective: 2026-02-30
parties:
  marketing:
    contacts: [lena, a@b.com]
  sales: Sales
calendars:
  office:
    hours: {mon-fri: "08:00-12:00, 11:00-13:00", fri: "08:00-14:00", sunday: "1-2"}
    holidays: DE-BX
objectives:
  leads:
    owner: marketting
    count: Qualified
    target: ">= 50%"
  speed:
    owner: sales
    clock: {start: handed_over, stop: contacted, pause: on_hold}
    within: 48 hours
    target: ">= 95"
    warn: 0.75
  avail:
    owner: sales
    availability: {down: down, up: up}
    calendar: offic
    within: 3h
    target: ">= 99.9%"
escalation:
  - {after: 4h, tier: 2}
  - {after: 2h, tier: 1}
credits:
  fee: 10.000 EUR
  sped: []
"""


def test_a_file_full_of_mistakes_reports_each_with_line_field_and_hint() -> None:
    problems = problems_of(KITCHEN_SINK)
    fields = [p.field for p in problems]
    assert fields == [
        "agreement", "titel", "timezone", "effective",
        "parties.marketing.contacts[0]", "parties.sales",
        "calendars.office.hours.mon-fri", "calendars.office.hours.fri",
        "calendars.office.hours.sunday", "calendars.office.hours.sunday",
        "calendars.office.holidays",
        "objectives.leads.owner", "objectives.leads.count", "objectives.leads.target",
        "objectives.speed.clock.pause", "objectives.speed.within", "objectives.speed.target",
        "objectives.speed.warn",
        "objectives.avail.calendar", "objectives.avail.within",
        "escalation[1].after", "escalation[1].tier",
        "credits.fee", "credits.sped",
    ]  # fmt: skip
    for problem in problems:
        assert problem.line is not None
        assert problem.hint, problem
        fragment = problem.field.rsplit(".", 1)[-1].split("[")[0]
        assert fragment in KITCHEN_SINK.splitlines()[problem.line - 1] or "[" in problem.field
