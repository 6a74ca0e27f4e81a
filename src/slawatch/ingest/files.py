"""Read event files (CSV or JSON Lines) into a validated, columnar event log.

Everything is read as text with polars' native readers; instants are parsed by a vectorised fast
path for the common ISO 8601 shapes, and only the rows it cannot place go through
`datetime.fromisoformat`, which decides precisely between "valid after all" and "rejected".
Rows are never silently dropped: each one is kept, counted as a duplicate or rejected with its
line number.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import polars as pl

from slawatch.engine.events import EventTable
from slawatch.engine.instants import EARLIEST, LATEST, InstantError, read_instant
from slawatch.ingest.csv_rows import EXTRA, ROW, CsvReadError, read_header, read_records
from slawatch.ingest.limits import AttributeLimits, configured_limits

REQUIRED = ("item", "type", "at")
_RESERVED = ("item", "type", "at", "kind")
_ROW = "\x00row"  # record index in file order (internal; cannot clash with a user column)
_PROBLEM = "\x00problem"  # a structural problem of the record (wrong field count, bad JSON)
_US = "\x00us"
_CHANGES = "\x00changes"  # an item whose values may change after its first event
_FIRST = "\x00first"
_NAME = "\x00name"  # the long form of the attribute history, before it is handed on
_VALUE = "\x00value"
_EXAMPLE = "2026-01-05T09:30:00+01:00"
_SNIFF_BYTES = 8192
_LAST_RULE_YEAR = 2037
# An event line is an object of plain values; real exports nest a level or two at most. The
# limit keeps a line of ten thousand brackets a rejected row instead of a RecursionError.
MAX_NESTING = 32


@dataclass(frozen=True)
class RowError:
    """A rejected row: its 1-based line in the file (CSV: the header is line 1) and why."""

    line: int
    field: str | None
    reason: str


@dataclass(frozen=True)
class EventLog:
    """Events and items read from a file; `rows_read == len(events) + duplicates + len(rejected)`.

    `events`: item, type (String), at (Int64 µs since the epoch, UTC), sorted by (item, at, type),
    without duplicates. `items`: item, kind, then one String column per attribute, the latest
    non-empty value by `at` (ties: the later row in the file). `attributes`: (item, name, value,
    at) wherever a value of an item is set or changes after the item's first event.
    """

    events: pl.DataFrame
    items: pl.DataFrame
    rows_read: int
    duplicates: int
    rejected: tuple[RowError, ...]
    attributes: pl.DataFrame | None = None  # history of changing values: EventTable.attributes

    def table(self) -> EventTable:
        """Return the engine's input: events, items and the history of their values."""
        return EventTable(self.events, self.items, self.attributes)


class EventFileError(Exception):
    """The file as a whole cannot be read: unreadable, unknown format, a required column missing."""


@dataclass
class _Records:
    """Records as text, before validation: what a format reader hands on."""

    frame: pl.DataFrame  # _ROW, item, type, at, kind, attributes…, _PROBLEM; all String but _ROW
    attributes: list[str]
    lines: Callable[[np.ndarray], np.ndarray]  # record indices → 1-based line numbers


def read_events(
    path: Path, *, timezone: str | None = None, limits: AttributeLimits | None = None
) -> EventLog:
    """Read a CSV or JSON Lines event file; naive instants are placed in `timezone` if given.

    `limits` bound the attributes (default: the settings'); a file with too many columns or
    too long a column name is refused, a row with too many or too long values is rejected.
    """
    zone = _zone(timezone)
    limits = limits or configured_limits()
    head = _read_head(path)
    if head.strip(b"\xef\xbb\xbf \t\r\n") == b"" and path.stat().st_size <= len(head):
        raise EventFileError(f"{path}: the file is empty; export at least a header and one event")
    if _format_of(path, head) == "csv":
        if b"\n" not in head:  # a wide header: read all of it, as far as the limits allow
            head = _read_head(path, limits.import_columns * (limits.name + 3))
        records = _read_csv(path, head, limits)
    else:
        records = _read_jsonl(path, _read_all(path), limits)
    return _validate(records, zone, limits)


def _zone(timezone: str | None) -> ZoneInfo | None:
    if timezone is None:
        return None
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:  # "America" is a folder
        raise EventFileError(
            f"--timezone {timezone!r} is not a known time zone; use an IANA name like Europe/Berlin"
        ) from error


def _read_head(path: Path, size: int = _SNIFF_BYTES) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(max(size, _SNIFF_BYTES))
    except OSError as error:
        raise EventFileError(f"{path}: cannot read the file ({error.strerror})") from error


def _read_all(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise EventFileError(f"{path}: cannot read the file ({error.strerror})") from error


def _format_of(path: Path, data: bytes) -> str:
    """Decide by extension; for any other extension, look at the content."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise EventFileError(
            f"{path}: not a text file (a spreadsheet or archive?); export the events as CSV or "
            "JSON Lines"
        )
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first == b"{":
        return "jsonl"
    if first == b"[":
        raise EventFileError(
            f"{path}: a JSON array is not supported; write JSON Lines, one object per line, "
            "and name the file .jsonl"
        )
    return "csv"


def _canonical(names: list[str], path: Path, limits: AttributeLimits) -> list[str]:
    """Trim names, match the reserved columns case-insensitively and refuse duplicates.

    Refuses more columns than the limits allow, and names longer than an attribute name may be.
    """
    if len(names) > limits.import_columns:
        raise EventFileError(f"{path}: {limits.too_many_columns(len(names))}")
    result = []
    for position, raw in enumerate(names, start=1):
        name = raw.strip().lstrip("\ufeff").strip()
        if name.lower() in _RESERVED:
            name = name.lower()
        if not name:
            raise EventFileError(f"{path}: column {position} of the header has no name; name it")
        if name in result:
            raise EventFileError(f"{path}: the column {name!r} appears twice; rename one of them")
        if len(name) > limits.name:
            raise EventFileError(f"{path}: column {position}: {limits.name_too_long(name)}")
        result.append(name)
    missing = [name for name in REQUIRED if name not in result]
    if missing:
        raise EventFileError(
            f"{path}: the required column {missing[0]!r} is missing (found: {', '.join(result)}); "
            "every event needs item, type and at"
        )
    return result


# --- CSV -------------------------------------------------------------------------------------


def _read_csv(path: Path, head: bytes, limits: AttributeLimits) -> _Records:
    try:
        header = read_header(head.decode("utf-8", errors="replace"))
        names = _canonical(header.names, path, limits)
        records = read_records(path, header, limits)
    except CsvReadError as error:
        raise EventFileError(f"{path}: {error}") from error
    # An all-empty record is a blank line: not a row. Counting fields exactly would cost a second
    # pass over the bytes, so a row with too few fields is caught only through the required
    # fields it lacks, and an extra *empty* trailing field is tolerated (spreadsheet padding).
    problem = (
        pl.when(pl.col(EXTRA).is_not_null())
        .then(
            pl.lit(
                f"more fields than the {len(names)} columns of the header; quote values that "
                f"contain {header.separator!r}"
            )
        )
        .alias(_PROBLEM)
    )
    frame = records.frame.select(
        pl.col(ROW).alias(_ROW),
        *(pl.col(c).alias(n) for c, n in zip(records.fields, names, strict=True)),
        problem,
    )
    return _Records(_with_kind(frame), [n for n in names if n not in _RESERVED], records.lines)


def _with_kind(frame: pl.DataFrame) -> pl.DataFrame:
    return frame if "kind" in frame.columns else frame.with_columns(kind=pl.lit(None, pl.String))


# --- JSON Lines ------------------------------------------------------------------------------


def _read_jsonl(path: Path, data: bytes, limits: AttributeLimits) -> _Records:
    data = data.removeprefix(b"\xef\xbb\xbf")
    frame = _jsonl_fast(data)
    if frame is None:
        frame = _jsonl_slow(data)
    names = _canonical(
        [c for c in frame.columns if c not in (_ROW, _PROBLEM)], path, limits
    )  # keys were canonicalised while reading; this checks the required ones
    attributes = [n for n in names if n not in _RESERVED]
    if _PROBLEM not in frame.columns:
        frame = frame.with_columns(pl.lit(None, pl.String).alias(_PROBLEM))
    return _Records(_with_kind(frame), attributes, lambda rows: rows + 1)


def _jsonl_fast(data: bytes) -> pl.DataFrame | None:
    """Read with polars when every line is a JSON object, else None (the slow path decides)."""
    expected = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    try:
        frame = pl.read_ndjson(data, infer_schema_length=None)
        schema = frame.schema  # a deeply nested column's type is itself deep
    except (pl.exceptions.PolarsError, ValueError, RecursionError):
        return None
    # polars skips blank lines; line numbers are then no longer the row index.
    if frame.height != expected or len({c.strip().lower() for c in frame.columns}) < frame.width:
        return None
    casts = []
    for name, dtype in schema.items():
        if dtype.is_nested():
            return None
        casts.append(pl.col(name).cast(pl.String).alias(_key(name)))
    return frame.select(casts).with_row_index(_ROW)


def _jsonl_slow(data: bytes) -> pl.DataFrame:
    """Parse line by line: exact line numbers and a reason for every bad line."""
    columns: dict[str, list[str | None]] = {}
    rows: list[int] = []
    problems: list[str | None] = []
    for index, line in enumerate(data.split(b"\n")):
        if not line.strip():
            continue
        problem, values = _json_object(line)
        position = len(rows)
        rows.append(index)
        problems.append(problem)
        for key, value in values.items():
            column = columns.setdefault(key, [])
            column.extend([None] * (position - len(column)))
            column.append(value)
    for column in columns.values():
        column.extend([None] * (len(rows) - len(column)))
    series = [pl.Series(name, values, dtype=pl.String) for name, values in columns.items()]
    return pl.DataFrame(
        [pl.Series(_ROW, rows, dtype=pl.Int64), *series, pl.Series(_PROBLEM, problems, pl.String)]
    )


class NestingError(ValueError):
    """A JSON Lines line nests arrays or objects deeper than MAX_NESTING."""

    def __init__(self) -> None:
        super().__init__(
            f"arrays or objects nested deeper than {MAX_NESTING} levels (the limit for a line); "
            "give each field a plain text, number or boolean"
        )


def json_line(line: bytes | str) -> Any:
    """Parse one JSON Lines line; raise NestingError if it nests deeper than MAX_NESTING.

    The parser recurses per level, so a line of brackets ends in a RecursionError unless it is
    caught here; the depth of what did parse is then measured without recursion.
    """
    try:
        value = json.loads(line)
    except RecursionError:
        raise NestingError from None
    array, obj = (b"[", b"{") if isinstance(line, bytes) else ("[", "{")
    opened = line.count(array) + line.count(obj)  # type: ignore[arg-type]
    if opened > MAX_NESTING and _depth(value) > MAX_NESTING:  # fewer cannot nest deeper
        raise NestingError
    return value


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, level)
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, level + 1) for child in children)
    return deepest


def _json_object(line: bytes) -> tuple[str | None, dict[str, str | None]]:
    try:
        value = json_line(line)
    except NestingError as error:
        return str(error), {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        detail = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8"
        return f"not valid JSON ({detail}); write one JSON object per line", {}
    if not isinstance(value, dict):
        return (
            f"a JSON {type(value).__name__}, not an object; write one object per line like "
            '{"item": "L-1", "type": "created", "at": "' + _EXAMPLE + '"}',
            {},
        )
    values: dict[str, str | None] = {}
    for key, item in value.items():
        name = _key(key)
        if name in values:
            return f"the key {name!r} appears twice; keep one", {}
        values[name] = json_text(item)
    return None, values


def _key(name: str) -> str:
    stripped = name.strip()
    return stripped.lower() if stripped.lower() in _RESERVED else stripped


def json_text(value: Any) -> str | None:
    """Return a JSON value as the text of an attribute: booleans lower-case, nested as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --- validation ------------------------------------------------------------------------------


def _validate(records: _Records, zone: ZoneInfo | None, limits: AttributeLimits) -> EventLog:
    # Empty after trimming counts as missing. `at` is not trimmed in bulk: the fast path refuses
    # padded text and the slow path trims it.
    text = ["item", "type", "kind", *records.attributes]
    padded = records.frame.select(pl.col(text).str.contains(r"^\s|\s$").any()).row(0)
    frame = records.frame.with_columns(  # trimming copies a column; most files need none
        pl.col(c).str.strip_chars() for c, pad in zip(text, padded, strict=True) if pad
    )
    frame = _bounded(frame, records.attributes, limits)
    frame = frame.with_columns(_fast_instants(frame["at"], zone).alias(_US))
    flagged = (
        pl.col(_PROBLEM).is_not_null() | _empty("item") | _empty("type") | pl.col(_US).is_null()
    )
    # Most rows pass; reasons are worked out only for the few that do not.
    open_rows = frame.filter(flagged)
    valid = frame.filter(~flagged) if open_rows.height else frame
    if open_rows.height:
        open_rows = _slow_instants(open_rows.with_columns(_reason().alias(_PROBLEM)), zone)
        valid = pl.concat([valid, open_rows.filter(pl.col(_PROBLEM).is_null())])
    bad = open_rows.filter(pl.col(_PROBLEM).is_not_null())
    rejected = _row_errors(bad, records.lines)
    events = (
        valid.lazy()
        .select("item", "type", pl.col(_US).alias("at"))
        .sort("item", "at", "type")
        .filter(
            pl.col("item").ne_missing(pl.col("item").shift())
            | pl.col("at").ne_missing(pl.col("at").shift())
            | pl.col("type").ne_missing(pl.col("type").shift())
        )
        .collect()
    )
    items, history = _items(valid, events, records.attributes)
    return EventLog(
        events=events,
        items=items,
        attributes=history,
        rows_read=valid.height + bad.height,
        duplicates=valid.height - events.height,
        rejected=rejected,
    )


def _bounded(frame: pl.DataFrame, attributes: list[str], limits: AttributeLimits) -> pl.DataFrame:
    """Mark the rows with too many attributes or too long a value as bad, naming the limit."""
    if not attributes:
        return frame
    reasons: list[tuple[pl.Expr, pl.Expr]] = []
    lengths = frame.select(pl.col(attributes).str.len_chars().max()).row(0)
    for name, longest in zip(attributes, lengths, strict=True):
        if longest is not None and longest > limits.value:
            reason = pl.lit(f"{name}\x00{limits.value_too_long(name)}")
            reasons.append((pl.col(name).str.len_chars() > limits.value, reason))
    if len(attributes) > limits.per_event:
        count = pl.sum_horizontal(~_empty(name) for name in attributes)
        reason = pl.concat_str(pl.lit("\x00"), count.cast(pl.String), pl.lit(limits.too_many_tail))
        reasons.append((count > limits.per_event, reason))
    problem = pl.col(_PROBLEM)
    for condition, reason in reversed(reasons):  # the first that applies is reported
        problem = pl.when(pl.col(_PROBLEM).is_null() & condition).then(reason).otherwise(problem)
    return frame.with_columns(problem.alias(_PROBLEM)) if reasons else frame


def _fast_instants(at: pl.Series, zone: ZoneInfo | None) -> pl.Series:
    """Parse `YYYY-MM-DD[T ]HH:MM:SS[.f][offset]` in bulk; null where it cannot be sure."""
    first = at.drop_nulls().head(1)
    separator = " " if first.len() and first.str.slice(10, 1).item() == " " else "T"
    local = at.str.slice(0, 19).str.to_datetime(
        f"%Y-%m-%d{separator}%H:%M:%S", strict=False, time_unit="us", cache=False
    )
    rest = at.str.slice(19)
    fraction = pl.Series(np.zeros(at.len(), dtype=np.int64))
    if rest.str.starts_with(".").any():
        digits = rest.str.extract(r"^\.(\d+)", 1)
        fraction = digits.str.slice(0, 6).str.pad_end(6, "0").cast(pl.Int64).fill_null(0)
        rest = rest.str.replace(r"^\.\d+", "")
    suffixes = rest.unique().drop_nulls().to_list()
    offsets = {s: _offset_us(s) for s in suffixes}
    offset = rest.replace_strict(
        list(offsets), list(offsets.values()), default=None, return_dtype=pl.Int64
    )
    moment = local.dt.epoch("us") + fraction
    instants = moment - offset
    if zone is not None and "" in offsets:
        local_moment = moment.cast(pl.Datetime("us"))
        placed = local_moment.dt.replace_time_zone(
            zone.key, ambiguous="earliest", non_existent="null"
        ).dt.epoch("us")
        # polars' zone rules stop at 2037, zoneinfo's go on: later years take the slow path
        recent = local_moment.dt.year() < _LAST_RULE_YEAR
        instants = pl.select(
            pl.when(rest == "").then(pl.when(recent).then(placed)).otherwise(instants)
        ).to_series()
    # Out of range: left to the slow path, which rejects the row naming the range. So is a
    # leap second (`:60`), which strptime reads as the next minute and the one grammar refuses.
    leap = at.str.slice(17, 2) == "60"
    return instants.set(~instants.is_between(EARLIEST, LATEST).fill_null(True) | leap, None)


def _offset_us(suffix: str) -> int | None:
    """Return a UTC offset suffix (`Z`, `+01:00`, `-0530`) in µs; None for naive or unknown."""
    if suffix in ("Z", "z"):
        return 0
    if suffix == "" or suffix[0] not in "+-":
        return None
    try:
        offset = dt.datetime.fromisoformat("2000-01-01T00:00:00" + suffix).utcoffset()
    except ValueError:
        return None
    return None if offset is None else offset // dt.timedelta(microseconds=1)


def _reason() -> pl.Expr:
    """Return `field NUL reason` for a flagged row, or null when only its instant is open."""
    return (
        pl.when(pl.col(_PROBLEM).str.contains("\x00", literal=True))
        .then(pl.col(_PROBLEM))  # it names its field already (`_bounded`)
        .when(pl.col(_PROBLEM).is_not_null())
        .then(pl.concat_str(pl.lit("\x00"), pl.col(_PROBLEM)))
        .when(_empty("item"))
        .then(
            pl.lit("item\x00item is empty; every row needs the id of its lead, request or service")
        )
        .when(_empty("type"))
        .then(pl.lit("type\x00type is empty; name the event, e.g. created or handed_over"))
        .when(pl.col("at").is_null())
        .then(pl.lit(f"at\x00at is empty; give the instant in ISO 8601, e.g. {_EXAMPLE}"))
    )


def _slow_instants(rows: pl.DataFrame, zone: ZoneInfo | None) -> pl.DataFrame:
    """Decide, one by one, the instants the fast path left open."""
    instants: list[int | None] = []
    problems: list[str | None] = []
    for text, problem in zip(rows["at"], rows[_PROBLEM], strict=True):
        result = _parse_instant(text.strip(), zone) if problem is None else problem
        instants.append(result if isinstance(result, int) else None)
        problems.append(None if isinstance(result, int) else problem or f"at\x00{result}")
    return rows.with_columns(
        pl.Series(_US, instants, dtype=pl.Int64), pl.Series(_PROBLEM, problems, dtype=pl.String)
    )


def _parse_instant(text: str, zone: ZoneInfo | None) -> int | str:
    """Return µs since the epoch, or the reason the text is not an instant."""
    if not text:
        return f"at is empty; give the instant in ISO 8601, e.g. {_EXAMPLE}"
    try:
        return read_instant(text, zone)
    except InstantError as error:
        if error.problem == "form":
            return f"at {text!r} is not an ISO 8601 instant; write it like {_EXAMPLE}"
        if error.problem == "range":
            return str(error)
        return f"at {text!r} has no UTC offset; add +01:00 or Z, or pass --timezone Europe/Berlin"


def _row_errors(
    bad: pl.DataFrame, lines: Callable[[np.ndarray], np.ndarray]
) -> tuple[RowError, ...]:
    if bad.height == 0:
        return ()
    numbers = lines(bad[_ROW].cast(pl.Int64).to_numpy())
    errors = []
    for line, coded in zip(numbers.tolist(), bad[_PROBLEM].to_list(), strict=True):
        field, reason = coded.split("\x00", 1)
        errors.append(RowError(line=int(line), field=field or None, reason=reason))
    return tuple(sorted(errors, key=lambda error: error.line))


def _empty(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name) == "")


def _items(
    valid: pl.DataFrame, events: pl.DataFrame, attributes: list[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per item with the latest non-empty value of kind and of every attribute; and
    the history of the items whose values change.

    An item whose values are all set by one row, its first event, needs no history: before
    that event it does not exist for an evaluation. Only the others (few, in most files) have their
    values listed with the instants they were set or changed, so that an evaluation as of an
    earlier instant reads the values of that instant (`EventTable.until`).
    """
    names = ["kind", *attributes]
    latest = (
        valid.lazy()
        .select("item", _US, _ROW, *names)
        .filter(pl.any_horizontal(~_empty(name) for name in names))
        .sort(_US, _ROW)
        .group_by("item")
        .agg(
            *(pl.col(name).filter(~_empty(name)).last() for name in names),
            pl.len().alias(_CHANGES),  # rows that set values: more than one may change them
            pl.col(_US).min().alias(_FIRST),
        )
    )
    items = (
        events.lazy()
        .filter(pl.col("item").ne_missing(pl.col("item").shift()))
        .select("item", pl.col("at").alias(_US))  # the item's first event
    )
    joined = (
        items.join(latest, on="item", how="left", maintain_order="left")
        .with_columns(((pl.col(_CHANGES) > 1) | (pl.col(_FIRST) > pl.col(_US))).alias(_CHANGES))
        .drop(_US, _FIRST)
        .collect()
    )
    changing = joined.filter(pl.col(_CHANGES)).get_column("item")
    history = (
        valid.lazy()
        .filter(pl.col("item").is_in(changing.implode()))
        .select("item", _US, _ROW, *names)
        # Internal names for the long columns: an attribute may well be called `name`.
        .unpivot(on=names, index=["item", _US, _ROW], variable_name=_NAME, value_name=_VALUE)
        .filter(~_empty(_VALUE))
        .sort("item", _NAME, _US, _ROW)
        .filter(  # only where a value is set or changes: a repeated value says nothing new
            pl.col("item").ne_missing(pl.col("item").shift())
            | pl.col(_NAME).ne_missing(pl.col(_NAME).shift())
            | pl.col(_VALUE).ne_missing(pl.col(_VALUE).shift())
        )
        .select(
            "item",
            pl.col(_NAME).alias("name"),
            pl.col(_VALUE).alias("value"),
            pl.col(_US).alias("at"),
        )
        .collect()
    )
    return joined.drop(_CHANGES), history
