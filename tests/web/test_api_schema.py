"""Fuzz every API route from its own OpenAPI schema: no input may cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from slawatch.config import Settings
from slawatch.store.db import transaction
from slawatch.store.tokens import create_token
from slawatch.web.app import create_app

EXAMPLES_PER_ROUTE = 25


def test_no_input_to_any_route_causes_a_server_error(engine: Engine):
    with transaction(engine) as connection:
        token = create_token(connection, name="fuzz", scope="admin", created_by="tests")
    app = create_app(Settings(demo=True), engine)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operations"
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
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        fuzz()
    assert not failures, "\n".join(failures[:20])
