"""What a mapping returns: the events of the rows it could map, the reasons for the others."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Mapped:
    """What a mapping makes of the rows.

    `events`: LINE, item, type, at (Int64 µs since the epoch, UTC), kind, then one String
    column per name in `attributes`; a row may yield several events. `rejected`: LINE and
    reason for every row that yields none. The lines of the two are disjoint and together
    are every row of the frame.
    """

    events: pl.DataFrame
    attributes: tuple[str, ...]
    rejected: pl.DataFrame
