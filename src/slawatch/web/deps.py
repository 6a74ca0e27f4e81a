"""Request-scoped dependencies and path parameters shared by the API routes and pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from sqlalchemy import Engine

from slawatch.config import Settings

# An agreement's id as the language allows it: lower-case words joined by hyphens.
AgreementId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="the agreement's id, e.g. marketing-sales",
    ),
]


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
