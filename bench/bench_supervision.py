"""Supervision costs: restart latency and rate, start_child rate, against plain threads.

- ``restart``: a permanent GenServer child under a one_for_one ``Supervisor`` crashes (an
  uncaught exception in ``handle_cast``); latency = from the crashing cast to the
  replacement running its first callback (``handle_continue`` after ``init``, which stamps
  ``perf_counter`` into a raw ``SimpleQueue``, so the measurement adds no runtime work).
  5 x 200 crashes: median and p99 over all 1,000; target median <= 1 ms.  The same loop
  gives restart cycles/s, against ``threading.Thread`` start + join in the same run
  (target >= 0.7x).
- ``start_child``: ``DynamicSupervisor.start_child`` of an idle GenServer, 300 per rep,
  against starting 300 plain threads that block on an Event.

Placements: ``same_core`` (whole process on one CPU) and ``two_cores`` (all CPUs, threads
left to the scheduler: a supervisor, a child and a client are more than a pair).
Crash-report logging is disabled while measuring (it is I/O).  ``python -m bench supervision``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

from bench._stats import (
    REPS,
    cpus,
    interleaved,
    percentile,
    placement,
    stat,
    with_ratio,
)
from jobber_lab import otp
from jobber_lab.otp import (
    DynamicSupervisor,
    GenServer,
    InitOk,
    NoReply,
    Restart,
    Runtime,
    Strategy,
    Supervisor,
)

CRASHES = 200
THREADS = 1_000
CHILDREN = 300


class Crasher(GenServer):
    """Stamps its start into ``stamps``; crashes on the cast ``"crash"``."""

    def init(self, stamps: queue.SimpleQueue[Any]) -> Any:
        return InitOk(stamps, continue_="up")

    def handle_continue(self, _arg: Any, stamps: queue.SimpleQueue[Any]) -> Any:
        stamps.put((otp.self(), time.perf_counter()))
        return NoReply(stamps)

    def handle_cast(self, _request: Any, _stamps: Any) -> Any:
        raise RuntimeError("boom (benchmark crash)")


class Idle(GenServer):
    child_spec_overrides = {"restart": Restart.TEMPORARY}


def restart_run(n: int = CRASHES) -> tuple[list[float], float]:
    """``n`` crash -> replacement-running cycles; (latencies in ms, cycles per second)."""
    stamps: queue.SimpleQueue[Any] = queue.SimpleQueue()
    with Runtime() as rt, rt.test_process():
        sup = Supervisor.start_link(
            [Crasher.child_spec(stamps)],
            strategy=Strategy.ONE_FOR_ONE,
            max_restarts=10 * n,
            max_seconds=3600,
        ).value
        pid, _ = stamps.get(timeout=10)
        latencies = []
        started = time.perf_counter()
        for _ in range(n):
            crashed = time.perf_counter()
            otp.cast(pid, "crash")
            pid, running = stamps.get(timeout=10)
            latencies.append((running - crashed) * 1000)
        elapsed = time.perf_counter() - started
        assert otp.is_alive(sup)
    return latencies, n / elapsed


def thread_start_join(n: int = THREADS) -> float:
    started = time.perf_counter()
    for _ in range(n):
        t = threading.Thread(target=int)
        t.start()
        t.join()
    return n / (time.perf_counter() - started)


def start_child_rate(n: int = CHILDREN) -> float:
    with Runtime() as rt, rt.test_process():
        sup = DynamicSupervisor.start_link(strategy=Strategy.ONE_FOR_ONE).value
        spec = Idle.child_spec()
        started = time.perf_counter()
        for _ in range(n):
            DynamicSupervisor.start_child(sup, spec)
        elapsed = time.perf_counter() - started
    return n / elapsed


def thread_start_rate(n: int = CHILDREN) -> float:
    gate = threading.Event()
    threads = [threading.Thread(target=gate.wait) for _ in range(n)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    elapsed = time.perf_counter() - started
    gate.set()
    for t in threads:
        t.join()
    return n / elapsed


def main(report: dict[str, Any]) -> None:
    logging.disable(logging.CRITICAL)  # crash reports are I/O; not what we measure
    try:
        placements = ["same_core", "cross_core"] if len(cpus()) >= 2 else ["same_core"]
        for where in placements:
            label = "same_core" if where == "same_core" else "two_cores"
            with placement(where):
                latencies: list[float] = []
                rates: list[float] = []

                def one_rep(latencies: list[float] = latencies, rates: list[float] = rates):
                    lat, rate = restart_run()
                    latencies.extend(lat)
                    rates.append(rate)
                    return rate

                samples = interleaved({"thread": thread_start_join, "restart": one_rep}, REPS)
                del latencies[:CRASHES]  # the warm-up round
                del rates[:1]
                base = stat(samples["thread"], "/s")
                lat = stat(latencies, "ms", p99=round(percentile(latencies, 99), 3))
                lat["target"] = "median <= 1 ms"
                lat["ok"] = lat["median"] <= 1.0
                starts = interleaved(
                    {"thread": thread_start_rate, "start_child": start_child_rate}, REPS
                )
                start_base = stat(starts["thread"], "/s")
                report[label] = {
                    "restart_latency": lat,
                    "floor_thread_start_join": base,
                    "restart_cycles": with_ratio(
                        stat(rates, "/s"), base, "Thread start+join", ">= 0.7"
                    ),
                    "floor_thread_start": start_base,
                    "start_child": with_ratio(
                        stat(starts["start_child"], "/s"), start_base, "Thread start"
                    ),
                }
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    import json

    out: dict[str, Any] = {}
    main(out)
    print(json.dumps(out, indent=1))
