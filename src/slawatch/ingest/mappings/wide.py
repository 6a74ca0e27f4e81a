"""Map a wide CRM export (one row per record, one column per milestone date) to events.

HubSpot and Salesforce differ only in column names and date habits, so each describes its
columns in a `WideSpec` and this module does the work: find the columns, refuse local times
without a zone up front (an export is either all local or not at all), then turn every row
into one event per non-empty milestone date, or into one rejection naming the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import polars as pl

from slawatch.ingest.mappings.instants import first_naive, parse_column
from slawatch.ingest.mappings.mapped import Mapped
from slawatch.ingest.mappings.rows import LINE, ImportFileError, TimezoneNeededError

MAX_ITEM = 300  # items.external_id


def normal(name: str) -> str:
    """Return a column name for matching: lower case, one space, straight quotes."""
    name = re.sub(r"[‘’`´]", "'", name).replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", name.strip().lower())


@dataclass(frozen=True)
class Columns:
    """The names one field goes by in exports: exact names and label prefixes, any case."""

    names: tuple[str, ...]
    prefixes: tuple[str, ...] = ()

    def find(self, header: tuple[str, ...]) -> list[str]:
        """Return the header's columns that are this field, in header order."""
        names = {normal(n) for n in self.names}
        prefixes = tuple(normal(p) for p in self.prefixes)
        return [
            c for c in header if normal(c) in names or normal(c).startswith(prefixes or ("\0",))
        ]


@dataclass(frozen=True)
class WideSpec:
    system: str  # for messages: "HubSpot"
    item: Columns
    events: dict[str, Columns]  # event type → its columns; several columns: the earliest wins
    attributes: dict[str, Columns] = field(default_factory=dict)  # the first non-empty wins
    kind: str = "lead"
    epoch_ms: bool = False  # all-digit values are epoch milliseconds
    dates_placed: bool = False  # bare dates go to 00:00 of the date zone, not the local zone
    zone_hint: str = "the zone the export was written in"


def _empty(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")


def map_wide(
    spec: WideSpec, frame: pl.DataFrame, zone: ZoneInfo | None, date_zone: ZoneInfo
) -> Mapped:
    """Map every row to its milestone events, or to the first reason it cannot be mapped."""
    header = tuple(c for c in frame.columns if c != LINE)
    item, dated = _columns(spec, header)
    if zone is None:
        _refuse_naive(spec, frame, dated)
    parsed: dict[str, tuple[pl.Series, pl.Series]] = {
        column: parse_column(
            frame[column],
            zone,
            epoch_ms=spec.epoch_ms,
            date_zone=date_zone if spec.dates_placed else None,
        )
        for columns in dated.values()
        for column in columns
    }
    work = frame.select(LINE, pl.col(item).str.strip_chars().alias("item")).with_columns(
        *(pl.Series(f"at:{column}", us) for column, (us, _) in parsed.items()),
        *(pl.Series(f"why:{column}", why) for column, (_, why) in parsed.items()),
    )
    work = work.with_columns(_reason(item, list(parsed)).alias("reason"))
    attributes = {name: columns.find(header) for name, columns in spec.attributes.items()}
    values = frame.select(
        pl.coalesce(
            pl.when(_empty(c)).then(None).otherwise(pl.col(c).str.strip_chars()) for c in found
        ).alias(name)
        for name, found in attributes.items()
        if found
    )
    items = pl.concat([work, values], how="horizontal").filter(pl.col("reason").is_null())
    kind = pl.lit(spec.kind, pl.String).alias("kind")
    parts = [
        items.select(
            LINE,
            "item",
            pl.lit(event_type, pl.String).alias("type"),
            pl.min_horizontal(f"at:{c}" for c in found).alias("at"),
            kind,
            *values.columns,
        ).filter(pl.col("at").is_not_null())
        for event_type, found in dated.items()
        if found
    ]
    events = pl.concat(parts).sort(LINE, "at", maintain_order=True)
    rejected = work.filter(pl.col("reason").is_not_null()).select(LINE, "reason")
    return Mapped(events=events, attributes=tuple(values.columns), rejected=rejected)


def _columns(spec: WideSpec, header: tuple[str, ...]) -> tuple[str, dict[str, list[str]]]:
    """Return the id column and each event's date columns; refuse an export without them."""
    item_columns = spec.item.find(header)
    if not item_columns:
        raise ImportFileError(
            f"no {' / '.join(repr(n) for n in spec.item.names)} column, so this is not a "
            f"{spec.system} export the mapping knows (columns: {', '.join(header)}); export "
            "the id column too"
        )
    dated = {kind: spec.events[kind].find(header) for kind in spec.events}
    if not any(dated.values()):
        wanted = ", ".join(repr(c.names[0]) for c in spec.events.values())
        raise ImportFileError(
            f"none of the {spec.system} date columns is in the file ({wanted}); add them to "
            "the export"
        )
    return item_columns[0], dated


def _refuse_naive(spec: WideSpec, frame: pl.DataFrame, dated: dict[str, list[str]]) -> None:
    """Refuse local times without an offset when no zone was given, naming one of them."""
    for column in (c for columns in dated.values() for c in columns):
        example = first_naive(frame[column], dates_placed=spec.dates_placed)
        if example is not None:
            raise TimezoneNeededError(
                f"{column} holds {example!r}, a local time without a UTC offset "
                f"({spec.system} writes {spec.zone_hint}); pass that zone, "
                "e.g. --timezone Europe/Berlin"
            )


def _reason(item: str, columns: list[str]) -> pl.Expr:
    """Return the first reason a row cannot be mapped, or null."""
    reason = (
        pl.when(_empty("item"))
        .then(pl.lit(f"{item} is empty; every row needs the record's id"))
        .when(pl.col("item").str.len_chars() > MAX_ITEM)
        .then(pl.lit(f"{item} is longer than {MAX_ITEM} characters; is it the id column?"))
    )
    for column in columns:
        reason = reason.when(pl.col(f"why:{column}").is_not_null()).then(
            pl.concat_str(pl.lit(f"{column}: "), pl.col(f"why:{column}"))
        )
    return (
        reason.when(pl.all_horizontal(pl.col(f"at:{c}").is_null() for c in columns))
        .then(pl.lit(f"no date in any event column ({', '.join(columns)}); nothing to import"))
        .otherwise(None)
    )
