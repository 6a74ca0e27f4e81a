"""Fuzzing event files: `slawatch evaluate --events` and imports never end in a traceback.

Hypothesis writes CSV and JSON Lines files with wide headers, long names and values, unicode,
instants past the ends of the range with extreme offsets and values of the wrong type. Each
must end in a result or in a message (exit 1 or 2, ImportFileError), within the deadline.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.ingest.files import EventFileError, read_events
from slawatch.ingest.imports import ImportOptionError, run_import
from slawatch.ingest.mappings import ImportFileError
from tests.web.test_events_fuzz import instants, names, texts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "marketing-sales.yaml"
FUZZ = settings(
    max_examples=15,
    deadline=dt.timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
cells = st.one_of(texts, instants, st.integers(), st.floats(allow_nan=False), st.booleans())


@st.composite
def files(draw: st.DrawFn) -> tuple[str, str]:
    """Return (suffix, content) of a CSV or JSON Lines event file."""
    extra = draw(st.lists(names, max_size=6, unique=True))
    width = draw(st.sampled_from([0, 3, 101, 1_200]))
    columns = ["item", "type", "at", *extra, *(f"c{n}" for n in range(width))]
    rows = [
        {
            "item": draw(st.text(min_size=1, max_size=8)),
            "type": draw(st.sampled_from(["qualified", "handed_over", "contacted"])),
            "at": draw(instants),
            **{name: draw(cells) for name in extra},
        }
        for _ in range(draw(st.integers(1, 5)))
    ]
    if draw(st.booleans()):
        return ".jsonl", "".join(json.dumps(row) + "\n" for row in rows)

    def field(value: object) -> str:
        return '"' + str(value).replace('"', '""') + '"'

    lines = [",".join(map(field, columns))]
    lines += [",".join(field(row.get(name, "")) for name in columns) for row in rows]
    return ".csv", "\n".join(lines) + "\n"


@FUZZ
@given(file=files())
def test_no_event_file_makes_evaluate_end_in_a_traceback(tmp_path: Path, file: tuple[str, str]):
    suffix, content = file
    path = tmp_path / f"events{suffix}"
    path.write_text(content, encoding="utf-8")
    try:
        read_events(path)
    except EventFileError as error:
        assert str(error)
    result = CliRunner().invoke(
        app, ["evaluate", str(EXAMPLE), "--events", str(path), "--as-of", "2026-12-01"]
    )
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@FUZZ
@given(file=files())
def test_no_file_makes_an_import_end_in_a_traceback(
    engine: Engine, tmp_path: Path, file: tuple[str, str]
):
    suffix, content = file
    path = tmp_path / f"export{suffix}"
    path.write_text(content, encoding="utf-8")
    try:
        summary = run_import(path, "generic", engine=engine, actor="fuzz", write_rejected=False)
    except (ImportFileError, ImportOptionError) as error:
        assert str(error)
        return
    assert summary.imported + summary.duplicate + summary.rejected == summary.rows_read
