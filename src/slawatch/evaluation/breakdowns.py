"""An objective's breakdown for a page or the API: read a period's items, group them, cache.

The period is one whose results are stored; its objective is the one of the version that
measured it. A breakdown changes only when the stored clocks and results do, so it is kept
per agreement, objective, period, grouping and evaluation stamp: the second look at a period
costs one query. Late clocks depend on the instant asked, so they are read every time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import Connection

from slawatch.agreements.model import Objective
from slawatch.engine.breakdowns import (
    MISSING,
    NO_VALUE,
    GroupFigures,
    Measure,
    group_figures,
    overall,
    team_keys,
    with_change,
)
from slawatch.engine.events import EventTable, select_items
from slawatch.engine.kinds import clocked
from slawatch.engine.kinds.ratio import RatioObjective
from slawatch.engine.periods import PeriodLabelError, earlier_label, label_kind, local_midnight
from slawatch.expiring import Expiring
from slawatch.store import breakdowns as store
from slawatch.store import period_breakdowns as period_store
from slawatch.store.agreements import StoredAgreement, get_version
from slawatch.store.directory import Person, people, people_by_key
from slawatch.store.history import recent_results
from slawatch.store.results import StoredResult, stored_periods, stored_result

OWNER = "owner"  # the item attribute naming who is responsible for it
TEAM = "team"  # grouping by the owner's team in the directory
KEPT_SECONDS = 600.0
LATE_STEP_US = 5_000_000  # late now is judged to 5 seconds
GROUPING = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")  # an attribute name a page can ask for


class BreakdownError(ValueError):
    """A breakdown that cannot be made as asked; the message says what to ask instead."""


class PeriodChoiceError(BreakdownError):
    """The period asked for is not a label of the objective's own period kind."""


class NotMeasuredError(BreakdownError):
    """The period (or the objective in it) has no stored result: nothing to break down."""


@dataclass(frozen=True)
class Breakdown:
    """One period of one objective, split by a grouping, with the figures of every group."""

    agreement_id: str
    objective: str
    measure: Measure
    period: str
    previous_period: str | None
    by: str
    as_of: int
    version: int
    groups: tuple[GroupFigures, ...]
    total: GroupFigures | None
    groupings: tuple[str, ...]  # owner, team and the attributes the period's items carry
    names: Mapping[str, Person] = field(default_factory=dict)  # owners the directory knows


def measure_of(objective: Objective) -> Measure | None:
    """Return how an objective's items add up, or None if it has no items to split."""
    if clocked(objective) is not None:
        return Measure.CLOCK
    if isinstance(objective, RatioObjective):
        return Measure.RATIO
    return None


def choose_period(
    connection: Connection, stored: StoredAgreement, objective: Objective, label: str | None
) -> StoredResult:
    """Return the stored result of the period asked for, or of the latest one.

    Raises BreakdownError for a label that is not one, or of another kind than the
    objective's periods, and NotMeasuredError for a period without a stored result.
    """
    agreement = stored.agreement
    if not label:
        latest = recent_results(connection, agreement.id, objective.period, limit=1)
        if not latest:
            raise NotMeasuredError(
                f"no stored results for {agreement.id!r} yet; they are computed in the "
                "background after events arrive, try again in a moment"
            )
        return latest[0]
    try:
        kind = label_kind(label)
    except PeriodLabelError as error:
        raise PeriodChoiceError(str(error)) from None
    if kind != objective.period:
        raise PeriodChoiceError(
            f"period {label!r} is a {kind.value}; objective {objective.id} is measured per "
            f"{objective.period.value}, so write a {objective.period.value} label"
        )
    result = stored_result(connection, agreement.id, label.strip())
    if result is None or result.result(objective.id) is None:
        known = stored_periods(connection, agreement.id)
        where = f"; stored periods run from {known[0]} to {known[-1]}" if known else ""
        raise NotMeasuredError(f"no stored result of {objective.id} for period {label}{where}")
    return result


def _rows(
    connection: Connection, results: list[StoredResult], objectives: list[Objective], by: str
) -> list[pl.DataFrame]:
    """Return one row per item of each result's period, keyed by `by` (an attribute).

    The periods are read side by side; each is measured by its own version's objective.
    """
    first = objectives[0]
    if clocked(first) is not None:
        periods = [result.period for result in results]
        return store.clock_rows(connection, results[0].agreement_id, first.id, periods, by)
    ratios = [o for o in objectives if isinstance(o, RatioObjective)]
    windows = [_ratio_window(connection, r, o) for r, o in zip(results, ratios, strict=True)]
    names = [list(dict.fromkeys(t.attribute for t in o.where)) for o in ratios]
    found = store.ratio_rows(connection, list(zip(windows, names, strict=True)), by)
    return [
        _filtered(rows, objective, where)
        for rows, objective, where in zip(found, ratios, names, strict=True)
    ]


def _filtered(rows: pl.DataFrame, objective: RatioObjective, names: list[str]) -> pl.DataFrame:
    """Keep the items the objective's own `where:` passes, by the engine's own tests."""
    if objective.where:
        attributes = rows.select(
            "item", *(pl.col(store.where_column(name)).alias(name) for name in names)
        )
        passing = select_items(EventTable(pl.DataFrame(), attributes), objective.where)
        rows = rows.filter(pl.col("item").is_in(passing.implode()))
    return rows.select("key", "hit")


def _ratio_window(
    connection: Connection, result: StoredResult, objective: RatioObjective
) -> store.RatioWindow:
    version = get_version(connection, result.agreement_id, result.version)
    assert version is not None  # a stored result names a stored version
    agreement = version.agreement
    effective = local_midnight(agreement.effective, ZoneInfo(agreement.timezone))
    return store.RatioWindow(
        of=objective.of,
        count=objective.count,
        start=max(result.period_start, effective),
        end=result.period_end,
        as_of=result.as_of,
    )


def _grouped(rows: pl.DataFrame, by: str, teams: Mapping[str, str | None]) -> pl.DataFrame:
    if by != TEAM:
        return rows
    return rows.with_columns(team_keys(rows.get_column("key"), teams).alias("key"))


@dataclass(frozen=True)
class _PeriodFigures:
    groups: Mapping[str, GroupFigures]
    total: GroupFigures | None
    seen: frozenset[str]  # attribute names the period's items carry


class Breakdowns:
    """Make breakdowns, keeping each period's figures until the stored clocks change.

    Figures are kept per period, so a period's breakdown and the next one's trend share
    them; the key holds the agreement's evaluation stamp, which every refresh moves.
    """

    def __init__(self, *, max_age: float = KEPT_SECONDS) -> None:
        self._kept: Expiring[tuple[object, ...], _PeriodFigures] = Expiring(max_age=max_age)
        self._open: Expiring[tuple[object, ...], list[store.OpenClock]] = Expiring(max_age=max_age)
        self.late: Expiring[tuple[object, ...], list[OwnerLate]] = Expiring(
            max_age=2 * LATE_STEP_US / 1_000_000
        )

    def forget(self) -> None:
        self._kept.forget()
        self._open.forget()
        self.late.forget()

    def open_clocks(
        self, connection: Connection, stored: StoredAgreement, objective_id: str
    ) -> list[store.OpenClock]:
        """Return the objective's open clocks with a deadline, as of the last refresh.

        They change only when the evaluator writes clocks, so they are kept per evaluation
        stamp; whether each is late is decided at every request.
        """
        objective = stored.agreement.objectives.get(objective_id)
        if objective is None:
            return []
        agreement_id = stored.agreement.id
        stamp = store.evaluation_stamp(connection, agreement_id)

        def read() -> list[store.OpenClock]:
            labels = [
                label
                for label in stored_periods(connection, agreement_id)
                if label_kind(label) == objective.period
            ]
            return store.open_clocks(
                connection, agreement_id, objective_id, periods=labels, owner=OWNER
            )

        return self._open.get((agreement_id, objective_id, stamp), read)

    def _pair(
        self,
        connection: Connection,
        pair: tuple[StoredResult, StoredResult | None],
        objective_id: str,
        by: str,
        teams: Mapping[str, str | None],
        stamp: tuple[object, ...],
    ) -> tuple[_PeriodFigures, _PeriodFigures | None]:
        """Return a period's figures and the one before's: the ones not kept read side by side.

        Kept per period, so the next period's trend reuses this one's figures.
        """
        keys = [(r.agreement_id, objective_id, r.period, *stamp) for r in pair if r is not None]
        kept = [self._kept.peek(key) for key in keys]
        if any(figures is None for figures in kept):
            results = [r for r in pair if r is not None]
            missing = [r for r, figures in zip(results, kept, strict=True) if figures is None]
            read = _figures(connection, missing, objective_id, by, teams)
            fresh = iter(read)
            kept = [figures if figures is not None else next(fresh) for figures in kept]
            for key, figures in zip(keys, kept, strict=True):
                if figures is not None:
                    self._kept.get(key, partial(_same, figures))
        found = [figures for figures in kept if figures is not None]
        earlier = found[1] if len(found) > 1 and found[1].total is not None else None
        return found[0], earlier

    def make(
        self,
        connection: Connection,
        stored: StoredAgreement,
        objective_id: str,
        *,
        by: str,
        period: str | None,
    ) -> Breakdown:
        """Return the breakdown of one objective's period by owner, team or an attribute."""
        objective = stored.agreement.objectives.get(objective_id)
        if objective is None:
            raise NotMeasuredError(
                f"agreement {stored.agreement.id!r} has no objective {objective_id!r}; its "
                f"objectives are {', '.join(stored.agreement.objectives)}"
            )
        measure = measure_of(objective)
        if measure is None:
            raise BreakdownError(
                f"objective {objective_id} counts items; only clock and ratio objectives "
                "have a breakdown"
            )
        if not GROUPING.match(by):
            raise BreakdownError(
                f"by {by!r} is not a grouping; write owner, team or an attribute name "
                "(letters, digits, _ . : -)"
            )
        result = choose_period(connection, stored, objective, period)
        teams = {key: p.team for key, p in people(connection).items()} if by == TEAM else {}
        stamp = (
            store.evaluation_stamp(connection, stored.agreement.id),
            by,
            *sorted(teams.items()),
        )
        before_label = earlier_label(result.period)
        before = stored_result(connection, result.agreement_id, before_label)
        if before is not None and before.result(objective_id) is None:
            before = None
        now, earlier = self._pair(connection, (result, before), objective_id, by, teams, stamp)
        named = [group for group in now.groups if group not in MISSING]
        names = people_by_key(connection, named) if by == OWNER else {}
        return Breakdown(
            agreement_id=result.agreement_id,
            objective=objective_id,
            measure=measure,
            period=result.period,
            previous_period=before_label if earlier is not None else None,
            by=by,
            as_of=result.as_of,
            version=result.version,
            groups=tuple(with_change(now.groups, earlier.groups if earlier else {})),
            total=now.total,
            groupings=(OWNER, TEAM, *sorted(now.seen - {OWNER, TEAM})),
            names=names,
        )


def _figures(
    connection: Connection,
    results: list[StoredResult],
    objective_id: str,
    by: str,
    teams: Mapping[str, str | None],
) -> list[_PeriodFigures]:
    """Return the figures of each result's period, the periods read side by side.

    A period whose version measures the objective as another kind (or not at all) has no
    figures: its groups are not comparable.
    """
    objectives = [_measured(connection, r, objective_id) for r in results]
    kinds = {type(o) for o in objectives}
    measure = measure_of(objectives[0]) if objectives[0] is not None else None
    if measure is None or len(kinds) > 1:
        empty = _PeriodFigures({}, None, frozenset())
        if measure is None or len(results) == 1:
            return [empty] * len(results)
        return [*_figures(connection, results[:1], objective_id, by, teams), empty]
    measured = [o for o in objectives if o is not None]
    stored = [_stored(connection, r, objective_id, by, teams) for r in results]
    unread = [i for i, figures in enumerate(stored) if figures is None]
    if not unread:
        return [figures for figures in stored if figures is not None]
    missing = [results[i] for i in unread]
    attribute = OWNER if by == TEAM else by
    rows = [
        _grouped(r, by, teams)
        for r in _rows(connection, missing, [measured[i] for i in unread], attribute)
    ]
    read = iter(
        _PeriodFigures(
            group_figures(r, measure),
            overall(r, measure),
            frozenset(_attribute_names(connection, result, measured[0])),
        )
        for r, result in zip(rows, missing, strict=True)
    )
    return [figures if figures is not None else next(read) for figures in stored]


def _stored(
    connection: Connection,
    result: StoredResult,
    objective_id: str,
    by: str,
    teams: Mapping[str, str | None],
) -> _PeriodFigures | None:
    """Return a period's figures as the evaluator stored them, or None if it did not.

    Stored for the groupings kept (`evaluation/breakdown_figures.py`); a team grouping only
    if grouped with today's directory. The caller asks only periods measured alike.
    """
    directory = period_store.directory_digest(teams) if by == TEAM else None
    found = period_store.read_period(
        connection, result.agreement_id, objective_id, result.period, by, directory=directory
    )
    if found is None:
        return None
    total, grouped = found
    return _PeriodFigures(grouped.groups, total.total, total.seen)


def _same(figures: _PeriodFigures) -> _PeriodFigures:
    return figures


def _measured(connection: Connection, result: StoredResult, objective_id: str) -> Objective | None:
    """Return the objective as the version that measured the period defines it."""
    version = get_version(connection, result.agreement_id, result.version)
    return None if version is None else version.agreement.objectives.get(objective_id)


def _attribute_names(
    connection: Connection, result: StoredResult, objective: Objective
) -> set[str]:
    if clocked(objective) is not None:
        return store.clock_attribute_names(
            connection, result.agreement_id, objective.id, result.period
        )
    assert isinstance(objective, RatioObjective)
    return store.ratio_attribute_names(connection, _ratio_window(connection, result, objective))


@dataclass(frozen=True)
class LateClock:
    """An open clock past its deadline at the instant asked (`late`), or at risk."""

    clock: store.OpenClock
    late: bool


@dataclass(frozen=True)
class OwnerLate:
    """One owner's late and at-risk clocks, the most overdue first."""

    owner: str  # NO_VALUE for the clocks of items without an owner
    person: Person | None
    late: int
    at_risk: int
    clocks: tuple[LateClock, ...]


def late_by_owner(clocks: Sequence[store.OpenClock], now: int) -> dict[str, list[LateClock]]:
    """Return the clocks late or at risk at `now`, by owner, in the order given.

    Late: the deadline has passed (a stored state is as of the last refresh, and a clock
    turns late with time alone). At risk: not late, and stored at risk or past its warning
    point.
    """
    found: dict[str, list[LateClock]] = {}
    for clock in clocks:
        late = clock.deadline <= now
        warned = clock.state == "at_risk" or (clock.warn_at is not None and clock.warn_at <= now)
        if late or warned:
            found.setdefault(clock.owner or NO_VALUE, []).append(LateClock(clock, late))
    return found


def late_now(
    connection: Connection,
    stored: StoredAgreement,
    objective_id: str,
    *,
    now: int,
    keeper: Breakdowns | None = None,
) -> list[OwnerLate]:
    """Return the running clocks past their deadline or at risk, by owner, most late first.

    Judged at `now` to the second below LATE_STEP_US: a page asked twice within it gets the
    same list without judging thousands of clocks again.
    """
    keeper = keeper or Breakdowns()
    clocks = keeper.open_clocks(connection, stored, objective_id)
    instant = now - now % LATE_STEP_US
    stamp = store.evaluation_stamp(connection, stored.agreement.id)
    key = (stored.agreement.id, objective_id, stamp, instant)
    return keeper.late.get(key, lambda: _late_owners(connection, clocks, instant))


def _late_owners(
    connection: Connection, clocks: Sequence[store.OpenClock], now: int
) -> list[OwnerLate]:
    by_owner = late_by_owner(clocks, now)
    names = people_by_key(connection, [key for key in by_owner if key != NO_VALUE])
    found = [
        OwnerLate(
            owner=owner,
            person=names.get(owner),
            late=sum(clock.late for clock in owned),
            at_risk=sum(not clock.late for clock in owned),
            clocks=tuple(owned),
        )
        for owner, owned in by_owner.items()
    ]
    found.sort(key=lambda o: (-o.late, -o.at_risk, o.owner == NO_VALUE, o.owner))
    return found
