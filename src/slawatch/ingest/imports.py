"""Import a file into the store: read it, map it to events, store them, account for every row.

Rows, not events, are counted, because a wide CRM row yields several events:

- imported: at least one of the row's events was new;
- duplicate: every event of the row was stored already (by an earlier import, the API, or an
  earlier row of the same file);
- rejected: the row could not be mapped (a broken record, an unreadable date, no id …).

So imported + duplicate + rejected = rows read, always. Rows are stored in chunks, one
transaction each: a crash loses at most the chunk in flight, and importing again is harmless.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
from sqlalchemy import Connection, Engine

from slawatch.agreements.model import Agreement
from slawatch.engine.vocabulary import (
    UnusedName,
    required_event_types,
    unused_names,
    used_event_types,
)
from slawatch.ingest.limits import AttributeLimits, configured_limits
from slawatch.ingest.mappings import (
    LINE,
    ImportFileError,
    MappingName,
    Rows,
    map_rows,
    read_rows,
)
from slawatch.ingest.mappings.mapped import Mapped
from slawatch.ingest.vocabulary import stored_used_types
from slawatch.store import audit
from slawatch.store.agreements import current_agreements
from slawatch.store.db import read_transaction, transaction
from slawatch.store.events import DEFAULT_SOURCE, EventIn, store_events
from slawatch.store.imports import record_import

CHUNK_ROWS = 1_000
MAX_SOURCE = 100  # items.source
UTC = ZoneInfo("UTC")

Progress = Callable[[int, int], None]  # rows done, rows in the file


class ImportOptionError(ValueError):
    """An option of the import is wrong; `option` names it (--mapping, --timezone …)."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str
    fields: tuple[str | None, ...]  # the row as the file had it, in the order of `columns`


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    filename: str
    mapping: str
    rows_read: int
    imported: int
    duplicate: int
    rejected: int
    events: int  # new events stored
    columns: tuple[str, ...]
    rejected_rows: tuple[RejectedRow, ...]
    warnings: tuple[str, ...]
    rejected_file: Path | None
    unused_event_types: tuple[UnusedName, ...] = ()  # no objective uses them; stored all the same


def rejected_path(path: Path) -> Path:
    """Return where the rejected rows of `path` go: `leads.csv` → `leads.rejected.csv`."""
    return path.with_name(f"{path.stem}.rejected.csv")


def run_import(
    path: Path,
    mapping: str,
    *,
    engine: Engine,
    actor: str,
    source: str | None = None,
    agreement: str | None = None,
    timezone: str | None = None,
    filename: str | None = None,
    write_rejected: bool = True,
    progress: Progress | None = None,
    limits: AttributeLimits | None = None,
) -> ImportSummary:
    """Import `path` with the named mapping; raise ImportFileError or ImportOptionError.

    `filename` is how the file is called in messages and in the imports table (an upload's
    name); with `write_rejected`, rejected rows go to `rejected_path(path)`.
    """
    name = _mapping(mapping)
    zone = _zone(timezone)
    if source is not None and not (0 < len(source) <= MAX_SOURCE and "\x00" not in source):
        raise ImportOptionError(
            "--source", f"the source must be 1 to {MAX_SOURCE} characters, e.g. hubspot"
        )
    chosen = _agreement(engine, agreement) if agreement else None
    date_zone = zone or (ZoneInfo(chosen.timezone) if chosen else UTC)
    label = filename or str(path)
    limits = limits or configured_limits()
    rows = read_rows(path, name=filename, limits=limits)
    try:
        mapped = bounded(map_rows(name, rows.frame, zone=zone, date_zone=date_zone), limits)
    except ImportFileError as error:
        raise type(error)(f"{label}: {error}") from error
    unused = _unused_types(engine, chosen, mapped)
    warnings = [name.message(chosen.id if chosen else None) for name in unused]
    if chosen:
        warnings += _missing_types(chosen, set(mapped.events["type"].unique().to_list()))
    rejected = _rejected_rows(rows, mapped)
    by_row = _events_by_row(mapped, source or DEFAULT_SOURCE)
    counts = _store_chunks(engine, by_row, len(rejected), rows.count, progress)
    import_id = _record(
        engine,
        actor=actor,
        filename=label,
        mapping=name,
        source=source,
        agreement=agreement,
        rows_read=rows.count,
        counts=counts,
        rejected=len(rejected),
    )
    target = _written_rejected(path, rows.columns, rejected, warnings) if write_rejected else None
    return ImportSummary(
        import_id=import_id,
        filename=label,
        mapping=name.value,
        rows_read=rows.count,
        imported=counts.imported,
        duplicate=counts.duplicate,
        rejected=len(rejected),
        events=counts.events,
        columns=rows.columns,
        rejected_rows=tuple(rejected),
        warnings=tuple(warnings),
        rejected_file=target if rejected and target else None,
        unused_event_types=tuple(unused),
    )


@dataclass(frozen=True)
class _Counts:
    imported: int
    duplicate: int
    events: int


def _record(
    engine: Engine,
    *,
    actor: str,
    filename: str,
    mapping: MappingName,
    source: str | None,
    agreement: str | None,
    rows_read: int,
    counts: _Counts,
    rejected: int,
) -> int:
    """Record the import and its audit entry in one transaction; return the import's id."""
    with transaction(engine) as connection:
        import_id = record_import(
            connection,
            filename=filename,
            mapping=mapping.value,
            rows_read=rows_read,
            imported=counts.imported,
            duplicates=counts.duplicate,
            rejected=rejected,
            actor=actor,
        )
        audit.record(
            connection,
            actor=actor,
            action="import",
            subject=f"import:{import_id}",
            filename=filename,
            mapping=mapping.value,
            source=source or DEFAULT_SOURCE,
            agreement=agreement,
            rows_read=rows_read,
            imported=counts.imported,
            duplicate=counts.duplicate,
            rejected=rejected,
            events=counts.events,
        )
    return import_id


def _store_chunks(
    engine: Engine,
    by_row: list[list[EventIn]],
    done: int,
    total: int,
    progress: Progress | None,
) -> _Counts:
    """Store the rows' events chunk by chunk, one transaction each, reporting progress."""
    if progress:
        progress(done, total)
    imported = duplicate = events = 0
    for start in range(0, len(by_row), CHUNK_ROWS):
        chunk = by_row[start : start + CHUNK_ROWS]
        with transaction(engine) as connection:
            new_rows, new_events = _store_rows(connection, chunk)
        imported += sum(new_rows)
        duplicate += len(chunk) - sum(new_rows)
        events += new_events
        done += len(chunk)
        if progress:
            progress(done, total)
    return _Counts(imported, duplicate, events)


def _written_rejected(
    path: Path, columns: tuple[str, ...], rejected: list[RejectedRow], warnings: list[str]
) -> Path | None:
    """Write the rejected rows beside the file; a failure is a warning: the rows stay stored."""
    target = rejected_path(path)
    try:
        _write_rejected(target, columns, rejected)
    except OSError as error:
        warnings.append(f"cannot write {target} ({error.strerror}); the rows stay imported")
        return None
    return target


def bounded(mapped: Mapped, limits: AttributeLimits) -> Mapped:
    """Refuse a mapping with more attributes or longer names than allowed; reject the rows
    with too long a value, naming the column and the limit."""
    if len(mapped.attributes) > limits.per_event:
        raise ImportFileError(
            f"the mapping makes {limits.too_many(len(mapped.attributes))}; remove columns"
        )
    for attribute in mapped.attributes:
        if len(attribute) > limits.name:
            raise ImportFileError(limits.name_too_long(attribute))
    events = mapped.events
    if not mapped.attributes or events.height == 0:
        return mapped
    # Series, not pl.col: an attribute may be called "*" or "^…$", which pl.col reads as patterns.
    lengths = pl.DataFrame([events.get_column(a).str.len_chars() for a in mapped.attributes])
    longest = lengths.max().row(0)
    too_long = [
        a for a, n in zip(mapped.attributes, longest, strict=True) if (n or 0) > limits.value
    ]
    if not too_long:
        return mapped
    reason = pl.lit(None, pl.String)
    for attribute in reversed(too_long):
        long = pl.lit(events.get_column(attribute).str.len_chars() > limits.value)
        reason = pl.when(long).then(pl.lit(limits.value_too_long(attribute))).otherwise(reason)
    flagged = events.with_columns(reason.alias("reason"))
    bad = (
        flagged.filter(pl.col("reason").is_not_null()).group_by(LINE).agg(pl.col("reason").first())
    )
    return Mapped(
        events=events.filter(~pl.col(LINE).is_in(bad.get_column(LINE).implode())),
        attributes=mapped.attributes,
        rejected=pl.concat([mapped.rejected, bad.select(LINE, "reason")]),
    )


def _mapping(mapping: str) -> MappingName:
    try:
        return MappingName(mapping)
    except ValueError:
        choices = ", ".join(m.value for m in MappingName)
        raise ImportOptionError(
            "--mapping", f"{mapping!r} is not a mapping; choose one of {choices}"
        ) from None


def _zone(timezone: str | None) -> ZoneInfo | None:
    if timezone is None:
        return None
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory
        raise ImportOptionError(
            "--timezone", f"{timezone!r} is not an IANA time zone; write e.g. Europe/Berlin"
        ) from None


def _agreement(engine: Engine, agreement_id: str) -> Agreement:
    with read_transaction(engine) as connection:
        stored = current_agreements(connection)
    for candidate in stored:
        if candidate.id == agreement_id:
            return candidate.agreement
    choices = ", ".join(s.id for s in stored) or "none stored yet"
    raise ImportOptionError(
        "--agreement", f"there is no agreement {agreement_id!r} (agreements: {choices})"
    )


def _unused_types(engine: Engine, chosen: Agreement | None, mapped: Mapped) -> list[UnusedName]:
    """Return the file's event types no objective uses: of `chosen`, else of any stored agreement.

    Counted over the mapped events (a wide row's columns become one event each), duplicates
    included; with no agreement stored there is nothing to compare with.
    """
    if chosen is not None:
        used: frozenset[str] | None = used_event_types(chosen)
    else:
        with read_transaction(engine) as connection:
            used = stored_used_types(connection)
    if used is None:
        return []
    counts = mapped.events.group_by("type").len()
    seen = dict(zip(counts["type"].to_list(), counts["len"].to_list(), strict=True))
    return unused_names(seen, used)


def _missing_types(agreement: Agreement, types: set[str]) -> list[str]:
    """Warn about the objectives of the agreement the file gives nothing to measure."""
    warnings = []
    for objective in agreement.objectives.values():
        missing = [kind for kind in required_event_types(objective) if kind not in types]
        if missing:
            names = " and ".join(repr(kind) for kind in missing)
            warnings.append(
                f"objective {objective.id} of {agreement.id} needs {names} events; "
                "the file has none"
            )
    return warnings


def _events_by_row(mapped: Mapped, source: str) -> list[list[EventIn]]:
    """Return the events of each mapped row, rows in file order.

    A row's kind and attributes ride on its latest event only: the store keeps the value of
    the latest event anyway, and folding them once per row instead of per event is cheaper.
    """
    rows: list[tuple[int, list[EventIn]]] = []
    names = mapped.attributes
    frame = mapped.events.select(LINE, "item", "type", "at", "kind").with_columns(
        mapped.events.get_column(name) for name in names
    )
    latest = frame[LINE].ne_missing(frame[LINE].shift(-1)).to_list()
    for last, (line, item, kind_of_event, at, kind, *values) in zip(
        latest, frame.iter_rows(), strict=True
    ):
        if not rows or rows[-1][0] != line:
            rows.append((line, []))
        if last:
            attributes = {n: v for n, v in zip(names, values, strict=True) if v}
            rows[-1][1].append(EventIn(source, item, kind_of_event, at, kind, attributes))
        else:
            rows[-1][1].append(EventIn(source, item, kind_of_event, at))
    return [events for _, events in rows]


def _store_rows(connection: Connection, rows: Sequence[list[EventIn]]) -> tuple[list[bool], int]:
    """Store the rows' events; return for each row whether it brought a new event, and how many.

    store_events counts only the batch as a whole, so a batch with new and known events is
    undone (a savepoint) and halved until each part is all new, all known, or a single row.
    The usual imports (a first one: all new; a repeat: all known) take one call per chunk.
    """
    batch = [event for row in rows for event in row]
    with connection.begin_nested() as savepoint:
        result = store_events(connection, batch)
        if result.accepted == 0:
            return [False] * len(rows), 0
        if result.duplicates == 0 or len(rows) == 1:
            return [True] * len(rows), result.accepted
        savepoint.rollback()
    middle = len(rows) // 2
    first, first_new = _store_rows(connection, rows[:middle])
    second, second_new = _store_rows(connection, rows[middle:])
    return first + second, first_new + second_new


def _rejected_rows(rows: Rows, mapped: Mapped) -> list[RejectedRow]:
    reasons = dict(zip(mapped.rejected[LINE], mapped.rejected["reason"], strict=True))
    bad = rows.frame.filter(pl.col(LINE).is_in(list(reasons)))
    rejected = [
        RejectedRow(line, reasons[line], tuple(fields)) for line, *fields in bad.iter_rows()
    ]
    rejected += [RejectedRow(row.line, row.reason, row.fields) for row in rows.broken]
    return sorted(rejected, key=lambda row: row.line)


def _write_rejected(target: Path, columns: Sequence[str], rejected: Sequence[RejectedRow]) -> None:
    """Write every rejected row with its line and reason; remove a stale file when none are."""
    if not rejected:
        target.unlink(missing_ok=True)
        return
    with target.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["line", "reason", *columns])
        for row in rejected:
            writer.writerow([row.line, row.reason, *("" if f is None else f for f in row.fields)])
