"""Read an import file (CSV or JSON Lines) into rows of text, each with its line in the file.

Mappings need the rows as the file wrote them: a CRM export is wide (one row per contact, a
column per date), so nothing is validated here beyond the structure. Every record is either a
row or a broken record with its reason; the original fields travel on, so that rejected rows
can be written back out exactly.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from slawatch.ingest.files import NestingError, json_line, json_text
from slawatch.ingest.limits import DEFAULT_LIMITS, AttributeLimits

LINE = "\x00line"  # the row's 1-based line in the file (CSV: the header is line 1); internal


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
    first_line = text.split("\n", 1)[0]
    separator = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        first = next((record for record in reader if "".join(record).strip()), None)
    except csv.Error as error:
        raise ImportFileError(f"{label}:1: cannot read the header ({error})") from error
    if first is None:
        raise ImportFileError(f"{label}: no header row; the first line names the columns")
    header = [name.strip() for name in first]
    if len(header) > limits.import_columns:
        raise ImportFileError(f"{label}: {limits.too_many_columns(len(header))}")
    for position, name in enumerate(header, start=1):
        if not name:
            raise ImportFileError(f"{label}: column {position} of the header has no name; name it")
        if header.index(name) != position - 1:
            raise ImportFileError(
                f"{label}: the column {name!r} appears twice; rename or remove one of them"
            )
    lines: list[int] = []
    values: list[list[str | None]] = []
    broken: list[BrokenRow] = []
    end = reader.line_num
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            if not record or all(not field.strip() for field in record):
                continue  # a blank line is not a row
            fields: list[str | None] = [field or None for field in record]
            if len(fields) > len(header) and all(f is None for f in fields[len(header) :]):
                fields = fields[: len(header)]  # empty trailing fields: spreadsheet padding
            if len(fields) != len(header):
                broken.append(
                    BrokenRow(
                        line,
                        f"{len(fields)} fields but the header has {len(header)}; quote values "
                        f"that contain {separator!r} or line breaks",
                        tuple(fields),
                    )
                )
                continue
            lines.append(line)
            values.append(fields)
    except csv.Error as error:
        raise ImportFileError(
            f"{label}:{reader.line_num}: cannot read it as CSV ({error}); check the quoting"
        ) from error
    return Rows(_frame(lines, header, values), tuple(header), tuple(broken))


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
