"""Background evaluation inside `slawatch serve` (stub until implemented)."""

from __future__ import annotations

from fastapi import FastAPI


def install_scheduler(app: FastAPI) -> None:
    """Start re-evaluating stored results in the background for the app's lifetime."""
