"""Bounded reads of stored results by period kind, on both backends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from slawatch.agreements.model import PeriodKind
from slawatch.engine.periods import Period, label_kind, make_period
from slawatch.store.db import read_transaction, transaction
from slawatch.store.history import label_pattern, period_labels, recent_results
from slawatch.store.results import StoredResult, replace_results
from tests.evaluation.support import save_template

UTC = ZoneInfo("UTC")

periods = st.builds(
    make_period,
    st.sampled_from(PeriodKind),
    st.dates(dt.date(1970, 1, 5), dt.date(2199, 12, 1)),
    st.just(UTC),
)


def stored(label: str, start: int) -> StoredResult:
    payload = {"agreement": "marketing-sales", "periods": [{"period": label}]}
    return StoredResult("marketing-sales", label, 1, start, start + 1, start + 1, payload)


def test_each_kind_has_its_own_label_pattern() -> None:
    patterns = {kind: label_pattern(kind) for kind in PeriodKind}
    assert patterns[PeriodKind.WEEK] == "____-W__"
    assert patterns[PeriodKind.QUARTER] == "____-Q_"
    assert len(set(patterns.values())) == len(PeriodKind)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=st.lists(periods, max_size=12, unique_by=lambda period: period.label))
def test_the_sql_selection_of_a_kind_agrees_with_the_label_parser(
    engine: Engine, chosen: list[Period]
) -> None:
    save_template(engine)
    with transaction(engine) as connection:
        replace_results(connection, "marketing-sales", [stored(p.label, p.start) for p in chosen])
    for kind in PeriodKind:
        expected = sorted(
            (p for p in chosen if label_kind(p.label) is kind),
            key=lambda p: (p.start, p.label),
            reverse=True,
        )
        with read_transaction(engine) as connection:
            labels = period_labels(connection, "marketing-sales", kind, limit=100)
            recent = recent_results(connection, "marketing-sales", kind, limit=100)
        assert labels == [p.label for p in expected]
        assert [r.period for r in recent] == [p.label for p in reversed(expected)]
