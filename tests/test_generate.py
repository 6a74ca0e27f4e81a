"""Synthetic events: deterministic, well-formed, readable, and plausible against the objectives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from slawatch.agreement_files import load_agreement
from slawatch.agreements.model import Agreement
from slawatch.engine.kinds import kind_of
from slawatch.generate import generate_events, write_events
from slawatch.ingest.files import read_events

TEMPLATES = Path(__file__).parents[1] / "src/slawatch/agreements/templates"
HOUR = 3600 * 1_000_000


@pytest.fixture(scope="module")
def marketing() -> Agreement:
    return load_agreement(TEMPLATES / "marketing-sales.yaml")


@pytest.fixture(scope="module")
def leads(marketing: Agreement) -> pl.DataFrame:
    return generate_events(marketing, items=4000, months=12, seed=7)


def target(op: str, value: float, *, share: bool = True) -> dict[str, Any]:
    return {"op": op, "value": value, "share": share, "text": f"{op} {value}"}


def wall(seconds: int) -> dict[str, Any]:
    return {"unit": "wall", "amount": seconds, "text": f"{seconds}s"}


def unusual_agreement() -> Agreement:
    """Event names the generator has never heard of, a numeric filter and a named service."""
    objective = {"owner": "ops", "title": "t"}
    document: dict[str, Any] = (
        {
            "id": "unusual",
            "title": "Unusual",
            "timezone": "America/New_York",
            "effective": dt.date(2026, 3, 1),
            "parties": {"ops": {"id": "ops", "name": "Ops"}},
            "objectives": {
                "signups": {**objective, "id": "signups", "kind": "count", "count": "signed_up",
                            "target": target(">=", 10, share=False)},
                "fulfil": {**objective, "id": "fulfil", "kind": "clock",
                           "clock": {"start": "ordered", "stop": "shipped",
                                     "pause": "backorder", "resume": "restocked"},
                           "within": wall(72 * 3600), "target": target(">=", 0.9),
                           "where": [{"attribute": "kind", "equals": ["order"]},
                                     {"attribute": "basket", "compare": ">=", "number": 50}]},
                "returns": {**objective, "id": "returns", "kind": "ratio", "count": "returned",
                            "of": "shipped", "target": target("<=", 0.05)},
                "shop-up": {**objective, "id": "shop-up", "kind": "availability", "down": "outage",
                            "up": "recovered", "target": target(">=", 0.995),
                            "where": [{"attribute": "kind", "equals": ["service"]},
                                      {"attribute": "name", "equals": ["shop"]}]},
            },
        }
    )  # fmt: skip
    document["objectives"] = {
        name: kind_of(spec["kind"]).objective.model_validate(spec)
        for name, spec in document["objectives"].items()
    }
    return Agreement.model_validate(document)


def instants(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("at").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="us").dt.epoch("us")
    )


def first_times(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per item, one column per event type: its instant (µs), null when absent."""
    return instants(frame).pivot("type", index="item", values="at", aggregate_function="min")


def test_the_same_seed_gives_the_same_events(marketing: Agreement, leads: pl.DataFrame) -> None:
    again = generate_events(marketing, items=4000, months=12, seed=7)
    assert again.equals(leads)


def test_another_seed_gives_other_events(marketing: Agreement, leads: pl.DataFrame) -> None:
    other = generate_events(marketing, items=4000, months=12, seed=8)
    assert not other.equals(leads)


def test_columns_are_item_type_at_kind_then_attributes(leads: pl.DataFrame) -> None:
    assert leads.columns[:4] == ["item", "type", "at", "kind"]
    assert {"source", "region", "priority"} <= set(leads.columns[4:])
    assert all(dtype == pl.String for dtype in leads.dtypes)
    assert leads["at"].str.contains(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$").all()
    assert set(leads["kind"].drop_nulls()) == {"lead", "request"}
    assert leads["source"].null_count() > leads.height / 2  # attributes are mostly empty


def test_events_start_at_the_effective_date_and_span_the_months(leads: pl.DataFrame) -> None:
    at = instants(leads)["at"]
    start = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))).timestamp())
    end = int(dt.datetime(2027, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))).timestamp())
    assert start * 1_000_000 <= at.min()
    assert at.max() < end * 1_000_000
    assert at.is_sorted()


def test_events_of_an_item_come_in_a_sensible_order(leads: pl.DataFrame) -> None:
    times = first_times(leads)
    pairs = [
        ("created", "qualified"),
        ("qualified", "handed_over"),
        ("handed_over", "contacted"),
        ("handed_over", "on_hold"),
        ("on_hold", "off_hold"),
        ("handed_over", "accepted"),
        ("handed_over", "rejected"),
        ("accepted", "converted"),
        ("request_opened", "request_answered"),
        ("request_answered", "request_resolved"),
    ]
    for before, after in pairs:
        both = times.filter(pl.col(before).is_not_null() & pl.col(after).is_not_null())
        assert both.height > 0, (before, after)
        assert (both[before] <= both[after]).all(), (before, after)
    assert times.filter(
        pl.col("accepted").is_not_null() & pl.col("rejected").is_not_null()
    ).is_empty()
    assert leads.group_by("item", "type").len()["len"].max() == 1


def test_first_events_carry_the_kind(leads: pl.DataFrame) -> None:
    first = leads.group_by("item", maintain_order=True).first()
    assert first["kind"].null_count() == 0
    assert leads.filter(pl.col("kind").is_not_null()).height == first.height


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_written_events_read_back_without_a_reject(
    tmp_path: Path, leads: pl.DataFrame, suffix: str
) -> None:
    path = tmp_path / f"events{suffix}"
    write_events(leads, path)
    log = read_events(path)
    assert (log.rejected, log.duplicates, log.rows_read) == ((), 0, leads.height)
    assert log.items.height == leads["item"].n_unique()
    assert set(log.items["kind"]) == {"lead", "request"}


def test_an_unknown_extension_is_refused(tmp_path: Path, leads: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"\.csv"):
        write_events(leads, tmp_path / "events.xlsx")


def test_marketing_rates_are_plausible_against_the_targets(leads: pl.DataFrame) -> None:
    times = first_times(leads)
    handed = times.filter(pl.col("handed_over").is_not_null())
    monthly = (
        instants(leads.filter(pl.col("type") == "qualified"))
        .group_by((pl.col("at") // (30 * 24 * HOUR)).alias("month"))
        .len()["len"]
    )
    per_month_at_1000 = monthly.mean() / 4  # type: ignore[operator]
    assert 45 <= per_month_at_1000 <= 75  # the default scale straddles ">= 50"
    accepted = handed["accepted"].is_not_null().mean()
    rejected = handed["rejected"].is_not_null().mean()
    converted = handed["converted"].is_not_null().mean()
    assert 0.72 <= accepted <= 0.88  # type: ignore[operator]
    assert 0.04 <= rejected <= 0.12  # type: ignore[operator]
    assert 0.10 <= converted <= 0.22  # type: ignore[operator]
    contacted = handed.filter(pl.col("contacted").is_not_null())
    assert contacted.height > 0.9 * handed.height
    quick = (contacted["contacted"] - contacted["handed_over"]) <= 48 * HOUR
    assert 0.88 <= quick.mean() <= 0.995  # type: ignore[operator]
    opened = times.filter(pl.col("request_opened").is_not_null())
    answered = (opened["request_answered"] - opened["request_opened"]) <= 24 * HOUR
    assert answered.mean() >= 0.85  # type: ignore[operator]


def test_handovers_and_requests_happen_in_office_hours(leads: pl.DataFrame) -> None:
    local = leads.filter(pl.col("type").is_in(["handed_over", "request_opened"])).with_columns(
        pl.col("at").str.to_datetime("%Y-%m-%dT%H:%M:%S%:z").dt.convert_time_zone("Europe/Berlin")
    )["at"]
    assert (local.dt.weekday() <= 5).all()
    assert local.dt.hour().is_between(8, 16).all()


def test_any_agreement_gets_events_for_its_own_names(tmp_path: Path) -> None:
    agreement = unusual_agreement()
    frame = generate_events(agreement, items=2000, months=3, seed=1, start=dt.date(2026, 4, 1))
    assert {"signed_up", "ordered", "shipped", "returned", "backorder", "restocked", "outage",
            "recovered"} <= set(frame["type"])  # fmt: skip
    assert frame["at"].str.ends_with("-04:00").all()  # New York summer time
    items = read_events(_written(frame, tmp_path)).items
    orders = items.filter(pl.col("kind") == "order")
    big = orders["basket"].cast(pl.Float64) >= 50
    assert 0.75 <= big.mean() <= 0.95  # type: ignore[operator]
    services = items.filter(pl.col("kind") == "service")
    assert services.height >= 1
    assert (services["name"] == "shop").mean() >= 0.5  # type: ignore[operator]
    times = first_times(frame)
    shipped = times.filter(pl.col("shipped").is_not_null())
    assert (shipped["ordered"] < shipped["shipped"]).all()
    returned = shipped["returned"].is_not_null().mean()
    assert returned <= 0.08  # type: ignore[operator]


def test_outages_spend_about_the_downtime_budget(tmp_path: Path) -> None:
    frame = instants(generate_events(unusual_agreement(), items=50, months=120, seed=3))
    outages = frame.filter(pl.col("type").is_in(["outage", "recovered"])).sort("item", "at")
    assert (outages.group_by("item").agg(pl.col("type").first())["type"] == "outage").all()
    down = outages.filter(pl.col("type") == "outage")["at"].to_numpy()
    up = outages.filter(pl.col("type") == "recovered")["at"].to_numpy()
    services = outages["item"].n_unique()
    window = 120 * 30.4 * 24 * HOUR * services
    unavailable = (up - down[: len(up)]).sum() / window
    assert 0.0005 <= unavailable <= 0.005  # target >= 99.5 %: 0.5 % budget, about 60 % spent


def test_an_agreement_without_objectives_gives_no_events() -> None:
    agreement = unusual_agreement().model_copy(update={"objectives": {}})
    assert generate_events(agreement, items=10, months=1, seed=1).columns[:4] == [
        "item", "type", "at", "kind"
    ]  # fmt: skip


def _written(frame: pl.DataFrame, folder: Path) -> Path:
    path = folder / "events.csv"
    write_events(frame, path)
    return path
