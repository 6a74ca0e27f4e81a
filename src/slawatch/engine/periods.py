"""Measurement periods in an agreement's time zone, and their labels.

A period is a half-open span of local calendar dates, `[first day 00:00, next first day 00:00)`,
placed in UTC with zoneinfo. Labels are the ones people type: `2026-10-05`, `2026-W41`,
`2026-10`, `2026-Q4`, `2026`, for the years 1970 to 2199 (the dates an agreement can be in
force: the API refuses others), so that no period runs past what `datetime` can hold.

A free range of days, `2026-10-01..2026-10-15`, names both its days inclusively, as people
say "from the 1st to the 15th"; it is the window `[1 Oct 00:00, 16 Oct 00:00)`. Its kind is
`day` (a run of days); it is measured as one window, scaling count targets pro rata.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from slawatch.agreements.model import PeriodKind
from slawatch.engine.instants import Instants, to_us

_LABELS: tuple[tuple[PeriodKind, re.Pattern[str]], ...] = (
    (PeriodKind.DAY, re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    (PeriodKind.WEEK, re.compile(r"^(\d{4})-W(\d{2})$")),
    (PeriodKind.MONTH, re.compile(r"^(\d{4})-(\d{2})$")),
    (PeriodKind.QUARTER, re.compile(r"^(\d{4})-Q([1-4])$")),
    (PeriodKind.YEAR, re.compile(r"^(\d{4})$")),
)


EARLIEST_YEAR = 1970
LATEST_YEAR = 2199


RANGE_SEPARATOR = ".."
MAX_RANGE_DAYS = 3660  # ten years: a range longer than that is a typo, not a question


class PeriodLabelError(ValueError):
    """A period label that is not one of the five accepted shapes, or outside the years."""


@dataclass(frozen=True, order=True)
class Period:
    """One measurement window: local dates `[first, after)`, instants `[start, end)` in µs."""

    start: int
    end: int
    kind: PeriodKind
    label: str
    first: dt.date
    after: dt.date

    def contains(self, instant: int) -> bool:
        return self.start <= instant < self.end


def first_day(kind: PeriodKind, day: dt.date) -> dt.date:
    """Return the first local date of the period of `kind` that contains `day`."""
    match kind:
        case PeriodKind.DAY:
            return day
        case PeriodKind.WEEK:
            return day - dt.timedelta(days=day.weekday())
        case PeriodKind.MONTH:
            return day.replace(day=1)
        case PeriodKind.QUARTER:
            return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        case PeriodKind.YEAR:
            return dt.date(day.year, 1, 1)


def next_first_day(kind: PeriodKind, first: dt.date) -> dt.date:
    """Return the first date of the period after the one starting on `first`."""
    match kind:
        case PeriodKind.DAY:
            return first + dt.timedelta(days=1)
        case PeriodKind.WEEK:
            return first + dt.timedelta(days=7)
        case PeriodKind.MONTH:
            return _add_months(first, 1)
        case PeriodKind.QUARTER:
            return _add_months(first, 3)
        case PeriodKind.YEAR:
            return dt.date(first.year + 1, 1, 1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def label_of(kind: PeriodKind, first: dt.date) -> str:
    match kind:
        case PeriodKind.DAY:
            return first.isoformat()
        case PeriodKind.WEEK:
            year, week, _ = first.isocalendar()
            return f"{year}-W{week:02d}"
        case PeriodKind.MONTH:
            return f"{first.year}-{first.month:02d}"
        case PeriodKind.QUARTER:
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        case PeriodKind.YEAR:
            return str(first.year)


def local_midnight(day: dt.date, zone: ZoneInfo) -> int:
    """Return the instant of local midnight; a midnight in a DST gap moves forward (fold=0)."""
    naive = dt.datetime(day.year, day.month, day.day)
    # Round-tripping through UTC normalises a non-existent wall time the way zoneinfo does.
    return to_us(naive.replace(tzinfo=zone).astimezone(dt.UTC))


def make_period(kind: PeriodKind, day: dt.date, zone: ZoneInfo) -> Period:
    """Return the period of `kind` containing the local date `day`."""
    first = first_day(kind, day)
    after = next_first_day(kind, first)
    return Period(
        start=local_midnight(first, zone),
        end=local_midnight(after, zone),
        kind=kind,
        label=label_of(kind, first),
        first=first,
        after=after,
    )


def parse_label(label: str, zone: ZoneInfo) -> Period:
    """Return the period a label or a range names; PeriodLabelError with the accepted shapes."""
    if RANGE_SEPARATOR in label:
        first, last = read_range(label)
        return range_period(first, last, zone)
    kind, day = read_label(label)
    return make_period(kind, day, zone)


def is_range(label: str) -> bool:
    """Whether a label names a free range of days (`2026-10-01..2026-10-15`)."""
    return RANGE_SEPARATOR in label


def range_label(first: dt.date, last: dt.date) -> str:
    """Return the label of the days `first` to `last`, both included."""
    return f"{first.isoformat()}{RANGE_SEPARATOR}{last.isoformat()}"


def read_range(label: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a range label; PeriodLabelError naming the fix."""
    start, _, end = label.strip().partition(RANGE_SEPARATOR)
    days = []
    for part in (start, end):
        kind, day = _range_day(label, part.strip())
        if kind is not PeriodKind.DAY:
            raise PeriodLabelError(
                f"range {label!r} must run from day to day, e.g. 2026-10-01..2026-10-15"
            )
        days.append(day)
    first, last = days
    if last < first:
        raise PeriodLabelError(
            f"range {label!r} ends before it begins; write the earlier day first"
        )
    if (last - first).days >= MAX_RANGE_DAYS:
        raise PeriodLabelError(
            f"range {label!r} is longer than {MAX_RANGE_DAYS} days; choose a shorter range"
        )
    return first, last


def _range_day(label: str, part: str) -> tuple[PeriodKind, dt.date]:
    try:
        return read_label(part)
    except PeriodLabelError as error:
        raise PeriodLabelError(
            f"range {label!r}: {error}; a range is two days, e.g. 2026-10-01..2026-10-15"
        ) from None


def range_period(first: dt.date, last: dt.date, zone: ZoneInfo) -> Period:
    """Return the window of the days `first` to `last` (both included) in the zone."""
    after = last + dt.timedelta(days=1)
    return Period(
        start=local_midnight(first, zone),
        end=local_midnight(after, zone),
        kind=PeriodKind.DAY,
        label=range_label(first, last) if last != first else first.isoformat(),
        first=first,
        after=after,
    )


def read_label(label: str) -> tuple[PeriodKind, dt.date]:
    """Return the kind and first local date a label names; PeriodLabelError if it names none.

    Years outside EARLIEST_YEAR..LATEST_YEAR are refused before any date is built: year 9999's
    December would end in year 10000, which `datetime` cannot hold.
    """
    text = label.strip()
    for kind, pattern in _LABELS:
        match = pattern.match(text)
        if match is None:
            continue
        numbers = [int(group) for group in match.groups()]
        if not EARLIEST_YEAR <= numbers[0] <= LATEST_YEAR:
            raise PeriodLabelError(
                f"period {label!r} is outside the years slawatch measures; "
                f"write a year from {EARLIEST_YEAR} to {LATEST_YEAR}"
            )
        try:
            return kind, _first_date(kind, numbers)
        except ValueError as error:
            raise PeriodLabelError(f"period {label!r} does not exist: {error}") from None
    raise PeriodLabelError(
        f"period {label!r} is not a label; write a day 2026-10-05, an ISO week 2026-W41, "
        "a month 2026-10, a quarter 2026-Q4 or a year 2026"
    )


def label_kind(label: str) -> PeriodKind:
    """Return the kind of period a label names ('2026-W41' → week); PeriodLabelError if none."""
    return read_label(label)[0]


def earlier_label(label: str, steps: int = 1) -> str:
    """Return the label `steps` periods before `label`, of the same kind."""
    kind, first = read_label(label)
    for _ in range(steps):
        first = first_day(kind, first - dt.timedelta(days=1))
    return label_of(kind, first)


def year_ago_label(label: str) -> str | None:
    """Return the same period a year earlier: the month, quarter, ISO week, day or year.

    None when it does not exist: ISO week 53 of a year whose predecessor has 52, or 29 Feb.
    """
    kind, first = read_label(label)
    try:
        if kind is PeriodKind.WEEK:
            year, week, _ = first.isocalendar()
            return label_of(kind, dt.date.fromisocalendar(year - 1, week, 1))
        return label_of(kind, first.replace(year=first.year - 1))
    except ValueError:
        return None


def comparison_labels(label: str, trailing: int = 12) -> tuple[str, ...]:
    """Return the labels a comparison of `label` reads: the `trailing` before it, a year ago."""
    earlier = tuple(earlier_label(label, steps) for steps in range(1, trailing + 1))
    ago = year_ago_label(label)
    return earlier + ((ago,) if ago is not None and ago not in earlier else ())


def _first_date(kind: PeriodKind, numbers: list[int]) -> dt.date:
    match kind:
        case PeriodKind.DAY:
            return dt.date(numbers[0], numbers[1], numbers[2])
        case PeriodKind.WEEK:
            return dt.date.fromisocalendar(numbers[0], numbers[1], 1)
        case PeriodKind.MONTH:
            return dt.date(numbers[0], numbers[1], 1)
        case PeriodKind.QUARTER:
            return dt.date(numbers[0], 3 * (numbers[1] - 1) + 1, 1)
        case PeriodKind.YEAR:
            return dt.date(numbers[0], 1, 1)


def periods_between(
    kind: PeriodKind, first: dt.date, last: dt.date, zone: ZoneInfo
) -> list[Period]:
    """Return the consecutive periods of `kind` from the one containing `first` to `last`'s."""
    periods: list[Period] = []
    day = first_day(kind, first)
    while day <= last:
        period = make_period(kind, day, zone)
        periods.append(period)
        day = period.after
    return periods


def assign(instants: Instants, periods: list[Period]) -> npt.NDArray[np.int64]:
    """Return the index of the period holding each instant, or -1 outside all of them.

    The periods must be consecutive (each one's end is the next one's start).
    """
    if not periods:
        return np.full(instants.shape, -1, dtype=np.int64)
    bounds = np.array([p.start for p in periods] + [periods[-1].end], dtype=np.int64)
    index = np.searchsorted(bounds, instants, side="right").astype(np.int64) - 1
    index[(instants < bounds[0]) | (instants >= bounds[-1])] = -1
    return index


def share_of_periods(window: Period, kind: PeriodKind, zone: ZoneInfo) -> float:
    """Return how many periods of `kind` the window spans, counting partial ones pro rata.

    A monthly count target of 50 becomes 150 over a quarter and 50 × 7/31 over a week of
    October. Shares are taken in days, so a DST hour does not shave a target.
    """
    if window.kind == kind and window.after == next_first_day(kind, window.first):
        return 1.0
    total = 0.0
    for period in periods_between(kind, window.first, window.after - dt.timedelta(days=1), zone):
        overlap = (min(period.after, window.after) - max(period.first, window.first)).days
        total += max(overlap, 0) / (period.after - period.first).days
    return total
