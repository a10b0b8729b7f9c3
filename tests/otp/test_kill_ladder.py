"""The kill ladder of otp-semantics §7: threads cannot be killed, so death is logical at
once and physical later - at a cancellation point, by an injected AsyncKill after the
grace period, or never (a zombie: counted, reported, and the runtime still shuts down).

``grace`` is wall seconds; the process-level waits here are runtime seconds (x 0.01).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from jobber_lab import otp
from jobber_lab.otp import DOWN, KILL, KILLED, PROCESS, AsyncKill, EventKind, ExitSignal, Runtime
from jobber_lab.testing import assert_receive, refute_receive

WAIT = 100.0


def down(ref: otp.Ref) -> Any:
    return assert_receive((DOWN, ref, PROCESS, ..., ...), WAIT)[4]


def thread_of(runtime: Runtime, pid: otp.Pid) -> threading.Thread:
    proc = runtime.process(pid)
    assert proc is not None and proc.thread is not None
    return proc.thread


@pytest.mark.runtime(grace=0.05)
def test_cpu_loop_is_unwound_by_the_async_exception_after_grace(runtime, me, caplog):
    caplog.set_level(logging.WARNING, logger="jobber_lab.otp")
    unwound_by: list[BaseException] = []

    def stuck() -> None:
        x = 0
        otp.send(me, "looping")
        try:
            while True:  # pure Python, no cancellation point
                x += 1
        except BaseException as e:
            unwound_by.append(e)
            raise

    pid, ref = otp.spawn_monitor(stuck)
    assert_receive("looping", WAIT)
    thread = thread_of(runtime, pid)
    otp.exit(pid, KILL)
    assert down(ref) is KILLED  # logically dead at once
    assert not otp.is_alive(pid)
    thread.join(10)  # physically: after grace, AsyncKill lands in the loop
    assert not thread.is_alive()
    assert len(unwound_by) == 1
    assert isinstance(unwound_by[0], AsyncKill)
    assert unwound_by[0].reason is KILLED  # read from the process record
    assert runtime.zombie_count == 0
    assert runtime.leaked_threads() == []
    assert any("injecting AsyncKill" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("where", ["receive", "sleep", "checkpoint", "send", "spawn", "self"])
def test_killed_process_unwinds_at_its_next_cancellation_point(runtime, me, caplog, where):
    """No injection needed: the thread is gone well within grace (0.2 s)."""
    caplog.set_level(logging.WARNING, logger="jobber_lab.otp")
    go = threading.Event()
    unwound_by: list[BaseException] = []

    def body() -> None:
        otp.send(me, "ready")
        try:
            if where == "receive":
                otp.receive()
            elif where == "sleep":
                otp.sleep(10_000)
            else:
                go.wait(10)  # a wait the runtime cannot see; killed meanwhile
                if where == "checkpoint":
                    otp.checkpoint()
                elif where == "send":
                    otp.send(me, "ghost")  # a dead process can no longer send
                elif where == "spawn":
                    otp.spawn(otp.send, me, "ghost child")
                elif where == "self":
                    otp.self()
        except BaseException as e:
            unwound_by.append(e)
            raise

    pid, ref = otp.spawn_monitor(body)
    assert_receive("ready", WAIT)
    thread = thread_of(runtime, pid)
    otp.exit(pid, "stop it")
    assert down(ref) == "stop it"
    go.set()
    thread.join(10)
    assert not thread.is_alive()
    assert [type(e) for e in unwound_by] == [ExitSignal]
    assert unwound_by[0].reason == "stop it"
    refute_receive("ghost", 1.0)
    refute_receive("ghost child", 0)
    assert not any("AsyncKill" in r.getMessage() for r in caplog.records)


def test_checkpoint_in_a_cpu_loop_unwinds_before_grace(runtime, me, caplog):
    caplog.set_level(logging.WARNING, logger="jobber_lab.otp")

    def busy() -> None:
        otp.send(me, "busy")
        x = 0
        while True:
            x += 1
            if x % 1000 == 0:
                otp.checkpoint()

    pid, ref = otp.spawn_monitor(busy)
    assert_receive("busy", WAIT)
    thread = thread_of(runtime, pid)
    otp.exit(pid, KILL)
    assert down(ref) is KILLED
    thread.join(10)
    assert not thread.is_alive()
    assert not any("AsyncKill" in r.getMessage() for r in caplog.records)


def test_except_exception_cannot_keep_a_killed_process_running(runtime, me):
    def stubborn() -> None:
        otp.send(me, "ready")
        while True:
            try:
                otp.sleep(10_000)
            except Exception:
                otp.send(me, "swallowed")

    pid, ref = otp.spawn_monitor(stubborn)
    assert_receive("ready", WAIT)
    thread = thread_of(runtime, pid)
    otp.exit(pid, KILL)
    assert down(ref) is KILLED
    thread.join(10)
    assert not thread.is_alive()
    refute_receive("swallowed", 0)


def test_logical_death_is_immediate_while_the_thread_still_runs(runtime, me):
    """Names, links and the mailbox are released at once; the thread unwinds later."""
    release = threading.Event()

    def blind() -> None:
        otp.send(me, "ready")
        release.wait(10)  # not a cancellation point: the runtime cannot wake it

    otp.trap_exit(True)
    pid = otp.spawn_link(blind, name="blind")
    assert_receive("ready", WAIT)
    thread = thread_of(runtime, pid)
    otp.exit(pid, KILL)
    assert thread.is_alive()
    assert otp.whereis("blind") is None
    assert not otp.is_alive(pid)
    assert_receive((otp.EXIT, pid, KILLED), 0)
    otp.send(pid, "into the void")  # goes nowhere, raises nothing
    release.set()
    thread.join(10)
    assert not thread.is_alive()


def test_zombie_is_reported_and_the_runtime_still_shuts_down(caplog):
    """A thread stuck in C (time.sleep) ignores the async exception: it becomes a zombie.

    Manages its own Runtime (the fixture would fail the test for the leak it provokes)
    and waits for the zombie thread to end, so no thread outlives the test.
    """
    caplog.set_level(logging.WARNING, logger="jobber_lab.otp")
    rt = Runtime(time_scale=0.01, grace=0.05)
    zombie_thread: threading.Thread | None = None
    try:
        with rt.test_process() as me:
            rt.subscribe(lambda e: rt.send(me, ("event", e)) if e.kind == "zombie" else None)

            def sleeper() -> None:
                otp.send(me, "sleeping")
                time.sleep(2)  # wall seconds, inside C: AsyncKill waits for it

            pid, ref = otp.spawn_monitor(sleeper, name="sleeper")
            assert_receive("sleeping", WAIT)
            zombie_thread = thread_of(rt, pid)
            otp.exit(pid, KILL)
            assert down(ref) is KILLED
            _, event = assert_receive(("event", ...), WAIT)
            assert event.kind == EventKind.ZOMBIE
            assert event.pid == str(pid)
            assert event.get("name") == "sleeper"
            assert event.get("reason") == repr(KILLED)
            assert event.get("seconds") >= 0
            assert rt.zombie_count == 1
            assert rt.leaked_threads() == [zombie_thread]
            assert zombie_thread.is_alive()
        reports = [r.getMessage() for r in caplog.records if "zombie thread" in r.getMessage()]
        assert len(reports) == 1
        assert str(pid) in reports[0]
        assert "time.sleep(2)" in reports[0]  # the thread's current stack is in the report

        leaked = rt.shutdown(timeout=0.2)
        assert rt.closed
        assert leaked == [zombie_thread]
        assert rt.events.thread.is_alive() is False
        assert rt.timers.thread.is_alive() is False
        assert rt.processes() == []
    finally:
        if zombie_thread is not None:
            zombie_thread.join(10)  # the sleep ends, the pending AsyncKill unwinds it
        rt.shutdown()
    assert zombie_thread is not None and not zombie_thread.is_alive()
    assert rt.leaked_threads() == []
    assert rt.zombie_count == 1  # counted once, ever


def test_shutdown_injects_into_a_cpu_loop_and_joins_it():
    rt = Runtime(time_scale=0.01, grace=60.0)  # escalation would never come on its own
    started = threading.Event()

    def spin() -> None:
        started.set()
        x = 0
        while True:
            x += 1

    pid = rt.spawn(spin)
    assert started.wait(5)
    thread = rt.process(pid).thread
    assert rt.shutdown(timeout=0.2) == []
    assert not thread.is_alive()
    assert rt.zombie_count == 0
