"""Every string a user reads has a German translation, and the language choice works."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from slawatch.formatting import duration_text, number_text, share_text, working_text
from slawatch.i18n import merged_catalogue, negotiate, supported, translator

SOURCE = Path(__file__).parent.parent / "src" / "slawatch"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def source_messages() -> dict[str, str]:
    """Return every translatable msgid in src/ with where it was found."""
    found: dict[str, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        SOURCE, METHODS, keywords=KEYWORDS, options_map=OPTIONS
    ):
        # A plural is catalogued under its singular; its msgstr holds every form.
        text = message[0] if isinstance(message, tuple) else message
        if text:
            found.setdefault(text, f"{filename}:{line}")
    return found


def test_every_message_has_a_german_translation():
    german = merged_catalogue("de")
    missing = [
        f"{where}: {text!r}"
        for text, where in sorted(source_messages().items(), key=lambda kv: kv[1])
        if not (german.get(text) and german.get(text).string)
    ]
    assert missing == [], "add these to a src/slawatch/locale/de/*.po catalogue:\n" + "\n".join(
        missing
    )


def test_german_formats_numbers_durations_and_shares_for_the_locale():
    t = translator("de")
    assert number_text(1234.5, t) == "1.234,5"
    assert working_text(48 * 3600, t) == "48 Std."
    assert share_text(0.953, t) == "95,3\xa0%"
    assert number_text(1234.5, translator("en")) == "1,234.5"


def test_durations_show_their_two_largest_units():
    t = translator("en")
    assert duration_text(2 * 86_400 + 3 * 3600 + 59, t) == "2 d 3 h"
    assert duration_text(59, t) == "59 s"
    assert duration_text(-90, t) == "−1 min 30 s"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr, en;q=0.5", "en"),
        ("en;q=0.2, de-AT", "de"),
        ("", "en"),
        (None, "en"),
        ("de;q=0", "en"),
        ("de;q=abc, en", "en"),
    ],
)
def test_the_browser_language_is_negotiated_by_quality(header, language):
    assert negotiate(header) == language


def test_only_english_and_german_are_supported():
    assert supported("de_CH") == "de"
    assert supported("fr") is None
    assert supported(None) is None
