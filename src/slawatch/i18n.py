"""English and German: message catalogues, the language a reader gets, and locale formats.

Source strings are English. German lives in `locale/de/*.po`, one catalogue per part of the
product (pages, reports, alerts …) so parts can be translated independently; they are merged
and compiled in memory on first use, so running slawatch needs no build step. Dates are
formatted here by Babel for the reader's locale; numbers, shares and durations by
`slawatch.formatting`, the one module that writes figures.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a marker
    """Mark a message for the catalogue where it is defined; it is translated where shown."""
    return message


def catalogue_files(language: str) -> list[Path]:
    return sorted((LOCALE_DIR / language).glob("*.po"))


def merged_catalogue(language: str) -> Catalog:
    """Read every catalogue of a language into one (a msgid in two files must agree)."""
    merged = Catalog(locale=language)
    for path in catalogue_files(language):
        with path.open("rb") as file:
            catalogue = read_po(file, locale=language)
        for message in catalogue:
            if message.id and message.string:
                merged[message.id] = message
    return merged


@cache
def translations(language: str) -> NullTranslations:
    """Return the gettext translations of a language; English is the source and needs none."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, merged_catalogue(language))
    compiled.seek(0)
    return Translations(compiled)


def supported(language: str | None) -> str | None:
    """Return the supported language a tag names ('de-AT' → 'de'), or None."""
    if not language:
        return None
    primary = language.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """Pick the language from an Accept-Language header by its q-values; English by default."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = supported(tag)
        if language is not None and quality > 0:
            choices.append((-quality, position, language))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Translator:
    """Everything a page, report or message needs to speak one language."""

    language: str

    @property
    def locale(self) -> Locale:
        try:
            return Locale.parse(self.language)
        except (UnknownLocaleError, ValueError):
            return Locale.parse(DEFAULT_LANGUAGE)

    def gettext(self, message: str, **params: object) -> str:
        text = translations(self.language).gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = translations(self.language).ngettext(singular, plural, n)
        return text % {"num": n, **params}

    def datetime(self, instant: dt.datetime, zone: str | None = None) -> str:
        """Format an instant in a zone: "28 Nov 2026, 14:05:00" or "28.11.2026, 14:05:00"."""
        moment = instant.astimezone(ZoneInfo(zone)) if zone else instant
        return format_datetime(moment, format="medium", locale=self.locale)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="medium", locale=self.locale)


def translator(language: str | None) -> Translator:
    return Translator(supported(language) or DEFAULT_LANGUAGE)
