"""Availability of services: downtime, failures, MTTR, MTTF, MTBF and the error budget.

Each matching item is a service. Outages arrive merged per service (see `events.outages`).
Time that counts is eligible time: the period up to `as_of`, from the agreement's start,
limited to the calendar's working time when the objective names one, less maintenance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slawatch.engine.calendar import WorkingTime
from slawatch.engine.instants import NO_INSTANT, US, Instants
from slawatch.engine.periods import Period


@dataclass(frozen=True)
class Outages:
    """Merged outages as columns: service index, begin, finish (NO_INSTANT while open)."""

    service: npt.NDArray[np.int64]
    begin: Instants
    finish: Instants


@dataclass(frozen=True)
class AvailabilityFigures:
    services: int
    eligible_seconds: float  # summed over services, up to as_of
    downtime_seconds: float
    failures: int
    mttr_seconds: float | None
    mttf_seconds: float | None
    error_budget_seconds: float  # over the whole period
    availability: float | None

    @property
    def mtbf_seconds(self) -> float | None:
        if self.mttr_seconds is None or self.mttf_seconds is None:
            return None
        return self.mttr_seconds + self.mttf_seconds

    @property
    def error_budget_remaining(self) -> float | None:
        """Return the unspent share of the budget; negative once it is overspent."""
        if self.error_budget_seconds <= 0:
            return None
        return 1.0 - self.downtime_seconds / self.error_budget_seconds


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
        target: float,
    ) -> None:
        self._outages = outages
        self._services = services
        self._calendar = calendar
        self._maintenance = _merge(maintenance)
        self._measured_from = measured_from
        self._target = target

    def measure(self, period: Period, as_of: int) -> AvailabilityFigures:
        start = max(period.start, self._measured_from)
        until = min(period.end, as_of)
        eligible = self._eligible(start, until) * self._services
        whole = self._eligible(start, period.end) * self._services
        finish = np.minimum(self._outages.finish, as_of)
        downtime = int(self._counted(self._outages.begin, finish, start, until).sum())
        failures = int(
            np.count_nonzero((self._outages.begin >= start) & (self._outages.begin < until))
        )
        return AvailabilityFigures(
            services=self._services,
            eligible_seconds=eligible / US,
            downtime_seconds=downtime / US,
            failures=failures,
            mttr_seconds=self._mttr(start, until),
            mttf_seconds=self._mttf(start, until),
            error_budget_seconds=(1.0 - self._target) * whole / US,
            availability=None if eligible <= 0 else 1.0 - downtime / eligible,
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

    def _mttr(self, start: int, until: int) -> float | None:
        """Mean working length of the outages that recovered inside the period."""
        outages = self._outages
        ended = (
            (outages.finish != NO_INSTANT) & (outages.finish >= start) & (outages.finish < until)
        )
        if not ended.any():
            return None
        lengths = self._calendar.working_time(outages.begin[ended], outages.finish[ended])
        return float(lengths.mean()) / US

    def _mttf(self, start: int, until: int) -> float | None:
        """Mean up time from a recovery to the next failure, for failures in the period."""
        outages = self._outages
        if len(outages.begin) < 2:
            return None
        same = outages.service[1:] == outages.service[:-1]
        recovered = outages.finish[:-1]
        failed = outages.begin[1:]
        inside = same & (failed >= start) & (failed < until) & (recovered != NO_INSTANT)
        if not inside.any():
            return None
        spans = self._calendar.working_time(recovered[inside], failed[inside])
        return float(spans.mean()) / US


def _merge(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
