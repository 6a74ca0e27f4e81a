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


def from_us(us: int, zone: dt.tzinfo = dt.UTC) -> dt.datetime:
    """Return microseconds since the epoch as an aware datetime in `zone`."""
    return (_EPOCH + dt.timedelta(microseconds=int(us))).astimezone(zone)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
