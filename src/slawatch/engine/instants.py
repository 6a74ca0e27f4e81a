"""Instants as int64 microseconds since the Unix epoch, UTC: the engine's one time unit.

Microseconds match Python's datetime and polars' Datetime("us"), so sub-second inputs stay
exact; results are floored to whole seconds only where they are shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Final
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


def from_us(us: int, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """Return microseconds since the epoch as an aware datetime in `zone`."""
    return (_EPOCH + dt.timedelta(microseconds=int(us))).astimezone(zone)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
