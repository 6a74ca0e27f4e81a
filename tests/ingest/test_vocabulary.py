"""Imports and the API check event types against every stored agreement, cached per process."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, event

from slawatch.agreements import template_text
from slawatch.ingest.imports import run_import
from slawatch.ingest.vocabulary import (
    StoredVocabularies,
    UsedTypes,
    stored_used_types,
    unused_types,
)
from slawatch.store.agreements import get_version, save_version
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events

IT_SERVICE_TYPES = {"down", "up", "opened", "responded", "resolved", "waiting", "replied"}


def save(engine: Engine, template: str) -> None:
    with transaction(engine) as connection:
        save_version(connection, template_text(template), author="t", reason="first")


def test_without_a_stored_agreement_nothing_is_compared_and_nothing_reported(engine: Engine):
    with read_transaction(engine) as connection:
        assert stored_used_types(connection) is None
    assert unused_types(["contaced"], None) == []


def test_a_type_counts_as_used_when_any_stored_agreement_uses_it(engine: Engine):
    save(engine, "marketing-sales")
    save(engine, "it-service")
    with read_transaction(engine) as connection:
        used = stored_used_types(connection)
    assert used is not None and {"contacted", "qualified"} <= used
    assert used >= IT_SERVICE_TYPES  # both agreements count
    unused = unused_types(["contaced", "contaced", "contacted"], used)
    assert [(n.name, n.count, n.did_you_mean) for n in unused] == [("contaced", 2, "contacted")]


def test_the_used_types_are_read_once_per_max_age_not_once_per_batch(engine: Engine):
    save(engine, "marketing-sales")
    now = [0.0]
    reads: list[str] = []

    def count_reads(_conn, _cursor, statement, *_args) -> None:
        if "agreement_versions" in statement:
            reads.append(statement)

    event.listen(engine, "before_cursor_execute", count_reads)
    try:
        used = UsedTypes(engine, max_age=5.0, clock=lambda: now[0])
        first = used.current()
        now[0] = 4.9
        assert used.current() is first
        assert len(reads) == 1
        now[0] = 5.0
        used.current()
        assert len(reads) == 2
        used.forget()
        used.current()
        assert len(reads) == 3
    finally:
        event.remove(engine, "before_cursor_execute", count_reads)


def test_an_import_without_an_agreement_reports_types_no_stored_agreement_uses(
    engine: Engine, tmp_path: Path
):
    save(engine, "marketing-sales")
    path = tmp_path / "events.csv"
    path.write_text(
        "item,type,at\n"
        "L-1,handed_over,2026-10-05T08:00:00Z\n"
        "L-1,contaced,2026-10-05T09:00:00Z\n"
        "L-2,contaced,2026-10-05T09:00:00Z\n",
        encoding="utf-8",
    )
    summary = run_import(path, "generic", engine=engine, actor="t", write_rejected=False)
    assert [(n.name, n.count, n.did_you_mean) for n in summary.unused_event_types] == [
        ("contaced", 2, "contacted")
    ]
    assert summary.warnings == (
        "contaced (2 rows): no objective uses this type; did you mean contacted?",
    )
    assert summary.imported == 3  # reported, and stored all the same


def test_an_import_into_an_empty_store_reports_no_types(engine: Engine, tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text("item,type,at\nL-1,contaced,2026-10-05T09:00:00Z\n", encoding="utf-8")
    summary = run_import(path, "generic", engine=engine, actor="t", write_rejected=False)
    assert summary.unused_event_types == () and summary.warnings == ()


def test_the_page_vocabulary_is_kept_for_its_max_age_and_per_version(engine: Engine):
    save(engine, "marketing-sales")
    with transaction(engine) as connection:
        store_events(connection, [EventIn("crm", "L-1", "contaced", 1_790_000_000_000_000)])
    now = [0.0]
    kept = StoredVocabularies(engine, max_age=60.0, clock=lambda: now[0])
    with read_transaction(engine) as connection:
        first = get_version(connection, "marketing-sales")
    assert first is not None
    assert [n.name for n in kept.of(first).unused_event_types] == ["contaced"]
    with transaction(engine) as connection:
        store_events(connection, [EventIn("crm", "L-1", "qualifed", 1_790_000_000_000_000)])
    now[0] = 59.0
    assert [n.name for n in kept.of(first).unused_event_types] == ["contaced"]
    now[0] = 60.0
    assert {n.name for n in kept.of(first).unused_event_types} == {"contaced", "qualifed"}
    save(engine, "marketing-sales")  # a new version is read at once
    with read_transaction(engine) as connection:
        second = get_version(connection, "marketing-sales")
    assert second is not None and second.version == 2
    with transaction(engine) as connection:
        store_events(connection, [EventIn("crm", "L-2", "contaced", 1_790_000_000_000_000)])
    counts = {n.name: n.count for n in kept.of(second).unused_event_types}
    assert counts == {"contaced": 2, "qualifed": 1}
