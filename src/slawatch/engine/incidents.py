"""Declared incidents as pauses: every item's clock of a paused objective stops in the window.

An incident of the agreement's emergency plan runs over `[start, end)`; `end` is None while it
is open. For each objective the plan lists under `pause:`, the window is added to every item's
pauses exactly as a pause event at `start` and a resume event at `end` would be: the clock
kernel clips it to the item's `[start, end)` and merges it with the item's own pauses, so a
deadline moves by the working time the incident took (DESIGN "Clock semantics"). A window that
begins after `as_of` does not exist yet; one that ends after `as_of` is still open then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from slawatch.engine.clock import ClockInput
from slawatch.engine.instants import NO_INSTANT


@dataclass(frozen=True)
class IncidentWindow:
    """When a declared incident ran: µs since the epoch, `end` None while it is open."""

    start: int
    end: int | None = None


def with_incident_pauses(
    inputs: ClockInput, windows: Sequence[IncidentWindow], *, as_of: int
) -> ClockInput:
    """Return the clock inputs with each window added as a pause of every item."""
    spans = [
        (w.start, NO_INSTANT if w.end is None or w.end > as_of else w.end)
        for w in windows
        if w.start <= as_of and (w.end is None or w.end > w.start)
    ]
    n = len(inputs.start)
    if not spans or n == 0:
        return inputs
    items = np.tile(np.arange(n, dtype=np.int64), len(spans))
    starts = np.repeat(np.array([s for s, _ in spans], dtype=np.int64), n)
    ends = np.repeat(np.array([e for _, e in spans], dtype=np.int64), n)
    return ClockInput(
        start=inputs.start,
        stop=inputs.stop,
        pause_item=np.concatenate([inputs.pause_item.astype(np.int64), items]),
        pause_start=np.concatenate([inputs.pause_start, starts]),
        pause_end=np.concatenate([inputs.pause_end, ends]),
    )
