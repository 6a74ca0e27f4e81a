"""Group the periods that changed, as the evaluator stores them, for breakdowns.

The evaluator holds every clock it computed, the items behind every ratio it measured and
every item's attributes in memory; grouping a period there costs a few milliseconds, where
reading it back from the store costs one item lookup per clock or ratio item (a month of
60,000: 150 ms to seconds). So each round groups the periods that changed — by owner, team
and every attribute the period's items carry with at most MAX_GROUPS values — and stores the
figures in the transaction that stores the results and clocks they add up. The figures come
from the engine's `group_figures`, the function a breakdown read from the store uses, so both
ways give the same numbers.

A period changed if one of its clocks was written (or the objective lost a clock), its ratio
items or hits differ from those grouped (a digest), one of its items' attributes changed
(the event cache says which), the directory changed (team rows), or it was never grouped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from slawatch.agreements.model import Objective
from slawatch.engine.breakdowns import Measure, group_figures, overall, team_keys
from slawatch.engine.events import EventTable
from slawatch.engine.periods import Period
from slawatch.store.clocks import ClockDiff
from slawatch.store.period_breakdowns import (
    TEAM,
    PeriodGroups,
    PeriodTotal,
    StoredPair,
    directory_digest,
)

OWNER = "owner"
MAX_GROUPS = 1_000  # an attribute with more values (an email, a name) is grouped on request
MAX_GROUPINGS = 40  # attributes grouped per period, by name; the rest are grouped on request
Pair = tuple[str, str]  # (objective, period label)
_PAIR = ["objective", "period"]


@dataclass
class RatioItemsFound:
    """Collect the items behind each ratio objective's figures as the engine measures them."""

    found: list[tuple[str, list[str], pl.DataFrame]] = field(default_factory=list)

    def add(self, objective: Objective, periods: list[Period], items: pl.DataFrame) -> None:
        self.found.append((objective.id, [p.label for p in periods], items))

    def of_periods(self, labels: set[str]) -> list[pl.DataFrame]:
        """Return (objective, period, item, hit) of the periods named, one frame per objective."""
        frames = []
        for objective, names, items in self.found:
            label = pl.Series(names, dtype=pl.String).gather(items.get_column("period"))
            frame = items.select(
                pl.lit(objective, pl.String).alias("objective"),
                label.alias("period"),
                "item",
                "hit",
            )
            frames.append(frame.filter(pl.col("period").is_in(sorted(labels))))
        return frames


def empty_ratio_items(table: EventTable) -> pl.DataFrame:
    """Return a frame of ratio items without rows, its item ids of the table's type."""
    item = table.items.schema["item"]
    return pl.DataFrame(
        schema={"objective": pl.String, "period": pl.String, "item": item, "hit": pl.Boolean}
    )


@dataclass(frozen=True)
class Grouped:
    """The figures to write: each grouped period's total, and its groups by each grouping."""

    totals: list[PeriodTotal]
    groupings: list[PeriodGroups]


def ratio_digests(ratios: pl.DataFrame) -> dict[Pair, str]:
    """Return what identifies each ratio period's items and hits, whatever their order."""
    if ratios.height == 0:
        return {}
    hashed = ratios.select(*_PAIR, pl.struct("item", "hit").hash(seed=7).alias("hash"))
    sums = hashed.group_by(_PAIR).agg(
        pl.len().alias("n"),
        (pl.col("hash") // (1 << 32)).sum().alias("high"),
        (pl.col("hash") % (1 << 32)).sum().alias("low"),
    )
    return {
        (objective, period): f"{n}:{high:x}:{low:x}"
        for objective, period, n, high, low in sums.iter_rows()
    }


def _pairs_of(frame: pl.DataFrame) -> set[Pair]:
    # a group-by finds the few pairs among a million rows 4x faster than unique()
    return set(frame.group_by(_PAIR).len().select(_PAIR).iter_rows())


def changed_pairs(
    clocks: pl.DataFrame,
    ratios: pl.DataFrame,
    diff: ClockDiff,
    stored: Mapping[Pair, StoredPair],
    *,
    digests: Mapping[Pair, str],
    directory: str,
    changed_items: pl.Series | None,
) -> set[Pair]:
    """Return the (objective, period) pairs to group again (see the module's docstring).

    `changed_items` are the items whose attributes may have changed since the figures were
    stored; None if that is not known (a new process), which groups every period again.
    `digests` are the ratio periods' `ratio_digests`.
    """
    present = _pairs_of(clocks) | set(digests)
    pairs = _pairs_of(diff.rows)
    lost = set(diff.gone.get_column("objective").unique().to_list())
    pairs |= {pair for pair in present | set(stored) if pair[0] in lost}
    for pair in present:
        kept = stored.get(pair)
        if kept is None or kept.directory != directory or kept.digest != digests.get(pair):
            pairs.add(pair)
    pairs |= {pair for pair, kept in stored.items() if kept.digest and pair not in present}
    if changed_items is None:
        return pairs | present
    if changed_items.len():
        wanted = changed_items.implode()
        pairs |= _pairs_of(clocks.filter(pl.col("item_id").is_in(wanted)))
        pairs |= _pairs_of(ratios.filter(pl.col("item").is_in(wanted)))
    return pairs


def group_periods(
    clocks: pl.DataFrame,
    ratios: pl.DataFrame,
    items: pl.DataFrame,
    pairs: set[Pair],
    teams: Mapping[str, str | None],
    digests: Mapping[Pair, str],
) -> Grouped:
    """Return the figures of each (objective, period) in `pairs`, by every grouping kept.

    `clocks` has the stored clocks' columns (objective, item_id, period, state, elapsed_us,
    stopped_at), `ratios` (objective, period, item, hit); `items` one row per item (item,
    kind, one column per attribute). A pair without items gets an empty total, which
    replaces whatever was stored for it.
    """
    grouped = Grouped([], [])
    if not pairs:
        return grouped
    wanted = pl.DataFrame(sorted(pairs), schema=dict.fromkeys(_PAIR, pl.String), orient="row")
    clock_rows = clocks.select(
        *_PAIR,
        pl.col("item_id").alias("item"),
        "state",
        "elapsed_us",
        pl.col("stopped_at").is_not_null().alias("stopped"),
    )
    labels = sorted({period for _, period in pairs})
    measures = ((Measure.CLOCK, clock_rows), (Measure.RATIO, ratios))
    grouped_pairs: set[Pair] = set()
    for measure, frame in measures:
        # the periods first (a cheap filter), then the exact pairs, then the few items' values
        rows = frame.filter(pl.col("period").is_in(labels)).join(wanted, on=_PAIR, how="semi")
        kept = items.filter(pl.col("item").is_in(rows.get_column("item").implode()))
        # prefixed, so an attribute called `state` or `period` meets no column of the rows
        attributes = kept.select(
            "item",
            *(
                pl.col(name).cast(pl.String).alias(ATTRIBUTE + name)
                for name in kept.columns
                if name != "item"
            ),
        )
        rows = rows.join(attributes, on="item", how="left")
        for (objective, period), part in rows.partition_by(_PAIR, as_dict=True).items():
            pair = (str(objective), str(period))
            _group(grouped, pair, part, measure, teams, digests.get(pair))
            grouped_pairs.add(pair)
    for objective, period in sorted(pairs - grouped_pairs):
        grouped.totals.append(PeriodTotal(objective, period, None, frozenset()))
    return grouped


ATTRIBUTE = "attribute:"  # the prefix of the attribute columns beside a period's rows


def _group(
    grouped: Grouped,
    pair: Pair,
    part: pl.DataFrame,
    measure: Measure,
    teams: Mapping[str, str | None],
    digest: str | None,
) -> None:
    """Add one period's total and groupings to `grouped`."""
    names = [c.removeprefix(ATTRIBUTE) for c in part.columns if c.startswith(ATTRIBUTE)]
    seen = [name for name in names if part.get_column(ATTRIBUTE + name).null_count() < part.height]
    total = PeriodTotal(*pair, overall(part, measure), frozenset(seen), digest)
    grouped.totals.append(total)
    directory = directory_digest(teams)
    for grouping, key in _groupings(part, names, seen, teams):
        figures = group_figures(part.with_columns(key.alias("key")), measure)
        mark = directory if grouping == TEAM else None
        grouped.groupings.append(PeriodGroups(*pair, grouping, figures, mark))


def _groupings(
    part: pl.DataFrame, names: list[str], seen: list[str], teams: Mapping[str, str | None]
) -> list[tuple[str, pl.Series]]:
    """Return the groupings of a period with their group key per item.

    Owner and team always (items without an owner are a group of their own); the other
    attributes the items carry, each with at most MAX_GROUPS values.
    """
    owners = (
        part.get_column(ATTRIBUTE + OWNER)
        if OWNER in names
        else pl.Series(OWNER, [None] * part.height, dtype=pl.String)
    )
    found = [(OWNER, owners), (TEAM, team_keys(owners, teams))]
    kept = [name for name in seen if name not in (OWNER, TEAM)][:MAX_GROUPINGS]
    for name in kept:
        values = part.get_column(ATTRIBUTE + name)
        if values.n_unique() <= MAX_GROUPS:
            found.append((name, values))
    return found
