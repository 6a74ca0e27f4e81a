"""Reading agreement files: the shell's side of the agreement language, which never does I/O."""

from __future__ import annotations

from pathlib import Path

from slawatch.agreements import Agreement, AgreementError, Problem
from slawatch.agreements.limits import DEFAULT_LIMITS, Limits, too_large
from slawatch.agreements.parse import parse_agreement


def load_agreement(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> Agreement:
    """Read an agreement file; unreadable files are reported like any other problem.

    A file over the size limit is refused from its size, before it is read; a stream without
    a size (a pipe, a device) is read no further than the limit.
    """
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise too_large(str(path), size, limits)
        with path.open("rb") as file:
            data = file.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            raise too_large(str(path), len(data), limits)
        # Line ends as text mode reads them, so that line numbers match any editor's.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        hint = "save the file as UTF-8" if isinstance(error, UnicodeDecodeError) else None
        raise AgreementError(
            [Problem(str(path), None, "", f"cannot read: {reason}", hint)]
        ) from None
    return parse_agreement(text, source=str(path), limits=limits)
