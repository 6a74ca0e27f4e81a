"""Shared helpers: the shipped example's reports, from its event file and from the store."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import Engine

from slawatch.agreement_files import load_agreement
from slawatch.agreements.parse import parse_agreement
from slawatch.engine.events import EventTable
from slawatch.engine.instants import to_us
from slawatch.engine.periods import parse_label
from slawatch.evaluation.service import refresh_all
from slawatch.ingest.files import read_events
from slawatch.reports import Report, report_from_events
from tests.evaluation.support import save_template, store_example_events

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marketing-sales.yaml"
EVENTS = ROOT / "examples" / "marketing-sales-events.csv"
BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = to_us(dt.datetime(2026, 11, 1, tzinfo=BERLIN))  # October has just closed
GENERATED = to_us(dt.datetime(2026, 11, 2, 9, 30, tzinfo=BERLIN))


def from_file(period: str = "2026-10", yaml_text: str | None = None, as_of: int = AS_OF) -> Report:
    """Return the example's report of a period, evaluated from its event file."""
    agreement = load_agreement(EXAMPLE) if yaml_text is None else parse_agreement(yaml_text)
    log = read_events(EVENTS)
    return report_from_events(
        agreement,
        EventTable(log.events, log.items),
        window=parse_label(period, BERLIN),
        as_of=as_of,
        generated_at=GENERATED,
    )


def store_example(engine: Engine, as_of: int = AS_OF, *, issue_credits: bool = True) -> None:
    """Store the example agreement and its events, and evaluate them as of `as_of`."""
    save_template(engine)
    store_example_events(engine)
    refresh_all(engine, as_of=as_of, issue_credits=issue_credits)


def pdf_text(data: bytes | Path) -> str:
    """Return the text of every page of a PDF, as a reader would copy it."""
    reader = PdfReader(data if isinstance(data, Path) else io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)
