"""Background evaluation inside `slawatch serve`: a round of re-evaluating stale results.

The runner (`slawatch.background`) calls `refresh` every `evaluation_interval` seconds (the
running period's figures move with time) and `evaluation_delay` seconds after an ingestion
(so a stream of batches is evaluated once per delay, not once per batch). Replicas share the
work through the claims in `store/results.py`; each keeps its own event cache.
"""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.service import Recomputer, process_owner


class BackgroundEvaluation:
    """Re-evaluate the agreements whose results are stale, one round per call."""

    def __init__(self, engine: Engine, *, interval: float) -> None:
        self.recomputer = Recomputer(engine, process_owner(), EventCache())
        self.interval = interval

    def refresh(self) -> None:
        """Refresh what is due; a failing agreement is retried once per interval.

        Half the interval: a result computed just after the last round is due by the next one
        instead of the one after, and replicas still share each refresh. A failing agreement is
        tried once per round, not after every ingestion.
        """
        self.recomputer.refresh(stale_after=self.interval / 2, retry_after=self.interval / 2)
