"""End to end: `slawatch evaluate` of the marketing-sales agreement on 1,000,000 generated leads.

Usage: uv run --group bench python bench/bench_evaluate.py [--items 1000000] [--runs 3]

Generates the event file once (bench/out/), then measures
- the whole command with hyperfine (wall time) and /usr/bin/time -v (peak memory), and
- in process, the split between reading the file and computing the evaluation.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGREEMENT = ROOT / "examples" / "marketing-sales.yaml"
AS_OF = "2027-01-01T00:00:00+01:00"


def generate(items: int) -> Path:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"marketing-sales-{items}.csv"
    if not path.exists():
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "slawatch",
                "generate-events",
                str(AGREEMENT),
                "--items",
                str(items),
                "--months",
                "12",
                "--seed",
                "42",
                "-o",
                str(path),
            ],
            check=True,
        )
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def command(events: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "slawatch",
        "evaluate",
        str(AGREEMENT),
        "--events",
        str(events),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]


def peak_memory(events: Path) -> tuple[float, float]:
    """Return (wall seconds, peak RSS in MB) of one run under /usr/bin/time -v."""
    run = subprocess.run(
        ["/usr/bin/time", "-v", *command(events)], capture_output=True, text=True, check=True
    )
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", run.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    return hours * 3600 + minutes * 60 + seconds, rss / 1024


def split(events: Path) -> dict[str, float]:
    """Time reading and computing in this process."""
    import datetime as dt

    from slawatch.agreement_files import load_agreement
    from slawatch.engine.instants import to_us
    from slawatch.engine.objectives import evaluate
    from slawatch.ingest.files import read_events

    agreement = load_agreement(AGREEMENT)
    started = time.perf_counter()
    log = read_events(events)
    read = time.perf_counter() - started
    started = time.perf_counter()
    evaluate(agreement, log.table(), as_of=to_us(dt.datetime.fromisoformat(AS_OF)))
    compute = time.perf_counter() - started
    return {"rows": log.rows_read, "read": read, "compute": compute}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_125_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    events = generate(args.items)
    size = events.stat().st_size / 1e6
    figures = split(events)
    wall, rss = peak_memory(events)
    print(f"file: {events.name}, {figures['rows']:,} rows, {size:.0f} MB")
    print(f"in process: read {figures['read']:.2f} s, compute {figures['compute']:.2f} s")
    print(f"/usr/bin/time -v: wall {wall:.2f} s, peak RSS {rss:.0f} MB")
    if shutil.which("hyperfine"):
        report = ROOT / "bench" / "out" / "hyperfine-evaluate.json"
        subprocess.run(
            [
                "hyperfine",
                "--warmup",
                "1",
                "--runs",
                str(args.runs),
                "--export-json",
                str(report),
                " ".join(command(events)),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        result = json.loads(report.read_text())["results"][0]
        print(
            f"hyperfine: mean {result['mean']:.2f} s ± {result['stddev'] or 0:.2f} s "
            f"(min {result['min']:.2f} s, {args.runs} runs)"
        )


if __name__ == "__main__":
    main()
