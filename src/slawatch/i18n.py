"""English and German: message catalogues, the language a reader gets, and locale formats.

Source strings are English. German lives in `locale/de/*.po`, one catalogue per part of the
product (pages, reports, alerts …) so parts can be translated independently; they are merged
and compiled in memory on first use, so running slawatch needs no build step. Numbers, dates
and durations are formatted by Babel for the reader's locale ("1.234,5", "48 Std.").
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
from babel.numbers import format_decimal, format_percent
from babel.support import Translations
from babel.units import format_unit

LANGUAGES = ("en", "de")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}
LOCALE_DIR = Path(__file__).parent / "locale"
_UNITS = (  # (seconds, CLDR unit) from the largest down
    (86_400, "duration-day"),
    (3_600, "duration-hour"),
    (60, "duration-minute"),
    (1, "duration-second"),
)


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

    def number(self, value: float | int, digits: int = 1) -> str:
        """Format a number with at most `digits` decimals: '1,234.5' or '1.234,5'."""
        pattern = "#,##0" + ("." + "#" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, share: float, digits: int = 1) -> str:
        """Format a share (0.953) as a percentage: '95.3%' or '95,3 %'."""
        pattern = self.locale.percent_formats[None].pattern  # "#,##0%" or "#,##0 %"
        if digits:
            pattern = pattern.replace("0", "0." + "#" * digits, 1)
        return format_percent(share, format=pattern, locale=self.locale)

    def duration(self, seconds: float, parts: int = 2) -> str:
        """Format a duration by its largest units: '2 days 3 hrs', '48 Std.', '0 Min.'."""
        remaining = round(abs(seconds))
        amounts = []
        for size, unit in _UNITS:
            amount, remaining = divmod(remaining, size)
            amounts.append((amount, unit))
        first = next((i for i, (amount, _) in enumerate(amounts) if amount), len(amounts) - 1)
        shown = [
            format_unit(amount, unit, length="short", locale=self.locale)
            for amount, unit in amounts[first : first + parts]
            if amount or len(amounts[first : first + parts]) == 1
        ] or [format_unit(0, "duration-minute", length="short", locale=self.locale)]
        text = " ".join(shown)
        return f"−{text}" if seconds < 0 else text

    def hours(self, seconds: float) -> str:
        """Format a duration in whole hours, as targets are written: '48 h', '48 Std.'."""
        return format_unit(round(seconds / 3600, 1), "duration-hour", "short", locale=self.locale)

    def datetime(self, instant: dt.datetime, zone: str | None = None) -> str:
        """Format an instant in a zone: "28 Nov 2026, 14:05:00" or "28.11.2026, 14:05:00"."""
        moment = instant.astimezone(ZoneInfo(zone)) if zone else instant
        return format_datetime(moment, format="medium", locale=self.locale)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="medium", locale=self.locale)


def translator(language: str | None) -> Translator:
    return Translator(supported(language) or DEFAULT_LANGUAGE)
