"""Write an agreement's YAML from a template and a form's answers, keeping the template's comments.

The "New agreement" page asks for what differs between agreements of one kind (id, title,
parties and their contacts, targets, calendars, the effective date) and leaves the rest
(objectives' events, escalation, credits) as the template has it. Answers are plain strings
keyed by field name (`party.sales.contact.1`, `objective.speed-to-lead.target`,
`calendar.office.hours.mon` …); the result is checked like any other YAML, by `parse_agreement`.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from slawatch.agreements.calendars import DAYS
from slawatch.agreements.limits import STORED
from slawatch.agreements.model import Agreement, Calendar, Interval
from slawatch.agreements.parse import parse_agreement

TIERS = (1, 2, 3)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # one line per value, as people write agreements
    return yaml


def read_template(text: str) -> Agreement:
    """Return a packaged template's agreement: the form's sections come from it."""
    return parse_agreement(text, source="template.yaml", limits=STORED)


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def hours_text(intervals: tuple[Interval, ...]) -> str:
    """Write a day's working intervals as the language reads them: `08:00-12:00, 13:00-17:00`."""
    return ", ".join(f"{_clock(i.start)}-{_clock(i.end)}" for i in intervals)


def _calendar_fields(calendar: Calendar, raw: Mapping[str, Any]) -> dict[str, str]:
    key = f"calendar.{calendar.id}"
    fields = {f"{key}.timezone": str(raw.get("timezone", "") or "")}
    for day, intervals in zip(DAYS, calendar.hours, strict=True):
        fields[f"{key}.hours.{day}"] = hours_text(intervals)
    source = calendar.holidays
    fields[f"{key}.country"] = "" if source is None else source.country
    fields[f"{key}.region"] = "" if source is None else source.subdivision or ""
    fields[f"{key}.closed"] = ", ".join(d.isoformat() for d in sorted(calendar.closed))
    return fields


def template_fields(text: str) -> dict[str, str]:
    """Return the form's answers as the template gives them: the form starts from these."""
    agreement = read_template(text)
    raw = _yaml().load(text)
    fields = {
        "id": "",
        "title": agreement.title,
        "timezone": agreement.timezone,
        "effective": agreement.effective.isoformat(),
    }
    for party in agreement.parties.values():
        fields[f"party.{party.id}.name"] = party.name
        for tier in TIERS:
            contact = party.contacts[tier - 1] if tier <= len(party.contacts) else ""
            fields[f"party.{party.id}.contact.{tier}"] = contact
            fields[f"party.{party.id}.language.{tier}"] = ""
    for objective_id, body in raw["objectives"].items():
        fields[f"objective.{objective_id}.target"] = str(body["target"])
        if "within" in body:
            fields[f"objective.{objective_id}.within"] = str(body["within"])
    for calendar in agreement.calendars.values():
        fields |= _calendar_fields(calendar, raw["calendars"][calendar.id])
    return fields


def _flow(items: list[Any] | dict[str, Any]) -> CommentedSeq | CommentedMap:
    node: CommentedSeq | CommentedMap = (
        CommentedSeq(items) if isinstance(items, list) else CommentedMap(items)
    )
    node.fa.set_flow_style()
    return node


def _quoted(text: str) -> DoubleQuotedScalarString:
    quoted: DoubleQuotedScalarString = DoubleQuotedScalarString(text)
    return quoted


def week_hours(answers: Mapping[str, str], key: str) -> dict[str, DoubleQuotedScalarString]:
    """Group the days with the same hours into ranges: {mon-thu: "08:00-17:00", fri: …}."""
    week = [(day, answers.get(f"{key}.hours.{day}", "").strip()) for day in DAYS]
    grouped: dict[str, DoubleQuotedScalarString] = {}
    for hours, run in itertools.groupby(week, key=lambda pair: pair[1]):
        days = [day for day, _ in run]
        if hours:
            name = days[0] if len(days) == 1 else f"{days[0]}-{days[-1]}"
            grouped[name] = _quoted(hours)
    return grouped


def _date(text: str) -> dt.date | str:
    """Write a date as a YAML date when it reads as one, else as typed (the check reports it)."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return text.strip()


def _set_holidays(calendar: CommentedMap, country: str, region: str) -> None:
    existing = calendar.get("holidays")
    if not country:
        calendar.pop("holidays", None)
    elif isinstance(existing, CommentedMap):
        existing["country"] = country
        if region:
            existing["subdivision"] = region
        else:
            existing.pop("subdivision", None)
    else:
        calendar["holidays"] = f"{country}-{region}" if region else country


def _compose_calendar(calendar: CommentedMap, key: str, answers: Mapping[str, str]) -> None:
    zone = answers.get(f"{key}.timezone", "").strip()
    if zone:
        calendar["timezone"] = zone
    else:
        calendar.pop("timezone", None)
    calendar["hours"] = _flow(dict(week_hours(answers, key)))
    _set_holidays(
        calendar,
        answers.get(f"{key}.country", "").strip().upper(),
        answers.get(f"{key}.region", "").strip().upper(),
    )
    closed = [_date(d) for d in answers.get(f"{key}.closed", "").split(",") if d.strip()]
    if closed:
        calendar["closed"] = _flow(closed)
    else:
        calendar.pop("closed", None)


def _compose_parties(document: CommentedMap, answers: Mapping[str, str]) -> None:
    for party_id, party in document["parties"].items():
        key = f"party.{party_id}"
        party["name"] = answers.get(f"{key}.name", "").strip()
        contacts = [answers.get(f"{key}.contact.{tier}", "").strip() for tier in TIERS]
        while contacts and not contacts[-1]:
            contacts.pop()
        if contacts:
            party["contacts"] = _flow(contacts)
        else:
            party.pop("contacts", None)


def compose(template: str, answers: Mapping[str, str]) -> str:
    """Return the template's YAML with the answers written in; the caller checks the result."""
    document: CommentedMap = _yaml().load(template)
    document["agreement"] = answers.get("id", "").strip()
    document["title"] = answers.get("title", "").strip()
    document["timezone"] = answers.get("timezone", "").strip()
    document["effective"] = _date(answers.get("effective", ""))
    document.pop("version", None)  # a new agreement's first version is the store's to number
    _compose_parties(document, answers)
    for objective_id, objective in document["objectives"].items():
        key = f"objective.{objective_id}"
        objective["target"] = _quoted(answers.get(f"{key}.target", "").strip())
        if "within" in objective:
            objective["within"] = answers.get(f"{key}.within", "").strip()
    for calendar_id, calendar in (document.get("calendars") or {}).items():
        _compose_calendar(calendar, f"calendar.{calendar_id}", answers)
    written = io.StringIO()
    _yaml().dump(document, written)
    return written.getvalue()
