"""The shell's one reader of the wall clock, as int64 µs like every stored instant."""

from __future__ import annotations

import time


def now_us() -> int:
    return time.time_ns() // 1000
