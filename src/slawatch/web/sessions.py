"""Web sessions: signed cookies, login, CSRF (stub until implemented)."""

from __future__ import annotations

from fastapi import FastAPI


def install_sessions(app: FastAPI) -> None:
    """Add session cookies, the login routes and CSRF protection to the app."""
