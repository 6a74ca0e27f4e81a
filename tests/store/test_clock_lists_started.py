"""An item list of one period reads the same clocks with its starts bounded, only faster."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from slawatch.evaluation.service import refresh_all
from slawatch.store.clock_lists import clock_page
from slawatch.store.db import read_transaction
from slawatch.web.pages.objectives import _started
from tests.evaluation.support import AS_OF, save_template, store_example_events

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("states", [None, ["met"], ["breached", "running"]])
def test_bounding_the_starts_of_a_period_changes_no_page(engine: Engine, states) -> None:
    save_template(engine)
    store_example_events(engine)
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]
    with read_transaction(engine) as connection:
        for period in ("2026-01", "2026-03", "2026-06", "2026-07"):
            for offset in (0, 20):
                pages = [
                    clock_page(
                        connection,
                        "marketing-sales",
                        "speed-to-lead",
                        period=period,
                        states=states,
                        attributes=None,
                        limit=20,
                        offset=offset,
                        started=started,
                    )
                    for started in (None, _started(period, BERLIN))
                ]
                assert pages[0] == pages[1]
