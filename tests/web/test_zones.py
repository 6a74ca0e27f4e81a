"""Instants on pages carry their zone; pages across agreements read in the agreements' zone."""

from __future__ import annotations

import datetime as dt

from slawatch.engine.instants import to_us
from slawatch.i18n import translator
from slawatch.web.pages.zones import reader_zone, zoned_text

WINTER = to_us(dt.datetime(2026, 12, 7, 8, 55, tzinfo=dt.UTC))
SUMMER = to_us(dt.datetime(2026, 6, 7, 8, 55, tzinfo=dt.UTC))


def test_an_instant_is_written_in_the_zone_with_its_abbreviation():
    assert (
        zoned_text(WINTER, "Europe/Berlin", translator("en")) == "Dec 7, 2026, 9:55:00\u202fAM CET"
    )
    assert zoned_text(SUMMER, "Europe/Berlin", translator("de")) == "07.06.2026, 10:55:00 CEST"
    assert zoned_text(WINTER, "UTC", translator("en")).endswith(" UTC")


def test_the_readers_zone_is_the_one_most_agreements_use_else_utc():
    assert reader_zone(["Europe/Berlin", "Europe/Berlin", "America/New_York"]) == "Europe/Berlin"
    assert (
        reader_zone(["Europe/Berlin", "America/New_York"]) == "America/New_York"
    )  # a tie: by name
    assert reader_zone([]) == "UTC"
