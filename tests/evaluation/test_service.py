"""Recomputing stored results: exactly the CLI's JSON, each period with its version, once."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.engine.instants import from_us
from slawatch.evaluation.cache import EventCache
from slawatch.evaluation.service import Recomputer, refresh_all
from slawatch.store.credits import issued_statements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import EventIn, store_events
from slawatch.store.results import (
    StoredResult,
    claim,
    evaluation_states,
    finish,
    stored_result,
    stored_results,
)
from slawatch.wall_clock import now_us
from tests.evaluation.support import (
    AS_OF,
    EXAMPLE_EVENTS,
    ROOT,
    save_template,
    store_example_events,
)


def cli_json(period: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            str(ROOT / "examples" / "marketing-sales.yaml"),
            "--events",
            str(EXAMPLE_EVENTS),
            "--as-of",
            from_us(AS_OF, dt.UTC).isoformat(),
            "--period",
            period,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    # The file's row counts and the names in it that nothing uses: the store has no file.
    for key in ("events", "unused_event_types", "unused_where_attributes"):
        del document[key]
    return document


def test_stored_results_are_exactly_the_cli_json_of_each_period(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]
    with read_transaction(engine) as connection:
        labels = [row.period for row in stored_results(connection, "marketing-sales")]
        march = stored_result(connection, "marketing-sales", "2026-03")
        june = stored_result(connection, "marketing-sales", "2026-06")
    assert labels == [f"2026-{month:02d}" for month in range(1, 8)]
    assert march is not None and march.payload == cli_json("2026-03")
    assert june is not None and june.payload == cli_json("2026-06")


def test_nothing_is_recomputed_until_something_changes(engine: Engine) -> None:
    save_template(engine)
    save_template(engine, "it-service")
    store_example_events(engine)
    assert refresh_all(engine, as_of=AS_OF) == ["it-service", "marketing-sales"]
    assert refresh_all(engine, as_of=AS_OF) == []
    save_template(engine, "it-service")
    assert refresh_all(engine, as_of=AS_OF) == ["it-service"]
    with transaction(engine) as connection:
        store_events(connection, [EventIn("default", "new", "qualified", AS_OF - 1, "lead")])
    assert refresh_all(engine, as_of=AS_OF) == ["it-service", "marketing-sales"]
    with read_transaction(engine) as connection:
        states = evaluation_states(connection)
    assert all(state["done"] == state["wanted"] for state in states)
    assert all(state["lease_owner"] is None for state in states)


def test_results_older_than_the_interval_are_recomputed(engine: Engine) -> None:
    save_template(engine)
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]
    assert refresh_all(engine, as_of=AS_OF, stale_after=3600) == []
    assert refresh_all(engine, as_of=AS_OF, stale_after=1e-6) == ["marketing-sales"]


def test_each_period_is_measured_with_the_version_in_force_at_its_start(engine: Engine) -> None:
    save_template(engine)
    store_example_events(engine)
    save_template(
        engine,
        replace=('target: ">= 50"', 'target: ">= 5"'),
        effective=dt.date(2026, 4, 1),
        retroactive=True,
    )
    refresh_all(engine, as_of=AS_OF)
    with read_transaction(engine) as connection:
        rows = {row.period: row for row in stored_results(connection, "marketing-sales")}

    def qualified_target(label: str) -> object:
        objectives = rows[label].payload["periods"][0]["objectives"]
        return next(o["target"] for o in objectives if o["id"] == "qualified-leads")

    assert [rows[f"2026-0{m}"].version for m in range(1, 7)] == [1, 1, 1, 2, 2, 2]
    assert qualified_target("2026-03") == 50
    assert qualified_target("2026-04") == 5
    # History is never rewritten: March under version 2 would have the new target.
    assert rows["2026-03"].payload == cli_json("2026-03")


def test_a_version_in_force_from_a_future_date_changes_no_period_yet(engine: Engine) -> None:
    save_template(engine)
    save_template(engine, effective=dt.date(2027, 6, 1))
    refresh_all(engine, as_of=AS_OF)
    with read_transaction(engine) as connection:
        versions = {row.version for row in stored_results(connection, "marketing-sales")}
    assert versions == {1}


def test_an_agreement_leased_to_another_process_is_left_to_it(engine: Engine) -> None:
    save_template(engine)
    now = now_us()
    with transaction(engine) as connection:
        won = claim(
            connection,
            "marketing-sales",
            owner="elsewhere",
            now=now,
            lease_until=now + 600 * 10**6,
            latest_event=0,
            stale_before=None,
        )
    assert won is not None and won.wanted == 1
    assert refresh_all(engine, as_of=AS_OF) == []
    with transaction(engine) as connection:
        assert finish(connection, won, last_event_id=0, computed_at=now)
    assert refresh_all(engine, as_of=AS_OF) == []  # done by "elsewhere": not redone


def test_a_process_whose_lease_was_taken_over_discards_its_results(engine: Engine) -> None:
    save_template(engine)
    slow = Recomputer(engine, "slow", EventCache(), lease_seconds=-1.0)  # expires at once
    original = slow.cache.snapshot

    def overtaken(engine_: Engine) -> object:
        assert refresh_all(engine, as_of=AS_OF, owner="fast") == ["marketing-sales"]
        return original(engine_)

    slow.cache.snapshot = overtaken  # type: ignore[method-assign]
    assert slow.recompute("marketing-sales", as_of=AS_OF) is False
    with read_transaction(engine) as connection:
        (state,) = evaluation_states(connection)
    assert state["done"] == 1 and state["lease_owner"] is None


def test_a_lower_target_saved_without_a_date_leaves_every_closed_period_as_it_was(
    engine: Engine,
) -> None:
    # Finding 1: lead acceptance lowered, "in force from" left empty; the YAML still says
    # effective: 2026-01-01. Past breaches must stay breached, statements stay as issued.
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=AS_OF)
    with read_transaction(engine) as connection:
        before = {row.period: row for row in stored_results(connection, "marketing-sales")}
    save_template(engine, replace=('target: ">= 80%"', 'target: ">= 70%"'), reason="lower")
    assert refresh_all(engine, as_of=AS_OF) == ["marketing-sales"]
    with read_transaction(engine) as connection:
        after = {row.period: row for row in stored_results(connection, "marketing-sales")}
        statements = issued_statements(connection, "marketing-sales")

    def acceptance(rows: dict[str, StoredResult], label: str) -> str:
        objectives = rows[label].payload["periods"][0]["objectives"]
        return str(next(o["status"] for o in objectives if o["id"] == "lead-acceptance"))

    assert [acceptance(after, f"2026-0{m}") for m in (2, 4, 5)] == ["breached"] * 3
    assert {label: row.payload for label, row in after.items()} == {
        label: row.payload for label, row in before.items()
    }
    assert {row.version for row in after.values()} == {1}
    assert statements and not any(s.changed_after_issue for s in statements)
