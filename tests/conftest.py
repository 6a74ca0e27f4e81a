"""Databases for store, API and service tests: every such test runs on SQLite and PostgreSQL.

Each backend gets one freshly migrated database per test session; every test starts from empty
tables. PostgreSQL is at SLAWATCH_TEST_POSTGRES (default 127.0.0.1:5432, trust auth); without
a server those tests skip with the reason, unless SLAWATCH_REQUIRE_POSTGRES=1 (as in CI),
where a missing server fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, text

from slawatch.store.db import make_engine
from slawatch.store.migrate import upgrade
from slawatch.store.schema import metadata

POSTGRES = os.environ.get("SLAWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
REQUIRE_POSTGRES = os.environ.get("SLAWATCH_REQUIRE_POSTGRES") == "1"


def postgres_admin() -> Engine | None:
    engine = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        engine.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(
                f"PostgreSQL at {POSTGRES} is required (SLAWATCH_REQUIRE_POSTGRES=1): {error}"
            )
        return None
    return engine


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Create a throwaway PostgreSQL database for the session and drop it afterwards."""
    admin = postgres_admin()
    if admin is None:
        pytest.skip(f"no PostgreSQL server at {POSTGRES}; start one or set SLAWATCH_TEST_POSTGRES")
    name = f"slawatch_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'slawatch.db'}"


_engines: dict[str, Engine] = {}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL with empty tables, once per backend."""
    url: str = request.getfixturevalue(f"{request.param.removesuffix('ql')}_url")
    if url not in _engines:
        _engines[url] = make_engine(url)
        upgrade(_engines[url])
    engine = _engines[url]
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(delete(table))
    return url


@pytest.fixture
def engine(database_url: str) -> Engine:
    return _engines[database_url]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for engine in _engines.values():
        engine.dispose()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path
