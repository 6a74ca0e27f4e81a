"""An objective's status in a period: the verdict when it closed, a forecast while it runs.

A closed period is `met`, `breached` or `no_data`. The running period can already be
`met` or `breached` when nothing still to come can change the verdict; otherwise a forecast
says `on_track` or `at_risk`. How a running period is judged is the kind's (`engine/kinds/`).
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


def forecast(holds: bool) -> Status:
    """Return the forecast of a running period: on track if the kind's pace holds."""
    return Status.ON_TRACK if holds else Status.AT_RISK
