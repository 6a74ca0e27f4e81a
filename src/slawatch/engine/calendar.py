"""Working-time calendars as sorted numpy tables: W(a, b), its inverse and business days.

A calendar is expanded, year by year, into the UTC instants of its working intervals. Working
time then becomes a piecewise-linear `cumulative(t)` (working µs since a fixed anchor), and every
clock question is one lookup in that sorted table: W(a, b) = cumulative(b) − cumulative(a), and
the earliest instant at which c µs of working time have passed is its inverse. The table grows
on demand in both directions, so instants decades away from the first one still work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final, Literal, Protocol

import holidays
import numpy as np
import numpy.typing as npt

from slawatch.agreements.model import Calendar
from slawatch.engine.instants import US, Instants, from_us, to_us, zone

# datetime stops at year 9999; keep a day of slack at both ends for overnight intervals.
_FIRST_YEAR: Final = 2
_LAST_YEAR: Final = 9998


class WorkingTime(Protocol):
    """What a clock needs from a calendar: working time and its inverse, in µs."""

    def working_time(self, a: Instants, b: Instants) -> Instants:
        """Return W(a, b) elementwise, 0 where b <= a."""
        ...

    def cumulative(self, t: Instants) -> Instants:
        """Return working µs from an internal origin to t (monotone, may be negative)."""
        ...

    def instant_at(self, c: Instants) -> Instants:
        """Return the earliest t with cumulative(t) >= c (an exact fit is an interval's close)."""
        ...

    def intervals_between(self, a: int, b: int) -> list[tuple[int, int]]:
        """Return the merged working intervals clipped to [a, b)."""
        ...


class AlwaysOpen:
    """The calendar of wall-clock durations: every instant is working time."""

    def working_time(self, a: Instants, b: Instants) -> Instants:
        return np.maximum(np.asarray(b, np.int64) - np.asarray(a, np.int64), 0)

    def cumulative(self, t: Instants) -> Instants:
        return np.array(t, dtype=np.int64)

    def instant_at(self, c: Instants) -> Instants:
        return np.array(c, dtype=np.int64)

    def intervals_between(self, a: int, b: int) -> list[tuple[int, int]]:
        return [(int(a), int(b))] if b > a else []


class _SortedIndex:
    """np.searchsorted over a fixed sorted array in O(1): a bucket table, then a few compares.

    Keys fall into power-of-two buckets; `start[b]` counts the keys below bucket b. A query
    in bucket b adds, up to `depth` times, whether the next key is still on its side: keys
    of later buckets never are, so the count is exact once `depth` covers the fullest
    bucket. Working-time tables are regular (a few openings a day), so two compares and a
    bucket table of ~4 entries per key do; a table too irregular for that is answered by
    np.searchsorted itself. Profiling showed searchsorted's cache-missing binary search was
    most of the kernel's time; this is several times faster on random queries.
    """

    _MAX_DEPTH: Final = 4
    _MAX_BUCKETS_PER_KEY: Final = 64

    def __init__(self, keys: Instants, side: Literal["left", "right"]) -> None:
        self.keys = keys
        self.side = side
        self.depth = 0  # 0: fall back to np.searchsorted
        if len(keys) < 2:
            return
        self.base = int(keys[0])
        span = int(keys[-1]) - self.base + 1
        shift = max(0, (span // (4 * len(keys))).bit_length() - 1)
        while True:
            n_buckets = (span >> shift) + 1
            edges = self.base + (np.arange(n_buckets, dtype=np.int64) << shift)
            start = np.searchsorted(keys, edges, "left")
            fullest = int(np.max(np.diff(np.append(start, len(keys)))))
            if fullest <= 2 or shift == 0:
                break
            if n_buckets * 2 > self._MAX_BUCKETS_PER_KEY * len(keys):
                break
            shift -= 1
        if fullest > self._MAX_DEPTH:
            return
        self.shift = shift
        self.last_bucket = n_buckets - 1
        self.start = start.astype(np.int64)
        self.depth = fullest
        self.padded = np.concatenate((keys, np.full(fullest, np.iinfo(np.int64).max)))

    def __call__(self, x: Instants) -> npt.NDArray[np.intp]:
        """Return np.searchsorted(keys, x, side)."""
        if not self.depth:
            return np.searchsorted(self.keys, x, self.side)
        bucket = np.subtract(x, self.base)
        np.right_shift(bucket, self.shift, out=bucket)
        np.clip(bucket, 0, self.last_bucket, out=bucket)
        i = self.start[bucket]
        at_or_before = np.less_equal if self.side == "right" else np.less
        for _ in range(self.depth):
            i += at_or_before(self.padded[i], x)
        return i


class _Table:
    """The merged working intervals of a year range, with prefix sums anchored at `anchor`."""

    def __init__(self, opens: Instants, closes: Instants, anchor: int) -> None:
        # Merge overlaps and touching intervals: an overnight shift running into the next
        # day's early shift, or two intervals that DST folded onto each other.
        order = np.argsort(opens, kind="stable")
        opens, closes = opens[order], closes[order]
        reach = np.maximum.accumulate(closes)
        first = np.ones(len(opens), dtype=bool)
        first[1:] = opens[1:] > reach[:-1]
        starts = np.flatnonzero(first)
        self.open: Instants = np.ascontiguousarray(opens[starts])
        self.close: Instants = np.ascontiguousarray(reach[np.append(starts[1:], len(opens)) - 1])
        lengths = self.close - self.open
        before = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
        # Anchor the prefix sums at a fixed instant so cumulative() values never change when
        # the table later grows backwards: callers may hold on to them between calls.
        i = int(np.searchsorted(self.open, anchor, "right")) - 1
        at_anchor = 0 if i < 0 else int(before[i] + min(anchor, int(self.close[i])) - self.open[i])
        before -= at_anchor
        # Padded copies let searchsorted's "right" index be used without subtracting one.
        self.close_pad: Instants = np.concatenate((self.close[:1], self.close))
        self.shift_pad: Instants = np.concatenate((before[:1] - self.open[:1], before - self.open))
        self.cum_close: Instants = before + lengths  # cumulative() at each close
        self.shift: Instants = self.cum_close - self.close  # instant = c - shift in interval i
        self.find_open = _SortedIndex(self.open, "right")
        self.find_cum_close = _SortedIndex(self.cum_close, "left")


class WorkingCalendar:
    """A zone, weekly hours, holidays and closed dates, expanded lazily into UTC tables."""

    def __init__(self, spec: Calendar) -> None:
        self.spec = spec
        self._zone = zone(spec.timezone)
        self._hours = tuple(tuple((iv.start, iv.end) for iv in day) for day in spec.hours)
        if not any(end > start for day in self._hours for start, end in day):
            raise ValueError(
                f"calendar {spec.id!r} has no working hours on any weekday, "
                "so no working-time deadline could ever be reached"
            )
        self._years: dict[int, tuple[Instants, Instants, npt.NDArray[np.int64], Instants]] = {}
        self._lo = 0
        self._hi = -1
        self._anchor: int | None = None

    @classmethod
    def from_spec(cls, spec: Calendar) -> WorkingCalendar:
        return cls(spec)

    # -- the WorkingTime protocol --------------------------------------------------------

    def working_time(self, a: Instants, b: Instants) -> Instants:
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        if a.size and b.size:
            # Grow the table for both ends first, so both cumulatives come from one table.
            self.cover(min(int(a.min()), int(b.min())), max(int(a.max()), int(b.max())))
        w = self.cumulative(b) - self.cumulative(a)
        np.maximum(w, 0, out=w)
        return w

    def cumulative(self, t: Instants) -> Instants:
        t = np.asarray(t, dtype=np.int64)
        if not t.size:
            return np.zeros(t.shape, dtype=np.int64)
        self.cover(int(t.min()), int(t.max()))
        table = self._table
        i = table.find_open(t)
        out = np.minimum(t, table.close_pad[i])
        out += table.shift_pad[i]
        return out

    def instant_at(self, c: Instants) -> Instants:
        c = np.asarray(c, dtype=np.int64)
        if not c.size:
            return np.zeros(c.shape, dtype=np.int64)
        self._cover_cumulative(int(c.max()))
        table = self._table
        i = table.find_cum_close(c)
        return c - table.shift[i]

    def intervals_between(self, a: int, b: int) -> list[tuple[int, int]]:
        if b <= a:
            return []
        self.cover(a, b)
        table = self._table
        i = int(np.searchsorted(table.close, a, "right"))
        j = int(np.searchsorted(table.open, b, "left"))
        return [
            (max(int(o), a), min(int(c), b))
            for o, c in zip(table.open[i:j], table.close[i:j], strict=True)
        ]

    # -- business days and local dates ---------------------------------------------------

    def business_day_deadline(self, start: Instants, days: int) -> Instants:
        """Return the close of the `days`-th business day after each start's local date.

        Zero business days is a zero allowance: the deadline is the start itself.
        """
        return self.business_day_close(start, days)[0]

    def business_day_close(self, start: Instants, days: int) -> tuple[Instants, Instants]:
        """Return business_day_deadline() and cumulative() at it, from one lookup.

        The clock needs both (its allowance is W(start, nominal deadline)); the cumulative
        working time at every business day's close is precomputed with the table.
        """
        start = np.asarray(start, dtype=np.int64)
        if days < 0:
            raise ValueError("a business-day allowance cannot be negative")
        if days == 0 or not start.size:
            return start.copy(), self.cumulative(start)
        self.cover(int(start.min()), int(start.max()))
        while True:
            k = self._next_business_day[self._find_date(start)] + (days - 1)
            if int(k.max()) < len(self._bd_close):
                return self._bd_close[k], self._bd_cum_close[k]
            self._extend(self._lo, self._hi + max(1, days // 200 + 1))

    def local_date_ordinal(self, t: Instants) -> npt.NDArray[np.int64]:
        """Return the proleptic Gregorian ordinal of each instant's date in the zone."""
        t = np.asarray(t, dtype=np.int64)
        if not t.size:
            return np.zeros(t.shape, dtype=np.int64)
        self.cover(int(t.min()), int(t.max()))
        return self._first_ordinal + self._find_date(t) - 1

    # -- growing the tables --------------------------------------------------------------

    def cover(self, t_min: int, t_max: int) -> None:
        """Grow the tables so that every instant in [t_min, t_max] is answered exactly."""
        # A year of margin on each side absorbs zone offsets and overnight intervals.
        lo = _utc_year(t_min) - 1
        hi = _utc_year(t_max) + 1
        if self._hi < self._lo:
            self._extend(lo, hi)
        elif lo < self._lo or hi > self._hi:
            self._extend(min(lo, self._lo), max(hi, self._hi))
        # A first year without one working interval (everything closed) leaves nothing
        # before t_min to measure from: reach further back.
        while int(self._table.open[0]) > t_min and self._lo > _FIRST_YEAR:
            self._extend(self._lo - 1, self._hi)

    def _cover_cumulative(self, c_max: int) -> None:
        if self._hi < self._lo:
            raise ValueError("instant_at() needs a cumulative() call first to anchor the table")
        while int(self._table.cum_close[-1]) < c_max:
            self._extend(self._lo, self._hi + max(1, (self._hi - self._lo + 1) // 2))

    def _extend(self, lo: int, hi: int) -> None:
        if lo < _FIRST_YEAR or hi > _LAST_YEAR:
            raise ValueError(f"instant outside the years {_FIRST_YEAR}-{_LAST_YEAR}")
        missing = [y for y in range(lo, hi + 1) if y not in self._years]
        if missing:
            closed = self._closed_dates(missing)
            for year in missing:
                self._years[year] = self._expand_year(year, closed)
        self._lo, self._hi = lo, hi
        parts = [self._years[y] for y in range(lo, hi + 1)]
        opens = np.concatenate([p[0] for p in parts])
        closes = np.concatenate([p[1] for p in parts])
        ordinals = np.concatenate([p[2] for p in parts])
        self._midnight = np.concatenate([p[3] for p in parts])
        self._first_ordinal = dt.date(lo, 1, 1).toordinal()
        if not len(opens):
            raise ValueError(f"calendar {self.spec.id!r} has no working time in {lo}-{hi}")
        if self._anchor is None:
            # Not the table's first midnight: an overnight interval from the day before the
            # table, added when it grows backwards, would run past it and shift every value.
            # Three days in, nothing added before the table can reach the anchor.
            self._anchor = int(self._midnight[3])
        self._table = _Table(opens, closes, self._anchor)
        self._index_business_days(closes, ordinals)

    def _index_business_days(self, closes: Instants, ordinals: npt.NDArray[np.int64]) -> None:
        # A business day is a date with working intervals; it closes with its latest interval.
        # Intervals were generated date by date, so equal ordinals are contiguous.
        starts = np.flatnonzero(np.concatenate(([True], ordinals[1:] != ordinals[:-1])))
        bd_ordinal = ordinals[starts]
        self._bd_close: Instants = np.maximum.reduceat(closes, starts)
        table = self._table
        i = np.searchsorted(table.open, self._bd_close, "right")
        self._bd_cum_close: Instants = (
            np.minimum(self._bd_close, table.close_pad[i]) + table.shift_pad[i]
        )
        dates = self._first_ordinal + np.arange(len(self._midnight), dtype=np.int64)
        # Indexed by _find_date(t) = 1 + the index of t's local date (0: before the table).
        after = np.searchsorted(bd_ordinal, dates, "right")
        self._next_business_day = np.concatenate((after[:1], after))
        self._find_date = _SortedIndex(self._midnight, "right")

    def _closed_dates(self, years: Iterable[int]) -> set[dt.date]:
        closed = set(self.spec.closed)
        source = self.spec.holidays
        if source is not None:
            found = holidays.country_holidays(
                source.country,
                subdiv=source.subdivision,
                years=list(years),
                categories=source.categories,  # None: the package's default categories
            )
            closed.update(found.keys())
        return closed

    def _expand_year(
        self, year: int, closed: set[dt.date]
    ) -> tuple[Instants, Instants, npt.NDArray[np.int64], Instants]:
        """Place every interval that opens on a local date of `year` in UTC."""
        opens: list[int] = []
        closes: list[int] = []
        ordinals: list[int] = []
        midnights: list[int] = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            midnight = dt.datetime.combine(day, dt.time())
            midnights.append(self._utc(midnight))
            if day not in closed:
                for start, end in self._hours[day.weekday()]:
                    # Wall times go through zoneinfo with fold=0: a time in the spring gap
                    # moves forward, an ambiguous autumn time takes its first occurrence.
                    # DST can therefore shrink an interval to nothing; drop it then.
                    o = self._utc(midnight + dt.timedelta(seconds=start))
                    c = self._utc(midnight + dt.timedelta(seconds=end))
                    if c > o:
                        opens.append(o)
                        closes.append(c)
                        ordinals.append(day.toordinal())
            day += dt.timedelta(days=1)
        return (
            np.array(opens, dtype=np.int64),
            np.array(closes, dtype=np.int64),
            np.array(ordinals, dtype=np.int64),
            np.array(midnights, dtype=np.int64),
        )

    def _utc(self, wall: dt.datetime) -> int:
        return to_us(wall.replace(tzinfo=self._zone))


def _utc_year(t: int) -> int:
    if not -62_135_596_800 * US <= t < 253_402_300_800 * US:
        raise ValueError(f"{t} µs since the epoch is not an instant a calendar can place")
    return from_us(t).year


def working_calendar(spec: Calendar | None) -> WorkingTime:
    """Return the working time of a calendar spec; no calendar means wall-clock time."""
    return AlwaysOpen() if spec is None else WorkingCalendar.from_spec(spec)
