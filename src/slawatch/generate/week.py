"""The working week: place local times in working time, by a calendar or office hours.

Holidays are ignored: the generator only needs most events to fall in the hours someone works.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from slawatch.agreements.model import Agreement, Calendar
from slawatch.generate.local_time import DAY, HOUR

WEEK_MINUTES = 7 * 1440
MONDAY = 4 * DAY  # 1970-01-05, a Monday, in local seconds


@dataclass(frozen=True)
class Week:
    """Working minutes of a week (Monday first), to place local times in working time."""

    cumulative: np.ndarray  # length WEEK_MINUTES + 1: working minutes before minute i

    @classmethod
    def of(cls, calendar: Calendar | None) -> Week:
        """Return the week of a calendar (holidays ignored); office hours when there is none."""
        if calendar is None:
            days = [[(8 * HOUR, 17 * HOUR)]] * 5 + [[], []]
        else:
            days = [[(i.start, i.end) for i in day] for day in calendar.hours]
        working = np.zeros(WEEK_MINUTES, dtype=bool)
        for weekday, intervals in enumerate(days):
            for start, end in intervals:
                minutes = np.arange(start // 60, end // 60) + weekday * 1440
                working[minutes % WEEK_MINUTES] = True
        if not working.any():
            return cls.of(None)
        return cls(np.concatenate([[0], np.cumsum(working)]).astype(np.int64))

    @property
    def total(self) -> int:
        return int(self.cumulative[-1])

    @property
    def seconds_per_business_day(self) -> float:
        days = np.diff(self.cumulative[::1440]) > 0
        return self.total * 60 / max(1, int(days.sum()))

    def coordinate(self, local: np.ndarray) -> np.ndarray:
        """Working seconds since the reference Monday; outside working time, the next opening."""
        minutes, seconds = np.divmod(local - MONDAY, 60)
        weeks, position = np.divmod(minutes, WEEK_MINUTES)
        before = self.cumulative[position]
        working = self.cumulative[position + 1] > before
        moment = (weeks * self.total + before) * 60 + np.where(working, seconds, 0)
        return np.asarray(moment, np.int64)

    def instant(self, coordinate: np.ndarray) -> np.ndarray:
        minutes, seconds = np.divmod(coordinate, 60)
        weeks, rest = np.divmod(minutes, self.total)
        position = np.searchsorted(self.cumulative, rest, side="right") - 1
        return np.asarray(MONDAY + (weeks * WEEK_MINUTES + position) * 60 + seconds, np.int64)

    def add(self, local: np.ndarray, working_seconds: np.ndarray | int) -> np.ndarray:
        return self.instant(self.coordinate(local) + working_seconds)


def calendar_week(agreement: Agreement, name: str | None) -> Week:
    """Return the week of the agreement's calendar `name`; office hours without one."""
    return Week.of(agreement.calendars.get(name) if name else None)


def draw_arrivals(
    kind: str, n: int, *, window: tuple[int, int], week: Week, rng: np.random.Generator
) -> np.ndarray:
    """Arrivals over the window, mostly in working hours (web forms also come in at night)."""
    begin, end = window
    low, high = week.coordinate(np.array([begin, end], dtype=np.int64))
    working = week.instant(rng.integers(low, high, n))
    anytime = rng.integers(begin, end, n)
    share = 0.7 if kind == "lead" else 0.85
    return np.where(rng.random(n) < share, working, anytime)
