"""Mappings: turn the rows of an export into events, one pure function per kind of file.

A mapping takes the file's rows as text (`rows.read_rows`) and returns `Mapped`: the events
each row yields, and the rows it cannot map with the reason. Every row lands in exactly one
of the two, so the importer can count rows, not events.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from zoneinfo import ZoneInfo

import polars as pl

from slawatch.ingest.mappings import generic, hubspot, salesforce
from slawatch.ingest.mappings.mapped import Mapped
from slawatch.ingest.mappings.rows import (
    LINE,
    BrokenRow,
    ImportFileError,
    Rows,
    TimezoneNeededError,
    read_rows,
)

__all__ = [
    "LINE",
    "MAPPINGS",
    "BrokenRow",
    "ImportFileError",
    "Mapped",
    "MappingName",
    "Rows",
    "TimezoneNeededError",
    "map_rows",
    "read_rows",
]


class MappingName(StrEnum):
    GENERIC = "generic"
    HUBSPOT = "hubspot"
    SALESFORCE = "salesforce"


# rows, zone for local times (None: refuse them), zone where bare dates are placed
MapRows = Callable[[pl.DataFrame, ZoneInfo | None, ZoneInfo], Mapped]


MAPPINGS: dict[MappingName, MapRows] = {
    MappingName.GENERIC: generic.map_rows,
    MappingName.HUBSPOT: hubspot.map_rows,
    MappingName.SALESFORCE: salesforce.map_rows,
}


def map_rows(
    name: MappingName, frame: pl.DataFrame, *, zone: ZoneInfo | None, date_zone: ZoneInfo
) -> Mapped:
    """Map `frame` (LINE + the file's columns as text) with the mapping called `name`."""
    return MAPPINGS[name](frame, zone, date_zone)
