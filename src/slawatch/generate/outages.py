"""Availability outages: services fail and recover, spending most of the downtime budget."""

from __future__ import annotations

import math

import numpy as np

from slawatch.generate.flows import Flow
from slawatch.generate.local_time import MINUTE, NONE


def draw_outages(
    flow: Flow, n: int, begin: int, end: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Failures and recoveries as a renewal process spending about 60 % of the downtime budget.

    A service fails many times, so each event's times come with a `\\x00items:<event>` array
    naming the service of every entry.
    """
    times: dict[str, np.ndarray] = {}
    outages = flow.outages
    for pair in dict.fromkeys((o.down, o.up) for o in outages):
        target = max(o.target.value for o in outages if (o.down, o.up) == pair)
        unavailable = min(0.5, max(1e-6, 0.6 * (1 - min(target, 1.0))))
        median, sigma = 20 * MINUTE, 1.0  # minutes to hours
        repair_mean = median * math.exp(sigma**2 / 2)
        between = repair_mean * (1 - unavailable) / unavailable
        slots = int(min(5000, math.ceil(2 * (end - begin) / (between + repair_mean)) + 5))
        up_time = rng.exponential(between, (n, slots))
        repair = rng.lognormal(math.log(median), sigma, (n, slots))
        down = begin + np.cumsum(up_time + repair, axis=1) - repair
        down, up = down.astype(np.int64), (down + np.maximum(MINUTE, repair)).astype(np.int64)
        items = np.repeat(np.arange(n), slots)
        times[pair[0]] = np.where(down < end, down, NONE).ravel()
        times[pair[1]] = np.where(down < end, up, NONE).ravel()
        times[f"\x00items:{pair[0]}"] = items
        times[f"\x00items:{pair[1]}"] = items
    return times
