import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from slawatch.alerts.reviews import unreviewed_due_dates
from slawatch.cli import app
from slawatch.commands.serve import DEMO_ADMIN, DEMO_PASSWORD, load_demo
from slawatch.config import get_settings
from slawatch.store.agreements import current_agreements
from slawatch.store.corrections import corrections_of
from slawatch.store.db import make_engine, read_transaction
from slawatch.store.results import stored_results
from slawatch.store.reviews import held_dates
from slawatch.store.schema import events
from slawatch.store.users import authenticate

runner = CliRunner()


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_serve_refuses_the_built_in_secret_outside_demo_mode(fresh_database: str):
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "SLAWATCH_SECRET_KEY" in result.stderr


def test_serve_refuses_a_database_that_needs_migrating(
    fresh_database: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SLAWATCH_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    Path(fresh_database.removeprefix("sqlite:///")).touch()  # there, but without a schema
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "needs migrating; run `slawatch db upgrade`" in result.stderr


def test_db_upgrade_then_status_reports_up_to_date(fresh_database: str):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 0
    assert "up to date" in status.stdout


def test_the_demo_loads_three_agreements_a_year_of_events_results_and_an_admin(
    fresh_database: str,
):
    load_demo(now=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
    engine = make_engine(fresh_database)
    with read_transaction(engine) as connection:
        agreements = {stored.agreement.id: stored for stored in current_agreements(connection)}
        assert set(agreements) == {"marketing-sales", "it-service", "hr-requests"}
        assert all(s.agreement.effective == dt.date(2025, 11, 1) for s in agreements.values())
        assert connection.execute(select(func.count()).select_from(events)).scalar_one() > 5000
        periods = {r.period for r in stored_results(connection, "marketing-sales")}
        assert {"2025-11", "2026-10"} <= periods
        assert authenticate(connection, DEMO_ADMIN, DEMO_PASSWORD) is not None
        held = held_dates(connection)
        for stored in agreements.values():  # reviews held on time: none overdue
            today = dt.date(2026, 11, 27)
            assert not unreviewed_due_dates(
                stored.agreement, today=today, held=held.get(stored.id, [])
            )
        assert held["marketing-sales"][-1] == dt.date(2026, 11, 1)  # quarterly from 2025-11-01
        (correction,) = corrections_of(connection, "marketing-sales")
        assert correction.state.value == "approved" and correction.objective == "speed-to-lead"
        assert correction.decided_by != correction.proposed_by
    engine.dispose()
