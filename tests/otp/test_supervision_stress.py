"""Stress, bounded in time: a thousand crashing children under one DynamicSupervisor."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
from otp_support import assert_receive, probe_spec

from jobber_lab.otp import (
    DOWN,
    OK,
    Continue,
    DynamicSupervisor,
    GenServer,
    InitOk,
    NoReply,
    Ok,
    Pid,
    Registry,
    Restart,
    Stop,
    Strategy,
    exit,
    is_alive,
    monitor,
    send,
    stop,
)
from jobber_lab.otp import self as self_pid

N = 1000
REG = "stress_jobs"

pytestmark = [pytest.mark.stress, pytest.mark.timeout(60)]


class OnceCrashing(GenServer):
    """Registers itself by via-name; its first incarnation crashes in ``handle_continue``."""

    child_spec_overrides = {"restart": Restart.TRANSIENT}

    def init(self, arg: dict[str, Any]) -> Any:
        with arg["lock"]:
            arg["attempts"][arg["key"]] = attempt = arg["attempts"].get(arg["key"], 0) + 1
        return InitOk({**arg, "attempt": attempt}, Continue("run"))

    def handle_continue(self, _: Any, state: dict[str, Any]) -> Any:
        if state["attempt"] == 1:
            return Stop("crash", state)
        send(state["test"], ("up", state["key"], self_pid()))
        return NoReply(state)


def start_job(arg: dict[str, Any]) -> Any:
    return OnceCrashing.start_link(arg, name=Registry.via(REG, arg["key"], "job"))


def test_thousand_children_crash_once_each(runtime, tme, caplog) -> None:
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")  # 2,000 crash reports: mute them
    events: list[Any] = []
    runtime.subscribe(events.append)
    assert isinstance(Registry.start_link(keys="unique", name=REG), Ok)
    sup = DynamicSupervisor.start_link(
        strategy=Strategy.ONE_FOR_ONE, max_restarts=10 * N, max_seconds=5
    ).value
    shared: dict[str, Any] = {"lock": threading.Lock(), "attempts": {}, "test": tme}
    for key in range(N):
        spec = OnceCrashing.child_spec(None, start=(start_job, ({**shared, "key": key},)))
        assert isinstance(DynamicSupervisor.start_child(sup, spec), Ok)
    live = {}
    for _ in range(N):
        _, key, pid = assert_receive(("up", int, Pid))
        live[key] = pid
    assert sorted(live) == list(range(N))
    assert set(shared["attempts"].values()) == {2}

    assert is_alive(sup)
    # A child says "up" before its supervisor emits child_restarted: a call to the
    # supervisor returns only after it finished handling every restart queued before it.
    counts = DynamicSupervisor.count_children(sup)
    runtime.flush_events()
    restarted = [e for e in events if e.kind == "child_restarted"]
    assert len(restarted) == N
    assert {e.pid for e in restarted} == {str(p) for p in live.values()}
    assert all(e.get("dynamic") is True for e in restarted)
    assert counts == {
        "specs": N,
        "active": N,
        "supervisors": 0,
        "workers": N,
    }

    # every key points at the live second incarnation: no stale entry of the crashed one
    Registry.sync(REG)
    assert Registry.count(REG) == N
    assert all(Registry.lookup(REG, k) == [(p, "job")] for k, p in live.items())

    ref = monitor(sup)
    assert stop(sup) == OK
    assert_receive((DOWN, ref, ..., sup, ...))
    assert Registry.sync(REG) == OK
    assert Registry.count(REG) == 0
    assert Registry.select_where(REG, lambda k, p, v: True) == []


def test_thousand_simultaneous_kills_then_a_clean_shutdown(runtime, tme, caplog) -> None:
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    events: list[Any] = []
    runtime.subscribe(events.append)
    sup = DynamicSupervisor.start_link(max_restarts=10 * N, max_seconds=5).value
    pids = []
    for i in range(N):
        pids.append(DynamicSupervisor.start_child(sup, probe_spec(i, tme)).value)
    for i in range(N):
        assert_receive(("up", i, ...))
    for pid in pids:
        exit(pid, "boom")
    for _ in range(N):
        assert_receive(("up", ..., Pid))
    counts = DynamicSupervisor.count_children(sup)
    assert counts["active"] == N and counts["specs"] == N
    assert not set(pids) & {c[1] for c in DynamicSupervisor.which_children(sup)}
    runtime.flush_events()
    assert len([e for e in events if e.kind == "child_restarted"]) == N
    ref = monitor(sup)
    assert stop(sup) == OK
    assert_receive((DOWN, ref, ..., ..., ...))
    runtime.flush_events()
    assert len([e for e in events if e.kind == "child_terminated"]) == N
