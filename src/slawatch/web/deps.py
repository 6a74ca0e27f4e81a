"""Request-scoped dependencies shared by the API routes."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import Engine

from slawatch.config import Settings


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
