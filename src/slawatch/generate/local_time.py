"""Local wall-clock seconds: the generator's time scale, and the way out to instants.

Times are built as local seconds in the agreement's zone (a DST shift is an hour of noise in
synthetic data) and only turned into instants with offsets at the end.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

NONE = np.int64(-(2**62))  # "this item has no such event"
MINUTE, HOUR, DAY = 60, 3600, 86_400


def local_seconds(date: dt.date) -> int:
    return (date - dt.date(1970, 1, 1)).days * DAY


def add_months(date: dt.date, months: int) -> dt.date:
    year, month = divmod(date.month - 1 + months, 12)
    target_year, target_month = date.year + year, month + 1
    day = min(date.day, _calendar.monthrange(target_year, target_month)[1])
    return dt.date(target_year, target_month, day)


def instants_text(local: np.ndarray, timezone: str) -> pl.Series:
    """Write local seconds as ISO 8601 with the zone's offset; a time in a DST gap moves on."""
    zone = ZoneInfo(timezone)
    if len(local) == 0:
        return pl.Series("at", [], dtype=pl.String)
    first_hour = int(local.min()) // HOUR
    hours = np.arange(first_hour, int(local.max()) // HOUR + 2)
    offsets, gaps = [], []
    for hour in hours.tolist():
        naive = dt.datetime(1970, 1, 1) + dt.timedelta(hours=hour)
        aware = naive.replace(tzinfo=zone)
        gaps.append(aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive)
        offsets.append(aware.strftime("%z"))
    index = local // HOUR - first_hour
    local = np.where(np.array(gaps)[index], (local // HOUR + 1) * HOUR, local)
    index = local // HOUR - first_hour
    labels, codes = np.unique(np.array(offsets), return_inverse=True)
    texts = [f"{label[:3]}:{label[3:5]}" for label in labels.tolist()]
    offset = pl.Series(texts, dtype=pl.String).gather(pl.Series(codes[index]))
    stamp = pl.Series(local.astype(np.int64) * 1_000_000).cast(pl.Datetime("us"))
    return (stamp.dt.strftime("%Y-%m-%dT%H:%M:%S") + offset).alias("at")
