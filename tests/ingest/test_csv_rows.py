"""The one CSV reader: polars' records, with lines and exact fields, as Python's csv reads them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.ingest.csv_rows import CsvReadError, read_header, read_records, records_at
from slawatch.ingest.limits import AttributeLimits
from slawatch.ingest.mappings import LINE, read_rows

HEADER = ["a", "b", "c"]


def reference(text: str) -> tuple[list[tuple[int, list[str | None]]], list[tuple[int, int]]]:
    """Read rows as the importer did with the csv module alone: (line, fields), (line, count)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    rows: list[tuple[int, list[str | None]]] = []
    broken: list[tuple[int, int]] = []
    end = reader.line_num
    for record in reader:
        line, end = end + 1, reader.line_num
        if not record or all(not field.strip() for field in record):
            continue
        fields: list[str | None] = [field or None for field in record]
        if len(fields) > len(HEADER) and all(f is None for f in fields[len(HEADER) :]):
            fields = fields[: len(HEADER)]
        if len(fields) == len(HEADER):
            rows.append((line, fields))
        else:
            broken.append((line, len(fields)))
    return rows, broken


cells = st.text(alphabet='ab ,\n"', max_size=4)
records = st.lists(st.lists(cells, min_size=0, max_size=5), max_size=8)


def written(rows: list[list[str]], quoting: int, end: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator=end)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=records,
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_import_rows_have_the_lines_and_fields_the_csv_module_reads(
    tmp_path: Path, rows: list[list[str]], quoting: int, end: str
) -> None:
    text = written(rows, quoting, end)
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode())
    read = read_rows(path)
    expected_rows, expected_broken = reference(text)
    assert read.frame.select(LINE, *HEADER).rows() == [(line, *f) for line, f in expected_rows]
    assert [(b.line, len(b.fields)) for b in read.broken] == expected_broken


def test_a_record_cut_at_the_header_width_is_read_again_whole() -> None:
    text = "a,b\n1,2\n3,4,5,6\n"
    header = read_header(text)
    frame = read_records(text.encode(), header, AttributeLimits()).frame
    assert frame.height == 2
    assert records_at(text, ",", {3}) == {3: ["3", "4", "5", "6"]}


def test_a_header_wider_than_the_limit_is_refused_before_the_rows_are_read() -> None:
    header = read_header("a,b,c\n")
    with pytest.raises(CsvReadError, match="3 columns; at most 2"):
        read_records(b"a,b,c\n", header, AttributeLimits(import_columns=2))
