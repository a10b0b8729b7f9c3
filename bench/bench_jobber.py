"""The Jobber app at scale with a tracer attached, and what attaching a tracer costs.

- ``jobs_2000``: a fresh ``Jobber(auto_shutdown=True)`` (so each JobSupervisor ends with
  its Job) with a ``Tracer`` attached; 2,000 ``good_job`` jobs started one after another
  (each is a JobSupervisor + a Job: 4,000 processes, 4,000 threads).  Measured: the time to
  start them all, RSS per process (VmRSS delta / processes added, tracer graph and history
  included), how long after the last start every job is done and gone beyond its own sleep
  ("finish overhead"), and, in a second round with jobs that sleep for minutes, the time
  ``Jobber.stop()`` takes to shut the app and its 4,000 processes down.
- ``tracer_overhead``: spawn + exit throughput (``spawn_monitor`` + DOWN, each one
  emitting ``spawned`` and ``exited``) with and without a ``Tracer`` attached, waiting for
  the dispatcher to deliver everything inside the timed region.  Target: <= 10 % slower.

Threads are left to the scheduler on all CPUs (the app's real placement); the tracer
overhead is measured in both placements.  Logging is disabled while measuring.
``python -m bench jobber``.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from bench._stats import REPS, cpus, interleaved, placement, rss_kib, stat, with_ratio
from jobber_lab import otp
from jobber_lab.jobber import Jobber, good_job
from jobber_lab.otp import Runtime
from jobber_lab.trace import Tracer

JOBS = 2_000
SLEEP = 8.0  # wall seconds each job sleeps in the finish round (longer than starting them)
SPAWNS = 1_000


def _start_jobs(app: Jobber, seconds: float) -> tuple[float, int, int]:
    """Start JOBS jobs; (seconds taken, processes added, RSS KiB added)."""
    rt = app.runtime
    rt.flush_events()
    gc.collect()
    before_procs = len(rt.processes())
    before_rss = rss_kib()
    work = good_job(seconds)
    started = time.perf_counter()
    for _ in range(JOBS):
        result = app.start_job(work=work)
        assert isinstance(result, otp.Ok), result
    elapsed = time.perf_counter() - started
    rt.flush_events(60)
    added = len(rt.processes()) - before_procs
    return elapsed, added, rss_kib() - before_rss


def jobs_round() -> dict[str, float]:
    """One round: start 2,000 short jobs and wait them out; start 2,000 long ones, stop."""
    out: dict[str, float] = {}
    app = Jobber(auto_shutdown=True)
    tracer = Tracer(app.runtime)
    try:
        rt = app.runtime
        idle = len(rt.processes())
        first = time.perf_counter()
        elapsed, added, rss = _start_jobs(app, SLEEP)
        out["start_s"] = elapsed
        out["rss_kib_per_process"] = rss / added
        last_started = first + elapsed
        while len(rt.processes()) > idle:
            time.sleep(0.01)
        # each job sleeps SLEEP from its own start; the last one started at last_started
        out["finish_overhead_s"] = time.perf_counter() - last_started - SLEEP
        rt.flush_events(60)
        out["done_jobs"] = sum(
            1 for e in tracer.history if e.kind == "job_status" and e.get("status") == "done"
        )
        elapsed, added, _ = _start_jobs(app, 600.0)
        out["start2_s"] = elapsed
        started = time.perf_counter()
        app.stop()
        out["shutdown_s"] = time.perf_counter() - started
        out["leaked_threads"] = len(rt.leaked_threads())
    finally:
        app.stop()
        tracer.detach()
    return out


def _is_down(ref: otp.Ref) -> Any:
    return lambda m: otp.is_down(m, ref)


def spawn_exit(traced: bool, n: int = SPAWNS) -> float:
    with Runtime() as rt:
        tracer = Tracer(rt) if traced else None
        with rt.test_process():
            started = time.perf_counter()
            for _ in range(n):
                _pid, ref = otp.spawn_monitor(int)
                otp.receive(_is_down(ref))
            rt.flush_events(60)
            elapsed = time.perf_counter() - started
        if tracer is not None:
            tracer.detach()
    return n / elapsed


def main(report: dict[str, Any]) -> None:
    logging.disable(logging.CRITICAL)  # crash and job logs are I/O; not what we measure
    try:
        placements = ["same_core", "cross_core"] if len(cpus()) >= 2 else ["same_core"]
        overhead: dict[str, Any] = {}
        for where in placements:
            with placement(where):
                samples = interleaved(
                    {"untraced": lambda: spawn_exit(False), "traced": lambda: spawn_exit(True)},
                    REPS,
                )
            base = stat(samples["untraced"], "spawn+exit/s")
            overhead["same_core" if where == "same_core" else "two_cores"] = {
                "untraced": base,
                "traced": with_ratio(
                    stat(samples["traced"], "spawn+exit/s"), base, "untraced", ">= 0.9"
                ),
            }
        report["tracer_overhead"] = overhead

        rounds = [jobs_round() for _ in range(REPS)]

        def column(key: str, unit: str) -> dict[str, Any]:
            return stat([r[key] for r in rounds], unit)

        report["jobs_2000"] = {
            "start": stat([r[k] for r in rounds for k in ("start_s", "start2_s")], "s"),
            "rss_per_process": column("rss_kib_per_process", "KiB"),
            "finish_overhead": {
                **column("finish_overhead_s", "s"),
                "note": f"beyond the jobs' own {SLEEP:g} s sleep",
            },
            "shutdown": column("shutdown_s", "s"),
            "jobs_done": min(r["done_jobs"] for r in rounds),
            "leaked_threads": max(r["leaked_threads"] for r in rounds),
        }
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    import json

    out: dict[str, Any] = {}
    main(out)
    print(json.dumps(out, indent=1))
