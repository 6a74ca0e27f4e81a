"""The "New agreement" form: its sections from a template, and each answer checked at its field.

Every answer is checked here first, in the reader's language, so a mistake is named beside the
field that holds it. What only the whole agreement can tell (an owner's calendar, a duration in
`d` with a calendar …) comes from checking the YAML the answers make; such a problem is shown at
the field its path points to (`objectives.speed-to-lead.within` → that objective's "within").
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from functools import cache
from typing import Any

import holidays

from slawatch.agreements.calendars import DAYS, TIME_INTERVAL
from slawatch.agreements.compose import TIERS
from slawatch.agreements.limits import EARLIEST_DATE, LATEST_DATE
from slawatch.agreements.model import Agreement
from slawatch.agreements.parties import EMAIL
from slawatch.engine.kinds import kind_of
from slawatch.i18n import LANGUAGE_NAMES, LANGUAGES, Translator
from slawatch.web.drafts import DraftProblem

AGREEMENT_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED_IDS = frozenset({"new"})  # /agreements/new is this form
MAX_ANSWER = 500  # characters of one answer
_TARGET = re.compile(r"(>=|<=|>|<)\s*(\d+(?:[.,]\d+)?)\s*(%?)")
_DURATION = re.compile(r"\d+(?:\.\d+)?\s*(?:m|h|d|w|bd)")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def _countries() -> dict[str, tuple[str, ...]]:
    return {code: tuple(subs) for code, subs in holidays.list_supported_countries().items()}


def sections(template: Agreement, fields: Mapping[str, str], t: Translator) -> dict[str, Any]:
    """Return what the form asks per party, objective and calendar of the template."""
    return {
        "parties": [{"id": p.id, "name": p.name} for p in template.parties.values()],
        "tiers": TIERS,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "objectives": [
            {
                "id": o.id,
                "title": o.title,
                "owner": template.parties[o.owner].name if o.owner in template.parties else "",
                "kind": t.gettext(kind_of(o.kind).label),
                "share": kind_of(o.kind).share,
                "within": f"objective.{o.id}.within" in fields,
            }
            for o in template.objectives.values()
        ],
        "calendars": [c.id for c in template.calendars.values()],
        "days": DAYS,
    }


def _check_id(answer: str, existing: set[str], t: Translator) -> str:
    if not answer:
        return t.gettext("Give the agreement an id, e.g. acme-leads.")
    if len(answer) > 100 or not AGREEMENT_ID.fullmatch(answer):
        return t.gettext(
            "Use lower-case letters, digits and single hyphens (at most 100), e.g. acme-leads."
        )
    if answer in RESERVED_IDS:
        return t.gettext("“%(id)s” is reserved; choose another id.", id=answer)
    if answer in existing:
        return t.gettext(
            "An agreement “%(id)s” exists already; choose another id, or edit that one.",
            id=answer,
        )
    return ""


def _check_date(answer: str, t: Translator) -> str:
    try:
        day = dt.date.fromisoformat(answer)
    except ValueError:
        return t.gettext("%(date)s is not a date; write it as 2026-04-01.", date=answer[:20])
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return t.gettext(
            "%(date)s is out of range; give a date from %(first)s to %(last)s.",
            date=day.isoformat(),
            first=EARLIEST_DATE.isoformat(),
            last=LATEST_DATE.isoformat(),
        )
    return ""


def _check_zone(answer: str, t: Translator, *, required: bool) -> str:
    if not answer and not required:
        return ""
    if answer not in _zones():
        return t.gettext("Choose a time zone such as Europe/Berlin.")
    return ""


def _check_party(answers: Mapping[str, str], party: str, t: Translator) -> dict[str, str]:
    errors: dict[str, str] = {}
    key = f"party.{party}"
    if not answers.get(f"{key}.name"):
        errors[f"{key}.name"] = t.gettext("Give the party a name.")
    for tier in TIERS:
        email = answers.get(f"{key}.contact.{tier}", "")
        language = answers.get(f"{key}.language.{tier}", "")
        if email and not EMAIL.fullmatch(email):
            errors[f"{key}.contact.{tier}"] = t.gettext(
                "“%(email)s” is not an e-mail address; write name@example.com.", email=email[:80]
            )
        elif email and tier > 1 and not answers.get(f"{key}.contact.{tier - 1}"):
            errors[f"{key}.contact.{tier}"] = t.gettext(
                "Fill in tier %(tier)s first: escalation climbs the tiers in order.", tier=tier - 1
            )
        if language and language not in LANGUAGES:
            errors[f"{key}.language.{tier}"] = t.gettext("Choose English or German.")
        elif language and not email:
            errors[f"{key}.language.{tier}"] = t.gettext("A language needs the contact's e-mail.")
    return errors


def _check_target(answer: str, share: bool, t: Translator) -> str:
    match = _TARGET.fullmatch(answer)
    if share and (match is None or not match.group(3)):
        return t.gettext("Write a share with its comparison, e.g. >= 95%.")
    if not share and (match is None or match.group(3)):
        return t.gettext("Write a number with its comparison, e.g. >= 50.")
    return ""


def _check_calendar(answers: Mapping[str, str], calendar: str, t: Translator) -> dict[str, str]:
    errors: dict[str, str] = {}
    key = f"calendar.{calendar}"
    if problem := _check_zone(answers.get(f"{key}.timezone", ""), t, required=False):
        errors[f"{key}.timezone"] = problem
    for day in DAYS:
        hours = answers.get(f"{key}.hours.{day}", "")
        pieces = [piece.strip() for piece in hours.split(",") if piece.strip()]
        if any(not TIME_INTERVAL.fullmatch(piece) for piece in pieces):
            errors[f"{key}.hours.{day}"] = t.gettext(
                "Write working hours as 08:00-12:00, 13:00-17:00; empty for a closed day."
            )
    if not any(answers.get(f"{key}.hours.{day}") for day in DAYS):
        errors[f"{key}.hours.mon"] = t.gettext("Give at least one day working hours.")
    country = answers.get(f"{key}.country", "").upper()
    region = answers.get(f"{key}.region", "").upper()
    if country and country not in _countries():
        errors[f"{key}.country"] = t.gettext(
            "“%(code)s” is not a country code with public holidays; write e.g. DE, AT or FR.",
            code=country[:10],
        )
    elif region and not country:
        errors[f"{key}.region"] = t.gettext("A region needs its country.")
    elif region and region not in _countries()[country]:
        errors[f"{key}.region"] = t.gettext(
            "%(country)s has no region “%(code)s”; choose one of %(choices)s.",
            country=country,
            code=region[:10],
            choices=", ".join(_countries()[country]) or "–",
        )
    for day in answers.get(f"{key}.closed", "").split(","):
        if day.strip() and (problem := _check_date(day.strip(), t)):
            errors[f"{key}.closed"] = problem
    return errors


def check_answers(
    answers: Mapping[str, str], template: Agreement, existing: set[str], t: Translator
) -> dict[str, str]:
    """Return each field's problem, in the reader's language; empty when every answer reads."""
    errors = {
        name: t.gettext("At most %(count)s characters.", count=MAX_ANSWER)
        for name, answer in answers.items()
        if len(answer) > MAX_ANSWER
    }
    checks = {
        "id": _check_id(answers.get("id", ""), existing, t),
        "title": "" if answers.get("title") else t.gettext("Give the agreement a title."),
        "timezone": _check_zone(answers.get("timezone", ""), t, required=True),
        "effective": _check_date(answers.get("effective", ""), t),
    }
    errors |= {name: problem for name, problem in checks.items() if problem}
    for party in template.parties:
        errors |= _check_party(answers, party, t)
    for objective in template.objectives.values():
        key = f"objective.{objective.id}"
        share = kind_of(objective.kind).share
        if problem := _check_target(answers.get(f"{key}.target", ""), share, t):
            errors[f"{key}.target"] = problem
        within = answers.get(f"{key}.within")
        if within is not None and not _DURATION.fullmatch(within):
            errors[f"{key}.within"] = t.gettext(
                "Write a duration such as 30m, 24h, 3bd (business days) or 2w."
            )
    for calendar in template.calendars:
        errors |= _check_calendar(answers, calendar, t)
    return errors


_CONTACT = re.compile(r"contacts\[(\d+)\]")
_CALENDAR_FIELDS = {
    "hours": "hours.mon",
    "holidays": "country",
    "timezone": "timezone",
    "closed": "closed",
}


def form_field(path: str) -> str:
    """Return the form field a problem of the made YAML points to, or "" for the whole form."""
    parts = path.split(".")
    if parts[0] in ("agreement", "title", "timezone", "effective"):
        return "id" if parts[0] == "agreement" else parts[0]
    if parts[0] == "credits" and len(parts) > 1:  # a credit tier contradicts the target
        return f"objective.{parts[1].split('[')[0]}.target"
    if len(parts) < 3:
        return ""
    top, name, rest = parts[0], parts[1], parts[2]
    if top == "parties":
        contact = _CONTACT.match(rest)
        if contact:
            return f"party.{name}.contact.{int(contact.group(1)) + 1}"
        return f"party.{name}.name" if rest == "name" else ""
    if top == "objectives" and rest in ("target", "within"):
        return f"objective.{name}.{rest}"
    if top == "calendars":
        day = parts[3].split("-")[0] if len(parts) > 3 and rest == "hours" else ""
        if day in DAYS:
            return f"calendar.{name}.hours.{day}"
        field = _CALENDAR_FIELDS.get(rest.split("[")[0], "")
        return f"calendar.{name}.{field}" if field else ""
    return ""


def place_problems(
    problems: tuple[DraftProblem, ...], answers: Mapping[str, str]
) -> tuple[dict[str, str], tuple[DraftProblem, ...]]:
    """Split the made YAML's problems into those beside a field and those for the whole form."""
    beside: dict[str, str] = {}
    general: list[DraftProblem] = []
    for problem in problems:
        field = form_field(problem.field)
        if field and field in answers and field not in beside:
            hint = f"; {problem.hint}" if problem.hint else ""
            beside[field] = f"{problem.message}{hint}"
        else:
            general.append(problem)
    return beside, tuple(general)
