"""Reading agreement files: the shell's side of the agreement language, which never does I/O."""

from __future__ import annotations

from pathlib import Path

from slawatch.agreements import Agreement, AgreementError, Problem, parse_agreement


def load_agreement(path: Path) -> Agreement:
    """Read an agreement file; unreadable files are reported like any other problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        hint = "save the file as UTF-8" if isinstance(error, UnicodeDecodeError) else None
        raise AgreementError(
            [Problem(str(path), None, "", f"cannot read: {reason}", hint)]
        ) from None
    return parse_agreement(text, source=str(path))
