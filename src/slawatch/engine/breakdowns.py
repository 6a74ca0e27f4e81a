"""An objective's period split into groups: by owner, team or any item attribute.

Plain data in, rows out. The shell reads one row per item of the period (its group key, and
its clock state and elapsed time, or whether a ratio counts it) and these functions add them
up per group, the same way the objective adds up all of them, so the groups' counts sum to
the objective's. Percentiles are nearest-rank (docs/semantics.md, "Breakdowns"): always a time
one of the items took, exact in integers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import polars as pl

# Group keys of items the grouping cannot place. Item attributes never contain NUL (the
# ingestion refuses it), so these keys never meet a real value.
NO_VALUE = "\x00no-value"  # the item does not carry the attribute (no owner, no region)
NO_TEAM = "\x00no-team"  # the owner is in the directory, without a team
UNKNOWN_OWNER = "\x00unknown-owner"  # the owner is not in the directory
MISSING = {NO_VALUE: "no_value", NO_TEAM: "no_team", UNKNOWN_OWNER: "unknown_owner"}

CLOCK_STATES = ("met", "breached", "paused", "at_risk", "running")
PENDING_STATES = ("paused", "at_risk", "running")
PERCENTILES = (50, 90)


class Measure(StrEnum):
    """What a breakdown adds up: clocks (met / breached / pending) or a ratio's items."""

    CLOCK = "clock"
    RATIO = "ratio"


class Column(StrEnum):
    """The columns a breakdown sorts by."""

    GROUP = "group"
    VALUE = "value"
    ITEMS = "items"
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"
    MEDIAN = "median"
    P90 = "p90"
    CHANGE = "change"


@dataclass(frozen=True)
class GroupFigures:
    """One group's figures for one period.

    Clocks: `met`, `breached`, `pending` (paused, at risk, running) and `value` = met / (met +
    breached); `median_us` and `p90_us` over the stopped clocks' elapsed working time. Ratio:
    `met` is the numerator (items that also have the counted event), `items` the denominator
    and `value` = met / items; `breached` is items − met and there is nothing pending.
    `previous` is the same group's value in the period before, and `change` value − previous.
    """

    key: str
    items: int
    met: int
    breached: int
    pending: int
    value: float | None
    median_us: int | None = None
    p90_us: int | None = None
    at_risk: int = 0
    previous: float | None = None
    change: float | None = None

    @property
    def missing(self) -> str | None:
        """Return why the group has no name (`no_value`, `no_team`, `unknown_owner`), or None."""
        return MISSING.get(self.key)


def nearest_rank(percentile: int, count: int) -> int:
    """Return the 1-based rank of a percentile among `count` sorted values: ⌈p·n/100⌉."""
    return max(1, -(-percentile * count // 100))


def _clock_groups(frame: pl.DataFrame) -> pl.DataFrame:
    state = pl.col("state")
    stopped = pl.col("elapsed_us").filter(pl.col("stopped")).sort()
    done = stopped.len()
    # Rank ⌈p·n/100⌉, 1-based; with no stopped clock the index is -1 and the figure null.
    percentiles = [
        stopped.get((done * p + 99) // 100 - 1, null_on_oob=True).alias(f"p{p}")
        for p in PERCENTILES
    ]
    return frame.group_by("key").agg(
        pl.len().alias("items"),
        (state == "met").sum().alias("met"),
        (state == "breached").sum().alias("breached"),
        state.is_in(PENDING_STATES).sum().alias("pending"),
        (state == "at_risk").sum().alias("at_risk"),
        *percentiles,
    )


def _ratio_groups(frame: pl.DataFrame) -> pl.DataFrame:
    hit = pl.col("hit")
    return frame.group_by("key").agg(
        pl.len().alias("items"),
        hit.sum().alias("met"),
        (~hit).sum().alias("breached"),
        pl.lit(0).alias("pending"),
        pl.lit(0).alias("at_risk"),
        pl.lit(None, pl.Int64).alias("p50"),
        pl.lit(None, pl.Int64).alias("p90"),
    )


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("key").cast(pl.String).fill_null(NO_VALUE))


def group_figures(frame: pl.DataFrame, measure: Measure) -> dict[str, GroupFigures]:
    """Return each group's figures, by group key.

    `frame` has one row per item of the period: `key` (the group, null without a value) and
    for clocks `state`, `elapsed_us` and `stopped`, for a ratio `hit`. Groups without items
    do not exist: a group is what items carry.
    """
    if frame.height == 0:
        return {}
    keyed = _keyed(frame)
    grouped = _clock_groups(keyed) if measure is Measure.CLOCK else _ratio_groups(keyed)
    found = {}
    for row in grouped.iter_rows(named=True):
        met, breached = int(row["met"]), int(row["breached"])
        judged = met + breached
        found[row["key"]] = GroupFigures(
            key=row["key"],
            items=int(row["items"]),
            met=met,
            breached=breached,
            pending=int(row["pending"]),
            value=met / judged if judged else None,
            median_us=row["p50"],
            p90_us=row["p90"],
            at_risk=int(row["at_risk"]),
        )
    return found


def breakdown(
    current: pl.DataFrame, previous: pl.DataFrame | None, measure: Measure
) -> list[GroupFigures]:
    """Return the period's groups with their change against the period before, by key."""
    before = group_figures(previous, measure) if previous is not None else {}
    return with_change(group_figures(current, measure), before)


def with_change(
    now: Mapping[str, GroupFigures], before: Mapping[str, GroupFigures]
) -> list[GroupFigures]:
    """Return this period's groups, by key, each with its value in the period before.

    A group of the period before that has no item now is not listed: the breakdown is of
    this period's items.
    """
    rows = []
    for key in sorted(now):
        figures = now[key]
        earlier = before.get(key)
        if earlier is not None and earlier.value is not None:
            change = figures.value - earlier.value if figures.value is not None else None
            figures = replace(figures, previous=earlier.value, change=change)
        rows.append(figures)
    return rows


def team_keys(owners: pl.Series, teams: Mapping[str, str | None]) -> pl.Series:
    """Return each owner's team as a group key; `teams` maps every known owner to theirs.

    An item without an owner stays without a value; an owner the directory does not know is
    UNKNOWN_OWNER, and one it knows without a team NO_TEAM: both are shown, never dropped.
    """
    known = {owner: team if team else NO_TEAM for owner, team in teams.items()}
    mapped = owners.cast(pl.String).replace_strict(
        list(known), list(known.values()), default=UNKNOWN_OWNER, return_dtype=pl.String
    )
    return pl.select(pl.when(owners.is_null()).then(None).otherwise(mapped)).to_series()


def _sort_value(figures: GroupFigures, column: Column) -> float | int | str | None:
    match column:
        case Column.GROUP:
            return figures.key
        case Column.MEDIAN:
            return figures.median_us
        case Column.P90:
            return figures.p90_us
        case _:
            value: float | int | None = getattr(figures, column.value)
            return value


def sort_groups(
    groups: Iterable[GroupFigures], column: Column, *, descending: bool
) -> list[GroupFigures]:
    """Return the groups sorted by a column; groups without a figure there come last.

    Ties keep the group name's order, and the groups without a name (no owner, no team)
    come after the named ones of the same figure.
    """
    by_name = sorted(groups, key=lambda g: (g.key in MISSING, g.key))
    present = [g for g in by_name if _sort_value(g, column) is not None]
    absent = [g for g in by_name if _sort_value(g, column) is None]
    if column is Column.GROUP:
        named = [g for g in by_name if g.key not in MISSING]
        unnamed = [g for g in by_name if g.key in MISSING]
        return (named[::-1] if descending else named) + unnamed
    present.sort(key=lambda g: _sort_value(g, column), reverse=descending)  # type: ignore[arg-type,return-value]
    return present + absent


def overall(frame: pl.DataFrame, measure: Measure) -> GroupFigures | None:
    """Return the figures of all the period's items together, as one group (key "")."""
    return group_figures(frame.with_columns(pl.lit("").alias("key")), measure).get("")
