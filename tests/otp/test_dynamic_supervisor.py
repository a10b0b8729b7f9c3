"""DynamicSupervisor (D1-D5): options, start_child results, max_children, extra_arguments,
terminate_child, introspection, restarts and the parallel shutdown."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from otp_support import (
    WAIT,
    FakeClock,
    Probe,
    assert_receive,
    events_of,
    probe_spec,
    refute_receive,
    wait_msg,
)

from jobber_lab.otp import (
    BRUTAL_KILL,
    DOWN,
    IGNORE,
    INFINITY,
    INVALID_MAX_CHILDREN,
    KILLED,
    MAX_CHILDREN,
    NOT_FOUND,
    OK,
    RESTARTING,
    SHUTDOWN,
    SUPERVISOR_DATA,
    UNDEFINED,
    UNKNOWN_OPTIONS,
    ChildType,
    Crash,
    DynamicSupervisor,
    Error,
    Ok,
    Pid,
    Restart,
    Strategy,
    Supervisor,
    exit,
    is_alive,
    monitor,
    stop,
    which_children,
)

DS = DynamicSupervisor


def start_ds(**options: Any) -> Pid:
    result = DS.start_link(**options)
    assert isinstance(result, Ok), result
    return result.value


def up(child_id: Any, timeout: float = WAIT) -> Pid:
    return assert_receive(("up", child_id, Pid), timeout)[2]


def down(ref: Any, timeout: float = WAIT) -> Any:
    return assert_receive((DOWN, ref, ..., ..., ...), timeout)[4]


def children(sup: Pid) -> list[Any]:
    return sorted((c[1] for c in DS.which_children(sup)), key=repr)


# -------------------------------------------------------------------- D1


def test_d1_defaults(tme) -> None:
    sup = start_ds()
    assert DS.count_children(sup) == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_children": -1}, (INVALID_MAX_CHILDREN, -1)),
        ({"max_children": "many"}, (INVALID_MAX_CHILDREN, "many")),
        ({"max_restarts": -1}, None),
        ({"max_seconds": 0}, None),
        ({"strategy": Strategy.ONE_FOR_ALL}, None),
        ({"strategy": "round_robin"}, None),
        ({"extra_arguments": 5}, None),
    ],
)
def test_d1a_bad_options_are_supervisor_data_errors(tme, options, error) -> None:
    result = DS.start_link(**options)
    assert isinstance(result, Error) and result.reason[0] is SUPERVISOR_DATA
    if error is not None:
        assert result == Error((SUPERVISOR_DATA, error))


def test_d1_unknown_option_is_a_supervisor_data_error(tme) -> None:
    """Issue 12: an unknown option is an error value, returned before anything starts."""
    assert DS.start_link(max_kids=3) == Error((SUPERVISOR_DATA, (UNKNOWN_OPTIONS, ["max_kids"])))


def test_d1_max_children_infinity_is_accepted(tme) -> None:
    sup = start_ds(max_children=INFINITY)
    assert isinstance(DS.start_child(sup, probe_spec("a", tme)), Ok)


# -------------------------------------------------------------------- D2


def test_d2a_max_children_zero_never_calls_start(tme) -> None:
    calls: list[Any] = []
    sup = start_ds(max_children=0)
    spec = {"id": "a", "start": (lambda: calls.append(1), ())}
    assert DS.start_child(sup, spec) == Error(MAX_CHILDREN)
    assert calls == []


def test_d2_max_children_counts_running_children(tme) -> None:
    sup = start_ds(max_children=2)
    assert isinstance(DS.start_child(sup, probe_spec("a", tme)), Ok)
    assert isinstance(DS.start_child(sup, probe_spec("b", tme)), Ok)
    assert DS.start_child(sup, probe_spec("c", tme)) == Error(MAX_CHILDREN)
    refute_receive(("up", "c", ...))


class Flaky:
    """Start succeeds first; while ``broken`` is set every restart fails."""

    def __init__(self, test: Pid, child_id: str) -> None:
        self.test, self.child_id, self.calls = test, child_id, 0
        self.broken = threading.Event()

    def __call__(self) -> Any:
        self.calls += 1
        if self.calls > 1 and self.broken.is_set():
            time.sleep(0.001)
            return Error("cannot start")
        return Probe.start_link({"test": self.test, "id": self.child_id})


def _wait_restarting(sup: Pid) -> None:
    while RESTARTING not in children(sup):
        pass


def test_d2b_restarting_children_count_towards_max_children(tme) -> None:
    flaky = Flaky(tme, "f")
    flaky.broken.set()
    sup = start_ds(max_children=1, max_restarts=10**6)
    pid = DS.start_child(sup, {"id": "f", "start": (flaky, ())}).value
    exit(pid, "boom")
    _wait_restarting(sup)
    assert DS.start_child(sup, probe_spec("x", tme)) == Error(MAX_CHILDREN)
    flaky.broken.clear()
    up("f")
    up("f")  # the first start's message, then the recovered one
    assert DS.count_children(sup)["active"] == 1


def test_d2c_extra_arguments_are_prepended(tme) -> None:
    seen: list[Any] = []

    def start(recorder: Any, tag: str, test: Pid) -> Any:
        recorder(tag)
        return Probe.start_link({"test": test, "id": tag})

    sup = start_ds(extra_arguments=[seen.append])
    result = DS.start_child(sup, {"id": "ignored", "start": (start, ("job-1", tme))})
    assert result == Ok(up("job-1"))
    assert seen == ["job-1"]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (lambda: IGNORE, IGNORE),
        (lambda: Error("nope"), Error("nope")),
        (lambda: 42, Error(42)),
    ],
    ids=["ignore", "error-unwrapped", "garbage"],
)
def test_d2_start_results(tme, start, expected) -> None:
    sup = start_ds()
    sibling = DS.start_child(sup, probe_spec("s", tme)).value
    assert DS.start_child(sup, {"id": "x", "start": (start, ())}) == expected
    assert children(sup) == [sibling]


def test_d2_start_function_raising_gives_crash(tme) -> None:
    sup = start_ds()
    sibling = DS.start_child(sup, probe_spec("s", tme)).value
    result = DS.start_child(sup, {"id": "x", "start": (lambda: 1 / 0, ())})
    assert isinstance(result, Error) and isinstance(result.reason, Crash)
    assert isinstance(result.reason.exception, ZeroDivisionError)
    assert children(sup) == [sibling] and is_alive(sup)


def test_d2_ok_with_info_is_returned_whole(tme) -> None:
    def start(test: Pid) -> Any:
        return Ok(Probe.start_link({"test": test, "id": "i"}).value, "extra")

    sup = start_ds()
    result = DS.start_child(sup, {"id": "i", "start": (start, (tme,))})
    assert result == Ok(up("i"), "extra")


def test_d2_ids_are_ignored(tme) -> None:
    sup = start_ds()
    a = DS.start_child(sup, probe_spec("same", tme)).value
    b = DS.start_child(sup, probe_spec("same", tme)).value
    assert a != b and children(sup) == sorted([a, b], key=repr)


def test_d2_significant_children_rejected(tme) -> None:
    sup = start_ds()
    spec = probe_spec("s", tme, restart=Restart.TRANSIENT, significant=True)
    result = DS.start_child(sup, spec)
    assert isinstance(result, Error)
    refute_receive(("up", "s", ...))


# -------------------------------------------------------------------- D3


def test_d3a_unknown_pid_not_found(tme) -> None:
    sup = start_ds()
    DS.start_child(sup, probe_spec("a", tme))
    assert DS.terminate_child(sup, tme) == Error(NOT_FOUND)
    assert DS.terminate_child(sup, "a") == Error(NOT_FOUND)  # ids mean nothing here


def test_d3b_terminate_waits_for_terminate(tme) -> None:
    sup = start_ds()
    pid = DS.start_child(sup, probe_spec("a", tme, trap=True, terminate_sleep=0.3)).value
    up("a")
    assert DS.terminate_child(sup, pid) == OK
    assert_receive(("terminated", "a", SHUTDOWN), 0)  # already there when OK came back
    assert children(sup) == []
    refute_receive(("up", "a", ...))


def test_d3_terminate_child_brutal_kill(tme) -> None:
    sup = start_ds()
    pid = DS.start_child(sup, probe_spec("a", tme, trap=True, shutdown=BRUTAL_KILL)).value
    ref = monitor(pid)
    assert DS.terminate_child(sup, pid) == OK
    assert down(ref) is KILLED


# -------------------------------------------------------------------- D4


def test_d4a_introspection_with_a_restarting_child(tme) -> None:
    flaky = Flaky(tme, "f")
    flaky.broken.set()
    sup = start_ds(max_restarts=10**6)
    running = DS.start_child(sup, probe_spec("r", tme)).value
    pid = DS.start_child(sup, {"id": "f", "start": (flaky, ())}).value
    exit(pid, "boom")
    _wait_restarting(sup)
    which = DS.which_children(sup)
    assert {c[0] for c in which} == {UNDEFINED}
    assert sorted((c[1] for c in which), key=repr) == sorted([running, RESTARTING], key=repr)
    assert {c[2] for c in which} == {ChildType.WORKER}
    assert DS.count_children(sup) == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
    flaky.broken.clear()


# -------------------------------------------------------------------- D5


def test_d5a_children_shut_down_in_parallel(tme) -> None:
    barrier = threading.Barrier(3, timeout=5.0)
    entered: list[str] = []

    def meet(child_id: str) -> None:
        entered.append(child_id)
        barrier.wait()  # returns only once all three terminates are running at once

    sup = start_ds()
    for c in "abc":
        DS.start_child(sup, probe_spec(c, tme, trap=True, on_terminate=meet, shutdown=100))
    assert stop(sup) == OK
    for c in "abc":
        assert_receive(("terminated", c, SHUTDOWN), 0)
    assert sorted(entered) == ["a", "b", "c"] and not barrier.broken


def test_d5b_transient_restarted_with_the_same_extra_arguments(tme) -> None:
    seen: list[Any] = []

    def start(recorder: Any, tag: str, test: Pid) -> Any:
        recorder(tag)
        return Probe.start_link({"test": test, "id": tag})

    sup = start_ds(extra_arguments=[seen.append])
    pid = DS.start_child(sup, {"id": "x", "start": (start, ("t", tme)), "restart": "transient"})
    pid = pid.value
    up("t")
    exit(pid, "oops")
    new = up("t")
    assert new != pid and seen == ["t", "t"]
    assert children(sup) == [new]


def test_d5_transient_clean_exit_and_temporary_are_removed(tme) -> None:
    sup = start_ds()
    t = DS.start_child(sup, probe_spec("t", tme, restart=Restart.TRANSIENT)).value
    tmp = DS.start_child(sup, probe_spec("tmp", tme, restart=Restart.TEMPORARY)).value
    refs = [monitor(t), monitor(tmp)]
    exit(t, SHUTDOWN)
    exit(tmp, "boom")
    for ref in refs:
        down(ref)
    assert DS.count_children(sup)["specs"] == 0
    up("t")
    up("tmp")
    refute_receive(("up", ...))  # neither came back


def test_d5_ignore_on_restart_drops_the_child(tme) -> None:
    calls: list[int] = []

    def start(test: Pid) -> Any:
        calls.append(1)
        if len(calls) > 1:
            return IGNORE
        return Probe.start_link({"test": test, "id": "i"})

    sup = start_ds()
    pid = DS.start_child(sup, {"id": "i", "start": (start, (tme,))}).value
    exit(pid, "boom")
    while len(calls) < 2:
        pass
    assert DS.count_children(sup)["specs"] == 0


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_d5_intensity_shared_by_all_children(runtime, tme) -> None:
    sup = start_ds(max_restarts=2)
    ref = monitor(sup)
    pids = [DS.start_child(sup, probe_spec(c, tme)).value for c in "abc"]
    survivor = DS.start_child(sup, probe_spec("d", tme, trap=True)).value
    exit(pids[0], "boom")
    wait_msg(("up", "a", Pid))
    wait_msg(("up", "a", Pid))
    exit(pids[1], "boom")
    wait_msg(("up", "b", Pid))
    wait_msg(("up", "b", Pid))
    exit(pids[2], "boom")  # the third restart in the same second exceeds 2
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN
    wait_msg(("terminated", "d", SHUTDOWN))
    assert not is_alive(survivor)


def test_d5_events_are_dynamic(runtime, tme) -> None:
    events: list[Any] = []
    runtime.subscribe(events.append)
    sup = start_ds(max_restarts=1)
    pid = DS.start_child(sup, probe_spec("a", tme, restart=Restart.TRANSIENT)).value
    up("a")
    exit(pid, "boom")
    new = up("a")
    assert DS.terminate_child(sup, new) == OK
    runtime.flush_events()
    want = (str(sup), None, "transient", "worker", True)
    for kind, pid_text in [
        ("child_started", str(pid)),
        ("child_restarted", str(new)),
        ("child_terminated", str(new)),
    ]:
        (event,) = events_of(events, kind)
        fields = tuple(
            event.get(k) for k in ("supervisor", "child_id", "restart", "role", "dynamic")
        )
        assert (event.pid, fields) == (pid_text, want), kind


def test_d_child_spec_for_a_parent(tme) -> None:
    top = Supervisor.start_link(
        [DS.child_spec(name="d_runner", max_children=1)], strategy=Strategy.ONE_FOR_ONE
    ).value
    (child,) = which_children(top)
    assert child[0] == "d_runner" and child[2] is ChildType.SUPERVISOR
    assert isinstance(DS.start_child("d_runner", probe_spec("a", tme)), Ok)
    assert DS.start_child("d_runner", probe_spec("b", tme)) == Error(MAX_CHILDREN)
