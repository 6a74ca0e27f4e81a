"""The store's attribute history: as of X, `where:` sees the values of X, never later ones.

Property: events stored (in one batch, or in two, the second one later in time) and loaded
back, evaluated as of X, give exactly what an event file of only the rows at or before X gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from slawatch.commands.output import evaluation_json
from slawatch.engine.instants import to_us
from slawatch.engine.objectives import evaluate
from slawatch.ingest.files import read_events
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.items import load_event_table
from slawatch.store.schema import metadata
from tests.ingest.test_files_as_of import AGREEMENT, T0, csv, rows


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(delete(table))


def _event(row: tuple[str, str, int, str, str, str]) -> EventIn:
    item, kind_of_event, minute, kind, region, size = row
    attributes = {name: value for name, value in (("region", region), ("size", size)) if value}
    at = to_us(T0 + dt.timedelta(minutes=minute))
    return EventIn("crm", item, kind_of_event, at, kind or None, attributes)


def _assert_stored_as_of_equals_file(
    engine: Engine,
    tmp_path: Path,
    batches: list[list[tuple[str, str, int, str, str, str]]],
    rows: list[tuple[str, str, int, str, str, str]],
    cut: int,
) -> None:
    """Store `batches` in order; evaluated as of `cut`, they equal the file of rows until it."""
    _clear(engine)
    for part in batches:
        if part:
            with transaction(engine) as connection:
                store_events(connection, [_event(row) for row in part])
    with read_transaction(engine) as connection:
        table = load_event_table(connection).table
    until = tmp_path / "until.csv"
    until.write_text(csv([row for row in rows if row[2] <= cut]), encoding="utf-8")
    as_of = to_us(T0 + dt.timedelta(minutes=cut))
    expected = read_events(until).table()
    got = evaluate(AGREEMENT, table, as_of=as_of)
    assert evaluation_json(got) == evaluation_json(evaluate(AGREEMENT, expected, as_of=as_of))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows, cut=st.integers(0, 60 * 24 * 45), split=st.integers(0, 60 * 24 * 45))
def test_a_stored_evaluation_as_of_x_equals_the_file_of_only_the_events_until_x(
    engine: Engine,
    tmp_path: Path,
    rows: list[tuple[str, str, int, str, str, str]],
    cut: int,
    split: int,
) -> None:
    # One batch per side of `split`, in time order: how a live feed sends them.
    earlier, later = [r for r in rows if r[2] <= split], [r for r in rows if r[2] > split]
    _assert_stored_as_of_equals_file(engine, tmp_path, [earlier, later], rows, cut)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows, cut=st.integers(0, 60 * 24 * 45), split=st.integers(0, 60 * 24 * 45))
def test_the_same_holds_when_the_earlier_events_arrive_last(
    engine: Engine,
    tmp_path: Path,
    rows: list[tuple[str, str, int, str, str, str]],
    cut: int,
    split: int,
) -> None:
    """A feed replayed late: the later events are stored first, the earlier ones after."""
    earlier, later = [r for r in rows if r[2] <= split], [r for r in rows if r[2] > split]
    _assert_stored_as_of_equals_file(engine, tmp_path, [later, earlier], rows, cut)
