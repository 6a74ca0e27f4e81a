"""An objective's status in a period: the verdict when it closed, a forecast while it runs.

A closed period is `met`, `breached` or `no_data`. The running period can already be
`met` or `breached` when nothing still to come can change the verdict; otherwise a forecast
says `on_track` or `at_risk`:
- count: the pace so far, extrapolated over the whole period;
- clock: items already at risk are counted as future breaches;
- ratio: the share as it stands;
- availability: the error budget burnt so far against the share of the period gone.
"""

from __future__ import annotations

from enum import StrEnum

from slawatch.agreements.model import Comparison


class Status(StrEnum):
    MET = "met"
    BREACHED = "breached"
    NO_DATA = "no_data"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"


def verdict(value: float | None, op: Comparison, target: float) -> Status:
    """Return the status of a closed period."""
    if value is None:
        return Status.NO_DATA
    return Status.MET if op.holds(value, target) else Status.BREACHED


def _forecast(holds: bool) -> Status:
    return Status.ON_TRACK if holds else Status.AT_RISK


def count_status(
    value: int, op: Comparison, target: float, *, gone: float, running: bool
) -> Status:
    """Judge a count; `gone` is the share of the period's time already passed."""
    if not running:
        return verdict(value, op, target)
    # A count only grows: reaching an at-least target, or overshooting an at-most one, is final.
    if op.higher_is_better and op.holds(value, target):
        return Status.MET
    if not op.higher_is_better and not op.holds(value, target):
        return Status.BREACHED
    if gone <= 0:
        return Status.ON_TRACK  # the period's first instant: no pace to extrapolate yet
    return _forecast(op.holds(value / gone, target))


def clock_status(
    met: int,
    breached: int,
    at_risk: int,
    pending: int,
    op: Comparison,
    target: float,
    running: bool,
) -> Status:
    """Judge a share of items on time; pending items (running, paused) are not yet decided.

    A running period whose items are all pending has no value yet but has work under way:
    it is on track. Closed, the same period has no data.
    """
    decided = met + breached
    if not running:
        return verdict(met / decided if decided else None, op, target)
    if decided + at_risk == 0:
        return Status.ON_TRACK if pending else Status.NO_DATA
    return _forecast(op.holds(met / (decided + at_risk), target))


def ratio_status(value: float | None, op: Comparison, target: float, *, running: bool) -> Status:
    if not running:
        return verdict(value, op, target)
    if value is None:
        return Status.NO_DATA
    return _forecast(op.holds(value, target))


def availability_status(
    value: float | None,
    op: Comparison,
    target: float,
    *,
    downtime: float,
    budget: float,
    gone: float,
    running: bool,
) -> Status:
    if not running:
        return verdict(value, op, target)
    if value is None:
        return Status.NO_DATA
    if op.higher_is_better and budget >= 0 and downtime > budget:
        return Status.BREACHED  # downtime never shrinks: the period's budget is spent
    if op.higher_is_better and budget > 0:
        burn = (downtime / budget) / gone if gone > 0 else 0.0
        return _forecast(burn <= 1.0)
    return _forecast(op.holds(value, target))
