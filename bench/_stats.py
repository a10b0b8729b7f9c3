"""Small helpers the benchmarks share: statistics, a timing loop, thread placement, RSS.

A measurement is reported as a *stat* dict the runner prints as one table row::

    {"median": 12.3, "min": 11.9, "max": 13.0, "n": 5, "unit": "us/call",
     "baseline": "queue.SimpleQueue ping-pong", "ratio": 1.21, "target": "<= 1.3", "ok": True}

``ratio`` is always ours / baseline on the medians of the same run and placement, so for a
cost (time per operation) lower is better and for a rate higher is better; ``target`` says
which way the issue's goal points.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = [
    "REPS",
    "cpus",
    "interleaved",
    "percentile",
    "pin_process",
    "pin_thread",
    "placement",
    "repeat",
    "rss_kib",
    "stat",
    "timed",
    "with_ratio",
]

REPS = 5
"""Repetitions per figure (the issue asks for at least 5)."""


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sample."""
    if not samples:
        raise ValueError("percentile: no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile: q must be in 0..100, got {q!r}")
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _round(x: float, digits: int = 4) -> float:
    """Round to ``digits`` significant figures (keeps tables readable, JSON exact enough)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, max(0, digits - 1 - math.floor(math.log10(abs(x)))))


def stat(samples: Sequence[float], unit: str, **extra: Any) -> dict[str, Any]:
    """Median / min / max of ``samples`` as a stat dict; ``extra`` keys are added as given."""
    if not samples:
        raise ValueError("stat: no samples")
    out: dict[str, Any] = {
        "median": _round(statistics.median(samples)),
        "min": _round(min(samples)),
        "max": _round(max(samples)),
        "n": len(samples),
        "unit": unit,
    }
    out.update(extra)
    return out


def with_ratio(
    ours: dict[str, Any], base: dict[str, Any], baseline: str, target: str | None = None
) -> dict[str, Any]:
    """``ours`` plus its ratio to ``base`` (medians) and, given a target like ``">= 0.7"``,
    whether the ratio meets it."""
    ratio = ours["median"] / base["median"] if base["median"] else math.inf
    out = {**ours, "baseline": baseline, "ratio": _round(ratio, 3)}
    if target is not None:
        op, _, value = target.partition(" ")
        bound = float(value)
        out["target"] = target
        out["ok"] = ratio <= bound if op == "<=" else ratio >= bound
    return out


def timed(fn: Callable[[], Any]) -> float:
    """Wall seconds one call of ``fn`` takes (``perf_counter``)."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def repeat(fn: Callable[[], float], reps: int = REPS, warmup: int = 1) -> list[float]:
    """Call ``fn`` ``warmup`` times (discarded), then ``reps`` times; returns the values."""
    for _ in range(warmup):
        fn()
    return [fn() for _ in range(reps)]


def interleaved(
    variants: dict[str, Callable[[], float]], reps: int = REPS, warmup: int = 1
) -> dict[str, list[float]]:
    """Run every variant once per repetition, in turn (so drift hits all of them alike),
    after ``warmup`` discarded rounds; returns each variant's values."""
    for _ in range(warmup):
        for fn in variants.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(reps):
        for name, fn in variants.items():
            samples[name].append(fn())
    return samples


# ------------------------------------------------------------------ placement


def cpus() -> list[int]:
    """The CPUs this process may run on, sorted."""
    return sorted(os.sched_getaffinity(0))


def pin_thread(cpu_set: set[int] | int) -> None:
    """Pin the *calling thread* (on Linux pid 0 means the calling thread, not the process)."""
    os.sched_setaffinity(0, {cpu_set} if isinstance(cpu_set, int) else cpu_set)


def pin_process(cpu_set: set[int]) -> None:
    """Pin every thread of this process that exists now; threads started later inherit the
    mask of the thread that starts them."""
    for tid in os.listdir("/proc/self/task"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(tid), cpu_set)


@contextlib.contextmanager
def placement(name: str) -> Iterator[tuple[int, int]]:
    """Run the block in a thread placement; yields the two CPUs a pair of threads should use.

    ``same_core``: the whole process on one CPU (both CPUs yielded are that one).
    ``cross_core``: the process on all CPUs; the block pins its two threads itself with
    :func:`pin_thread` to the two (different) CPUs yielded.  The original masks come back
    after the block.
    """
    original = set(cpus())
    first = min(original)
    if name == "same_core":
        pin_process({first})
        pair = (first, first)
    elif name == "cross_core":
        if len(original) < 2:
            raise RuntimeError("cross_core placement needs 2 CPUs")
        pin_process(original)
        pair = (first, sorted(original)[1])
    else:
        raise ValueError(f"placement: expected same_core or cross_core, got {name!r}")
    try:
        yield pair
    finally:
        pin_process(original)


def rss_kib() -> int:
    """This process's resident set size (``VmRSS`` in /proc/self/status), KiB."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("VmRSS not found in /proc/self/status")
