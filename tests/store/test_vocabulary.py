"""The names the stored data uses, on both backends: event types by skip scan, attributes."""

from __future__ import annotations

from sqlalchemy import Engine

from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.vocabulary import (
    attribute_names,
    attributes_present,
    event_counts,
    event_types,
)

T0 = 1_767_225_600_000_000
HOUR = 3_600_000_000


def store(engine: Engine, batch: list[EventIn]) -> None:
    with transaction(engine) as connection:
        store_events(connection, batch)


def test_an_empty_store_has_no_types_and_no_attributes(engine: Engine) -> None:
    with read_transaction(engine) as connection:
        assert event_types(connection) == []
        assert event_counts(connection, ["contaced"]) == {"contaced": 0}
        assert attributes_present(connection, ["kind", "segment"]) == set()
        assert attribute_names(connection) == set()


def test_every_stored_type_is_found_once_and_counted_on_request(engine: Engine) -> None:
    types = ["qualified", "contaced", "contacted", "Contacted", "z", 'odd "one"', "ä"]
    store(
        engine,
        [
            EventIn("crm", f"L-{i}", event_type, T0 + n * HOUR)
            for n, event_type in enumerate(types)
            for i in range(n + 1)
        ],
    )
    with read_transaction(engine) as connection:
        found = event_types(connection)
        counts = event_counts(connection, ["contaced", "z", "never"])
    assert sorted(found) == sorted(types) and len(found) == len(types)
    assert counts == {"contaced": 2, "z": 5, "never": 0}


def test_attributes_are_found_in_the_json_and_kind_in_its_column(engine: Engine) -> None:
    store(
        engine,
        [
            EventIn("crm", "a", "qualified", T0, kind="lead", attributes={"segment": "smb"}),
            EventIn("crm", "b", "qualified", T0, attributes={'we"ird': "1"}),
        ],
    )
    with read_transaction(engine) as connection:
        present = attributes_present(connection, ["kind", "segment", "segmnt", 'we"ird'])
        names = attribute_names(connection)
    assert present == {"kind", "segment", 'we"ird'}
    assert names == {"kind", "segment", 'we"ird'}
