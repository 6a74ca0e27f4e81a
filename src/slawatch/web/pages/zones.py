"""Instants on pages: in the reader's zone, and always with the zone shown.

slawatch has no per-user zone: the reader's zone is the agreement's zone on an agreement's
pages, and on pages across agreements (deliveries) the zone most stored agreements use, so
the whole site reads in one zone ("Berlin time") unless agreements differ. Every instant
carries the zone's abbreviation ("CET", "CEST"), so no time is ever read in the wrong zone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from slawatch.engine.instants import from_us
from slawatch.i18n import Translator

FALLBACK_ZONE = "UTC"  # no agreement stored yet: nothing says which zone the reader is in


def zoned_text(instant: int | dt.datetime, zone: str, t: Translator) -> str:
    """Write an instant (µs since the epoch, or aware) in `zone`: "7 Dec 2026, 09:55:00 CET"."""
    moment = from_us(instant) if isinstance(instant, int) else instant
    local = moment.astimezone(ZoneInfo(zone))
    return f"{t.datetime(local)} {local.tzname() or zone}"


def reader_zone(zones: Iterable[str]) -> str:
    """Return the zone to show instants across agreements in: the one most of them use."""
    counted = Counter(zones)
    if not counted:
        return FALLBACK_ZONE
    return min(counted, key=lambda zone: (-counted[zone], zone))
