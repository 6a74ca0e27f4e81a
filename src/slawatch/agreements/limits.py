"""How much agreement YAML slawatch reads: the limits checked before any work on a file starts.

An agreement is a few kilobytes of YAML; the limits stop a file from costing more than a very
large agreement would. The shell passes them in from its settings (`SLAWATCH_MAX_AGREEMENT_*`),
the core never reads settings. Dates have a fixed range: the one every period label, holiday
table and instant column of the engine is tested on.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Final

from slawatch.agreements.errors import AgreementLimitError, Problem

# Dates and instants in an agreement lie in these years: the epoch is the start of the engine's
# instants, and 2199 is as far as the period labels and holiday tables are tested.
EARLIEST_DATE: Final = dt.date(1970, 1, 1)
LATEST_DATE: Final = dt.date(2199, 12, 31)


@dataclass(frozen=True)
class Limits:
    """The largest agreement YAML to read; each refusal names its limit and setting.

    `max_nodes` counts values (mappings, lists and scalars) as the walk sees them, with every
    alias written out where it is used; aliases that share a calendar or hours cost only what
    they expand to, and an alias bomb is refused before it expands.
    """

    max_bytes: int = 256 * 1024
    max_depth: int = 32
    max_nodes: int = 20_000
    earliest: dt.date = EARLIEST_DATE
    latest: dt.date = LATEST_DATE

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_depth < 2 or self.max_nodes < 1:
            raise ValueError(f"limits must allow a small agreement: {self}")


DEFAULT_LIMITS: Final = Limits()

# Versions already stored were checked when they were saved; history stays readable when an
# operator lowers a limit later, or when it was saved before a limit existed.
STORED: Final = Limits(
    max_bytes=sys.maxsize,
    max_depth=1_000,
    max_nodes=sys.maxsize,
    earliest=dt.date.min,
    latest=dt.date.max,
)

SETTINGS: Final = {
    "max_bytes": "SLAWATCH_MAX_AGREEMENT_BYTES",
    "max_depth": "SLAWATCH_MAX_AGREEMENT_DEPTH",
    "max_nodes": "SLAWATCH_MAX_AGREEMENT_NODES",
}


def too_large(source: str, size: int, limits: Limits) -> AgreementLimitError:
    """Return the refusal of a text or file of `size` bytes, over `max_bytes`."""
    return AgreementLimitError(
        Problem(
            source,
            None,
            "",
            f"the agreement is {size:,} bytes, over the limit of {limits.max_bytes:,} bytes",
            "shorten it (an agreement is usually a few kilobytes), or raise "
            f"{SETTINGS['max_bytes']}",
        ),
        limit="size",
    )
