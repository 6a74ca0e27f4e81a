"""Words and figures every report writer shares: moments, money, Latin-1 text.

Values, targets, shares, durations and statuses come from `slawatch.formatting`, so a
report reads like the pages. What is left here is what only documents need: money with its
ISO code (a PDF's core font has no euro sign), local moments in the reader's locale, and the
mapping of text onto the Latin-1 alphabet of the PDF's built-in fonts.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import Any

from slawatch.agreements.model import Objective
from slawatch.formatting import target_text
from slawatch.i18n import Translator

# What the core fonts lack, written with what they have; other characters lose their accents
# (NFKD) or become "?", so no agreement text can make a PDF fail.
_LATIN1 = str.maketrans(
    {
        "≥": ">=",
        "≤": "<=",
        "≠": "!=",
        "–": "-",
        "—": "-",
        "−": "-",
        "‑": "-",
        "…": "...",
        "→": "->",
        "←": "<-",
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "•": "·",
        "€": "EUR",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "ı": "i",
        "Œ": "OE",
        "œ": "oe",
        "ẞ": "SS",
        "\u202f": " ",  # narrow no-break space (English "3:05 PM")
        "\u2009": " ",
        "\u2007": " ",
        "\u200b": "",
    }
)


def latin1(text: str) -> str:
    """Return text the PDF core fonts can print: Latin-1, with look-alikes for the rest."""
    mapped = text.translate(_LATIN1)
    try:
        mapped.encode("latin-1")
    except UnicodeEncodeError:
        return "".join(_latin1_char(char) for char in mapped)
    return mapped


def _latin1_char(char: str) -> str:
    try:
        char.encode("latin-1")
    except UnicodeEncodeError:
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        try:
            return base.encode("latin-1").decode("latin-1") if base else "?"
        except UnicodeEncodeError:
            return "?"
    return char


def moment_text(moment: dt.datetime | None, t: Translator) -> str:
    """Format a local moment to the minute: '28.11.2026, 14:05', 'Nov 28, 2026, 14:05'; '–'."""
    if moment is None:
        return "–"
    return f"{t.date(moment.date())}, {moment:%H:%M}"


def target_of(objective: Objective) -> Mapping[str, Any]:
    """Return an agreement objective's target as the objective JSON that presentation reads."""
    return {
        "kind": objective.kind,
        "op": objective.target.op.value,
        "target": objective.target.value,
    }


def promised_text(objective: Objective, t: Translator) -> str:
    """Format what an objective promises: '≥ 95%', '≤ 10%', '≥ 50'."""
    return target_text(target_of(objective), t)
