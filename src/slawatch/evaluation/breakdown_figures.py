"""Group the periods whose clocks changed, as the evaluator writes them, for breakdowns.

The evaluator holds every clock it computed and every item's attributes in memory; grouping
a period there costs a few milliseconds, where reading it back from the store costs one item
lookup per clock (a month of 60,000 clocks: 150–500 ms). So each round groups the periods
whose clocks it writes — by owner, team and every attribute the period's items carry with at
most MAX_GROUPS values — and stores the figures beside the clocks, in the same transaction.
The figures come from the engine's `group_figures`, the function a breakdown read from the
stored clocks uses, so both ways give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from slawatch.engine.breakdowns import Measure, group_figures, overall, team_keys
from slawatch.store.clocks import ClockDiff
from slawatch.store.period_breakdowns import (
    TEAM,
    PeriodGroups,
    PeriodTotal,
    directory_digest,
)

OWNER = "owner"
MAX_GROUPS = 1_000  # an attribute with more values (an email, a name) is grouped on request
MAX_GROUPINGS = 40  # attributes grouped per period, by name; the rest are grouped on request


@dataclass(frozen=True)
class Grouped:
    """The figures to write: each grouped period's total, and its groups by each grouping."""

    totals: list[PeriodTotal]
    groupings: list[PeriodGroups]


def changed_pairs(
    clocks: pl.DataFrame,
    diff: ClockDiff,
    stored: Mapping[tuple[str, str], str | None],
    directory: str,
) -> set[tuple[str, str]]:
    """Return the (objective, period) pairs to group again.

    Those with a clock written, those never grouped, those grouped with another directory,
    and every pair of an objective that lost a clock (a gone clock no longer says its period).
    """
    present = set(clocks.select("objective", "period").unique().iter_rows())
    pairs = set(diff.rows.select("objective", "period").unique().iter_rows())
    pairs |= {pair for pair in present if stored.get(pair, "") != directory}
    lost = set(diff.gone.get_column("objective").unique().to_list())
    pairs |= {pair for pair in present | set(stored) if pair[0] in lost}
    return pairs


def group_periods(
    clocks: pl.DataFrame,
    items: pl.DataFrame,
    pairs: set[tuple[str, str]],
    teams: Mapping[str, str | None],
) -> Grouped:
    """Return the figures of each (objective, period) in `pairs`, by every grouping kept.

    `clocks` has the stored clocks' columns (objective, item_id, period, state, elapsed_us,
    stopped_at); `items` one row per item (item, kind, one column per attribute). A pair
    without clocks gets an empty total, which replaces whatever was stored for it.
    """
    totals: list[PeriodTotal] = []
    groupings: list[PeriodGroups] = []
    if not pairs:
        return Grouped(totals, groupings)
    wanted = pl.DataFrame(
        sorted(pairs), schema={"objective": pl.String, "period": pl.String}, orient="row"
    )
    rows = (
        clocks.select(
            "objective",
            "period",
            pl.col("item_id").alias("item"),
            "state",
            "elapsed_us",
            pl.col("stopped_at").is_not_null().alias("stopped"),
        )
        .join(wanted, on=["objective", "period"], how="semi")
        .join(_strings(items), on="item", how="left")
    )
    names = [name for name in rows.columns if name not in _CLOCK_COLUMNS]
    parts = rows.partition_by("objective", "period", as_dict=True)
    directory = directory_digest(teams)
    for objective, period in sorted(pairs):
        part = parts.get((objective, period))
        if part is None or part.height == 0:
            totals.append(PeriodTotal(objective, period, None, frozenset()))
            continue
        seen = [name for name in names if part.get_column(name).null_count() < part.height]
        totals.append(PeriodTotal(objective, period, overall(part, Measure.CLOCK), frozenset(seen)))
        for grouping, key in _groupings(part, names, seen, teams):
            figures = group_figures(part.with_columns(key.alias("key")), Measure.CLOCK)
            mark = directory if grouping == TEAM else None
            groupings.append(PeriodGroups(objective, period, grouping, figures, mark))
    return Grouped(totals, groupings)


_CLOCK_COLUMNS = ("objective", "period", "item", "state", "elapsed_us", "stopped")


def _strings(items: pl.DataFrame) -> pl.DataFrame:
    """Return the items with every attribute as text, as a breakdown's group key is."""
    return items.with_columns(pl.exclude("item").cast(pl.String))


def _groupings(
    part: pl.DataFrame, names: list[str], seen: list[str], teams: Mapping[str, str | None]
) -> list[tuple[str, pl.Series]]:
    """Return the groupings of a period with their group key per item.

    Owner and team always (items without an owner are a group of their own); the other
    attributes the items carry, each with at most MAX_GROUPS values.
    """
    owners = (
        part.get_column(OWNER)
        if OWNER in names
        else pl.Series(OWNER, [None] * part.height, dtype=pl.String)
    )
    found = [(OWNER, owners), (TEAM, team_keys(owners, teams))]
    kept = [name for name in seen if name not in (OWNER, TEAM)][:MAX_GROUPINGS]
    for name in kept:
        values = part.get_column(name)
        if values.n_unique() <= MAX_GROUPS:
            found.append((name, values))
    return found
