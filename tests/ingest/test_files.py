"""Reading event files: formats, instants to the microsecond, rejects with lines, invariants."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slawatch.engine.instants import in_range, to_us
from slawatch.ingest.files import (
    MAX_NESTING,
    EventFileError,
    EventLog,
    RowError,
    read_events,
)
from slawatch.ingest.limits import AttributeLimits

DATA = Path(__file__).parent / "data"


def us(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(tmp_path: Path, rows: list[object], name: str = "events.jsonl") -> Path:
    return write(tmp_path, name, "".join(json.dumps(row) + "\n" for row in rows))


def assert_invariant(log: EventLog) -> None:
    assert log.rows_read == log.events.height + log.duplicates + len(log.rejected)


# --- happy paths -----------------------------------------------------------------------------


def test_csv_is_read_into_sorted_events_and_items() -> None:
    log = read_events(DATA / "leads.csv")
    assert log.events.schema == pl.Schema({"item": pl.String, "type": pl.String, "at": pl.Int64})
    assert log.events.rows() == [
        ("L-1", "created", us("2026-01-05T09:00:00+01:00")),
        ("L-1", "qualified", us("2026-01-05T10:30:00+01:00")),
        ("L-1", "handed_over", us("2026-01-06T08:15:00+01:00")),
        ("L-2", "created", us("2026-01-05T09:00:00+01:00")),
        ("L-2", "qualified", us("2026-01-07T11:00:00+01:00")),
    ]
    assert log.items.columns == ["item", "kind", "source", "region"]
    assert log.items.rows() == [("L-1", "lead", "web", "north"), ("L-2", "lead", "ads", None)]
    assert (log.rows_read, log.duplicates, log.rejected) == (5, 0, ())


def test_jsonl_is_read_like_csv_and_scalars_become_text(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path,
        [
            {
                "item": "R-1",
                "type": "request_opened",
                "at": "2026-02-02T09:00:00Z",
                "kind": "request",
            },
            {"item": "R-1", "type": "request_answered", "at": "2026-02-02T10:00:00Z", "score": 7},
            {"item": "R-1", "type": "request_resolved", "at": "2026-02-03T10:00:00Z", "vip": True},
        ],
        name="events.ndjson",
    )
    log = read_events(path)
    assert log.events["type"].to_list() == [
        "request_opened",
        "request_answered",
        "request_resolved",
    ]
    assert log.events["at"].to_list()[0] == us("2026-02-02T09:00:00+00:00")
    assert log.items.to_dicts() == [{"item": "R-1", "kind": "request", "score": "7", "vip": "true"}]


def test_the_format_of_another_extension_is_sniffed(tmp_path: Path) -> None:
    as_json = write(
        tmp_path, "export.txt", '{"item": "A", "type": "up", "at": "2026-01-01T00:00:00Z"}\n'
    )
    as_csv = write(tmp_path, "export.dat", "item,type,at\nA,up,2026-01-01T00:00:00Z\n")
    assert read_events(as_json).events.equals(read_events(as_csv).events)


def test_a_semicolon_separated_export_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "excel.csv", "item;type;at;note\nA;up;2026-01-01T00:00:00Z;a, b\n")
    log = read_events(path)
    assert log.events.height == 1
    assert log.items["note"].to_list() == ["a, b"]


def test_header_names_are_matched_without_case_and_values_are_trimmed(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "Item, Type ,AT\n  L-1 ,  Qualified ,2026-01-01T00:00:00Z\n")
    log = read_events(path)
    assert log.events.rows() == [("L-1", "Qualified", us("2026-01-01T00:00:00+00:00"))]


def test_a_byte_order_mark_and_windows_line_ends_are_read(tmp_path: Path) -> None:
    text = "item,type,at\r\nA,up,2026-01-01T00:00:00Z\r\n\r\nB,up,soon\r\n"
    path = tmp_path / "e.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    log = read_events(path)
    assert log.events.rows() == [("A", "up", us("2026-01-01T00:00:00+00:00"))]
    assert [e.line for e in log.rejected] == [4]
    lines = b'{"item": "A", "type": "up", "at": "2026-01-01T00:00:00Z"}\r\n'
    (tmp_path / "e.jsonl").write_bytes(b"\xef\xbb\xbf" + lines)
    assert read_events(tmp_path / "e.jsonl").events.equals(log.events)


# --- instants --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-05T09:12:33Z", "2026-01-05T09:12:33+00:00"),
        ("2026-01-05T09:12:33z", "2026-01-05T09:12:33+00:00"),
        ("2026-01-05 09:12:33+01:00", "2026-01-05T08:12:33+00:00"),
        ("2026-01-05T09:12:33.123456+05:30", "2026-01-05T03:42:33.123456+00:00"),
        ("2026-01-05T09:12:33.5-03:00", "2026-01-05T12:12:33.500000+00:00"),
        ("2026-01-05T09:12:33.000001Z", "2026-01-05T09:12:33.000001+00:00"),
        ("2026-01-05T09:12:33+0100", "2026-01-05T08:12:33+00:00"),
        ("2026-01-05T09:12Z", "2026-01-05T09:12:00+00:00"),  # slow path: no seconds
        ("1970-01-01T01:00:00.000001+01:00", "1970-01-01T00:00:00.000001+00:00"),
        ("2199-12-31T23:59:59.999999-00:00", "2199-12-31T23:59:59.999999+00:00"),
    ],
)
def test_instants_keep_every_microsecond(tmp_path: Path, text: str, expected: str) -> None:
    log = read_events(write(tmp_path, "e.csv", f"item,type,at\nA,up,{text}\n"))
    assert log.rejected == ()
    assert log.events["at"].to_list() == [us(expected)]


def test_a_naive_instant_is_rejected_with_its_line_and_a_fix(tmp_path: Path) -> None:
    path = write(
        tmp_path, "e.csv", "item,type,at\nA,up,2026-01-05T09:00:00Z\nB,up,2026-01-05T09:00:00\n"
    )
    log = read_events(path)
    assert log.rejected == (
        RowError(
            line=3,
            field="at",
            reason="at '2026-01-05T09:00:00' has no UTC offset; add +01:00 or Z, "
            "or pass --timezone Europe/Berlin",
        ),
    )


def test_a_naive_instant_is_placed_in_the_given_zone(tmp_path: Path) -> None:
    text = (
        "item,type,at\n"
        "A,up,2026-01-05T09:00:00\n"
        "B,up,2026-07-05 09:00:00.25\n"
        "C,up,2026-01-05T09:00:00Z\n"
    )
    log = read_events(write(tmp_path, "e.csv", text), timezone="Europe/Berlin")
    assert log.rejected == ()
    assert log.events["at"].to_list() == [
        us("2026-01-05T09:00:00+01:00"),
        us("2026-07-05T09:00:00.250000+02:00"),
        us("2026-01-05T09:00:00+00:00"),  # an explicit offset wins over the zone
    ]


def test_a_time_in_the_dst_gap_moves_forward_and_an_ambiguous_one_takes_the_first(
    tmp_path: Path,
) -> None:
    text = "item,type,at\ngap,x,2026-03-29T02:30:00\nfold,x,2026-10-25T02:30:00\n"
    log = read_events(write(tmp_path, "e.csv", text), timezone="Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    assert dict(zip(log.events["item"], log.events["at"], strict=True)) == {
        "gap": us("2026-03-29T01:30:00+00:00"),  # = 03:30 CEST
        "fold": us("2026-10-25T00:30:00+00:00"),  # the first 02:30, still CEST
    }
    assert log.events["at"][0] == to_us(dt.datetime(2026, 10, 25, 2, 30, tzinfo=zone))


def test_an_unknown_timezone_is_a_file_level_error(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "item,type,at\nA,up,2026-01-05T09:00:00\n")
    with pytest.raises(EventFileError, match="Mars/Olympus"):
        read_events(path, timezone="Mars/Olympus")


offsets = st.sampled_from(["Z", "+00:00", "+01:00", "+02:00", "-05:00", "+05:45", "-0330", ""])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    moments=st.lists(
        st.tuples(
            st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)),
            offsets,
            st.sampled_from(["T", " "]),
            st.sampled_from(["seconds", "milliseconds", "microseconds", "auto"]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_fast_path_agrees_with_fromisoformat(tmp_path: Path, moments: list) -> None:
    zone = ZoneInfo("America/New_York")
    texts = [m.isoformat(sep=sep, timespec=spec) + offset for m, offset, sep, spec in moments]
    path = write(
        tmp_path, "e.csv", "item,type,at\n" + "".join(f"i{k},x,{t}\n" for k, t in enumerate(texts))
    )
    log = read_events(path, timezone="America/New_York")
    got = dict(zip(log.events["item"], log.events["at"], strict=True))
    refused = {error.line for error in log.rejected}
    for k, text in enumerate(texts):
        moment = dt.datetime.fromisoformat(text)
        expected = to_us(moment if moment.tzinfo else moment.replace(tzinfo=zone))
        if in_range(expected):
            assert got[f"i{k}"] == expected, text
        else:  # before 1970 or after 2200 in UTC: rejected with its line, whatever the path
            assert k + 2 in refused, text
    assert len(refused) == len(texts) - len(got)


# --- rejects ---------------------------------------------------------------------------------


def test_every_bad_csv_row_is_rejected_with_its_line_and_field() -> None:
    log = read_events(DATA / "bad.csv")
    assert [(e.line, e.field) for e in log.rejected] == [
        (3, "item"),
        (4, "type"),
        (5, "at"),
        (6, "at"),
        (7, "at"),
        (8, None),
        (13, "at"),  # after a blank line and a value with a newline (lines 11-12)
    ]
    reasons = [e.reason for e in log.rejected]
    assert reasons[0].startswith("item is empty")
    assert reasons[1].startswith("type is empty")
    assert reasons[2].startswith("at is empty")
    assert "not an ISO 8601 instant" in reasons[3]
    assert "has no UTC offset" in reasons[4]
    assert reasons[5].startswith("more fields than the 4 columns of the header")
    assert "'yesterday'" in reasons[6]
    assert log.events["item"].to_list() == ["A", "B", "C"]
    assert log.items.filter(pl.col("item") == "C")["note"].item() == "two\nlines"
    assert_invariant(log)


def test_bad_json_lines_are_rejected_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.jsonl",
        '{"item": "A", "type": "up", "at": "2026-01-01T00:00:00Z"}\n'
        '{"item": "B", "type": "up", \n'
        "\n"
        '["B", "up"]\n'
        '{"item": "C", "type": "up", "at": 1767225600}\n'
        '{"item": "D", "type": "up", "at": "2026-01-01T00:00:00Z", "nested": {"a": [1]}}\n'
        '{"type": "up", "at": "2026-01-01T00:00:00Z"}\n',
    )
    log = read_events(path)
    assert [(e.line, e.field) for e in log.rejected] == [
        (2, None),
        (4, None),
        (5, "at"),
        (7, "item"),
    ]
    assert log.rejected[0].reason.startswith("not valid JSON")
    assert log.rejected[1].reason.startswith("a JSON list, not an object")
    assert log.events["item"].to_list() == ["A", "D"]
    assert log.items.filter(pl.col("item") == "D")["nested"].item() == '{"a": [1]}'
    assert log.rows_read == 6  # the blank line is not a row
    assert_invariant(log)


def nested_line(item: str, levels: int) -> str:
    """An event line whose attribute `x` brings the line to `levels` levels of nesting."""
    inner = levels - 1  # the line's own object is the first level
    return json.dumps({"item": item, "type": "up", "at": "2026-01-01T00:00:00Z"})[:-1] + (
        ', "x": ' + "[" * inner + "]" * inner + "}\n"
    )


@pytest.mark.parametrize("levels", [MAX_NESTING + 1, 100_000])
def test_a_line_nested_deeper_than_the_limit_is_a_rejected_row_naming_it(
    tmp_path: Path, levels: int
) -> None:
    path = write(tmp_path, "e.jsonl", nested_line("A", 2) + nested_line("B", levels))
    log = read_events(path)
    assert [(e.line, e.field) for e in log.rejected] == [(2, None)]
    assert f"nested deeper than {MAX_NESTING} levels" in log.rejected[0].reason
    assert log.events["item"].to_list() == ["A"]
    assert_invariant(log)


def test_a_line_nested_up_to_the_limit_is_read_with_the_nested_value_as_text(
    tmp_path: Path,
) -> None:
    log = read_events(write(tmp_path, "e.jsonl", nested_line("A", MAX_NESTING)))
    assert log.rejected == ()
    assert log.items["x"].item().startswith("[[")


def test_exact_duplicates_count_once(tmp_path: Path) -> None:
    text = (
        "item,type,at\n"
        "A,up,2026-01-01T00:00:00Z\n"
        "A,up,2026-01-01T01:00:00+01:00\n"  # the same instant, written differently
        "A,up,2026-01-01T00:00:01Z\n"
        "A,down,2026-01-01T00:00:00Z\n"
    )
    log = read_events(write(tmp_path, "e.csv", text))
    assert log.duplicates == 1
    assert log.events.height == 3
    assert_invariant(log)


def test_the_latest_non_empty_attribute_wins_and_ties_go_to_the_later_row(tmp_path: Path) -> None:
    text = (
        "item,type,at,kind,source,owner\n"
        "A,b,2026-01-02T00:00:00Z,,web,ann\n"
        "A,c,2026-01-03T00:00:00Z,lead,,\n"  # empty values do not erase
        "A,a,2026-01-01T00:00:00Z,request,ads,bob\n"  # earlier in time, later in the file
        "A,d,2026-01-02T00:00:00Z,,,cid\n"  # same instant as line 2: the later row wins
    )
    log = read_events(write(tmp_path, "e.csv", text))
    assert log.items.rows() == [("A", "lead", "web", "cid")]


# --- file-level errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("e.csv", "item,at\nA,2026-01-01T00:00:00Z\n", "the required column 'type' is missing"),
        ("e.jsonl", '{"item": "A", "type": "up"}\n', "the required column 'at' is missing"),
        ("e.csv", "", "the file is empty"),
        ("e.csv", "\n  \n", "the file is empty"),
        ("e.csv", "item,type,at,type\n", "'type' appears twice"),
        ("e.json", '[{"item": "A"}]', "JSON array is not supported"),
    ],
)
def test_file_level_problems_name_the_file_and_the_fix(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(EventFileError, match=message) as raised:
        read_events(path)
    assert str(path) in str(raised.value)


def test_a_binary_or_missing_file_is_a_file_level_error(tmp_path: Path) -> None:
    binary = tmp_path / "e.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(EventFileError, match="export the events as CSV"):
        read_events(binary)
    with pytest.raises(EventFileError, match="cannot read"):
        read_events(tmp_path / "missing.csv")


def test_a_header_only_file_is_an_empty_log(tmp_path: Path) -> None:
    log = read_events(write(tmp_path, "e.csv", "item,type,at,kind\n"))
    assert (log.rows_read, log.events.height, log.items.columns) == (0, 0, ["item", "kind"])


# --- the invariant on random files -----------------------------------------------------------

good_at = st.sampled_from(
    ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", "2026-02-01 00:00:00.5Z"]
)
bad_at = st.sampled_from(
    ["", "soon", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T25:00Z"]
)
rows = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["A", "B", " C ", ""]), st.sampled_from(["up", "down", " "]), good_at
        ),
        st.tuples(st.sampled_from(["A", "B"]), st.just("up"), bad_at),
        st.just(("A", "up", "2026-01-01T00:00:00Z", "extra")),
    ),
    max_size=25,
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=rows, as_json=st.booleans())
def test_every_row_is_kept_counted_as_duplicate_or_rejected(
    tmp_path: Path, rows: list[tuple[str, ...]], as_json: bool
) -> None:
    if as_json:
        lines = [json.dumps(dict(zip(["item", "type", "at", "x"], r, strict=False))) for r in rows]
        path = write(
            tmp_path,
            "r.jsonl",
            "".join(
                f"{line}\n"
                for line in ['{"item": "Z", "type": "t", "at": "2026-01-01T00:00:00Z"}', *lines]
            ),
        )
    else:
        path = write(
            tmp_path, "r.csv", "item,type,at\n" + "".join(",".join(r) + "\n" for r in rows)
        )
    log = read_events(path)
    assert_invariant(log)
    assert log.rows_read == len(rows) + as_json
    assert all(line >= 2 for line in (e.line for e in log.rejected))
    if not as_json:
        lines = path.read_text().splitlines()
        for error in log.rejected:  # the line named is the row that is wrong
            row = lines[error.line - 1].split(",")
            bad = (
                len(row) != 3
                or not row[0].strip()
                or not row[1].strip()
                or row[2]
                not in {
                    "2026-01-01T00:00:00Z",
                    "2026-01-01T01:00:00+01:00",
                    "2026-02-01 00:00:00.5Z",
                }
            )
            assert bad, (error, row)
    assert log.events.select(pl.struct("item", "type", "at").is_unique().all()).item()
    assert log.events.equals(log.events.sort("item", "at", "type"))


# --- bounds and history (issue 10) -------------------------------------------------------------


def test_an_instant_that_leaves_the_range_after_its_offset_is_rejected_with_its_line(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "e.csv",
        "item,type,at\nA,up,2026-01-05T09:00:00Z\nB,up,9999-12-31T23:59:59-01:00\n"
        "C,up,2200-01-01T23:30:00-01:00\n",
    )
    log = read_events(path)
    assert [(e.line, e.field) for e in log.rejected] == [(3, "at"), (4, "at")]
    assert "1970-01-01T00:00:00Z to 2200-01-02T00:00:00Z" in log.rejected[0].reason
    assert log.events["item"].to_list() == ["A"]


def test_a_file_with_more_columns_than_allowed_is_refused_naming_the_setting(
    tmp_path: Path,
) -> None:
    header = "item,type,at," + ",".join(f"c{n}" for n in range(3_000))
    path = write(tmp_path, "wide.csv", header + "\nA,up,2026-01-05T09:00:00Z\n")
    with pytest.raises(EventFileError, match="SLAWATCH_MAX_IMPORT_COLUMNS"):
        read_events(path)


def test_a_column_name_longer_than_an_attribute_name_may_be_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", f"item,type,at,{'n' * 101}\nA,up,2026-01-05T09:00:00Z,x\n")
    with pytest.raises(EventFileError, match="SLAWATCH_MAX_ATTRIBUTE_NAME"):
        read_events(path)


def test_rows_with_too_long_a_value_or_too_many_attributes_are_rejected_with_their_line(
    tmp_path: Path,
) -> None:
    limits = AttributeLimits(per_event=2, value=10)
    rows = [
        {"item": "A", "type": "up", "at": "2026-01-05T09:00:00Z", "a": "short"},
        {"item": "B", "type": "up", "at": "2026-01-05T09:00:00Z", "a": "x" * 11},
        {"item": "C", "type": "up", "at": "2026-01-05T09:00:00Z", "a": "1", "b": "2", "c": "3"},
    ]
    log = read_events(jsonl(tmp_path, rows), limits=limits)
    assert [(e.line, e.field) for e in log.rejected] == [(2, "a"), (3, None)]
    assert "SLAWATCH_MAX_ATTRIBUTE_VALUE" in log.rejected[0].reason
    assert log.rejected[1].reason.startswith("3 attributes; at most 2 per event")
    assert log.events["item"].to_list() == ["A"]


def test_an_item_relabelled_later_keeps_its_earlier_label_as_of_an_earlier_instant(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "e.csv",
        "item,type,at,kind,stage\n"
        "A,created,2026-01-05T09:00:00Z,lead,new\n"
        "A,won,2026-01-09T09:00:00Z,,customer\n"
        "B,created,2026-01-05T09:00:00Z,lead,new\n",
    )
    table = read_events(path).table()
    earlier = table.until(us("2026-01-06T00:00:00Z")).items
    assert dict(earlier.select("item", "stage").iter_rows()) == {"A": "new", "B": "new"}
    later = table.until(us("2026-01-10T00:00:00Z")).items
    assert dict(later.select("item", "stage").iter_rows()) == {"A": "customer", "B": "new"}
