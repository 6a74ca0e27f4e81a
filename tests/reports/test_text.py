"""Report words and figures: Latin-1 text for the PDF fonts, money and moments."""

from __future__ import annotations

import datetime as dt

import pytest

from slawatch.formatting import money_text
from slawatch.i18n import translator
from slawatch.reports.text import latin1, moment_text

EN, DE = translator("en"), translator("de")


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("Übergabe an den Vertrieb, Größe ß", "Übergabe an den Vertrieb, Größe ß"),
        ("≥ 95 % – ≤ 10 %", ">= 95 % - <= 10 %"),
        ("5 € · „gut“ … → fertig", '5 EUR · "gut" ... -> fertig'),
        ("3:05\u202fPM", "3:05 PM"),
        ("Łódź, Œuvre, ş", "Lódz, OEuvre, s"),
        ("漢字 🙂", "?? ?"),
    ],
)
def test_any_text_becomes_printable_latin1(text: str, printed: str):
    assert latin1(text) == printed
    latin1(text).encode("latin-1")


def test_money_carries_its_currency_code_in_the_readers_format():
    assert money_text(10_000, "EUR", EN, code=True) == "10,000.00 EUR"
    assert money_text(500.5, "EUR", DE, code=True) == "500,50 EUR"
    assert money_text(10_000, "EUR", EN) == "€10,000.00"
    assert money_text(500.5, "EUR", DE) == "500,50\xa0€"


def test_moments_are_shown_to_the_minute_and_none_as_a_dash():
    moment = dt.datetime(2026, 10, 7, 8, 5)
    assert moment_text(moment, EN) == "Oct 7, 2026, 08:05"
    assert moment_text(moment, DE) == "07.10.2026, 08:05"
    assert moment_text(None, DE) == "–"
