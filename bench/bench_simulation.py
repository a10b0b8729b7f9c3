"""Simulated time against the scaled wall clock, in the same run (issue 16).

- ``doomed_story``: the direct variant's doomed-job story at the book's timings (5 s jobs,
  ``max_seconds: 30``) until JobRunner is replaced at 20 runtime seconds: wall seconds on a
  simulated runtime vs a scaled one at ``time_scale=0.02`` (the lessons' old pace, where
  the story is 0.4 s of sleeping).  Ratio simulated / scaled: lower is better.
- ``lesson_03``: wall seconds to run ``notebooks/03_supervisors_and_restarts.ipynb`` top to
  bottom in a fresh kernel, as committed (simulated) and with its runtime made scaled at
  ``time_scale=0.02`` (the one line ``Runtime(simulated=True, seed=0)`` replaced; its
  ``run_until``/``run_for`` wait on the wall clock there).  Kernel start-up and imports are
  in both.
- ``call``, ``send``, ``spawn_exit``: the core's hot paths run by one process inside each
  runtime (so both pay the same: no caller from outside), simulated vs scaled: a
  GenServer ``call`` round trip (us per call), a one-way ``send`` stream to one receiver
  (messages/s) and ``spawn_monitor`` + the DOWN (spawn+exit/s).  In simulated time every
  hand-off passes the baton (one lock release and acquire), so these say what the
  determinism costs.

Threads are left to the scheduler on all CPUs; logging is disabled while measuring.
``python -m bench simulation``.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench._stats import REPS, interleaved, stat, with_ratio
from jobber_lab import jobber, otp
from jobber_lab.otp import Event, Runtime

SCALE = 0.02
CALLS = 2_000
SENDS = 20_000
SPAWNS = 1_000


def _runtime(simulated: bool) -> Runtime:
    return Runtime(simulated=True) if simulated else Runtime(time_scale=SCALE)


def doomed_story(simulated: bool) -> float:
    """Wall seconds from a fresh runtime to JobRunner's replacement (and the app's stop)."""
    started = time.perf_counter()
    rt = _runtime(simulated)
    events: list[Event] = []
    rt.subscribe(events.append)
    app = jobber.Jobber(variant="direct", runtime=rt)
    try:
        runner = str(app.job_runner)
        app.start_job(work=jobber.good_job(5))
        app.start_job(work=jobber.bad_job(5), max_retries=3)
        app.start_job(work=jobber.doomed_job(5))

        def replaced() -> bool:
            return any(e.kind == "child_restarted" and e.get("old_pid") == runner for e in events)

        # run_until waits on either clock: as fast as possible simulated, on the wall scaled.
        assert rt.run_until(replaced, timeout=100), "the story never ended"
        restart = next(
            e for e in events if e.kind == "child_restarted" and e.get("old_pid") == runner
        )
        assert restart.time == 20.0 if simulated else restart.time >= 20.0
        app.stop()
    finally:
        rt.shutdown()
    return time.perf_counter() - started


LESSON_03 = Path(__file__).resolve().parents[1] / "notebooks" / "03_supervisors_and_restarts.ipynb"
SIMULATED_RUNTIME = "Runtime(simulated=True, seed=0)"


def lesson_03(simulated: bool) -> float:
    """Wall seconds to run lesson 03 top to bottom, simulated as committed or scaled."""
    import nbformat  # noqa: PLC0415 - the notebook tools are the bench's, not the core's
    from nbclient import NotebookClient  # noqa: PLC0415

    nb = nbformat.read(LESSON_03, as_version=4)
    if not simulated:
        for cell in nb.cells:
            cell.source = cell.source.replace(SIMULATED_RUNTIME, f"Runtime(time_scale={SCALE})")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        NotebookClient(
            nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": folder}}
        ).execute()
        return time.perf_counter() - started


class _Echo(otp.GenServer):
    def init(self, arg: Any) -> Any:
        return otp.InitOk(arg)

    def handle_call(self, request: Any, _from: Any, state: Any) -> Any:
        return otp.Reply(request, state)


def _inside(simulated: bool, body: Callable[[], float]) -> float:
    """Run ``body`` in a process of a fresh runtime; its figure."""
    rt = _runtime(simulated)
    try:
        with rt.test_process() as me:

            def run() -> None:
                otp.send(me, ("figure", body()))

            otp.spawn(run)
            message = otp.receive(lambda m: type(m) is tuple and m[0] == "figure", 600)
            assert message is not otp.TIMEOUT, "the benchmark process never reported"
            return float(message[1])
    finally:
        rt.shutdown()


def call_us(simulated: bool) -> float:
    def body() -> float:
        server = otp.start_link(_Echo, None).value
        started = time.perf_counter()
        for i in range(CALLS):
            otp.call(server, i)
        return (time.perf_counter() - started) / CALLS * 1e6

    return _inside(simulated, body)


def send_rate(simulated: bool) -> float:
    def sink(parent: otp.Pid) -> None:
        for _ in range(SENDS):
            otp.receive()
        otp.send(parent, "drained")

    def body() -> float:
        me = otp.self()
        pid = otp.spawn_link(sink, me)
        started = time.perf_counter()
        for i in range(SENDS):
            otp.send(pid, i)
        otp.receive(lambda m: m == "drained")
        return SENDS / (time.perf_counter() - started)

    return _inside(simulated, body)


def _is_down(ref: otp.Ref) -> Callable[[Any], bool]:
    return lambda m: otp.is_down(m, ref)


def spawn_rate(simulated: bool) -> float:
    def body() -> float:
        started = time.perf_counter()
        for _ in range(SPAWNS):
            _pid, ref = otp.spawn_monitor(int)
            otp.receive(_is_down(ref))
        return SPAWNS / (time.perf_counter() - started)

    return _inside(simulated, body)


def main(report: dict[str, Any]) -> None:
    logging.disable(logging.CRITICAL)  # crash reports are the story's point, and I/O
    try:
        pairs = {
            "doomed_story": (doomed_story, "s", f"scaled, time_scale={SCALE:g}", "<= 0.25"),
            "lesson_03": (lesson_03, "s", f"scaled, time_scale={SCALE:g}", None),
            "call": (call_us, "us/call", "scaled call", None),
            "send": (send_rate, "msg/s", "scaled send", None),
            "spawn_exit": (spawn_rate, "spawn+exit/s", "scaled spawn+exit", None),
        }
        for name, (fn, unit, baseline, target) in pairs.items():
            samples = interleaved(
                {"scaled": lambda fn=fn: fn(False), "simulated": lambda fn=fn: fn(True)}, REPS
            )
            base = stat(samples["scaled"], unit)
            report[name] = {
                "scaled": base,
                "simulated": with_ratio(stat(samples["simulated"], unit), base, baseline, target),
            }
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    import json

    out: dict[str, Any] = {}
    main(out)
    print(json.dumps(out, indent=2))
