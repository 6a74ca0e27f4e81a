"""The events table: every flow's items drawn, then one row per event, then written to a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from slawatch.agreements.model import Agreement
from slawatch.generate.attributes import draw_attributes
from slawatch.generate.flows import allocate, flows_of
from slawatch.generate.funnels import Funnel, place_events
from slawatch.generate.local_time import NONE, add_months, instants_text, local_seconds
from slawatch.generate.outages import draw_outages
from slawatch.generate.owners import OWNER, draw_owners
from slawatch.generate.week import calendar_week, draw_arrivals

COLUMNS = ("item", "type", "at", "kind")
PREFIXES = {"lead": "L-", "request": "R-", "service": "S-", "ticket": "T-"}


def generate_events(
    agreement: Agreement,
    *,
    items: int,
    months: int,
    seed: int,
    start: dt.date | None = None,
) -> pl.DataFrame:
    """Return synthetic events: item, type, at (ISO 8601 with offset), kind, attributes."""
    rng = np.random.default_rng(seed)
    first = start or agreement.effective
    begin, end = local_seconds(first), local_seconds(add_months(first, months))
    flows = flows_of(agreement)
    frames = []
    prefixes: set[str] = set()
    for flow, n in zip(flows, allocate(flows, items), strict=True):
        if n == 0:
            continue
        attributes = draw_attributes(flow, n, rng, agreement)
        if flow.is_service:
            times = draw_outages(flow, n, begin, end, rng)
        else:
            calendars = [o.calendar for o in flow.clocks]
            week = calendar_week(agreement, next((c for c in calendars if c), None))
            arrival = draw_arrivals(flow.kind, n, window=(begin, end), week=week, rng=rng)
            funnel = Funnel(agreement, flow, rng, arrival, attributes)
            place_events(funnel)
            times = funnel.times
        owners = draw_owners(agreement, flow, n, seed)
        if owners is not None:
            attributes = {**attributes, OWNER: owners}
        prefix = PREFIXES.get(flow.kind, f"{flow.kind[:1].upper()}-")
        prefix = prefix if prefix not in prefixes else f"{flow.kind}-"
        prefixes.add(prefix)
        frames.append(_frame(flow.kind, prefix, n=n, times=times, attributes=attributes, end=end))
    if not frames:
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    events = pl.concat(frames, how="diagonal").sort("\x00t", maintain_order=True)
    at = instants_text(events["\x00t"].to_numpy(), agreement.timezone)
    names = [c for c in events.columns if c not in (*COLUMNS, "\x00t")]
    names.sort(key=lambda name: name == OWNER)  # last: the columns before it stay where they were
    return events.with_columns(at=at).select(*COLUMNS, *names)


def _frame(
    kind: str,
    prefix: str,
    *,
    n: int,
    times: dict[str, np.ndarray],
    attributes: dict[str, np.ndarray],
    end: int,
) -> pl.DataFrame:
    """One row per event that happened before the end; kind and attributes on each item's first.

    An item's first event is the first emitted: a funnel's root, a service's first failure.
    """
    ids = pl.select(
        pl.lit(prefix) + pl.int_range(1, n + 1).cast(pl.String).str.zfill(len(str(n)))
    ).to_series()
    seen = np.zeros(n, dtype=bool)
    parts = []
    for name, all_moments in times.items():
        if name.startswith("\x00"):
            continue
        rows = np.flatnonzero((all_moments != NONE) & (all_moments < end))
        moments = all_moments[rows]
        repeated = f"\x00items:{name}" in times  # a service fails many times
        owners = times[f"\x00items:{name}"][rows] if repeated else rows
        first = ~seen[owners]
        if repeated:
            once = np.zeros(len(owners), dtype=bool)
            once[np.unique(owners, return_index=True)[1]] = True
            first &= once
        seen[owners[first]] = True
        for chosen, described in ((first, True), (~first, False)):
            part = {
                "item": ids.gather(owners[chosen]),
                "type": pl.repeat(name, int(chosen.sum()), eager=True, dtype=pl.String),
                "\x00t": moments[chosen],
            }
            if described:
                part["kind"] = pl.repeat(kind, int(chosen.sum()), eager=True, dtype=pl.String)
                for attribute, values in attributes.items():
                    column = pl.Series(values[owners[chosen]], dtype=pl.String)
                    part[attribute] = pl.select(pl.when(column != "").then(column)).to_series()
            parts.append(pl.DataFrame(part))
    return pl.concat(parts, how="diagonal")


def write_events(frame: pl.DataFrame, path: Path) -> None:
    """Write events as CSV or JSON Lines, chosen by the file's extension."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        frame.write_ndjson(path)
    elif suffix == ".csv":
        frame.write_csv(path)
    else:
        raise ValueError(f"{path}: write events to a .csv, .jsonl or .ndjson file")
