"""Evaluation results and item clocks as JSON, CSV and terminal tables.

JSON and CSV are machine contracts and keep their codes (`on_track`, seconds); the tables are
for people and write every figure and status through `slawatch.formatting`, in English.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from rich.table import Table

from slawatch.engine.instants import NO_INSTANT, US, from_us
from slawatch.engine.results import Evaluation
from slawatch.engine.status import Status
from slawatch.formatting import (
    clock_state_text,
    details_text,
    status_text,
    target_text,
    value_text,
)
from slawatch.i18n import translator

CLOCK_COLUMNS = (
    "item",
    "started_at",
    "stopped_at",
    "deadline",
    "elapsed_seconds",
    "paused_seconds",
    "state",
)
ENGLISH = translator("en")
STATUS_STYLES = {
    Status.MET: "green",
    Status.ON_TRACK: "cyan",
    Status.AT_RISK: "yellow",
    Status.BREACHED: "bold red",
    Status.NO_DATA: "dim",
}


def evaluation_json(evaluation: Evaluation, extra: dict[str, Any] | None = None) -> str:
    """Write the evaluate JSON: the evaluation's document, then any `extra` keys."""
    document = evaluation.document()
    if extra:
        document.update(extra)
    return json.dumps(document, indent=2, ensure_ascii=False)


def evaluation_tables(evaluation: Evaluation) -> list[Table]:
    zone = ZoneInfo(evaluation.zone)
    tables = []
    for result in evaluation.periods:
        first = from_us(result.period.start, zone).date()
        table = Table(
            title=f"{evaluation.agreement} · {result.period.label} (from {first.isoformat()})",
            title_justify="left",
        )
        for column in ("objective", "owner", "value", "target", "status"):
            table.add_column(
                column, justify="right" if column in ("value", "target") else "left", no_wrap=True
            )
        table.add_column("details", ratio=1)
        for o in result.objectives:
            style = STATUS_STYLES[o.status]
            table.add_row(
                o.objective,
                o.owner,
                value_text(o, o.value, ENGLISH),
                target_text(o, ENGLISH),
                f"[{style}]{status_text(o.status.value, ENGLISH)}[/]",
                details_text(o, ENGLISH),
            )
        tables.append(table)
    return tables


INSTANT_COLUMNS = ("started_at", "stopped_at", "deadline")


def clock_columns(rows: pl.DataFrame, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Return the `clocks` columns of `item_clock_frame` rows, instants still as µs, by start.

    No instant is NO_INSTANT here, as the engine writes it; seconds are floored. `keep` names
    further columns of `rows` to carry along (the item API's objective and version).
    """
    return rows.select(
        *keep,
        pl.col("item_id").alias("item"),
        "started_at",
        pl.col("stopped_at").fill_null(NO_INSTANT),
        pl.col("deadline").fill_null(NO_INSTANT),
        (pl.col("elapsed_us") // US).alias("elapsed_seconds"),
        (pl.col("paused_us") // US).alias("paused_seconds"),
        "state",
    ).sort("started_at", "item")


def clocks_frame(rows: pl.DataFrame, zone: str, keep: tuple[str, ...] = ()) -> pl.DataFrame:
    """Return the DESIGN `clocks` columns: instants ISO with offset, seconds floored."""

    def instant(name: str) -> pl.Expr:
        stamp = pl.from_epoch(pl.col(name), time_unit="us").dt.convert_time_zone(zone)
        text = stamp.dt.strftime("%Y-%m-%dT%H:%M:%S%.f%:z")
        return pl.when(pl.col(name) == NO_INSTANT).then(pl.lit("")).otherwise(text).alias(name)

    return clock_columns(rows, keep).with_columns(instant(name) for name in INSTANT_COLUMNS)


def clocks_table(frame: pl.DataFrame, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in CLOCK_COLUMNS:
        table.add_column(column, justify="right" if column.endswith("seconds") else "left")
    state = CLOCK_COLUMNS.index("state")
    for row in frame.iter_rows():
        texts = [str(value) for value in row]
        texts[state] = clock_state_text(texts[state], ENGLISH)
        table.add_row(*texts)
    return table
