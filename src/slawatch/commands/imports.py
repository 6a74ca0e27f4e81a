"""`slawatch import` (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `import` command to the main app."""
