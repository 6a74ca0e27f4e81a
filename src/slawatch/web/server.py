"""The production entry point: settings from the environment, checks, then the app.

`slawatch serve` runs `uvicorn slawatch.web.server:app_from_env --factory`, so every worker
process builds its own engine and background evaluator from the same settings.
"""

from __future__ import annotations

from fastapi import FastAPI

from slawatch.config import get_settings
from slawatch.store.db import make_engine
from slawatch.store.migrate import needs_upgrade
from slawatch.web.app import create_app


class NotMigratedError(RuntimeError):
    pass


def app_from_env() -> FastAPI:
    settings = get_settings()
    settings.check_secret()
    engine = make_engine(settings.database_url)
    if needs_upgrade(engine):
        raise NotMigratedError(
            f"the database at {engine.url.render_as_string(hide_password=True)} needs migrating; "
            "run `slawatch db upgrade` first"
        )
    return create_app(settings, engine, background=settings.background)
