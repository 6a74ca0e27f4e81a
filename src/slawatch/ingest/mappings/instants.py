"""Turn the date columns of an export into µs since the epoch, or into the reason they fail.

CRM exports write instants three ways: ISO 8601 with an offset (`2026-10-05T07:30:00.000Z`),
local wall time without one (`2026-10-05 09:30`, in the portal's or user's zone) and epoch
milliseconds (`1759656600000`). Each distinct text is parsed once: exports repeat few values
per column, and `datetime.fromisoformat` decides every ISO shape exactly.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import polars as pl

from slawatch.engine.instants import InstantError, in_range, range_reason, read_instant, read_moment

EXAMPLE = "2026-10-05T09:30:00+02:00"
_EPOCH_MS = re.compile(r"-?\d{12,15}")  # epoch milliseconds from 1973 on; int64 µs bound 15
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def is_naive(text: str, *, dates_placed: bool = False) -> bool:
    """Return whether `text` is a valid local time without an offset (a date, if not placed)."""
    text = text.strip()
    if _EPOCH_MS.fullmatch(text):
        return False
    try:
        read_moment(text)
    except InstantError as error:
        return error.moment is not None and not (dates_placed and error.problem == "date")
    return False


def parse_instant(
    text: str,
    zone: ZoneInfo | None,
    *,
    epoch_ms: bool = False,
    date_zone: ZoneInfo | None = None,
) -> int | str:
    """Return µs since the epoch, or the reason `text` is not an instant.

    Local times take `zone`; a wall time in a DST gap moves forward, an ambiguous one takes its
    first occurrence (fold=0). With `date_zone`, a bare date is placed at 00:00 there.
    """
    text = text.strip()
    if epoch_ms and _EPOCH_MS.fullmatch(text):
        us = int(text) * 1000
        return us if in_range(us) else range_reason(text)
    if _NUMBER.fullmatch(text):
        hint = "epoch milliseconds have 12 to 15 digits" if epoch_ms else f"write it like {EXAMPLE}"
        return f"{text!r} is a number, not a date and time; {hint}"
    try:
        return read_instant(text, zone, date_zone=date_zone)
    except InstantError as error:
        if error.problem == "form":
            return f"{text!r} is not a date and time; write it like {EXAMPLE}"
        if error.problem == "range":
            return str(error)
        return f"{text!r} has no UTC offset; add one like +02:00 or Z, or pass --timezone"


def parse_column(
    values: pl.Series,
    zone: ZoneInfo | None,
    *,
    epoch_ms: bool = False,
    date_zone: ZoneInfo | None = None,
) -> tuple[pl.Series, pl.Series]:
    """Return (µs Int64, reason String) for every value; an empty value gives null for both."""
    texts = values.str.strip_chars()
    distinct = [t for t in texts.unique().to_list() if t]
    parsed = {t: parse_instant(t, zone, epoch_ms=epoch_ms, date_zone=date_zone) for t in distinct}
    us = {t: v for t, v in parsed.items() if isinstance(v, int)}
    reasons = {t: v for t, v in parsed.items() if isinstance(v, str)}
    instants = texts.replace_strict(
        list(us), list(us.values()), default=None, return_dtype=pl.Int64
    )
    why = texts.replace_strict(
        list(reasons), list(reasons.values()), default=None, return_dtype=pl.String
    )
    return instants, why


def first_naive(values: pl.Series, *, dates_placed: bool = False) -> str | None:
    """Return the first local time without an offset in `values`, if there is one."""
    for text in values.drop_nulls().unique(maintain_order=True).to_list():
        if is_naive(text, dates_placed=dates_placed):
            return str(text).strip()
    return None
