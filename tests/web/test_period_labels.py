"""Whatever period label a request names, the answer is a page or a 4xx, never a 500.

Labels of the five shapes with any year from 0000 to 9999 (year 9999's December would end in
year 10000), impossible dates and weeks, and odd text, against every route that takes one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from slawatch.store import users as users_store
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.store.users import create_user
from tests.reports.support import store_example
from tests.web.test_home import log_in
from tests.web.test_report_pages import new_app

PASSWORD = "a long password 1"
AGREEMENT = "/agreements/marketing-sales"
API_ROUTES = (
    f"/api/v1{AGREEMENT}/report?period={{}}",
    f"/api/v1{AGREEMENT}/credits?period={{}}",
    f"/api/v1{AGREEMENT}/credits/{{}}",
    "/api/v1/escalations?period={}",
)
PAGE_ROUTES = (
    f"{AGREEMENT}/report.csv?period={{}}",
    f"{AGREEMENT}/reports?period={{}}",
    f"{AGREEMENT}?period={{}}",
    f"{AGREEMENT}/objectives/speed-to-lead?period={{}}",
    "/escalations?period={}",
    "/escalations/fragment?period={}",
)
year = st.integers(0, 9999).map("{:04d}".format)
two = st.integers(0, 99).map("{:02d}".format)
labels = st.one_of(
    st.builds("{}-{}-{}".format, year, two, two),
    st.builds("{}-W{}".format, year, two),
    st.builds("{}-{}".format, year, two),
    st.builds("{}-Q{}".format, year, st.integers(0, 9)),
    year,
    st.builds("{}-{}-{}..{}-{}-{}".format, year, two, two, year, two, two),
    st.sampled_from(
        [
            "9999-12",
            "0001",
            "0001-W01",
            "9999-W52",
            "9999-12-31",
            "2026-10",
            "2026-10-01..",
            "..2026-10-01",
            "2026-10-01..2026-10-15",
            "2026-10-15..2026-10-01",
            "2026-10..2026-11",
        ]
    ),
    st.text(max_size=12),
)
FUZZ = settings(
    max_examples=32, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def clients(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, ...]]:
    """A read-token API client and a logged-in viewer, with the example stored."""
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()
    store_example(engine)
    with transaction(engine) as connection:
        secret = create_token(connection, name="fuzz", scope="read", created_by="test")
        create_user(connection, "vera@example.com", PASSWORD, "viewer")
    app = new_app(engine)
    with TestClient(app) as api, TestClient(app) as viewer:
        api.headers["Authorization"] = f"Bearer {secret}"
        log_in(viewer, "vera@example.com", PASSWORD)
        yield api, viewer


@given(label=labels)
@example(label="\x00")  # PostgreSQL refuses NUL in text
@FUZZ
def test_no_period_label_makes_a_500(clients: tuple[TestClient, ...], label: str):
    api, viewer = clients
    for client, routes in ((api, API_ROUTES), (viewer, PAGE_ROUTES)):
        for route in routes:
            answer = client.get(route.format(quote(label, safe="")))
            assert answer.status_code < 500, (route, label, answer.text[:300])


@pytest.mark.parametrize("route", [API_ROUTES[0], API_ROUTES[2], PAGE_ROUTES[0]])
def test_a_label_outside_the_measured_years_is_refused_naming_the_limit(
    clients: tuple[TestClient, ...], route: str
):
    api, viewer = clients
    client = api if route.startswith("/api") else viewer
    answer = client.get(route.format("9999-12"))
    assert 400 <= answer.status_code < 500
    assert "from 1970 to 2199" in answer.text
