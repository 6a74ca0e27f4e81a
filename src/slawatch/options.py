"""Command-line arguments shared by the commands that read an agreement and an event file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

AgreementArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Agreement YAML file.")
]
EventsOpt = Annotated[
    Path,
    typer.Option("--events", exists=True, dir_okay=False, readable=True, help="CSV or JSON Lines."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="As of this instant (ISO 8601; a date or a time without offset is read in the "
        "agreement's zone). Default: now.",
    ),
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option("--timezone", help="Zone for event times written without an offset."),
]
SkipOpt = Annotated[
    bool,
    typer.Option("--skip-bad-rows", help="Leave out the rows that fail to parse, and say so."),
]
