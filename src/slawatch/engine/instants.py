"""Instants as int64 microseconds since the Unix epoch, UTC: the engine's one time unit.

Microseconds match Python's datetime and polars' Datetime("us"), so sub-second inputs stay
exact; results are floored to whole seconds only where they are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import attrgetter
from typing import Final, Literal
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

US: Final = 1_000_000  # microseconds per second
NO_INSTANT: Final = np.iinfo(np.int64).max  # "none": no stop, a suspended deadline, an open pause

Instants = npt.NDArray[np.int64]

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def to_us(moment: dt.datetime) -> int:
    """Return a timezone-aware datetime as microseconds since the epoch."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; instants must be aware")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


# Every instant slawatch takes in lies in [EARLIEST, LATEST], checked in UTC after its offset:
# far inside int64 µs and inside what datetime, the calendars and the pages can show.
EARLIEST: Final = 0  # 1970-01-01T00:00:00Z
LATEST: Final = 7_258_204_800 * US  # 2200-01-02T00:00:00Z: the end of 2199 in every time zone
INSTANT_RANGE: Final = "1970-01-01T00:00:00Z to 2200-01-02T00:00:00Z"


def in_range(us: int) -> bool:
    """Return whether an instant lies in the range slawatch measures."""
    return EARLIEST <= us <= LATEST


def range_reason(text: str) -> str:
    """Say why an instant outside the range is refused, and what the range is."""
    return (
        f"{text!r} lies outside the instants slawatch accepts ({INSTANT_RANGE}, "
        "in UTC after the offset); check the year and the offset"
    )


def checked_us(moment: dt.datetime, text: str) -> int | str:
    """Return an aware datetime as µs since the epoch, or why it is outside the range.

    The one range check of every instant that comes in (events, files, imports, --as-of).
    """
    us = to_us(moment)
    return us if in_range(us) else range_reason(text)


ACCEPTED_FORMS: Final = (
    "ISO 8601 with an offset (2026-10-05T09:30:00+02:00, 2026-10-05T07:30:00Z), "
    "a local time where a time zone applies (2026-10-05T09:30) or a date (2026-10-05)"
)

Problem = Literal["form", "date", "offset", "range"]


class InstantError(ValueError):
    """A text that is no instant, with what is wrong: its form, a missing offset, its range.

    Callers that owe their users a particular wording pick it by `problem`; `moment` is the
    local time read from a text without an offset, for a suggestion.
    """

    def __init__(self, text: str, problem: Problem, moment: dt.datetime | None = None) -> None:
        self.text, self.problem, self.moment = text, problem, moment
        match problem:
            case "form":
                message = f"{text!r} is not an instant; write {ACCEPTED_FORMS}"
            case "date" | "offset":
                message = f"{text!r} has no UTC offset; add one like +02:00 or Z"
            case "range":
                message = range_reason(text)
        super().__init__(message)


def is_date(text: str) -> bool:
    """Return whether a text is a bare ISO date, without a time of day."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def read_moment(
    text: str, zone: dt.tzinfo | None = None, *, date_zone: dt.tzinfo | None = None
) -> dt.datetime:
    """Return the aware datetime an ISO 8601 text names; InstantError if it names none.

    The one grammar of instants: what `datetime.fromisoformat` reads, with `Z` or `z` for UTC.
    A text without an offset is a local time in `zone`, a bare date 00:00 in `date_zone` (or
    `zone`); a wall time in a DST gap moves forward, an ambiguous one is the first (fold=0).
    The text is taken as it is: callers that allow padding strip it first.
    """
    try:
        moment = dt.datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text)
    except ValueError:
        raise InstantError(text, "form") from None
    if moment.tzinfo is None:
        date = is_date(text)
        place = (date_zone or zone) if date else zone
        if place is None:
            raise InstantError(text, "date" if date else "offset", moment)
        moment = moment.replace(tzinfo=place)
    return moment


def read_instant(
    text: str, zone: dt.tzinfo | None = None, *, date_zone: dt.tzinfo | None = None
) -> int:
    """Return the µs since the epoch an ISO 8601 text names, inside the range slawatch measures.

    `read_moment`'s grammar, then the one range check; InstantError says what is wrong.
    """
    checked = checked_us(read_moment(text, zone, date_zone=date_zone), text)
    if isinstance(checked, str):
        raise InstantError(text, "range")
    return checked


_TZINFO = attrgetter("tzinfo")
_MICROSECOND: Final = dt.timedelta(microseconds=1)


def read_instants(texts: Sequence[str]) -> list[int]:
    """Return `read_instant` of every text (no zone): the same rule, in one pass for a batch.

    The event API reads a thousand instants a request; one C-level map over well-formed texts
    halves the cost. Anything it is not sure of goes through `read_instant`, text by text, so
    the results and the InstantError (of the first bad text) are the same.
    """
    try:
        moments = list(map(dt.datetime.fromisoformat, texts))
    except ValueError:
        return [read_instant(text) for text in texts]
    if None in map(_TZINFO, moments):  # fromisoformat's zones are fixed offsets
        return [read_instant(text) for text in texts]
    instants = [(moment - _EPOCH) // _MICROSECOND for moment in moments]
    if instants and not (in_range(min(instants)) and in_range(max(instants))):
        return [read_instant(text) for text in texts]
    return instants


def from_us(us: int, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """Return microseconds since the epoch as an aware datetime in `zone`."""
    return (_EPOCH + dt.timedelta(microseconds=int(us))).astimezone(zone)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
