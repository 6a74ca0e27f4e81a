"""Durations as agreements write them: `30m`, `24h`, `3d`, `2w`, `3bd`, `1h30m`.

Without a calendar a duration is wall time (real elapsed seconds). With a calendar `m`/`h`
count working seconds and `bd` business days; `d`/`w` are refused there because "a day" of
working time is ambiguous (8 hours? the next business day?) and users mean different things.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from slawatch.agreements.model import Duration, DurationUnit

SECONDS = {"w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_ORDER = "wdhms"  # parts of a compound duration, largest first

_PART = re.compile(r"(\d+)(bd|w|d|h|m|s)")
# The longest allowance or delay: ten years, wall or working time, or business days. Longer
# ones promise nothing and would carry deadlines past the dates agreements may use.
LONGEST_SECONDS = 3_660 * 86_400
LONGEST_BUSINESS_DAYS = 2_610
_COMPOUND = re.compile(r"(?:\d+(?:bd|w|d|h|m|s)\s*)+")
_LOOSE = re.compile(r"([+-]?\d+(?:[.,]\d+)?)\s*([^\d\s].*?)\.?")

# Spellings people type, mapped to the unit the language uses for them (English and German).
_UNIT_WORDS = {
    "s": ("s", "sec", "secs", "second", "seconds", "sek", "sekunde", "sekunden"),
    "m": ("m", "min", "mins", "minute", "minutes", "minuten"),
    "h": ("h", "hr", "hrs", "hour", "hours", "std", "stunde", "stunden"),
    "d": ("d", "day", "days", "tag", "tage", "tagen"),
    "w": ("w", "wk", "wks", "week", "weeks", "woche", "wochen"),
    "bd": (
        "bd", "bday", "bdays", "business day", "business days", "working day", "working days",
        "workday", "workdays", "werktag", "werktage", "werktagen", "arbeitstag", "arbeitstage",
        "arbeitstagen",
    ),
}  # fmt: skip
_UNIT_OF_WORD = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}


class DurationError(ValueError):
    """A duration that cannot be used: the message says what is wrong, the hint how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(f"{message}; {hint}")
        self.message = message
        self.hint = hint


def parse_duration(text: str, *, calendar: bool) -> Duration:
    """Read a duration; `calendar` says whether it is measured on a working-time calendar."""
    written = text.strip()
    if not _COMPOUND.fullmatch(written):
        raise _not_a_duration(written, calendar=calendar)
    found = _PART.findall(written)
    if any(len(number.lstrip("0")) > 12 for number, _ in found):
        raise _too_long(written)
    parts = [(int(number.lstrip("0") or "0"), unit) for number, unit in found]
    units = [unit for _, unit in parts]
    if "bd" in units:
        if len(parts) > 1:
            raise DurationError(
                f'"{written}" mixes business days with other units',
                "write whole business days alone (3bd) or working hours alone (24h)",
            )
        if not calendar:
            days = parts[0][0]
            raise DurationError(
                f'"{written}" counts business days, which need a calendar',
                f"name one with calendar: <id>, or write {days}d of wall time",
            )
        if parts[0][0] > LONGEST_BUSINESS_DAYS:
            raise _too_long(written)
        return Duration(unit=DurationUnit.BUSINESS_DAYS, amount=parts[0][0], text=written)
    if len(set(units)) != len(units) or units != sorted(units, key=_ORDER.index):
        seconds = sum(number * SECONDS[unit] for number, unit in parts)
        canonical = _compose(seconds, "wdhms" if not calendar else "hms")
        raise DurationError(
            f'"{written}" repeats a unit or lists them out of order',
            f"write the largest unit first, each once: {canonical}",
        )
    if calendar and ({"d", "w"} & set(units)):
        days = sum(number * (7 if unit == "w" else 1) for number, unit in parts if unit in "dw")
        raise DurationError(
            f'"{written}" uses days or weeks, which are ambiguous in working time',
            f"write business days ({days}bd) or working hours (such as {days * 8}h)",
        )
    seconds = sum(number * SECONDS[unit] for number, unit in parts)
    if seconds > LONGEST_SECONDS:
        raise _too_long(written)
    unit = DurationUnit.WORKING if calendar else DurationUnit.WALL
    return Duration(unit=unit, amount=seconds, text=written)


def _too_long(written: str) -> DurationError:
    shown = written if len(written) <= 40 else f"{written[:39]}…"
    return DurationError(
        f'"{shown}" is longer than ten years',
        f"write at most {LONGEST_SECONDS // 86_400}d, {LONGEST_SECONDS // 3_600}h or "
        f"{LONGEST_BUSINESS_DAYS}bd",
    )


def format_duration(d: Duration) -> str:
    """Write a duration in its canonical form, which `parse_duration` reads back to the same value.

    Wall time uses the largest whole units (`36h` → `1d12h`); working time stays in hours
    and minutes because days are not a unit of working time.
    """
    if d.unit is DurationUnit.BUSINESS_DAYS:
        return f"{d.amount}bd"
    return _compose(d.amount, "wdhms" if d.unit is DurationUnit.WALL else "hms")


def _compose(seconds: int, units: str) -> str:
    if seconds == 0:
        return "0h"
    parts: list[str] = []
    for unit in units:
        number, seconds = divmod(seconds, SECONDS[unit])
        if number:
            parts.append(f"{number}{unit}")
    return "".join(parts)


def _not_a_duration(written: str, *, calendar: bool) -> DurationError:
    """Explain a non-duration, suggesting the spelling the user most likely meant."""
    message = f'"{written}" is not a duration'
    loose = _LOOSE.fullmatch(written)
    if loose is None:
        if re.fullmatch(r"[+-]?\d+(?:[.,]\d+)?", written):
            example = "8h" if calendar else "24h"
            return DurationError(
                message, f"add a unit such as h: {written}h (examples: 30m, {example})"
            )
        units = "30m, 8h, 3bd" if calendar else "30m, 24h, 3d, 2w"
        return DurationError(message, f"write a number and a unit, such as {units}")
    number_text, word = loose.groups()
    unit = _UNIT_OF_WORD.get(re.sub(r"[\s_-]+", " ", word.strip().casefold()))
    if unit is None:
        return DurationError(message, "use one of the units m, h, d, w, bd (and s), such as 48h")
    try:
        number = Decimal(number_text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only admits decimals
        return DurationError(message, "write a number and a unit, such as 48h")
    if number < 0:
        return DurationError(message, "durations cannot be negative")
    if unit == "bd":
        if number != number.to_integral_value():
            return DurationError(message, "business days are whole days; write 1bd, 2bd, …")
        suggestion = f"{int(number)}bd"
    else:
        seconds = number * SECONDS[unit]
        if seconds != seconds.to_integral_value():
            return DurationError(message, "write whole minutes, such as 90m")
        if number == number.to_integral_value():
            suggestion = f"{int(number)}{unit}"  # "48 hours" becomes 48h, not 2d
        else:
            suggestion = _compose(int(seconds), "hms" if calendar and unit not in "dw" else "wdhms")
    try:
        parse_duration(suggestion, calendar=calendar)
    except DurationError as refused:
        return DurationError(message, refused.hint)
    return DurationError(message, f"write {suggestion}")
