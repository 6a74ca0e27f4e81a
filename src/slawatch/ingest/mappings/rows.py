"""Read an import file (CSV or JSON Lines) into rows of text, each with its line in the file.

Mappings need the rows as the file wrote them: a CRM export is wide (one row per contact, a
column per date), so nothing is validated here beyond the structure. Every record is either a
row or a broken record with its reason; the original fields travel on, so that rejected rows
can be written back out exactly.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from slawatch.ingest.csv_rows import (
    EXTRA,
    ROW,
    CsvReadError,
    CsvRecords,
    exact_records,
    read_header,
    read_records,
    records_at,
    separator_of,
)
from slawatch.ingest.files import NestingError, json_line, json_text
from slawatch.ingest.limits import DEFAULT_LIMITS, AttributeLimits

FIELD_LIMIT = csv.field_size_limit()  # what Python's csv module reads in one field
LINE = "\x00line"  # the row's 1-based line in the file (CSV: the header is line 1); internal
COUNT, QUOTED, RAW = "\x00count", "\x00quoted", "\x00raw"  # internal, while splitting


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message names the file and the fix."""


class TimezoneNeededError(ImportFileError):
    """The file writes local times without an offset and no time zone was given."""


@dataclass(frozen=True)
class BrokenRow:
    """A record that could not be split into the header's fields."""

    line: int
    reason: str
    fields: tuple[str | None, ...]


@dataclass(frozen=True)
class Rows:
    """A file's records as text: `frame` has LINE, then one String column per header field."""

    frame: pl.DataFrame
    columns: tuple[str, ...]
    broken: tuple[BrokenRow, ...]

    @property
    def count(self) -> int:
        return self.frame.height + len(self.broken)


def read_rows(
    path: Path, *, name: str | None = None, limits: AttributeLimits = DEFAULT_LIMITS
) -> Rows:
    """Read `path` as CSV or JSON Lines; `name` is how messages call the file (an upload's name).

    A file with more columns than `limits.import_columns` is refused before its rows are read.
    """
    label = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImportFileError(f"{label}: cannot read the file ({error.strerror})") from error
    if b"\x00" in data or data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            f"{label}: not a text file (a spreadsheet or archive?); export it as CSV (UTF-8) or "
            "JSON Lines"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{label}: byte {error.start + 1} is not UTF-8; export the file as UTF-8 "
            "(in Excel: CSV UTF-8)"
        ) from error
    if not text.strip():
        raise ImportFileError(f"{label}: the file is empty; export at least a header and one row")
    suffix = Path(name or path).suffix.lower()
    is_jsonl = suffix in (".jsonl", ".ndjson") or (
        suffix != ".csv" and text.lstrip().startswith("{")
    )
    rows = _read_jsonl(text, label, limits) if is_jsonl else _read_csv(text, label, limits)
    return rows


def _frame(lines: list[int], columns: list[str], values: list[list[str | None]]) -> pl.DataFrame:
    series = [pl.Series(LINE, lines, dtype=pl.Int64)]
    series += [
        pl.Series(name, [row[index] for row in values], dtype=pl.String)
        for index, name in enumerate(columns)
    ]
    return pl.DataFrame(series)


def _read_csv(text: str, label: str, limits: AttributeLimits) -> Rows:
    separator = separator_of(text.split("\n", 1)[0])
    lead, rest = _leading_blank_lines(text, separator, label)
    try:
        header = replace(read_header(rest), separator=separator)
    except CsvReadError as error:
        raise ImportFileError(f"{label}:1: {error}") from error
    names = _checked_header(header.names, label, limits)
    try:
        records = read_records(rest.encode(), header, limits, strict=True)
    except CsvReadError:  # a record two fields too wide, or worse: read every record exactly
        try:
            whole = exact_records(rest, separator)
        except CsvReadError as error:
            raise ImportFileError(f"{label}:{lead + (error.line or 1)}: {error}") from error
        rows = _rows_of_fields(whole, names, separator)
    else:
        lines = records.lines(records.frame[ROW].cast(pl.Int64).to_numpy())
        _refuse_long_fields(records, lines + lead, label)
        rows = _rows_of(records, lines, names, rest, separator)
    return replace(rows, frame=rows.frame.with_columns(pl.col(LINE) + lead)) if lead else rows


def _leading_blank_lines(text: str, separator: str, label: str) -> tuple[int, str]:
    """Return how many lines before the header hold nothing but separators, and the rest."""
    lead = start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        if text[start:end].replace(separator, "").strip():
            return lead, text[start:]
        lead, start = lead + 1, end
    raise ImportFileError(f"{label}: no header row; the first line names the columns")


def _checked_header(names: list[str], label: str, limits: AttributeLimits) -> list[str]:
    header = [name.strip() for name in names]
    if len(header) > limits.import_columns:
        raise ImportFileError(f"{label}: {limits.too_many_columns(len(header))}")
    for position, name in enumerate(header, start=1):
        if not name:
            raise ImportFileError(f"{label}: column {position} of the header has no name; name it")
        if header.index(name) != position - 1:
            raise ImportFileError(
                f"{label}: the column {name!r} appears twice; rename or remove one of them"
            )
    return header


def _refuse_long_fields(records: CsvRecords, lines: np.ndarray, label: str) -> None:
    """Refuse a field longer than Python's csv module reads, as the importer always has."""
    lengths = pl.col([*records.fields, EXTRA]).str.len_chars().fill_null(0)
    too_long = records.frame.select(pl.max_horizontal(lengths) > FIELD_LIMIT).to_series()
    if too_long.any():
        line = int(lines[too_long.arg_true()[0]])
        raise ImportFileError(
            f"{label}:{line}: cannot read it as CSV (field larger than field limit "
            f"({FIELD_LIMIT})); check the quoting"
        )


def _rows_of(
    records: CsvRecords, lines: np.ndarray, header: list[str], text: str, separator: str
) -> Rows:
    """Split the records into rows and broken records; a broken one keeps all its fields.

    Polars cannot tell a missing field from an empty one, nor count the fields past EXTRA.
    A record whose last field is empty is counted on its line when the line has no quotes
    (an export's usual empty column); the others, with quotes or EXTRA, are read again whole
    by the csv module. Empty trailing fields are spreadsheet padding.
    """
    fields = [*records.fields, EXTRA]
    blank = pl.all_horizontal((pl.col(fields).str.strip_chars() == "").fill_null(True))
    frame = records.frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)).filter(~blank)
    odd = pl.col(records.fields[-1]).is_null() | pl.col(EXTRA).is_not_null()
    counted = pl.lit(False)
    if frame.select(odd.any()).item():
        raw = pl.Series(text.split("\n")).gather(frame[LINE] - 1)
        frame = frame.with_columns(
            raw.str.count_matches(separator, literal=True).alias(COUNT) + 1,
            raw.str.contains('"', literal=True).alias(QUOTED),
            raw.alias(RAW),
        )
        counted = ~pl.col(QUOTED) & pl.col(EXTRA).is_null()
        odd = odd & ~(counted & (pl.col(COUNT) >= len(header)))
    good = frame.filter(~odd).select(  # a quoted empty field is as empty as an unquoted one
        LINE,
        *(
            pl.when(pl.col(c) != "").then(pl.col(c)).alias(name)
            for c, name in zip(records.fields, header, strict=True)
        ),
    )
    suspects = frame.filter(odd)
    if suspects.height == 0:
        return Rows(good, tuple(header), ())
    short = suspects.filter(counted)  # no quotes, too few separators: split on the line
    exact = [
        (line, raw.removesuffix("\r").split(separator))
        for line, raw in short.select(LINE, RAW).rows()
    ]
    quoted = suspects.filter(~counted)
    if quoted.height:
        whole = records_at(text, separator, set(quoted[LINE].to_list()))
        exact += [
            (line, whole.get(line, [f for f in record if f is not None]))
            for line, *record in quoted.select(LINE, *fields).rows()
        ]
    rest = _rows_of_fields(sorted(exact), header, separator)
    return Rows(pl.concat([good, rest.frame]).sort(LINE), tuple(header), rest.broken)


def _rows_of_fields(
    records: list[tuple[int, list[str]]], header: list[str], separator: str
) -> Rows:
    """Turn records read exactly into rows and broken records, as the csv module splits them."""
    regular: list[tuple[int, list[str | None]]] = []
    broken: list[BrokenRow] = []
    for line, cells in records:
        if not cells or all(not field.strip() for field in cells):
            continue  # a blank line is not a row
        row: list[str | None] = [field or None for field in cells]
        if len(row) > len(header) and all(f is None for f in row[len(header) :]):
            row = row[: len(header)]  # empty trailing fields: spreadsheet padding
        if len(row) == len(header):
            regular.append((line, row))
            continue
        reason = (
            f"{len(row)} fields but the header has {len(header)}; quote values "
            f"that contain {separator!r} or line breaks"
        )
        broken.append(BrokenRow(line, reason, tuple(row)))
    frame = _frame([line for line, _ in regular], header, [row for _, row in regular])
    return Rows(frame, tuple(header), tuple(broken))


def _text(value: Any) -> str | None:
    return None if value == "" else json_text(value)


def _read_jsonl(text: str, label: str, limits: AttributeLimits) -> Rows:
    columns: dict[str, None] = {}
    records: list[tuple[int, dict[str, str | None]]] = []
    broken: list[tuple[int, str]] = []
    for index, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json_line(raw)
        except NestingError as error:
            broken.append((index, str(error)))
            continue
        except json.JSONDecodeError as error:
            broken.append((index, f"not valid JSON ({error.msg}); write one object per line"))
            continue
        if not isinstance(value, dict):
            broken.append((index, f"a JSON {type(value).__name__}, not an object"))
            continue
        row = {str(key).strip(): _text(item) for key, item in value.items()}
        if any("\x00" in key for key in row):  # "\u0000" in a key; internal names hold NUL
            broken.append((index, "a key contains a NUL character (\\u0000); remove it"))
            continue
        columns.update(dict.fromkeys(row))
        if len(columns) > limits.import_columns:
            raise ImportFileError(f"{label}:{index}: {limits.too_many_columns(len(columns))}")
        records.append((index, row))
    names = list(columns)
    frame = _frame(
        [line for line, _ in records],
        names,
        [[row.get(name) for name in names] for _, row in records],
    )
    empty = (None,) * len(names)
    return Rows(frame, tuple(names), tuple(BrokenRow(line, why, empty) for line, why in broken))
