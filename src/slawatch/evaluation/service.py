"""Recompute stored results: claim an agreement, evaluate its history, store, release.

A period is evaluated with the version in force at its start, and history is never rewritten:
every version is evaluated as a whole (one pass of the engine, not one per period) and keeps
the periods it governs. Work is claimed per agreement with a conditional UPDATE, so any number
of processes can call `refresh_all` at once and each change is evaluated exactly once.
The same transaction that stores the results brings the stored item clocks up to date.

Each agreement is evaluated on its own: a failure (bad data, a bug) is logged, counted and
recorded in `evaluation_health` in the transaction that gives the lease back, and the refresh
goes on with the next agreement. The failed agreement stays due (its change is not marked
done), so the next refresh tries it again and a corrected version recovers it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection, Engine

from slawatch.engine.corrections import corrected
from slawatch.engine.events import EventTable
from slawatch.engine.incidents import IncidentWindow
from slawatch.engine.objectives import evaluate
from slawatch.evaluation.breakdown_figures import (
    RatioItemsFound,
    changed_pairs,
    empty_ratio_items,
    group_periods,
    ratio_digests,
)
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.clocks import item_clock_frame, measured_versions
from slawatch.evaluation.credits import issue_statements
from slawatch.metrics import record_evaluation, record_evaluation_failure
from slawatch.store.agreements import StoredAgreement, all_versions, version_in_force
from slawatch.store.clocks import (
    ClockDiff,
    clock_digest,
    clocks_written_at,
    diff_clocks,
    stored_clock_frame,
    write_clock_changes,
)
from slawatch.store.corrections import approved_corrections
from slawatch.store.db import read_transaction, transaction
from slawatch.store.directory import people
from slawatch.store.health import error_text, record_failure, record_success
from slawatch.store.incidents import incident_windows
from slawatch.store.period_breakdowns import directory_digest, replace_periods, stored_pairs
from slawatch.store.results import (
    Claim,
    StoredResult,
    agreements_needing_work,
    claim,
    finish,
    latest_event_id,
    release,
    replace_results,
)
from slawatch.wall_clock import now_us

log = logging.getLogger("slawatch.evaluation")
LEASE_SECONDS = 600.0  # longer than any evaluation; a dead owner's lease expires after it
US = 1_000_000


def process_owner() -> str:
    """Name this process in leases: host, pid and a nonce (pids repeat across containers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaseLostError(Exception):
    """The lease expired and another process took the work over; our results are discarded."""


def evaluate_history(
    versions: list[StoredAgreement],
    table: EventTable,
    *,
    as_of: int,
    ratio_items: list[pl.DataFrame] | None = None,
    incidents: Sequence[IncidentWindow] = (),
) -> list[StoredResult]:
    """Return every period's result, each measured with the version in force at its start.

    All versions are measured from the earliest effective date of any of them, so each one
    yields the same periods and a period can be taken from whichever version governs it.
    `ratio_items`, if given, gets the items behind each stored ratio figure: frames of
    (objective, period label, item, hit). `incidents` pause the clocks the emergency plan
    names while each was declared.
    """
    rows: list[StoredResult] = []
    for measured in measured_versions(versions, as_of=as_of):
        stored = measured.stored
        found = RatioItemsFound()
        evaluation = evaluate(
            measured.agreement,
            table,
            as_of=as_of,
            ratio_items=None if ratio_items is None else found.add,
            incidents=incidents,
        )
        governed: set[str] = set()
        for index, result in enumerate(evaluation.periods):
            period = result.period
            if version_in_force(versions, period.first, period.start).version != stored.version:
                continue
            governed.add(period.label)
            rows.append(
                StoredResult(
                    agreement_id=stored.id,
                    period=period.label,
                    version=stored.version,
                    period_start=period.start,
                    period_end=period.end,
                    as_of=as_of,
                    payload=evaluation.only(index).document(),
                )
            )
        if ratio_items is not None:
            ratio_items.extend(found.of_periods(governed))
    return sorted(rows, key=lambda row: (row.period_start, row.period))


@dataclass(frozen=True)
class _KeptClocks:
    """The digest of the clocks this process last wrote for an agreement, and that write's token."""

    written_at: int
    digest: pl.DataFrame
    generation: int  # of the event cache's table those clocks were computed from


ClockListener = Callable[[Connection, ClockDiff], None]


@dataclass
class Recomputer:
    """Recompute agreements in this process: one owner name, one event cache."""

    engine: Engine
    owner: str
    cache: EventCache
    lease_seconds: float = LEASE_SECONDS
    issue_credits: bool = True  # tests of issuing itself turn it off to issue by hand
    # Called with each agreement's clock changes inside the transaction that writes them.
    clock_listeners: list[ClockListener] = field(default_factory=list)
    _clocks: dict[str, _KeptClocks] = field(default_factory=dict, init=False, repr=False)

    def recompute(
        self, agreement_id: str, *, as_of: int | None = None, stale_before: int | None = None
    ) -> bool:
        """Recompute one agreement if it is due and no one else is on it; True if we did."""
        now = now_us()
        with transaction(self.engine) as connection:
            work = claim(
                connection,
                agreement_id,
                owner=self.owner,
                now=now,
                lease_until=now + int(self.lease_seconds * US),
                latest_event=latest_event_id(connection),
                stale_before=stale_before,
            )
        if work is None:
            return False
        try:
            self._compute(work, as_of)
        except LeaseLostError:
            log.warning("%s: lease lost while evaluating; the new owner's results stand", work)
            return False
        except Exception as error:  # one agreement's failure must not stop the others
            self._failed(work, error)
            return False
        except BaseException:  # an interrupt: give the work back and stop
            with transaction(self.engine) as connection:
                release(connection, work)
            raise
        return True

    def _failed(self, work: Claim, error: Exception) -> None:
        """Log, count and record a failed evaluation, and give the lease back at once."""
        log.exception("%s: evaluation failed; the other agreements go on", work.agreement_id)
        record_evaluation_failure(work.agreement_id)
        try:
            with transaction(self.engine) as connection:
                release(connection, work)
                record_failure(
                    connection,
                    work.agreement_id,
                    at=now_us(),
                    error=error_text(error),
                    wanted=work.wanted,
                )
        except Exception:  # recording failed too (the store?): at least free the agreement
            log.exception("%s: could not record the failure", work.agreement_id)
            with transaction(self.engine) as connection:
                release(connection, work)

    def _compute(self, work: Claim, as_of: int | None) -> None:
        started = time.perf_counter()
        table, last_event_id, generation = self.cache.snapshot(self.engine)
        with read_transaction(self.engine) as connection:
            versions = all_versions(connection, work.agreement_id)
            previous, since = self._previous_clocks(connection, work.agreement_id)
            grouped_before = stored_pairs(connection, work.agreement_id)
            teams = {key: person.team for key, person in people(connection).items()}
            # Approved corrections and exclusions reach the results and the item clocks alike.
            table = corrected(table, approved_corrections(connection, work.agreement_id))
            incidents = incident_windows(connection, work.agreement_id)
        instant = now_us() if as_of is None else as_of
        found: list[pl.DataFrame] = []
        rows = evaluate_history(
            versions, table, as_of=instant, ratio_items=found, incidents=incidents
        )
        clocks = item_clock_frame(versions, table, as_of=instant, incidents=incidents)
        diff = diff_clocks(work.agreement_id, previous, clocks)
        ratios = pl.concat([empty_ratio_items(table), *found], how="vertical")
        digests = ratio_digests(ratios)
        pairs = changed_pairs(
            clocks,
            ratios,
            diff,
            grouped_before,
            digests=digests,
            directory=directory_digest(teams),
            changed_items=None if since is None else self.cache.changed_since(since),
        )
        grouped = group_periods(clocks, ratios, table.items, pairs, teams, digests)
        computed_at = now_us()
        with transaction(self.engine) as connection:
            if not finish(connection, work, last_event_id=last_event_id, computed_at=computed_at):
                raise LeaseLostError(work.agreement_id)
            replace_results(connection, work.agreement_id, rows)
            if record_success(connection, work.agreement_id, at=computed_at):
                log.info("%s: evaluation works again", work.agreement_id)
            write_clock_changes(connection, diff)
            replace_periods(connection, work.agreement_id, grouped.totals, grouped.groupings)
            for listener in self.clock_listeners:
                listener(connection, diff)
            # Closed periods get their credit statements with the results that state them;
            # a later change to such a period is kept as a flagged revision, never applied.
            if self.issue_credits:
                issue_statements(connection, work.agreement_id, now=instant)
        self._clocks[work.agreement_id] = _KeptClocks(computed_at, clock_digest(clocks), generation)
        record_evaluation(work.agreement_id, time.perf_counter() - started)
        log.info(
            "evaluated %s: %d periods, %d clocks (%d written), events up to #%d",
            work.agreement_id,
            len(rows),
            clocks.height,
            diff.written,
            last_event_id,
        )

    def _previous_clocks(
        self, connection: Connection, agreement_id: str
    ) -> tuple[pl.DataFrame, int | None]:
        """Return the stored clocks: the kept frame if the last write was ours, else read them.

        We hold the lease, so nobody writes them until we finish. Another replica may have
        written them since our last round, or this process may be new: then they are read.
        Also returns the cache generation they were computed from if they were ours (None
        if not): the items changed since then are the ones whose groups may have moved.
        """
        kept = self._clocks.pop(agreement_id, None)
        if kept is not None and kept.written_at == clocks_written_at(connection, agreement_id):
            return kept.digest, kept.generation
        return stored_clock_frame(connection, agreement_id), None

    def refresh(
        self,
        *,
        as_of: int | None = None,
        stale_after: float | None = None,
        retry_after: float | None = None,
    ) -> list[str]:
        """Recompute every agreement that changed (or is older than `stale_after` s).

        An agreement whose evaluation failed less than `retry_after` s ago, and has no new
        version since, is left for a later round; without it, it is tried every time.
        """
        now = now_us()
        stale_before = None if stale_after is None else now - int(stale_after * US)
        retry_before = None if retry_after is None else now - int(retry_after * US)
        with read_transaction(self.engine) as connection:
            due = agreements_needing_work(
                connection,
                now=now,
                latest_event=latest_event_id(connection),
                stale_before=stale_before,
                retry_before=retry_before,
            )
        return [
            agreement_id
            for agreement_id in due
            if self.recompute(agreement_id, as_of=as_of, stale_before=stale_before)
        ]


def refresh_all(
    engine: Engine,
    *,
    as_of: int | None = None,
    owner: str | None = None,
    stale_after: float | None = None,
    cache: EventCache | None = None,
    issue_credits: bool = True,
) -> list[str]:
    """Bring every agreement's stored results up to date; return the ids this call evaluated.

    Agreements another process is evaluating right now are left to it. `as_of` (µs) fixes the
    evaluation instant (tests, the demo); by default it is now.
    """
    recomputer = Recomputer(
        engine, owner or process_owner(), cache or EventCache(), issue_credits=issue_credits
    )
    return recomputer.refresh(as_of=as_of, stale_after=stale_after)
