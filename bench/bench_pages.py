"""Server time of the dashboard pages with 1,000,000 leads in the store, on SQLite and PostgreSQL.

Usage:
    uv run --group bench python bench/bench_pages.py [--backend sqlite|postgresql|both] \
        [--requests 50]

Loads the generated marketing-sales file (1,125,000 items: 1,000,000 leads and 125,000
requests, 12 months, seed 42; bench/bench_evaluate.py makes it) into a fresh store in bulk,
brings the stored results and item clocks up to date once (as the background evaluator
would), then asks for each page `--requests` times after a few warm-up requests:
- the overview (/): every scorecard and the at-risk queue;
- the agreement page (/agreements/marketing-sales);
- an objective page (/agreements/marketing-sales/objectives/speed-to-lead): its periods and
  the first page of its items;
- an item page (/items/default/L-…): a different lead each time, its clocks computed on the
  request with their segments;
- the breakdown of speed-to-lead on its objective page (November by owner, by team, by region
  sorted by p90) and the conversion ratio's (by region), and the breakdown and late-now API:
  each view's figures are kept per period until the evaluator next writes clocks, so after the
  warm-up these are the pages a manager re-reads;
- the breakdown on a first look: every request another grouping and period (by owner, team,
  region, source × the twelve months), so each one reads a period's figures from the store
  (clocks: stored by the evaluator beside the clocks) or a ratio's items (conversion).
Leads get an `owner` (40 sales reps, one every 40 leads) and the reps a directory entry with
their team (two are missing and one has no team), so grouping by owner and team has work.
Server time is the time around each request of an in-process client (Starlette's TestClient,
the app built by `create_app` as `slawatch serve` builds it, without the background
evaluator): routing, the database, rendering; no network, no browser. p50 and p95 per page;
the target is p95 ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_evaluate import generate  # noqa: E402
from bench.bench_recompute import bulk_load, fresh_database  # noqa: E402

from slawatch.config import Settings  # noqa: E402
from slawatch.engine.instants import to_us  # noqa: E402
from slawatch.evaluation.cache import EventCache  # noqa: E402
from slawatch.evaluation.service import Recomputer  # noqa: E402
from slawatch.ingest.files import read_events  # noqa: E402
from slawatch.store.agreements import save_version  # noqa: E402
from slawatch.store.db import transaction  # noqa: E402
from slawatch.store.directory import Person, put_people  # noqa: E402
from slawatch.store.tokens import create_token  # noqa: E402
from slawatch.web.app import create_app  # noqa: E402

AGREEMENT = ROOT / "examples" / "marketing-sales.yaml"
AS_OF = to_us(dt.datetime(2027, 1, 1, tzinfo=ZoneInfo("Europe/Berlin")))  # after all 12 months
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
WARM_UP = 3
PAGE_MODULES = ("home", "agreements", "objectives", "items")


def app_with_pages(engine: Engine) -> FastAPI:
    """Build the app; include a page router the app does not serve yet (a fresh checkout)."""
    app = create_app(Settings(demo=True), engine)
    served = {getattr(route, "path", None) for route in app.routes}
    for name in PAGE_MODULES:
        router = importlib.import_module(f"slawatch.web.pages.{name}").router
        if not any(getattr(route, "path", None) in served for route in router.routes):
            app.include_router(router)
    return app


REPS = 40
SPEED = "/agreements/marketing-sales/objectives/speed-to-lead"
API = "/api/v1/agreements/marketing-sales/objectives"
MONTHS = [f"2026-{month:02d}" for month in range(12, 0, -1)]


def add_owners(engine: Engine) -> None:
    """Give every lead one of REPS owners, and the directory the reps (two left out)."""
    owner = f"'rep-' || (id % {REPS})"
    if engine.dialect.name == "postgresql":
        owner = f"'rep-' || mod(id, {REPS})"  # psycopg reads % as a placeholder
        update = (
            "UPDATE items SET attributes = jsonb_set(attributes::jsonb, '{owner}', "
            f"jsonb_build_array({owner}, 0))::json WHERE kind = 'lead'"
        )
    else:
        update = (
            "UPDATE items SET attributes = "
            f"json_set(attributes, '$.owner', json_array({owner}, 0)) WHERE kind = 'lead'"
        )
    people = [
        Person(f"rep-{n}", f"Sales rep {n}", team=None if n == 37 else f"Team {n % 4 + 1}")
        for n in range(REPS - 2)
    ]
    with transaction(engine) as connection:
        connection.exec_driver_sql(update)
        put_people(connection, people, author="bench")


def record_attribute_history(engine: Engine) -> None:
    """Give the bulk-loaded items their attribute history, as ingestion writes it.

    The bulk load writes `items` only; a store filled through `POST /api/v1/events` or
    imports also has each attribute's history (`item_attributes`), which breakdowns read. The
    migration that introduced the history fills it the same way from the items' values.
    """
    path = ROOT / "src/slawatch/store/migrations/versions/0005_item_attributes.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with engine.begin() as connection:
        migration.backfill(connection)


def breakdown_pages(requests: int) -> dict[str, list[str]]:
    """Return the breakdown views: the ones re-read (kept), and first looks (read each time)."""
    november = f"{SPEED}?period=2026-11"
    views = [
        f"{november}&by=owner",
        f"{november}&by=team",
        f"{november}&by=region&sort=p90&order=desc",
    ]
    first_looks = [
        f"{SPEED}?period={month}&by={by}"
        for by in ("owner", "team", "region", "source")
        for month in MONTHS
    ]
    conversion = "/agreements/marketing-sales/objectives/conversion"
    ratio_first_looks = [
        f"{conversion}?period={month}&by={by}"
        for by in ("owner", "region", "source", "team")
        for month in MONTHS
    ]
    return {
        "breakdown": [views[n % len(views)] for n in range(requests)],
        "breakdown ratio": [
            "/agreements/marketing-sales/objectives/conversion?period=2026-11&by=region"
        ]
        * requests,
        "breakdown api": [f"{API}/speed-to-lead/breakdown?period=2026-11&by=owner"] * requests,
        "late now api": [f"{API}/speed-to-lead/late"] * requests,
        "breakdown first look": first_looks[: requests + WARM_UP],
        "breakdown ratio first look": ratio_first_looks[: requests + WARM_UP],
    }


def timed(client: TestClient, paths: list[str], *, fresh: bool = False) -> list[float]:
    """Return the milliseconds each request took; every answer must be 200.

    `fresh`: the warm-up paths are not timed again, so every timed path is asked first.
    """
    for path in paths[:WARM_UP]:
        assert client.get(path).status_code == 200, path
    seconds = []
    for path in paths[WARM_UP:] if fresh else paths:
        started = time.perf_counter()
        answer = client.get(path)
        seconds.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    return seconds


def figures(milliseconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(milliseconds, 50)), 1),
        "p95_ms": round(float(np.percentile(milliseconds, 95)), 1),
        "max_ms": round(max(milliseconds), 1),
        "mean_ms": round(statistics.fmean(milliseconds), 1),
    }


def run(backend: str, events: Path, requests: int) -> dict[str, object]:
    log = read_events(events)
    engine = fresh_database(backend, "pages")
    with transaction(engine) as connection:
        save_version(connection, AGREEMENT.read_text(), author="bench", reason="bench")
        token = create_token(connection, name="bench", scope="read", created_by="bench")
    started = time.perf_counter()
    bulk_load(engine, log, 0)
    add_owners(engine)
    record_attribute_history(engine)
    print(f"{backend}: bulk load {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    Recomputer(engine, "bench", EventCache()).refresh(as_of=AS_OF)
    print(f"{backend}: stored results and item clocks {time.perf_counter() - started:.1f} s")
    leads = (
        log.items.filter(log.items.get_column("kind") == "lead")
        .get_column("item")
        .sample(requests + WARM_UP, seed=7)
        .to_list()
    )
    pages = {
        "overview": ["/"] * requests,
        "agreement": ["/agreements/marketing-sales"] * requests,
        "objective": ["/agreements/marketing-sales/objectives/speed-to-lead"] * requests,
        "item": [f"/items/default/{lead}" for lead in leads[WARM_UP:]],
        **breakdown_pages(requests),
    }
    result: dict[str, object] = {"backend": backend, "items": log.items.height}
    with TestClient(app_with_pages(engine)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for page, paths in pages.items():
            result[page] = figures(timed(client, paths, fresh=page.endswith("first look")))
            print(f"{backend}: {page} {result[page]}")
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--items", type=int, default=1_125_000)
    parser.add_argument("--requests", type=int, default=50)
    options = parser.parse_args()
    events = generate(options.items)
    backends = ["sqlite", "postgresql"] if options.backend == "both" else [options.backend]
    results = [run(backend, events, options.requests) for backend in backends]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
