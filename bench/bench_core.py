"""The core against its floors: raw threads and queues, and Pykka, in the same run.

Four pairs (issue 8), each in two thread placements: ``same_core`` (the whole process pinned
to one CPU) and ``cross_core`` (the two threads of the pair pinned to two different CPUs by
``os.sched_setaffinity(0, ...)`` called inside each thread):

- ``call``: GenServer ``call`` round trip (a process calling a process; per-call monitor,
  alias and demonitor intact) vs a ``queue.SimpleQueue`` ping-pong between two threads, and
  vs Pykka ``ask``.  Cost in microseconds per round trip; target <= 1.3x the floor.
- ``cast`` / ``send``: one-way throughput to one server (N casts then one call to wait for
  the last) vs a ``queue.Queue`` one-way stream, and vs Pykka ``tell``.  Target >= 0.7x.
- ``spawn_exit``: ``spawn_monitor`` + the DOWN vs ``threading.Thread`` start + join, and vs
  Pykka start + stop; the child pins itself to the second CPU in every variant.  >= 0.7x.
- ``rss``: KiB per idle process (500 processes blocked in ``receive``) vs 500 threads
  blocked on an Event and 500 idle Pykka actors; each figure from a fresh subprocess.
  Target <= 25 KiB.

Crash-report logging is disabled while benchmarks run (it is I/O, not runtime cost).
Run alone: ``python -m bench core``.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pykka

from bench._stats import (
    REPS,
    cpus,
    interleaved,
    pin_thread,
    placement,
    rss_kib,
    stat,
    with_ratio,
)
from jobber_lab import otp
from jobber_lab.otp import DOWN, GenServer, InitOk, NoReply, Reply, Runtime

CALLS = 5_000
CASTS = 20_000
SPAWNS = 1_000
IDLE = 500
ROOT = Path(__file__).resolve().parents[1]


def _in_thread(fn: Any, *args: Any) -> Any:
    """Run ``fn`` in a fresh thread (so it can pin itself) and return its result."""
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(fn(*args)), name="bench-client")
    t.start()
    t.join()
    return out[0]


# ---------------------------------------------------------------- the servers


class Echo(GenServer):
    """Answers every call with the request; counts casts."""

    def init(self, cpu: int) -> Any:
        pin_thread(cpu)
        return InitOk(0)

    def handle_call(self, request: Any, _from: Any, state: int) -> Any:
        return Reply(state if request == "count" else request, state)

    def handle_cast(self, _request: Any, state: int) -> Any:
        return NoReply(state + 1)


class PykkaEcho(pykka.ThreadingActor):
    def __init__(self, cpu: int) -> None:
        super().__init__()
        self.cpu = cpu
        self.count = 0

    def on_start(self) -> None:
        pin_thread(self.cpu)

    def on_receive(self, message: Any) -> Any:
        if message == "count":
            return self.count
        self.count += 1
        return message


class PykkaNoop(pykka.ThreadingActor):
    def __init__(self, cpu: int) -> None:
        super().__init__()
        self.cpu = cpu

    def on_start(self) -> None:
        pin_thread(self.cpu)


# ---------------------------------------------------------------- call round trip


def call_floor(pair: tuple[int, int], n: int = CALLS) -> float:
    req: queue.SimpleQueue[Any] = queue.SimpleQueue()
    resp: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def server() -> None:
        pin_thread(pair[1])
        while (m := req.get()) is not None:
            resp.put(m)

    t = threading.Thread(target=server, name="bench-floor-server")
    t.start()

    def client() -> float:
        pin_thread(pair[0])
        started = time.perf_counter()
        for i in range(n):
            req.put(i)
            resp.get()
        return time.perf_counter() - started

    elapsed = _in_thread(client)
    req.put(None)
    t.join()
    return elapsed / n * 1e6


def call_ours(pair: tuple[int, int], n: int = CALLS) -> float:
    with Runtime() as rt:

        def client() -> float:
            pin_thread(pair[0])
            with rt.test_process():
                pid = otp.start(Echo, pair[1]).value
                otp.call(pid, -1)
                started = time.perf_counter()
                for i in range(n):
                    otp.call(pid, i)
                return time.perf_counter() - started

        elapsed = _in_thread(client)
    return elapsed / n * 1e6


def call_pykka(pair: tuple[int, int], n: int = CALLS) -> float:
    ref = PykkaEcho.start(pair[1])
    try:

        def client() -> float:
            pin_thread(pair[0])
            ref.ask(-1)
            started = time.perf_counter()
            for i in range(n):
                ref.ask(i)
            return time.perf_counter() - started

        elapsed = _in_thread(client)
    finally:
        ref.stop()
    return elapsed / n * 1e6


# ---------------------------------------------------------------- one-way throughput


def stream_floor(pair: tuple[int, int], n: int = CASTS) -> float:
    q: queue.Queue[Any] = queue.Queue()
    done = threading.Event()

    def consumer() -> None:
        pin_thread(pair[1])
        while q.get() is not None:
            pass
        done.set()

    t = threading.Thread(target=consumer, name="bench-floor-consumer")
    t.start()

    def producer() -> float:
        pin_thread(pair[0])
        started = time.perf_counter()
        for i in range(n):
            q.put(i)
        q.put(None)
        done.wait()
        return time.perf_counter() - started

    elapsed = _in_thread(producer)
    t.join()
    return n / elapsed


def cast_ours(pair: tuple[int, int], n: int = CASTS) -> float:
    with Runtime() as rt:

        def client() -> float:
            pin_thread(pair[0])
            with rt.test_process():
                pid = otp.start(Echo, pair[1]).value
                started = time.perf_counter()
                for i in range(n):
                    otp.cast(pid, i)
                counted = otp.call(pid, "count", None)
                elapsed = time.perf_counter() - started
                assert counted == n, counted
                return elapsed

        elapsed = _in_thread(client)
    return n / elapsed


def _sink(parent: otp.Pid, cpu: int) -> None:
    pin_thread(cpu)
    count = 0
    while otp.receive() is not None:
        count += 1
    otp.send(parent, ("done", count))


def send_ours(pair: tuple[int, int], n: int = CASTS) -> float:
    with Runtime() as rt:

        def client() -> float:
            pin_thread(pair[0])
            with rt.test_process() as me:
                pid = otp.spawn(_sink, me, pair[1])
                started = time.perf_counter()
                for i in range(n):
                    otp.send(pid, i)
                otp.send(pid, None)
                msg = otp.receive()
                elapsed = time.perf_counter() - started
                assert msg == ("done", n), msg
                return elapsed

        elapsed = _in_thread(client)
    return n / elapsed


def tell_pykka(pair: tuple[int, int], n: int = CASTS) -> float:
    ref = PykkaEcho.start(pair[1])
    try:

        def client() -> float:
            pin_thread(pair[0])
            started = time.perf_counter()
            for i in range(n):
                ref.tell(i)
            counted = ref.ask("count")
            elapsed = time.perf_counter() - started
            assert counted == n, counted
            return elapsed

        elapsed = _in_thread(client)
    finally:
        ref.stop()
    return n / elapsed


# ---------------------------------------------------------------- spawn + exit


def spawn_floor(pair: tuple[int, int], n: int = SPAWNS) -> float:
    child_cpu = pair[1]

    def child() -> None:
        pin_thread(child_cpu)

    def parent() -> float:
        pin_thread(pair[0])
        started = time.perf_counter()
        for _ in range(n):
            t = threading.Thread(target=child)
            t.start()
            t.join()
        return time.perf_counter() - started

    return n / _in_thread(parent)


def _is_down(ref: otp.Ref) -> Any:
    return lambda m: type(m) is tuple and len(m) == 5 and m[0] is DOWN and m[1] is ref


def spawn_ours(pair: tuple[int, int], n: int = SPAWNS) -> float:
    with Runtime() as rt:

        def parent() -> float:
            pin_thread(pair[0])
            with rt.test_process():
                started = time.perf_counter()
                for _ in range(n):
                    _pid, ref = otp.spawn_monitor(pin_thread, pair[1])
                    otp.receive(_is_down(ref))
                return time.perf_counter() - started

        elapsed = _in_thread(parent)
    return n / elapsed


def spawn_pykka(pair: tuple[int, int], n: int = SPAWNS) -> float:
    def parent() -> float:
        pin_thread(pair[0])
        started = time.perf_counter()
        for _ in range(n):
            PykkaNoop.start(pair[1]).stop()
        return time.perf_counter() - started

    return n / _in_thread(parent)


# ---------------------------------------------------------------- RSS per idle process


def _rss_child(kind: str, n: int) -> None:
    """In a fresh interpreter: KiB of RSS per idle thread / process / actor, printed as JSON."""
    logging.disable(logging.CRITICAL)
    measures = {"threads": _rss_threads, "otp": _rss_otp, "pykka": _rss_pykka}
    if kind not in measures:
        raise ValueError(kind)
    before, after = measures[kind](n)
    print(json.dumps((after - before) / n))


def _rss_threads(n: int) -> tuple[int, int]:
    """RSS (KiB) before and after starting ``n`` bare threads that wait on an event."""
    gate = threading.Event()
    ready = threading.Semaphore(0)

    def idle() -> None:
        ready.release()
        gate.wait()

    def start(k: int) -> list[threading.Thread]:
        ts = [threading.Thread(target=idle, daemon=True) for _ in range(k)]
        for t in ts:
            t.start()
        for _ in ts:
            ready.acquire()
        return ts

    start(1)  # warm-up: first-thread allocations
    gc.collect()
    before = rss_kib()
    start(n)
    gc.collect()
    time.sleep(0.1)
    after = rss_kib()
    gate.set()
    return before, after


def _rss_otp(n: int) -> tuple[int, int]:
    """RSS (KiB) before and after spawning ``n`` processes blocked in ``receive``."""
    rt = Runtime()

    def idle(parent: otp.Pid) -> None:
        otp.send(parent, "up")
        otp.receive()

    with rt.test_process() as me:

        def start(k: int) -> None:
            for _ in range(k):
                otp.spawn(idle, me)
            for _ in range(k):
                otp.receive(lambda m: m == "up")

        start(1)
        rt.flush_events()
        gc.collect()
        before = rss_kib()
        start(n)
        rt.flush_events()
        gc.collect()
        time.sleep(0.1)
        after = rss_kib()
    rt.shutdown()
    return before, after


def _rss_pykka(n: int) -> tuple[int, int]:
    """RSS (KiB) before and after starting ``n`` idle Pykka actors."""

    def start_actors(k: int) -> list[Any]:
        refs = [PykkaEcho.start(0) for _ in range(k)]
        for r in refs:
            r.ask("count")
        return refs

    os.sched_setaffinity(0, set(cpus()))
    start_actors(1)
    gc.collect()
    before = rss_kib()
    start_actors(n)
    gc.collect()
    time.sleep(0.1)
    after = rss_kib()
    pykka.ActorRegistry.stop_all()
    return before, after


def rss_per_idle(kind: str, n: int = IDLE) -> float:
    code = f"from bench.bench_core import _rss_child; _rss_child({kind!r}, {n})"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def _pair_report(
    pair: tuple[int, int],
    variants: dict[str, Any],
    unit: str,
    baseline: str,
    target: str,
) -> dict[str, Any]:
    """Interleaved reps of (baseline, ours..., pykka); ours and pykka as ratios to the
    baseline.  ``variants``' first entry is the baseline."""
    samples = interleaved({k: (lambda f=f: f(pair)) for k, f in variants.items()}, REPS)
    names = list(variants)
    base = stat(samples[names[0]], unit)
    out: dict[str, Any] = {names[0]: base}
    for name in names[1:]:
        out[name] = with_ratio(
            stat(samples[name], unit), base, baseline, target if name != "pykka" else None
        )
    return out


def main(report: dict[str, Any]) -> None:
    logging.disable(logging.CRITICAL)  # crash reports are I/O; not what we measure
    try:
        placements = ["same_core", "cross_core"] if len(cpus()) >= 2 else ["same_core"]
        for where in placements:
            with placement(where) as pair:
                report.setdefault("call", {})[where] = _pair_report(
                    pair,
                    {"floor_simplequeue": call_floor, "call": call_ours, "pykka": call_pykka},
                    "us/round trip",
                    "SimpleQueue ping-pong",
                    "<= 1.3",
                )
                report.setdefault("one_way", {})[where] = _pair_report(
                    pair,
                    {
                        "floor_queue": stream_floor,
                        "cast": cast_ours,
                        "send": send_ours,
                        "pykka": tell_pykka,
                    },
                    "msgs/s",
                    "queue.Queue stream",
                    ">= 0.7",
                )
                report.setdefault("spawn_exit", {})[where] = _pair_report(
                    pair,
                    {"floor_thread": spawn_floor, "spawn": spawn_ours, "pykka": spawn_pykka},
                    "/s",
                    "Thread start+join",
                    ">= 0.7",
                )
        samples = interleaved(
            {k: (lambda k=k: rss_per_idle(k)) for k in ("threads", "otp", "pykka")}, REPS, 0
        )
        base = stat(samples["threads"], "KiB each")
        otp_rss = with_ratio(stat(samples["otp"], "KiB each"), base, "idle thread")
        otp_rss["target"] = "<= 25 KiB"
        otp_rss["ok"] = otp_rss["median"] <= 25
        report["rss_idle_500"] = {
            "thread": base,
            "process": otp_rss,
            "pykka": with_ratio(stat(samples["pykka"], "KiB each"), base, "idle thread"),
        }
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    out: dict[str, Any] = {}
    main(out)
    print(json.dumps(out, indent=1))
