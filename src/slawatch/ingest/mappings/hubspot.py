"""The `hubspot` mapping: a HubSpot contacts export, one row per contact, to lead events.

Events (export label, then internal property names):

- `created`: Create Date, createdate
- `qualified`: Became a Marketing Qualified Lead Date,
  hs_lifecyclestage_marketingqualifiedlead_date, Date entered 'Marketing Qualified Lead …',
  hs_v2_date_entered_marketingqualifiedlead, hs_date_entered_marketingqualifiedlead
- `handed_over`: Owner assigned date, hubspot_owner_assigneddate
- `contacted`: Date of first engagement, hs_sa_first_engagement_date, First outreach date,
  hs_first_outreach_date
- `accepted`: Became a Sales Qualified Lead Date, hs_lifecyclestage_salesqualifiedlead_date
- `converted`: Became a Customer Date, hs_lifecyclestage_customer_date

The item is Record ID (Contact ID, hs_object_id). Attributes: `lifecycle_stage` (Lifecycle
Stage, lifecyclestage), `lead_status` (Lead Status, hs_lead_status), `source` (Original Source,
Original Traffic Source, hs_analytics_source), `owner` (Contact owner, hubspot_owner_id).

Names match in any case. When several columns give one event, the earliest date wins: it is
the first time the milestone happened. Every event has kind `lead`. Dates may be local wall
time (`2026-10-05 09:30`, HubSpot's default: the portal's time zone, hence `--timezone`), ISO
8601 with an offset, or epoch milliseconds.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import polars as pl

from slawatch.ingest.mappings.mapped import Mapped
from slawatch.ingest.mappings.wide import Columns, WideSpec, map_wide

SPEC = WideSpec(
    system="HubSpot",
    item=Columns(("Record ID", "Contact ID", "hs_object_id")),
    events={
        "created": Columns(("Create Date", "createdate")),
        "qualified": Columns(
            (
                "Became a Marketing Qualified Lead Date",
                "hs_lifecyclestage_marketingqualifiedlead_date",
                "hs_v2_date_entered_marketingqualifiedlead",
                "hs_date_entered_marketingqualifiedlead",
            ),
            prefixes=(
                "Date entered 'Marketing Qualified Lead",
                'Date entered "Marketing Qualified Lead',
            ),
        ),
        "handed_over": Columns(("Owner assigned date", "hubspot_owner_assigneddate")),
        "contacted": Columns(
            (
                "Date of first engagement",
                "hs_sa_first_engagement_date",
                "First outreach date",
                "hs_first_outreach_date",
            )
        ),
        "accepted": Columns(
            ("Became a Sales Qualified Lead Date", "hs_lifecyclestage_salesqualifiedlead_date")
        ),
        "converted": Columns(("Became a Customer Date", "hs_lifecyclestage_customer_date")),
    },
    attributes={
        "lifecycle_stage": Columns(("Lifecycle Stage", "lifecyclestage")),
        "lead_status": Columns(("Lead Status", "hs_lead_status")),
        "source": Columns(("Original Source", "Original Traffic Source", "hs_analytics_source")),
        "owner": Columns(("Contact owner", "hubspot_owner_id")),
    },
    epoch_ms=True,
    zone_hint="dates in the portal's time zone, set under Settings → Account defaults",
)


def map_rows(frame: pl.DataFrame, zone: ZoneInfo | None, date_zone: ZoneInfo) -> Mapped:
    """Map a contacts export: one event per non-empty milestone date of each contact."""
    return map_wide(SPEC, frame, zone, date_zone)
