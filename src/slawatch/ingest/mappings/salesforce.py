"""The `salesforce` mapping: a Salesforce Lead export, one row per lead, to lead events.

| event / attribute | field                                                     |
|-------------------|-----------------------------------------------------------|
| item              | Id                                                        |
| `created`         | CreatedDate                                               |
| `contacted`       | the earlier of FirstCallDateTime and FirstEmailDateTime   |
| `converted`       | ConvertedDate                                             |
| `status`          | Status                                                    |
| `source`          | LeadSource                                                |
| `owner`           | OwnerId                                                   |
| `is_converted`    | IsConverted                                               |

Field names are the API names (Data Loader, Workbench, `sf data export`) in any case; every
event has kind `lead`. Date-times are ISO 8601 as the API writes them
(`2026-10-05T07:30:00.000+0000`), or local wall time with `--timezone`.

ConvertedDate is a date without a time. It is placed at 00:00 on that day in the zone of
`--timezone`, else of the `--agreement`, else UTC: the conversion lands on the right day of the
agreement's periods, and a ratio such as converted/handed over counts it in the right month.
Do not measure a clock that stops at `converted`: its time of day is not known.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from slawatch.ingest.mappings.mapped import Mapped
from slawatch.ingest.mappings.wide import Columns, WideSpec, map_wide

SPEC = WideSpec(
    system="Salesforce",
    item=Columns(("Id",)),
    events={
        "created": Columns(("CreatedDate",)),
        "contacted": Columns(("FirstCallDateTime", "FirstEmailDateTime")),
        "converted": Columns(("ConvertedDate",)),
    },
    attributes={
        "status": Columns(("Status",)),
        "source": Columns(("LeadSource",)),
        "owner": Columns(("OwnerId",)),
        "is_converted": Columns(("IsConverted",)),
    },
    dates_placed=True,
    zone_hint="reports in the exporting user's time zone",
)


def map_rows(frame: pl.DataFrame, zone: ZoneInfo | None, date_zone: ZoneInfo) -> Mapped:
    """Map a Lead export: created, first contact and conversion of each lead."""
    return map_wide(SPEC, frame, zone, date_zone)
