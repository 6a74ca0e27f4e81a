"""Fuzz the dispute routes from their OpenAPI schema with an agreement, an item and a dispute
in the store: no input may cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.disputes import NewDispute, open_dispute
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app
from tests.alerts.support import AGREEMENT, NOW, add_item, agreement

EXAMPLES_PER_ROUTE = 30


def test_no_input_to_a_dispute_route_causes_a_server_error(engine: Engine) -> None:
    agreement(engine)
    add_item(engine, "lead-1")
    with transaction(engine) as connection:
        token = create_token(connection, name="fuzz", scope="admin", created_by="tests")
        open_dispute(
            connection,
            NewDispute(
                agreement_id=AGREEMENT, subject="figure", disputing_party="sales",
                reason="x", opened_by="t", opened_at=NOW, objective="speed-to-lead",
                period="2026-02",
            ),
        )  # fmt: skip
    app = create_app(Settings(demo=True), engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = [
        result.ok() for result in schema.get_all_operations() if "disputes" in result.ok().path
    ]
    assert len(operations) == 5
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_ROUTE,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            if "agreement_id" in (case.path_parameters or {}):
                case.path_parameters["agreement_id"] = AGREEMENT
            if "dispute_id" in (case.path_parameters or {}):
                case.path_parameters["dispute_id"] = 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        fuzz()
    assert not failures, "\n".join(failures[:20])
