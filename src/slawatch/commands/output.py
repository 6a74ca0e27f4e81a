"""Evaluation results and item clocks as JSON, CSV and terminal tables.

JSON and CSV are machine contracts and keep their codes (`on_track`, seconds); the tables are
for people and write every figure and status through `slawatch.formatting`, in English.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
from rich import box
from rich.table import Table

from slawatch.engine.instants import NO_INSTANT, US, from_us
from slawatch.engine.results import Evaluation
from slawatch.engine.status import Status
from slawatch.formatting import (
    DAY,
    HOUR,
    clock_state_text,
    details_text,
    duration_text,
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


CLOCK_HEADERS = {
    "item": "item",
    "started_at": "started",
    "stopped_at": "stopped",
    "deadline": "deadline",
    "elapsed_seconds": "elapsed",
    "paused_seconds": "paused",
    "state": "state",
}
LOCAL_INSTANT = "%Y-%m-%d %H:%M"


def clocks_table(
    columns: pl.DataFrame, zone: str, title: str, *, wall_time: bool, width: int = 80
) -> Table:
    """Return the clocks for people: local minutes and durations in words.

    `columns` is `clock_columns` (instants in µs). The zone is written once, in the title;
    seconds and offsets, which CSV and JSON keep, only widen a terminal's table. A clock on
    wall time reads in days ('1 d 4 h'); working time in hours, as its days are not days
    ('36 h 12 min'). Narrower than `width` allows, an instant's date and time take two lines,
    the columns close up to one space, and a long item id folds; nothing is ever cut.
    """
    rows = [_clock_texts(row, ZoneInfo(zone), DAY if wall_time else HOUR) for row in
            columns.iter_rows(named=True)]  # fmt: skip
    least = [
        len("2026-10-05") if name in INSTANT_COLUMNS else max(len(header), *map(len, texts))
        for (name, header), texts in zip(CLOCK_HEADERS.items(), zip(*rows, strict=True) if rows
                                        else [()] * len(CLOCK_HEADERS), strict=True)
    ]  # fmt: skip
    gaps = len(least) - 1
    one_line = sum(least) + len(INSTANT_COLUMNS) * len(" 14:03") + 2 * gaps <= width
    gap = 2 if one_line or sum(least) + 2 * gaps <= width else 1
    least[0] = max(len("item"), min(least[0], width - sum(least[1:]) - gap * gaps))
    table = Table(
        title=f"{title} · times in {zone}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, gap - 1, 0, 0),  # besides the box's one space between columns
    )
    for (name, header), narrowest in zip(CLOCK_HEADERS.items(), least, strict=True):
        table.add_column(
            header,
            justify="right" if name.endswith("seconds") else "left",
            min_width=narrowest,
            width=None if one_line else narrowest,  # rich would share out the lack of room
            overflow="fold",
        )
    for texts in rows:
        table.add_row(*texts)
    return table


def _clock_texts(row: dict[str, Any], zone: ZoneInfo, largest: int) -> list[str]:
    def duration(seconds: int) -> str:
        return duration_text(seconds, ENGLISH, largest=largest) if seconds else "–"

    return [
        row["item"],
        *(_local_minute(row[name], zone) for name in INSTANT_COLUMNS),
        duration(row["elapsed_seconds"]) if row["elapsed_seconds"] else "0 min",
        duration(row["paused_seconds"]),
        clock_state_text(row["state"], ENGLISH),
    ]


def _local_minute(instant: int, zone: ZoneInfo) -> str:
    return "" if instant == NO_INSTANT else from_us(instant, zone).strftime(LOCAL_INSTANT)
