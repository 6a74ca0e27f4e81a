"""What a version would change: the closed periods whose value, status or credit move."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from slawatch.agreements.parse import parse_agreement
from slawatch.agreements.versions import InForce
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.retroactive import preview_version
from tests.evaluation.support import AS_OF, store_example_events
from tests.evaluation.test_credits import credited_yaml, save_credited

HIGHER_TIER = ("{below: 95%, credit: 5%}", "{below: 95%, credit: 7%}")


def test_a_retroactive_tier_lists_each_credit_it_changes_old_beside_new(engine: Engine):
    save_credited(engine)
    store_example_events(engine)
    text = credited_yaml().replace(*HIGHER_TIER)
    preview = preview_version(
        engine,
        EventCache(),
        parse_agreement(text),
        text,
        InForce(dt.date(2026, 1, 1), retroactive=True),
        now=AS_OF,
    )
    assert preview.objectives == ()  # tiers move money, not figures
    assert [(c.period, c.party, c.before, c.after) for c in preview.credits] == [
        ("2026-04", "sales", "500.00", "700.00"),
        ("2026-05", "sales", "500.00", "700.00"),
    ]
    assert preview.periods == ["2026-04", "2026-05"]
    assert preview.document()["credits"][0]["currency"] == "EUR"


def test_a_sealed_version_changes_no_closed_period(engine: Engine):
    save_credited(engine)
    store_example_events(engine)
    text = credited_yaml().replace(*HIGHER_TIER).replace('target: ">= 95%"', 'target: ">= 99%"')
    preview = preview_version(
        engine,
        EventCache(),
        parse_agreement(text),
        text,
        InForce(dt.date(2026, 7, 1), retroactive=False),
        now=AS_OF,
    )
    assert (preview.objectives, preview.credits, preview.version) == ((), (), 2)
