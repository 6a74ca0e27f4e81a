"""Mappings: CRM exports and event files become events, every row accounted for once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slawatch.engine.instants import to_us
from slawatch.ingest.files import read_events
from slawatch.ingest.mappings import (
    LINE,
    ImportFileError,
    Mapped,
    MappingName,
    TimezoneNeededError,
    map_rows,
    read_rows,
)

ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


def us(text: str) -> int:
    return to_us(dt.datetime.fromisoformat(text))


def write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mapped(
    tmp_path: Path,
    mapping: MappingName,
    text: str,
    *,
    zone: ZoneInfo | None = None,
    date_zone: ZoneInfo = UTC,
    name: str = "export.csv",
) -> Mapped:
    rows = read_rows(write(tmp_path, text, name))
    result = map_rows(mapping, rows.frame, zone=zone, date_zone=date_zone)
    assert_every_row_once(rows.frame, result)
    return result


def assert_every_row_once(frame: pl.DataFrame, result: Mapped) -> None:
    events = set(result.events[LINE].to_list())
    rejected = set(result.rejected[LINE].to_list())
    assert not events & rejected
    assert events | rejected == set(frame[LINE].to_list())


def events_of(result: Mapped, item: str) -> dict[str, int]:
    rows = result.events.filter(pl.col("item") == item)
    return dict(zip(rows["type"].to_list(), rows["at"].to_list(), strict=True))


def reasons(result: Mapped) -> dict[int, str]:
    return dict(
        zip(result.rejected[LINE].to_list(), result.rejected["reason"].to_list(), strict=True)
    )


LABELS = (
    "Record ID,Create Date,Became a Marketing Qualified Lead Date,Owner assigned date,"
    "Date of first engagement,Became a Sales Qualified Lead Date,Became a Customer Date,"
    "Lifecycle Stage,Lead Status,Original Source\n"
    "101,2026-10-05 09:30,2026-10-05 10:00,2026-10-05 10:05,2026-10-06 08:00,2026-10-08 12:00,"
    "2026-11-02 15:00,customer,CONNECTED,ORGANIC_SEARCH\n"
)
INTERNAL = (
    "hs_object_id,createdate,hs_lifecyclestage_marketingqualifiedlead_date,"
    "hubspot_owner_assigneddate,hs_sa_first_engagement_date,"
    "hs_lifecyclestage_salesqualifiedlead_date,hs_lifecyclestage_customer_date,lifecyclestage,"
    "hs_lead_status,hs_analytics_source\n"
    "101,2026-10-05 09:30,2026-10-05 10:00,2026-10-05 10:05,2026-10-06 08:00,2026-10-08 12:00,"
    "2026-11-02 15:00,customer,CONNECTED,ORGANIC_SEARCH\n"
)
EXPECTED = {
    "created": us("2026-10-05T09:30:00+02:00"),
    "qualified": us("2026-10-05T10:00:00+02:00"),
    "handed_over": us("2026-10-05T10:05:00+02:00"),
    "contacted": us("2026-10-06T08:00:00+02:00"),
    "accepted": us("2026-10-08T12:00:00+02:00"),
    "converted": us("2026-11-02T15:00:00+01:00"),
}


# --- hubspot ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [LABELS, INTERNAL, LABELS.upper().replace("\n101", "\n101")])
def test_hubspot_labels_and_internal_names_give_the_same_events(tmp_path: Path, text: str):
    result = mapped(tmp_path, MappingName.HUBSPOT, text, zone=BERLIN)
    assert events_of(result, "101") == EXPECTED


def test_hubspot_stage_status_and_source_become_attributes_of_a_lead(tmp_path: Path):
    result = mapped(tmp_path, MappingName.HUBSPOT, LABELS, zone=BERLIN)
    assert set(result.attributes) == {"lifecycle_stage", "lead_status", "source"}
    first = result.events.row(0, named=True)
    assert first["kind"] == "lead"
    assert (first["lifecycle_stage"], first["lead_status"], first["source"]) == (
        "customer",
        "CONNECTED",
        "ORGANIC_SEARCH",
    )


def test_hubspot_date_entered_mql_label_is_qualified(tmp_path: Path):
    text = (
        "Record ID,Create Date,Date entered 'Marketing Qualified Lead (Lifecycle Stage Pipeline)'\n"
        "7,2026-10-05T07:30:00Z,2026-10-05T08:00:00Z\n"
    )
    result = mapped(tmp_path, MappingName.HUBSPOT, text)
    assert events_of(result, "7") == {
        "created": us("2026-10-05T07:30:00+00:00"),
        "qualified": us("2026-10-05T08:00:00+00:00"),
    }


def test_hubspot_epoch_milliseconds_and_iso_offsets_need_no_timezone(tmp_path: Path):
    text = (
        "Record ID,createdate,hs_v2_date_entered_marketingqualifiedlead\n"
        "8,1759656600000,2025-10-05T11:30:00+02:00\n"
    )
    result = mapped(tmp_path, MappingName.HUBSPOT, text)
    assert events_of(result, "8") == {
        "created": 1_759_656_600_000_000,
        "qualified": us("2025-10-05T11:30:00+02:00"),
    }


def test_hubspot_local_times_without_timezone_are_refused_naming_the_fix(tmp_path: Path):
    with pytest.raises(
        TimezoneNeededError, match=r"Create Date holds '2026-10-05 09:30'.*--timezone"
    ):
        mapped(tmp_path, MappingName.HUBSPOT, LABELS)


def test_hubspot_contacted_is_the_earlier_of_engagement_and_outreach(tmp_path: Path):
    text = (
        "Record ID,Create Date,Date of first engagement,First outreach date\n"
        "1,2026-10-05T08:00:00Z,2026-10-06T08:00:00Z,2026-10-05T16:00:00Z\n"
        "2,2026-10-05T08:00:00Z,2026-10-06T08:00:00Z,\n"
    )
    result = mapped(tmp_path, MappingName.HUBSPOT, text)
    assert events_of(result, "1")["contacted"] == us("2026-10-05T16:00:00+00:00")
    assert events_of(result, "2")["contacted"] == us("2026-10-06T08:00:00+00:00")


def test_hubspot_rows_without_id_or_dates_or_with_a_bad_date_are_rejected_with_the_column(
    tmp_path: Path,
):
    text = (
        "Record ID,Create Date,Owner assigned date\n"
        "1,2026-10-05T08:00:00Z,\n"
        ",2026-10-05T08:00:00Z,\n"
        "3,,\n"
        "4,2026-10-05T08:00:00Z,soon\n"
        "5,12345,\n"
    )
    result = mapped(tmp_path, MappingName.HUBSPOT, text)
    why = reasons(result)
    assert set(why) == {3, 4, 5, 6}
    assert why[3].startswith("Record ID is empty")
    assert why[4].startswith("no date in any event column (Create Date, Owner assigned date)")
    assert why[5] == (
        "Owner assigned date: 'soon' is not a date and time; "
        "write it like 2026-10-05T09:30:00+02:00"
    )
    assert "epoch milliseconds have 12 to 15 digits" in why[6]


def test_hubspot_export_without_an_id_column_is_refused(tmp_path: Path):
    with pytest.raises(ImportFileError, match="no 'Record ID'"):
        mapped(tmp_path, MappingName.HUBSPOT, "Email,Create Date\na@b.c,2026-10-05T08:00:00Z\n")


def test_hubspot_sample_file_maps_every_contact(tmp_path: Path):
    rows = read_rows(ROOT / "examples" / "hubspot-contacts.csv")
    result = map_rows(MappingName.HUBSPOT, rows.frame, zone=BERLIN, date_zone=UTC)
    assert_every_row_once(rows.frame, result)
    assert rows.count == 30 and result.rejected.height == 0
    assert result.events.filter(pl.col("type") == "created").height == 30
    # 2026-10-25 02:30 happens twice in Berlin: the first (summer time) occurrence is taken
    assert us("2026-10-25T02:30:00+02:00") in result.events["at"].to_list()


# --- salesforce ------------------------------------------------------------------------------

SALESFORCE = (
    "Id,Status,LeadSource,OwnerId,IsConverted,CreatedDate,ConvertedDate,FirstCallDateTime,"
    "FirstEmailDateTime\n"
    "00Q1,Closed - Converted,Web,0051,true,2026-10-05T07:30:00.000+0000,2026-10-20,"
    "2026-10-05T12:00:00.000+0000,2026-10-05T09:00:00.000+0000\n"
    "00Q2,Open - Not Contacted,Partner,0052,false,2026-10-06T07:30:00.000Z,,,\n"
)


def test_salesforce_maps_created_contacted_converted_and_attributes(tmp_path: Path):
    result = mapped(tmp_path, MappingName.SALESFORCE, SALESFORCE)
    assert events_of(result, "00Q1") == {
        "created": us("2026-10-05T07:30:00+00:00"),
        "contacted": us("2026-10-05T09:00:00+00:00"),  # the email came before the call
        "converted": us("2026-10-20T00:00:00+00:00"),
    }
    assert events_of(result, "00Q2") == {"created": us("2026-10-06T07:30:00+00:00")}
    first = result.events.row(0, named=True)
    assert (first["kind"], first["status"], first["source"], first["owner"]) == (
        "lead",
        "Closed - Converted",
        "Web",
        "0051",
    )
    assert first["is_converted"] == "true"


def test_salesforce_converted_date_is_placed_at_midnight_of_the_date_zone(tmp_path: Path):
    result = mapped(tmp_path, MappingName.SALESFORCE, SALESFORCE, date_zone=BERLIN)
    assert events_of(result, "00Q1")["converted"] == us("2026-10-20T00:00:00+02:00")


def test_salesforce_converted_date_with_a_time_is_taken_as_written(tmp_path: Path):
    text = SALESFORCE.replace(",2026-10-20,", ",2026-10-20T15:45:00Z,")
    result = mapped(tmp_path, MappingName.SALESFORCE, text, date_zone=BERLIN)
    assert events_of(result, "00Q1")["converted"] == us("2026-10-20T15:45:00+00:00")


def test_salesforce_bare_dates_do_not_need_a_timezone_but_local_times_do(tmp_path: Path):
    text = SALESFORCE.replace("2026-10-06T07:30:00.000Z", "2026-10-06 09:30:00")
    with pytest.raises(TimezoneNeededError, match="CreatedDate holds '2026-10-06 09:30:00'"):
        mapped(tmp_path, MappingName.SALESFORCE, text)
    result = mapped(tmp_path, MappingName.SALESFORCE, text, zone=BERLIN)
    assert events_of(result, "00Q2") == {"created": us("2026-10-06T09:30:00+02:00")}


def test_salesforce_field_names_match_in_any_case(tmp_path: Path):
    result = mapped(
        tmp_path, MappingName.SALESFORCE, SALESFORCE.replace("CreatedDate", "createddate")
    )
    assert "created" in events_of(result, "00Q2")


def test_salesforce_sample_file_maps_every_lead():
    rows = read_rows(ROOT / "examples" / "salesforce-leads.csv")
    result = map_rows(MappingName.SALESFORCE, rows.frame, zone=None, date_zone=BERLIN)
    assert_every_row_once(rows.frame, result)
    assert rows.count == 30 and result.rejected.height == 0
    converted = result.events.filter(pl.col("type") == "converted")
    assert converted.height == (rows.frame["IsConverted"] == "true").sum()


# --- generic ---------------------------------------------------------------------------------


def test_generic_gives_the_same_events_as_the_event_file_reader():
    path = ROOT / "examples" / "marketing-sales-events.csv"
    rows = read_rows(path)
    result = map_rows(MappingName.GENERIC, rows.frame, zone=None, date_zone=UTC)
    assert_every_row_once(rows.frame, result)
    log = read_events(path)
    ours = result.events.select("item", "type", "at").unique().sort("item", "at", "type")
    assert ours.equals(log.events)


def test_generic_rejects_rows_naming_the_field_and_keeps_attributes(tmp_path: Path):
    text = (
        "Item,TYPE,at,kind,region\n"
        "L-1,qualified,2026-10-05T09:30:00+02:00,lead,south\n"
        "L-2,,2026-10-05T09:30:00+02:00,lead,\n"
        "L-3,qualified,2026-10-05 09:30,lead,\n"
        "L-4,qualified,,lead,\n"
    )
    result = mapped(tmp_path, MappingName.GENERIC, text)
    assert result.attributes == ("region",)
    assert result.events.select("item", "type", "kind", "region").row(0) == (
        "L-1",
        "qualified",
        "lead",
        "south",
    )
    why = reasons(result)
    assert why[3].startswith("type is empty")
    assert why[4] == (
        "at '2026-10-05 09:30' has no UTC offset; add one like +02:00 or Z, or pass --timezone"
    )
    assert why[5].startswith("at is empty")


def test_generic_without_the_required_columns_suggests_a_crm_mapping(tmp_path: Path):
    with pytest.raises(ImportFileError, match=r"'type' is missing.*choose the mapping"):
        mapped(tmp_path, MappingName.GENERIC, "item,at\nL-1,2026-10-05T09:30:00Z\n")


# --- reading rows ----------------------------------------------------------------------------


def test_rows_keep_their_line_numbers_across_quoted_line_breaks_and_blank_lines(tmp_path: Path):
    path = write(tmp_path, 'a;b\n1;"two\nlines"\n\n3;x\n4;y;z\n')
    rows = read_rows(path)
    assert rows.frame[LINE].to_list() == [2, 5]
    assert rows.frame["b"].to_list() == ["two\nlines", "x"]
    assert [(row.line, row.fields) for row in rows.broken] == [(6, ("4", "y", "z"))]
    assert rows.count == 3


def test_rows_from_json_lines_with_a_broken_line(tmp_path: Path):
    text = '{"item": "L-1", "n": 3, "ok": true}\nnot json\n{"item": "L-2"}\n'
    rows = read_rows(write(tmp_path, text, "events.jsonl"))
    assert rows.frame.select(LINE, "item", "n", "ok").rows() == [
        (1, "L-1", "3", "true"),
        (3, "L-2", None, None),
    ]
    assert rows.broken[0].line == 2 and "not valid JSON" in rows.broken[0].reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Record ID,Name\n1,M\xfcller\n", "not UTF-8"),
        (b"PK\x03\x04binary", "not a text file"),
        (b"a,b\n1,\x002\n", "not a text file"),
        (b"\n\n", "the file is empty"),
        (b"a,a\n1,2\n", "'a' appears twice"),
    ],
)
def test_unreadable_files_are_refused_with_the_fix(tmp_path: Path, data: bytes, message: str):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFileError, match=message):
        read_rows(path)


def test_a_byte_order_mark_and_windows_line_ends_are_fine(tmp_path: Path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfRecord ID,Create Date\r\n1,2026-10-05T08:00:00Z\r\n")
    rows = read_rows(path)
    assert rows.columns == ("Record ID", "Create Date")
    assert rows.frame["Create Date"].to_list() == ["2026-10-05T08:00:00Z"]


# --- edges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "header"),
    [
        (MappingName.GENERIC, "item,type,at\n"),
        (MappingName.HUBSPOT, "Record ID,Create Date\n"),
        (MappingName.SALESFORCE, "Id,CreatedDate,ConvertedDate\n"),
    ],
)
def test_a_header_without_rows_maps_to_nothing(tmp_path: Path, mapping: MappingName, header: str):
    result = mapped(tmp_path, mapping, header)
    assert result.events.height == result.rejected.height == 0


def test_numbers_too_long_for_epoch_milliseconds_are_rejected(tmp_path: Path):
    text = "Record ID,Create Date\n1,99999999999999999999\n"
    assert "is a number" in reasons(mapped(tmp_path, MappingName.HUBSPOT, text))[2]


def test_two_spellings_of_a_reserved_column_are_refused(tmp_path: Path):
    with pytest.raises(ImportFileError, match="'item' and 'Item' are both item"):
        mapped(tmp_path, MappingName.GENERIC, "item,Item,type,at\n")


_CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "2026-10-05T07:30:00Z",
            "2026-10-05 09:30",
            "1759656600000",
            "2026-10-05",
            "soon",
            " ",
            "12345",
            "2026-02-30T00:00:00Z",
        ]
    ),
    st.text(max_size=12),
)


@given(st.lists(st.tuples(_CELLS, _CELLS, _CELLS, _CELLS), max_size=12))
@settings(max_examples=60, deadline=None)
def test_every_row_of_any_export_is_mapped_or_rejected_exactly_once(
    cells: list[tuple[str | None, ...]],
):
    columns = ["Record ID", "Create Date", "Owner assigned date", "Lead Status"]
    frame = pl.DataFrame(
        [pl.Series(LINE, range(2, len(cells) + 2), dtype=pl.Int64)]
        + [
            pl.Series(name, [row[index] for row in cells], dtype=pl.String)
            for index, name in enumerate(columns)
        ]
    )
    for mapping in MappingName:
        try:
            result = map_rows(mapping, frame, zone=BERLIN, date_zone=UTC)
        except ImportFileError:
            assert mapping is not MappingName.HUBSPOT  # the others lack their id column
            continue
        assert_every_row_once(frame, result)
        assert result.events["at"].dtype == pl.Int64


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b",,,\n , ,\n", "no header row"),
        (b'"' + b"x" * 200_000 + b'"\n', "cannot read the header"),
        (b'a,b\n1,"' + b"x" * 200_000 + b'"\n', "bad.csv:2: cannot read it as CSV"),
    ],
)
def test_csv_that_cannot_be_split_is_refused_with_the_line(
    tmp_path: Path, data: bytes, message: str
):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFileError, match=message):
        read_rows(path)


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path):
    rows = read_rows(write(tmp_path, "\n\nitem,type\n1,2\n"))
    assert rows.columns == ("item", "type") and rows.frame[LINE].to_list() == [4]


def test_an_import_line_nested_deeper_than_the_limit_is_a_broken_row_naming_it(tmp_path: Path):
    deep = "[" * 50_000 + "]" * 50_000
    text = '{"id": "1", "stage": "lead"}\n{"id": "2", "stage": ' + deep + "}\n"
    rows = read_rows(write(tmp_path, text, "export.jsonl"))
    assert rows.frame[LINE].to_list() == [1]
    [broken] = rows.broken
    assert broken.line == 2 and "nested deeper than 32 levels" in broken.reason
