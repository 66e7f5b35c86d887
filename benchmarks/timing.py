"""Median wall time of repeated calls, shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time


def median_ms(func, runs: int, before=None) -> float:
    """Median milliseconds of ``runs`` calls of ``func``; ``before()`` (untimed) runs ahead of each call."""
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
