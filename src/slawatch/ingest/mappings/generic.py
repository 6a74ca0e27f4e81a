"""The `generic` mapping: an event file as docs/events.md describes it, one event per row.

| column        | becomes                                                            |
|---------------|--------------------------------------------------------------------|
| item          | the item's id (required)                                           |
| type          | the event type (required)                                          |
| at            | the instant, ISO 8601 with an offset; local time with `--timezone` |
| kind          | the item's kind (optional)                                         |
| anything else | an attribute of the item                                           |

`item`, `type`, `at` and `kind` match in any case. A row without an offset and no
`--timezone` is rejected with the fix, as `slawatch evaluate` does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from slawatch.ingest.mappings.instants import EXAMPLE, parse_column
from slawatch.ingest.mappings.mapped import Mapped
from slawatch.ingest.mappings.rows import LINE, ImportFileError

RESERVED = ("item", "type", "at", "kind")
LIMITS = {"item": 300, "type": 100, "kind": 100}  # the store's column widths


def _empty(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name) == "")


def map_rows(frame: pl.DataFrame, zone: ZoneInfo | None, date_zone: ZoneInfo) -> Mapped:
    """Map every row to its one event, or reject it naming the field and the fix."""
    renames = {c: c.lower() for c in frame.columns if c.lower() in RESERVED}
    for name in set(renames.values()):
        spellings = [c for c, lower in renames.items() if lower == name]
        if len(spellings) > 1:
            raise ImportFileError(
                f"the columns {' and '.join(map(repr, spellings))} are both {name}; keep one"
            )
    frame = frame.rename(renames)
    missing = [name for name in ("item", "type", "at") if name not in frame.columns]
    if missing:
        found = ", ".join(c for c in frame.columns if c != LINE)
        raise ImportFileError(
            f"the required column {missing[0]!r} is missing (found: {found}); every event "
            "needs item, type and at — or choose the mapping for your CRM's export"
        )
    if "kind" not in frame.columns:
        frame = frame.with_columns(kind=pl.lit(None, pl.String))
    attributes = tuple(c for c in frame.columns if c not in (LINE, *RESERVED))
    texts = ["item", "type", "kind", *attributes]
    # Series, not pl.col: a column may be called "*" or "^…$", which pl.col reads as patterns.
    frame = frame.with_columns(frame.get_column(c).str.strip_chars() for c in texts)
    instants, why = parse_column(frame["at"], zone)
    frame = frame.with_columns(pl.Series("\x00at", instants), pl.Series("\x00why", why))
    reason = (
        pl.when(_empty("item"))
        .then(pl.lit("item is empty; every row needs the id of its lead, request or service"))
        .when(_empty("type"))
        .then(pl.lit("type is empty; name the event, e.g. created or handed_over"))
        .when(_empty("at"))
        .then(pl.lit(f"at is empty; give the instant in ISO 8601, e.g. {EXAMPLE}"))
        .when(pl.col("\x00why").is_not_null())
        .then(pl.concat_str(pl.lit("at "), pl.col("\x00why")))
    )
    for name, limit in LIMITS.items():
        reason = reason.when(pl.col(name).str.len_chars() > limit).then(
            pl.lit(f"{name} is longer than {limit} characters; shorten it")
        )
    frame = frame.with_columns(reason.otherwise(None).alias("\x00reason"))
    valid = frame.filter(pl.col("\x00reason").is_null())
    events = valid.select(
        LINE,
        "item",
        "type",
        pl.col("\x00at").alias("at"),
        pl.when(_empty("kind")).then(None).otherwise(pl.col("kind")).alias("kind"),
    ).with_columns(valid.get_column(name) for name in attributes)
    rejected = frame.filter(pl.col("\x00reason").is_not_null()).select(
        LINE, pl.col("\x00reason").alias("reason")
    )
    return Mapped(events=events, attributes=attributes, rejected=rejected)
