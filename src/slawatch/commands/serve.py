"""`slawatch serve` and `slawatch demo` (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `serve` and `demo` commands to the main app."""
