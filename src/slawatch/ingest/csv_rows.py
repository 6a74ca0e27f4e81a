"""Read the records of a CSV file with polars: the header, every record's fields, its line.

The one CSV reader of event files (ingest/files.py) and of import files (ingest/mappings).
Polars splits the records natively; Python's csv module reads only the header and, in the
rare case a record has more fields than the header, that record again, so that a rejected
row can be written back with every field it had.

Records are numbered in file order (`ROW`); `lines` turns record numbers into 1-based lines
(the header is line 1), counting the line breaks inside quoted fields only when asked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from slawatch.ingest.limits import AttributeLimits

ROW = "\x00row"  # record index in file order (internal; cannot clash with a user column)
EXTRA = "\x00extra"  # the first field past the header's, if the record has one
SEPARATORS = (",", ";", "\t")


class CsvReadError(Exception):
    """The file cannot be split into records; the message says why, without the file's name.

    `line` is the line (1-based, the header is 1) where it went wrong, when it is known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Header:
    """The first record of a CSV file, as written, and what it tells about the rest."""

    names: list[str]
    separator: str
    lines: int  # lines the header takes (a quoted name may hold a line break)


@dataclass(frozen=True)
class CsvRecords:
    """Every record after the header: ROW, `fields` (String, by position), EXTRA.

    Blank records (every field empty) are left out. An empty field and a missing one (a
    record with too few fields) are both null: polars does not tell them apart.
    """

    frame: pl.DataFrame
    fields: list[str]  # the internal column names, one per header name
    lines: Callable[[np.ndarray], np.ndarray]  # record indices → 1-based line numbers


def separator_of(first_line: str) -> str:
    """Pick `,`, `;` or tab, whichever the first line uses most (many spreadsheets write `;`)."""
    return max(SEPARATORS, key=first_line.count)


def read_header(text: str) -> Header:
    """Read the first record of `text`; CsvReadError if there is none or it cannot be split."""
    separator = separator_of(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        names = next(reader, None)
    except csv.Error as error:
        raise CsvReadError(f"cannot read the header ({error})") from error
    if names is None:
        raise CsvReadError("no header row; the first line names the columns")
    return Header(names, separator, 1 + sum(name.count("\n") for name in names))


def read_records(
    source: Path | bytes,
    header: Header,
    limits: AttributeLimits,
    *,
    strict: bool = False,
) -> CsvRecords:
    """Read every record after the header; CsvReadError if polars cannot split the file.

    A header with more columns than the limits allow is refused before any record is read.
    `strict` refuses a record with two or more fields past the header's, which polars would
    otherwise cut (EXTRA then only says that the record has a field too many).
    """
    if len(header.names) > limits.import_columns:
        raise CsvReadError(limits.too_many_columns(len(header.names)))
    fields = [f"c{i}" for i in range(len(header.names))]
    try:
        raw = pl.read_csv(
            source,
            has_header=False,
            skip_rows=1,
            separator=header.separator,
            schema=dict.fromkeys([*fields, EXTRA], pl.String),
            truncate_ragged_lines=not strict,
            missing_columns="insert",
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as error:
        hint = "save it as UTF-8" if "utf-8" in str(error).lower() else "check the quoting"
        raise CsvReadError(f"cannot read it as CSV ({error}); {hint}") from error
    columns = [*fields, EXTRA]
    blank = pl.all_horizontal(pl.col(columns).is_null())
    frame = raw.lazy().with_row_index(ROW).filter(~blank).collect()

    def lines(rows: np.ndarray) -> np.ndarray:
        # Quoted newlines shift every later line; count them only when a line number is needed.
        newlines = raw.select(
            pl.sum_horizontal(pl.col(columns).str.count_matches("\n", literal=True).fill_null(0))
        ).to_series()
        before = (newlines.cum_sum() - newlines).to_numpy()
        return np.asarray(header.lines + 1 + rows + before[rows], dtype=np.int64)

    return CsvRecords(frame, fields, lines)


def exact_records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """Return (line, fields) of every record after the header, read by Python's csv module.

    For a file polars cannot read strictly (a record two fields too wide): exact, and slow.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    found: list[tuple[int, list[str]]] = []
    try:
        next(reader, None)
        start = reader.line_num + 1
        for record in reader:
            found.append((start, record))
            start = reader.line_num + 1
    except csv.Error as error:
        message = f"cannot read it as CSV ({error}); check the quoting"
        raise CsvReadError(message, reader.line_num) from error
    return found


def records_at(text: str, separator: str, lines: set[int]) -> dict[int, list[str]]:
    """Return every field of the records that start on `lines` (1-based) of `text`.

    For the few records polars cut at the header's width (one more field than the header):
    one pass of Python's csv module, taken only when there are such records.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    found: dict[int, list[str]] = {}
    start = 1
    try:
        for record in reader:
            if start in lines:
                found[start] = record
            start = reader.line_num + 1
    except csv.Error as error:
        raise CsvReadError(f"cannot read it as CSV ({error}); check the quoting") from error
    return found
