"""Availability of services: downtime, failures, MTTR, MTTF, MTBF and the error budget.

Each matching item is a service. Outages arrive merged per service (see `events.outages`).
Time that counts is eligible time: the period up to `as_of`, from the agreement's start,
limited to the calendar's working time when the objective names one, less maintenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from slawatch.engine.calendar import WorkingTime
from slawatch.engine.instants import NO_INSTANT, Instants
from slawatch.engine.periods import Period


@dataclass(frozen=True)
class Outages:
    """Merged outages as columns: service index, begin, finish (NO_INSTANT while open)."""

    service: npt.NDArray[np.int64]
    begin: Instants
    finish: Instants


@dataclass(frozen=True)
class AvailabilityFigures:
    """One period's figures; times in whole microseconds, so that no sum or floor drifts."""

    services: int
    eligible_us: int  # summed over services, up to as_of
    downtime_us: int
    failures: int
    mttr_us: int | None  # floored means
    mttf_us: int | None
    error_budget_us: Fraction  # over the whole period, exact
    availability: float | None

    @property
    def mtbf_us(self) -> int | None:
        if self.mttr_us is None or self.mttf_us is None:
            return None
        return self.mttr_us + self.mttf_us

    @property
    def error_budget_remaining(self) -> float | None:
        """Return the unspent share of the budget; negative once it is overspent."""
        if self.error_budget_us <= 0:
            return None
        return float(1 - self.downtime_us / self.error_budget_us)


class AvailabilityMeter:
    """Measure one availability objective's services over any of its periods."""

    def __init__(
        self,
        outages: Outages,
        *,
        services: int,
        calendar: WorkingTime,
        maintenance: list[tuple[int, int]],
        measured_from: int,
        target: Fraction,
    ) -> None:
        self._outages = outages
        self._services = services
        self._calendar = calendar
        self._maintenance = _merge(maintenance)
        self._measured_from = measured_from
        self._target = target

    def measure(self, period: Period, as_of: int) -> AvailabilityFigures:
        # Time is measured up to as_of; events are counted over the whole period, since the
        # table holds none after as_of and one exactly at as_of exists.
        start = max(period.start, self._measured_from)
        until = min(period.end, as_of)
        eligible = self._eligible(start, until) * self._services
        whole = self._eligible(start, period.end) * self._services
        finish = np.minimum(self._outages.finish, as_of)
        downtime = int(self._counted(self._outages.begin, finish, start, until).sum())
        failures = int(
            np.count_nonzero((self._outages.begin >= start) & (self._outages.begin < period.end))
        )
        return AvailabilityFigures(
            services=self._services,
            eligible_us=eligible,
            downtime_us=downtime,
            failures=failures,
            mttr_us=self._mttr(start, period.end),
            mttf_us=self._mttf(start, period.end),
            error_budget_us=(1 - self._target) * whole,
            # One division, so that a share exactly at the target compares equal to it.
            availability=None if eligible <= 0 else (eligible - downtime) / eligible,
        )

    def _eligible(self, start: int, until: int) -> int:
        if until <= start:
            return 0
        a = np.array([start], dtype=np.int64)
        b = np.array([until], dtype=np.int64)
        return int(self._counted(a, b, start, until)[0])

    def _counted(self, begin: Instants, finish: Instants, start: int, until: int) -> Instants:
        """Return each [begin, finish)'s working time inside [start, until), less maintenance."""
        a = np.maximum(begin, start)
        b = np.maximum(np.minimum(finish, until), a)
        counted = self._calendar.working_time(a, b)
        for m_start, m_end in self._maintenance:
            ma = np.maximum(a, m_start)
            mb = np.maximum(np.minimum(b, m_end), ma)
            counted = counted - self._calendar.working_time(ma, mb)
        return counted

    def _mttr(self, start: int, end: int) -> int | None:
        """Mean working length of the outages that recovered inside the period.

        Only failures the agreement counts take part: an outage that began before `effective`
        is not one, even when it recovers later. The length is the whole outage's, maintenance
        included: maintenance excuses downtime from availability, it does not shorten a repair.
        """
        outages = self._outages
        ended = (
            (outages.finish != NO_INSTANT)
            & (outages.finish >= start)
            & (outages.finish < end)
            & (outages.begin >= self._measured_from)
        )
        if not ended.any():
            return None
        lengths = self._calendar.working_time(outages.begin[ended], outages.finish[ended])
        return _floor_mean(lengths)

    def _mttf(self, start: int, end: int) -> int | None:
        """Mean up time from a recovery to the next failure, for failures in the period."""
        outages = self._outages
        if len(outages.begin) < 2:
            return None
        same = outages.service[1:] == outages.service[:-1]
        recovered = outages.finish[:-1]
        failed = outages.begin[1:]
        inside = same & (failed >= start) & (failed < end) & (recovered != NO_INSTANT)
        if not inside.any():
            return None
        spans = self._calendar.working_time(recovered[inside], failed[inside])
        return _floor_mean(spans)


def _floor_mean(lengths: Instants) -> int:
    """Return the mean in whole microseconds, rounded down, summed as Python integers."""
    total: int = sum(lengths.tolist())
    return total // len(lengths)


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
