"""What the file commands read from their arguments: the agreement, the events and `--as-of`.

Each refusal exits as the command-line contract says: 1 for a problem in the user's input,
2 for usage (a setting that is not a number, a file over a limit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from slawatch.agreement_files import load_agreement
from slawatch.agreements import AgreementError, AgreementLimitError, Limits
from slawatch.agreements.model import Agreement
from slawatch.commands.common import err, fail
from slawatch.config import get_settings
from slawatch.engine.instants import InstantError, read_instant, to_us
from slawatch.engine.vocabulary import Vocabulary
from slawatch.ingest.files import EventFileError, EventLog, read_events

MAX_SHOWN_ERRORS = 20


@contextmanager
def step(message: str) -> Iterator[None]:
    """Show a spinner on stderr for a long step that cannot count its progress."""
    with err.status(message):
        yield


def progress() -> Progress:
    """Return a progress bar on stderr; rich shows it only on a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def agreement_limits() -> Limits:
    """The limits from SLAWATCH_MAX_AGREEMENT_*; a setting that is not a number is usage."""
    try:
        return get_settings().agreement_limits()
    except ValidationError as error:
        first = error.errors()[0]
        name = "SLAWATCH_" + "_".join(str(part) for part in first["loc"]).upper()
        fail(f"{name}: {first['msg']}; fix or unset it", 2)


def load(path: Path) -> Agreement:
    """Read an agreement: exit 1 for problems in it, 2 for a file over a limit."""
    try:
        return load_agreement(path, limits=agreement_limits())
    except AgreementLimitError as error:
        fail(str(error), 2)
    except AgreementError as error:
        fail(str(error))


def parse_as_of(text: str | None, agreement: Agreement) -> int:
    zone = ZoneInfo(agreement.timezone)
    if text is None:
        return to_us(dt.datetime.now(dt.UTC))
    try:
        return read_instant(text, zone)
    except InstantError as error:
        if error.problem == "range":
            raise typer.BadParameter(str(error), param_hint="--as-of") from None
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 instant; write 2026-11-01T00:00:00+01:00 or 2026-11-01",
            param_hint="--as-of",
        ) from None


def read_log(
    path: Path, timezone: str | None, skip_bad_rows: bool, *, checking: bool = False
) -> EventLog:
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise typer.BadParameter(
                f"{timezone!r} is not an IANA time zone; write e.g. Europe/Berlin",
                param_hint="--timezone",
            ) from None
    try:
        with step(f"reading {path}"):
            log = read_events(path, timezone=timezone)
    except EventFileError as error:
        fail(str(error))
    if log.rejected:
        lines = [f"{path}:{row.line}: {row.reason}" for row in log.rejected[:MAX_SHOWN_ERRORS]]
        if len(log.rejected) > MAX_SHOWN_ERRORS:
            lines.append(f"… and {len(log.rejected) - MAX_SHOWN_ERRORS} more bad rows")
        if not skip_bad_rows:
            lines.append(
                f"{path}: {len(log.rejected)} of {log.rows_read} rows are bad; fix them, or pass "
                "--skip-bad-rows to evaluate without them"
            )
            fail("\n".join(lines))
        lines.append(
            f"{path}: {len(log.rejected)} of {log.rows_read} rows are bad; fix them"
            if checking
            else f"{path}: skipped {len(log.rejected)} of {log.rows_read} rows (--skip-bad-rows)"
        )
        err.print("\n".join(lines), markup=False, highlight=False)
    if log.duplicates:
        err.print(f"{path}: {log.duplicates} duplicate events counted once", markup=False)
    return log


def warn_vocabulary(path: Path, vocabulary: Vocabulary) -> None:
    """Say on stderr which names of the file the agreement does not use or cannot find."""
    for message in vocabulary.messages():
        err.print(f"warning: {path}: {message}", markup=False, highlight=False)


def input_summary(log: EventLog) -> dict[str, object]:
    return {
        "events": {
            "rows": log.rows_read,
            "duplicates": log.duplicates,
            "skipped": len(log.rejected),
        }
    }
