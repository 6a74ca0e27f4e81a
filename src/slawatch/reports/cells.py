"""Keep text from users out of spreadsheet formulas, in every CSV and XLSX slawatch writes.

An item id such as `=HYPERLINK("http://evil.example","x")` arrives through the API like any
other id; opened in Excel or LibreOffice, a cell starting with `=`, `+`, `-`, `@`, a tab or a
carriage return may be run as a formula ("CSV injection"). CSV text cells get a leading `'`
(OWASP's rule; spreadsheets show the text, scripts can strip the quote); XLSX text cells are
stored as text with Excel's quote prefix. Numbers are never touched: -5 stays the number -5.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: object) -> bool:
    """Whether a spreadsheet could read this text cell as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> Any:
    """Return a CSV cell's value, text that could start a formula prefixed with `'`."""
    return "'" + value if formula_like(value) else value


def csv_texts(column: str) -> pl.Expr:
    """The same rule for a polars text column: what `csv_text` does to each of its values."""
    text = pl.col(column).cast(pl.String)  # item columns are often categorical
    risky = pl.any_horizontal(text.str.starts_with(start) for start in FORMULA_STARTS)
    return pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(column)


def xlsx_texts(cells: Iterable[Any]) -> None:
    """Store a row's formula-like texts (openpyxl cells) as text: never a formula, as written."""
    for cell in cells:
        if formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
