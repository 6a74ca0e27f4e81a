"""Time generating, writing and reading a large synthetic event file.

    uv run --group bench python bench/bench_read.py                       # 1,000,000 items, CSV
    uv run --group bench python bench/bench_read.py --items 100000 --format jsonl

Reading is measured in a fresh process so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).parents[1] / "src/slawatch/agreements/templates/marketing-sales.yaml"


def generate(items: int, months: int, path: Path) -> None:
    from slawatch.agreement_files import load_agreement
    from slawatch.generate import generate_events, write_events

    agreement = load_agreement(TEMPLATE)
    started = time.perf_counter()
    frame = generate_events(agreement, items=items, months=months, seed=1)
    generated = time.perf_counter()
    write_events(frame, path)
    written = time.perf_counter()
    size = path.stat().st_size / 1e6
    print(f"generate  {items:,} items → {frame.height:,} events   {generated - started:.2f} s")
    print(f"write     {path.suffix[1:]} {size:,.0f} MB   {written - generated:.2f} s")


def read(path: Path) -> None:
    from slawatch.ingest.files import read_events

    started = time.perf_counter()
    log = read_events(path)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KB on Linux → GB
    print(
        f"read      {log.rows_read:,} rows, {log.items.height:,} items, "
        f"{len(log.rejected)} rejected   {elapsed:.2f} s   peak {peak:.2f} GB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--repeat", type=int, default=2, help="reads (the first warms the cache)")
    parser.add_argument("--read-only", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.read_only:
        read(arguments.read_only)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events.{arguments.format}"
        generate(arguments.items, arguments.months, path)
        for _ in range(arguments.repeat):
            subprocess.run([sys.executable, __file__, "--read-only", str(path)], check=True)


if __name__ == "__main__":
    main()
