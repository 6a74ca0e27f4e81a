"""Read calendars: time zones, weekly working hours, holidays and closed dates."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any

import holidays
from ruamel.yaml.comments import CommentedSeq

from slawatch.agreements._walk import (
    At,
    Walk,
    describe_value,
    each_entry,
    list_items,
    read_date,
    read_mapping,
    read_sequence,
    read_text,
    required_hint,
)
from slawatch.agreements.errors import choice_hint, did_you_mean
from slawatch.agreements.model import SECONDS_PER_DAY, Calendar, HolidaySource, Interval

TIME_INTERVAL = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Spellings that are not part of the language but deserve a precise hint (English and German).
DAY_ALIASES = {
    "monday": "mon", "mo": "mon", "montag": "mon",
    "tuesday": "tue", "tues": "tue", "tu": "tue", "di": "tue", "dienstag": "tue",
    "wednesday": "wed", "we": "wed", "mi": "wed", "mittwoch": "wed",
    "thursday": "thu", "thur": "thu", "thurs": "thu", "th": "thu", "do": "thu", "donnerstag": "thu",
    "friday": "fri", "fr": "fri", "freitag": "fri",
    "saturday": "sat", "sa": "sat", "samstag": "sat", "sonnabend": "sat",
    "sunday": "sun", "su": "sun", "so": "sun", "sonntag": "sun",
}  # fmt: skip


# ---------------------------------------------------------------- time zones


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def read_timezone(walk: Walk, value: Any, at: At) -> str | None:
    text = read_text(walk, value, at)
    if text is None or text in _zones():
        return text
    folded = text.casefold().replace(" ", "_")
    guess = next((z for z in sorted(_zones()) if z.casefold() == folded), None)
    guess = guess or next(
        (z for z in sorted(_zones()) if z.rsplit("/", 1)[-1].casefold() == folded and "/" in z),
        None,
    )
    guess = guess or did_you_mean(text, sorted(_zones()), cutoff=0.7)
    hint = f"did you mean {guess}?" if guess else "write an IANA time zone such as Europe/Berlin"
    walk.problem(at, f'"{text}" is not a time zone', hint)
    return None


# ---------------------------------------------------------------- calendars and weekly hours


def read_calendars(
    walk: Walk, value: Any, at: At, zone: str, declared: set[str]
) -> dict[str, Calendar]:
    mapping = read_mapping(walk, value, at, what="a mapping of calendar ids to calendars")
    if mapping is None:
        return {}
    calendars: dict[str, Calendar] = {}
    for calendar_id, body, calendar_at in each_entry(walk, mapping, what="calendar id"):
        declared.add(calendar_id)
        before = len(walk.problems)
        spec = read_mapping(
            walk,
            body,
            calendar_at,
            known=("timezone", "hours", "holidays", "closed"),
            required=("hours",),
        )
        if spec is None:
            continue
        calendar_zone = zone
        if "timezone" in spec:
            calendar_zone = (
                read_timezone(walk, spec.get("timezone"), spec.value_at("timezone")) or zone
            )
        hours = _hours(walk, spec.get("hours"), spec.value_at("hours")) if "hours" in spec else None
        source = None
        if spec.get("holidays") is not None:
            source = _holidays(walk, spec.get("holidays"), spec.value_at("holidays"))
        closed: frozenset[dt.date] = frozenset()
        if spec.get("closed") is not None:
            closed = _closed(walk, spec.get("closed"), spec.value_at("closed"))
        if hours is not None and len(walk.problems) == before:
            calendars[calendar_id] = Calendar(
                id=calendar_id, timezone=calendar_zone, hours=hours, holidays=source, closed=closed
            )
    return calendars


@dataclass(frozen=True)
class _Opening:
    """A parsed working interval with what the user wrote and where."""

    interval: Interval
    text: str
    at: At


def _hours(walk: Walk, value: Any, at: At) -> tuple[tuple[Interval, ...], ...] | None:
    mapping = read_mapping(walk, value, at, what="a mapping of days to working hours")
    if mapping is None:
        return None
    before = len(walk.problems)
    week: list[list[_Opening]] = [[] for _ in DAYS]
    named_in: dict[int, str] = {}
    for spec, intervals, intervals_at in mapping.items():
        spec_at = mapping.key_at(spec)
        days = _days(walk, spec, spec_at)
        openings = _intervals(walk, intervals, intervals_at)
        for day in days or ():
            if day in named_in:
                walk.problem(
                    spec_at,
                    f'{DAYS[day]} is named twice (in "{named_in[day]}" and "{spec}")',
                    "name each day once",
                )
            else:
                named_in[day] = str(spec)
                week[day] = list(openings or ())
    _check_overnight(walk, week)
    if len(walk.problems) > before:
        return None
    if not any(week):
        walk.problem(at, "has no working hours at all", required_hint("hours"))
        return None
    return tuple(tuple(sorted((o.interval for o in day), key=lambda i: i.start)) for day in week)


def _days(walk: Walk, spec: Any, at: At) -> list[int] | None:
    """Read a day spec: `mon`, `mon-fri`, `fri-mon` (wraps over the weekend), `mon,wed`."""
    text = str(spec).strip().casefold()
    days: list[int] = []
    ok = True
    for part in (p.strip() for p in text.split(",")):
        first, dash, last = part.partition("-")
        start = _day(walk, first.strip(), at)
        end = _day(walk, last.strip(), at) if dash else start
        if start is None or end is None:
            ok = False
            continue
        if dash and start == end:
            walk.problem(at, f'"{part}" is a range from a day to itself', f"write {DAYS[start]}")
            ok = False
            continue
        for offset in range((end - start) % 7 + 1):
            day = (start + offset) % 7
            if day in days:
                walk.problem(at, f'{DAYS[day]} is named twice in "{spec}"', "name each day once")
                ok = False
            days.append(day)
    return days if ok else None


def _day(walk: Walk, word: str, at: At) -> int | None:
    if word in DAYS:
        return DAYS.index(word)
    alias = DAY_ALIASES.get(word)
    hint = f"write {alias}" if alias else choice_hint(word, DAYS, noun="days")
    walk.problem(at, f'"{word}" is not a day', f"{hint}; ranges such as mon-fri are fine")
    return None


def _intervals(walk: Walk, value: Any, at: At) -> list[_Opening] | None:
    """Read `"08:00-12:00, 13:00-17:00"` or a list of such strings; empty means closed."""
    pieces: list[tuple[str, At]] = []
    if value is None:
        return []
    if isinstance(value, CommentedSeq):
        for _, item, item_at in list_items(value, at):
            if not isinstance(item, str):
                walk.problem(
                    item_at,
                    f"must be an interval, not {describe_value(item)}",
                    'write "08:00-12:00"',
                )
                continue
            pieces.extend((piece, item_at) for piece in item.split(","))
    elif isinstance(value, str):
        pieces.extend((piece, at) for piece in value.split(","))
    else:
        walk.problem(
            at,
            f"must be working hours, not {describe_value(value)}",
            'write "08:00-12:00, 13:00-17:00"',
        )
        return None
    openings: list[_Opening] = []
    ok = True
    for piece, piece_at in pieces:
        if not piece.strip():
            continue
        opening = _interval(walk, piece.strip(), piece_at)
        ok = ok and opening is not None
        if opening is not None:
            openings.append(opening)
    openings.sort(key=lambda o: o.interval.start)
    for earlier, later in itertools.pairwise(openings):
        if earlier.interval.end > later.interval.start:
            walk.problem(
                later.at,
                f"{earlier.text} and {later.text} overlap",
                "make the intervals of a day disjoint, or merge them into one",
            )
            ok = False
    return openings if ok else None


def _interval(walk: Walk, text: str, at: At) -> _Opening | None:
    match = TIME_INTERVAL.fullmatch(text)
    if match is None:
        hint = "write HH:MM-HH:MM, such as 08:00-12:00"
        if "–" in text or "—" in text:
            hint = "use a plain hyphen: 08:00-12:00"
        walk.problem(at, f'"{text}" is not a working interval', hint)
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for hours, minutes in ((h1, m1), (h2, m2)):
        if hours > 24 or minutes > 59 or (hours == 24 and minutes):
            walk.problem(
                at,
                f'"{hours:02d}:{minutes:02d}" in "{text}" is not a time of day',
                "use 00:00 to 24:00",
            )
            return None
    start, end = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
    if start == SECONDS_PER_DAY:
        walk.problem(at, f'"{text}" opens at 24:00', "open at 00:00 on the next day instead")
        return None
    if end <= start:  # overnight: 22:00-06:00 closes on the next day
        end += SECONDS_PER_DAY
    return _Opening(Interval(start=start, end=end), text, at)


def _check_overnight(walk: Walk, week: list[list[_Opening]]) -> None:
    """Refuse an overnight interval that runs into the next day's first hours."""
    reported: set[tuple[str, str]] = set()
    for day, openings in enumerate(week):
        following = week[(day + 1) % 7]
        for opening in openings:
            spill = opening.interval.end - SECONDS_PER_DAY
            for later in following:
                pair = (opening.text, later.text)
                if spill > later.interval.start and pair not in reported:
                    reported.add(pair)
                    walk.problem(
                        opening.at,
                        f"{DAYS[day]} {opening.text} runs into {DAYS[(day + 1) % 7]} {later.text}",
                        "close the overnight interval before the next day opens",
                    )


# ---------------------------------------------------------------- holidays and closed dates


@cache
def _countries() -> dict[str, list[str]]:
    return holidays.list_supported_countries(include_aliases=False)


@cache
def _country_aliases() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries(include_aliases=True))


@cache
def _country_details(code: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Return a country's subdivision aliases (name → code) and holiday categories."""
    calendar = holidays.country_holidays(code)
    aliases = dict(getattr(calendar, "subdivisions_aliases", {}) or {})
    return aliases, tuple(calendar.supported_categories)


def _holidays(walk: Walk, value: Any, at: At) -> HolidaySource | None:
    if isinstance(value, str):
        country, dash, subdivision = value.strip().partition("-")
        code = _country(walk, country.strip(), at)
        if code is None:
            return None
        sub = _subdivision(walk, code, subdivision.strip(), at) if dash else None
        if dash and sub is None:
            return None
        return HolidaySource(country=code, subdivision=sub)
    spec = read_mapping(
        walk,
        value,
        at,
        known=("country", "subdivision", "categories"),
        required=("country",),
        what="a code such as DE-BY, or {country: DE, subdivision: BY, categories: [public]}",
    )
    if spec is None or "country" not in spec:
        return None
    country_text = read_text(walk, spec.get("country"), spec.value_at("country"))
    code = None if country_text is None else _country(walk, country_text, spec.value_at("country"))
    if code is None:
        return None
    sub = None
    if "subdivision" in spec:
        sub_text = read_text(walk, spec.get("subdivision"), spec.value_at("subdivision"))
        sub = (
            None
            if sub_text is None
            else _subdivision(walk, code, sub_text, spec.value_at("subdivision"))
        )
        if sub is None:
            return None
    categories = None
    if "categories" in spec:
        categories = _categories(walk, code, spec.get("categories"), spec.value_at("categories"))
        if categories is None:
            return None
    return HolidaySource(country=code, subdivision=sub, categories=categories)


def _country(walk: Walk, text: str, at: At) -> str | None:
    code = text.upper()
    if code in _countries():
        return code
    if code in _country_aliases():
        canonical = holidays.country_holidays(code).country
        walk.problem(at, f'"{text}" is not a two-letter country code', f"write {canonical}")
        return None
    guess = did_you_mean(code, _countries())
    lead = f"did you mean {guess}? " if guess else ""
    walk.problem(
        at,
        f'"{text}" is not a country the holidays package knows',
        f"{lead}write an ISO 3166 code such as DE, AT, CH, US",
    )
    return None


def _subdivision(walk: Walk, country: str, text: str, at: At) -> str | None:
    known = _countries()[country]
    folded = {s.casefold(): s for s in known}
    if text.casefold() in folded:
        return folded[text.casefold()]
    aliases, _ = _country_details(country)
    by_name = {name.casefold(): code for name, code in aliases.items()}
    if text.casefold() in by_name:
        hint = f"write {by_name[text.casefold()]}"
    elif not known:
        hint = f"{country} has no subdivisions; write {country}"
    else:
        hint = choice_hint(text, known, noun=f"subdivisions of {country}")
        name = did_you_mean(text, aliases)
        if did_you_mean(text, known) is None and name is not None:
            hint = f"did you mean {aliases[name]} ({name})? " + hint
    walk.problem(at, f'"{text}" is not a subdivision of {country}', hint)
    return None


def _categories(walk: Walk, country: str, value: Any, at: At) -> tuple[str, ...] | None:
    items: list[tuple[Any, At]]
    if isinstance(value, str):
        items = [(value, at)]
    else:
        seq = read_sequence(walk, value, at, what="a list of holiday categories")
        if seq is None:
            return None
        items = [(item, item_at) for _, item, item_at in list_items(seq, at)]
    if not items:
        walk.problem(at, "lists no categories", "leave categories out for the default (public)")
        return None
    _, supported = _country_details(country)
    categories: list[str] = []
    for item, item_at in items:
        text = read_text(walk, item, item_at)
        if text is None:
            return None
        if text.casefold() not in supported:
            walk.problem(
                item_at,
                f'"{text}" is not a holiday category of {country}',
                choice_hint(text, supported, noun="categories"),
            )
            return None
        if text.casefold() not in categories:
            categories.append(text.casefold())
    return tuple(categories)


def _closed(walk: Walk, value: Any, at: At) -> frozenset[dt.date]:
    seq = read_sequence(walk, value, at, what="a list of dates such as [2026-12-24, 2026-12-31]")
    if seq is None:
        return frozenset()
    dates = (read_date(walk, item, item_at) for _, item, item_at in list_items(seq, at))
    return frozenset(d for d in dates if d is not None)
