"""Simulated time (``Runtime(simulated=True)``): one process at a time on a virtual clock.

The promise: the same program with the same seed gives the identical event trace (kinds,
pids, fields, runtime times, order) on every run, however loaded the machine; the book's
story runs at its real timings (5 s jobs, a 30 s window) and its times are exact.
"""

from __future__ import annotations

import itertools
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from jobber_lab import jobber, otp
from jobber_lab.otp import DOWN, KILL, KILLED, PROCESS, Event, Runtime
from jobber_lab.testing import assert_receive, matches, runtime_for_test

WAIT = 100.0  # runtime seconds: in simulated time a timeout costs no wall time


@pytest.fixture
def sim() -> Iterator[Runtime]:
    yield from runtime_for_test(simulated=True)


def trace(events: list[Event]) -> list[tuple[Any, ...]]:
    """Everything an event says, with the runtime's node number masked (each run is a new
    runtime, so ``<7.12.0>`` and ``<8.12.0>`` are the same pid of the same program)."""
    return [
        tuple(
            re.sub(r"<\d+\.", "<N.", repr(x))
            for x in (e.seq, e.time, e.kind, e.pid, sorted(e.fields.items()))
        )
        for e in events
    ]


def doomed_story(seed: int = 0) -> tuple[list[Event], float | None]:
    """The direct variant's doomed job at the book's timings: JobRunner gives up after the
    fourth crash (three restarts in 30 s) and the top supervisor replaces it."""
    rt = Runtime(simulated=True, seed=seed)
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

        assert rt.run_until(replaced, timeout=WAIT)
        restart = next(
            e for e in events if e.kind == "child_restarted" and e.get("old_pid") == runner
        )
        app.stop()
    finally:
        rt.shutdown()
        assert rt.threads() == []
    return events, restart.time


@pytest.fixture(autouse=True)
def _quiet_crash_reports(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")


def test_the_doomed_story_at_the_books_timings_replaces_job_runner_at_exactly_20():
    events, replaced_at = doomed_story()
    assert replaced_at == 20.0
    crashes = [e.time for e in events if e.kind == "exited" and e.get("reason_kind") == "crash"]
    assert crashes[:4] == [5.0, 10.0, 15.0, 20.0]  # the doomed job, every 5 s, exactly


def _busy_cores() -> list[subprocess.Popen[bytes]]:
    """Two spinning interpreters (one per core), each ending itself after 60 s at most."""
    spin = "import time\nend = time.monotonic() + 60\nwhile time.monotonic() < end: pass\n"
    return [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]


@pytest.mark.parametrize("load", [False, True], ids=["idle", "loaded"])
def test_same_seed_same_trace_over_twenty_runs(load):
    hogs = _busy_cores() if load else []
    try:
        first, _ = doomed_story()
        assert len(first) > 50
        for _ in range(19):
            again, _ = doomed_story()
            assert trace(again) == trace(first)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(10)


def test_another_seed_changes_only_the_random_ids():
    ids = re.compile(r"'(key|job_id|id)', '[^']*'")
    a, _ = doomed_story(seed=0)
    b, _ = doomed_story(seed=1)
    assert trace(a) != trace(b)
    assert [ids.sub("id", str(t)) for t in trace(a)] == [ids.sub("id", str(t)) for t in trace(b)]


def test_a_step_runs_everything_due_to_quiescence_and_returns_its_events(sim):
    """A ring of processes passes a token round ten times at 1.0: one step does all of it,
    and the next deadline (2.0) is untouched."""

    def hop(ring: list[otp.Pid], i: int) -> None:
        while True:
            laps = otp.receive()
            if i == 0:
                if laps == 10:
                    sim.emit("lapped", otp.self(), laps=laps)
                    return
                laps += 1
            otp.send(ring[(i + 1) % len(ring)], laps)

    ring: list[otp.Pid] = []
    with sim.test_process():
        ring.extend(otp.spawn(hop, ring, i) for i in range(20))
        otp.send_after(ring[0], 0, 1.0)
        otp.send_after(ring[1], 99, 2.0)
    assert sim.next_deadline() == 1.0
    step = sim.step()
    assert sim.now() == 1.0
    assert [e.kind for e in step][-2:] == ["lapped", "exited"]
    assert {e.time for e in step} == {1.0}
    assert sim.next_deadline() == 2.0
    assert sim._sim is not None and sim._sim.runnable() == 0


def test_time_never_jumps_while_a_process_is_runnable(sim):
    """A busy process with a thousand runtime calls to make holds time at 0.0, though a
    sleeper is due at 0.001: the sleeper wakes after every one of them, at exactly 0.001."""

    def sleeper() -> None:
        otp.sleep(0.001)
        sim.emit("woke", otp.self())

    def busy() -> None:
        me = otp.self()
        for i in range(1000):
            otp.send(me, i)
        got = [otp.receive() for _ in range(1000)]
        sim.emit("busy_done", me, n=len(got))

    events: list[Event] = []
    sim.subscribe(events.append)
    sim.spawn(sleeper)
    sim.spawn(busy)
    sim.run_for(1)
    kinds = [(e.kind, e.time) for e in events if e.kind in ("woke", "busy_done")]
    assert kinds == [("busy_done", 0.0), ("woke", 0.001)]


def test_a_call_from_outside_returns_at_quiescence_and_time_stands_still_between_calls(sim):
    got: list[Any] = []

    def echo() -> None:
        while True:
            message = otp.receive()
            got.append(message)
            otp.sleep(5)
            got.append(("slept", otp.now()))

    pid = sim.spawn(echo)
    sim.send(pid, "hi")
    assert got == ["hi"]  # the send returned once echo had run to its next wait
    before = sim.now()
    threading.Event().wait(0.05)  # wall time passes outside the runtime...
    assert sim.now() == before == 0.0  # ...and simulated time does not
    sim.sleep(5)  # a wait from outside lets time move, exactly as far as asked
    assert sim.now() == 5.0
    assert got == ["hi", ("slept", 5.0)]


def test_calls_to_a_gen_server_from_the_tests_main_thread(sim):
    class Slow(otp.GenServer):
        def init(self, arg: Any) -> Any:
            return otp.InitOk(arg)

        def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
            otp.sleep(3)
            return otp.Reply((request, otp.now()), state)

    with sim.calling_process():
        pid = otp.start(Slow, None).value
    with sim.calling_process():
        assert otp.call(pid, "when?", WAIT) == ("when?", 3.0)
    with sim.calling_process(), pytest.raises(otp.ExitError) as err:
        otp.call(pid, "late", 2)
    assert err.value.reason[0] is otp.TIMEOUT
    assert sim.now() == 5.0  # the call timed out at exactly 3.0 + 2


def test_a_paced_clock_follows_the_wall_clock_pauses_and_steps():
    with Runtime(simulated=True, time_scale=0.001) as rt:
        assert rt.mode == "simulated · ×0.001"
        woke: list[float] = []

        def napper() -> None:
            while True:
                otp.sleep(1)
                woke.append(otp.now())
                rt.emit("woke", otp.self())

        rt.spawn(napper)
        assert rt.run_until(lambda: len(woke) >= 3, timeout=WAIT)  # at the pace: ~3 ms
        rt.pause()
        assert rt.paused and rt.mode == "simulated · paused"
        frozen = rt.now()
        threading.Event().wait(0.05)  # 50 runtime seconds at this pace, were it playing
        assert rt.now() == frozen
        step = rt.step()  # to the next deadline, exactly, though the clock is paced
        assert step and rt.now() == step[-1].time == woke[-1]
        # A paced clock ran from the runtime's start, so the first nap began at a wall-given
        # time; each nap after it is exactly one runtime second long all the same.
        assert all(b == a + 1.0 for a, b in itertools.pairwise(woke))
        rt.play()
        assert not rt.paused


def test_a_paced_clock_made_paused_starts_at_zero_and_steps_to_round_times():
    with Runtime(simulated=True, time_scale=0.001, paused=True) as rt:
        assert rt.paused and rt.mode == "simulated · paused"
        rt.spawn(lambda: otp.sleep(5))
        threading.Event().wait(0.02)  # 20 runtime seconds at this pace, were it playing
        assert rt.now() == 0.0
        rt.step()
        assert rt.now() == 5.0


def test_a_cpu_loop_stalls_the_world_is_reported_left_behind_and_killed_by_the_ladder():
    """Outside the promise: a process that never calls the runtime keeps the baton.  The
    watchdog warns and lets the world go on; the kill ladder then ends it as usual."""
    rt = Runtime(simulated=True, stall_after=0.1, grace=0.5)
    events: list[Event] = []
    rt.subscribe(events.append)
    unwound: list[BaseException] = []

    def stuck() -> None:
        x = 0
        try:
            while True:  # no cancellation point
                x += 1
        except BaseException as e:
            unwound.append(e)
            raise

    try:
        stalled = pytest.warns(RuntimeWarning, match="held the simulation's baton")
        with stalled, rt.test_process():
            pid, ref = otp.spawn_monitor(stuck)  # returns once the watchdog let go
            thread = rt.process(pid).thread
            otp.exit(pid, KILL)
            assert assert_receive((DOWN, ref, PROCESS, pid, ...), WAIT)[4] is KILLED
            otp.sleep(2)  # past the grace: the ladder injects AsyncKill
        thread.join(10)
        assert not thread.is_alive()
        assert len(unwound) == 1 and isinstance(unwound[0], otp.AsyncKill)
        rt.flush_events()
        assert any(e.kind == "baton_held" and e.pid == str(pid) for e in events)
    finally:
        assert rt.shutdown() == []


def test_a_process_left_behind_rejoins_the_world_at_its_next_runtime_call():
    rt = Runtime(simulated=True, stall_after=0.05)
    done = threading.Event()

    def slow_io(me: otp.Pid) -> None:
        done.wait(10)  # blocking I/O, as far as the runtime can tell
        otp.send(me, ("back", otp.now()))  # rejoins here, holding the baton again
        otp.sleep(1)
        otp.send(me, ("slept", otp.now()))

    try:
        with pytest.warns(RuntimeWarning), rt.test_process() as me:
            otp.spawn(slow_io, me)  # returns once the watchdog left it behind
            assert rt.now() == 0.0
            done.set()
            # No timeout: a timed wait would let time race ahead of a process left behind
            # (which is why such a run is outside the promise).
            assert otp.receive(matches(("back", ...))) == ("back", 0.0)
            assert otp.receive(matches(("slept", ...))) == ("slept", 1.0)
    finally:
        assert rt.shutdown() == []


def test_a_process_busy_at_one_instant_is_preempted_by_count_and_shutdown_gets_through():
    """A process that mails itself forever never blocks, so the world never settles; after a
    counted budget of receives it goes to the back of the line (like the BEAM's reductions),
    so others still run - in the same order every time - and shutdown still gets in.
    (Outside code waiting for such a world to settle waits forever, as it would in iex.)"""

    def chatter(rt: Runtime, tag: str, rounds: int | None, finished: threading.Event) -> None:
        me = otp.self()
        otp.send(me, 0)
        n = 0
        while rounds is None or n < rounds:
            n = otp.receive() + 1
            otp.send(me, n)
        rt.emit("done", me, tag=tag)
        if tag == "a":
            finished.set()

    def starter(rt: Runtime, finished: threading.Event) -> None:
        otp.sleep(1)
        for tag, rounds in (("forever", None), ("a", 2500), ("b", 1200)):
            otp.spawn(chatter, rt, tag, rounds, finished)

    runs = []
    for _ in range(2):
        rt = Runtime(simulated=True)
        events: list[Event] = []
        rt.subscribe(events.append)
        finished = threading.Event()
        rt.spawn(starter, rt, finished)
        waiter = threading.Thread(target=rt.run_for, args=(2,))  # never settles: waits
        waiter.start()
        assert finished.wait(60)
        assert rt.shutdown() == []  # though the world is still busy at 1.0
        waiter.join(10)
        assert not waiter.is_alive()  # shutdown let the waiter go too
        runs.append(trace(events))
        assert [e.get("tag") for e in events if e.kind == "done"] == ["b", "a"]
        assert {e.time for e in events if e.kind == "done"} == {1.0}
    assert runs[0] == runs[1]


def test_a_step_with_nothing_due_returns_no_events(sim):
    assert sim.next_deadline() is None
    assert sim.step() == []
    assert sim.run_until(lambda: False) is False  # nothing will ever happen: no hang
    assert sim.now() == 0.0


def test_a_zombie_is_reported_and_shutdown_still_returns():
    rt = Runtime(simulated=True, stall_after=0.1, grace=0.2)
    release = threading.Event()

    def undying() -> None:
        while not release.is_set():
            try:
                release.wait(0.01)  # outside the runtime, swallowing every unwind
            except BaseException:
                pass

    try:
        with pytest.warns(RuntimeWarning), rt.test_process():
            pid = otp.spawn(undying)
            otp.exit(pid, KILL)
            otp.sleep(5)  # grace, AsyncKill (swallowed), grace again: a zombie
        assert rt.zombie_count == 1
    finally:
        leaked = rt.shutdown(timeout=0.5)
        release.set()
        for thread in leaked:
            thread.join(10)
    assert [t for t in leaked if t.is_alive()] == []


def test_shutdown_of_a_busy_simulated_runtime_joins_every_thread():
    rt = Runtime(simulated=True)
    app = jobber.Jobber(variant="isolated", runtime=rt, import_quota=5)
    for _ in range(8):
        app.start_job(work=jobber.good_job(3600))
    assert len(rt.processes()) == 4 + 8 * 2  # the app's four, a JobSupervisor and a Job each
    assert rt.shutdown() == []
    assert rt.threads() == []


@pytest.mark.runtime(simulated=True)
def test_the_runtime_fixture_makes_a_simulated_runtime(runtime, me):
    assert runtime.simulated and runtime.seed == 0
    otp.send_after(me, "tick", 30)
    assert assert_receive("tick", WAIT) == "tick"
    assert runtime.now() == 30.0


def test_a_scaled_runtime_refuses_the_simulation_controls(runtime):
    assert not runtime.simulated and not runtime.paused
    assert runtime.mode == "scaled ×0.01"
    for control in (runtime.step, runtime.pause, runtime.play, runtime.next_deadline):
        with pytest.raises(RuntimeError, match="simulated"):
            control()


def test_run_for_and_run_until_also_wait_on_a_scaled_runtime(runtime, me):
    """So a lesson written with them runs in either mode (the bench runs lesson 03 both ways)."""
    woke: list[float] = []

    def napper() -> None:
        otp.sleep(2)
        woke.append(otp.now())
        runtime.emit("woke", otp.self())

    runtime.spawn(napper)
    assert runtime.run_until(lambda: bool(woke), timeout=60)
    assert woke[0] >= 2.0
    assert not runtime.run_until(lambda: False, timeout=0.5)
    before = runtime.now()
    runtime.spawn(napper)  # wakes 2 s in: inside a 60 s run_for, whose events it must be in
    events = runtime.run_for(60)
    assert runtime.now() >= before + 60
    assert [e.kind for e in events if e.kind == "woke"] == ["woke"]


def test_bad_options_and_arguments_are_named(sim):
    with pytest.raises(TypeError, match="simulated"):
        Runtime(simulated="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed"):
        Runtime(simulated=True, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="paused"):
        Runtime(simulated=True, paused="no")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="paused"):
        Runtime(paused=True)
    with pytest.raises(ValueError, match="run_for"):
        sim.run_for(-1)
    with pytest.raises(TypeError, match="run_until"):
        sim.run_until("soon")  # type: ignore[arg-type]
    errors: list[BaseException] = []

    def inside() -> None:
        try:
            sim.step()
        except RuntimeError as e:
            errors.append(e)

    sim.spawn(inside)
    assert errors and "outside" in str(errors[0])


def test_random_job_ids_come_from_the_runtimes_seeded_generator():
    def ids(seed: int) -> list[str]:
        with Runtime(simulated=True, seed=seed) as rt, rt.calling_process():
            return [jobber.random_job_id() for _ in range(3)]

    assert ids(7) == ids(7)
    assert ids(7) != ids(8)
