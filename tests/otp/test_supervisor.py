"""Supervisor (S2-S13, §9 auto_shutdown): strategies, restart types, intensity, shutdown.

Intensity tests (S6, S7) run on a :class:`FakeClock` set by hand, so the whole-second
window is exact; everything else on the scaled clock.  Waits are on messages and
monitors, never sleeps.
"""

from __future__ import annotations

import functools
import logging
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
    plain_worker,
    probe_spec,
    refute_receive,
    wait_msg,
)

from jobber_lab.otp import (
    ALREADY_PRESENT,
    ALREADY_STARTED,
    BAD_RETURN,
    BRUTAL_KILL,
    DOWN,
    DUPLICATE_CHILD_NAME,
    EXIT,
    FAILED_TO_START_CHILD,
    IGNORE,
    INFINITY,
    KILLED,
    MISSING_ID,
    NORMAL,
    NOT_FOUND,
    OK,
    RESTARTING,
    RUNNING,
    SHUTDOWN,
    START_SPEC,
    SUPERVISOR_DATA,
    UNDEFINED,
    ArgumentError,
    AutoShutdown,
    ChildSpec,
    ChildType,
    Continue,
    Crash,
    DynamicSupervisor,
    Error,
    GenServer,
    InitOk,
    Ok,
    Pid,
    Registry,
    Restart,
    Strategy,
    Supervisor,
    cast,
    count_children,
    delete_child,
    exit,
    is_alive,
    monitor,
    receive,
    register,
    restart_child,
    send,
    spawn,
    spawn_monitor,
    start_child,
    stop,
    supervisor_init,
    terminate_child,
    which_children,
)
from jobber_lab.otp import (
    self as self_pid,
)

SUP_LOG = "jobber_lab.otp.supervisor"
ONE_FOR_ONE = Strategy.ONE_FOR_ONE


def start_sup(children: list[Any], **flags: Any) -> Pid:
    flags.setdefault("strategy", ONE_FOR_ONE)
    result = Supervisor.start_link(children, **flags)
    assert isinstance(result, Ok), result
    return result.value


def up(child_id: Any, timeout: float = WAIT) -> Pid:
    return assert_receive(("up", child_id, Pid), timeout)[2]


def down(ref: Any, timeout: float = WAIT) -> Any:
    return assert_receive((DOWN, ref, ..., ..., ...), timeout)[4]


def pids_of(sup: Pid) -> dict[Any, Any]:
    return {cid: pid for cid, pid, _, _ in which_children(sup)}


def reports(caplog: pytest.LogCaptureFixture, context: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == SUP_LOG and getattr(r, "errorContext", None) == context
    ]


def give_up_reports(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """OTP's give-up report: ``errorContext=shutdown, reason=reached_max_restart_intensity``."""
    return [
        r
        for r in reports(caplog, "shutdown")
        if str(getattr(r, "reason", None)) == ":reached_max_restart_intensity"
    ]


# ------------------------------------------------------------------- S2 flags


def test_s2a_elixir_default_flags() -> None:
    flags = supervisor_init([], strategy=ONE_FOR_ONE)
    assert (flags.max_restarts, flags.max_seconds) == (3, 5)


def test_s2b_missing_strategy_raises() -> None:
    with pytest.raises(ArgumentError, match="strategy"):
        supervisor_init([])
    with pytest.raises(ArgumentError):
        Supervisor.start_link([])


@pytest.mark.parametrize(
    "flags",
    [
        {"strategy": "one_for_some"},
        {"strategy": ONE_FOR_ONE, "max_restarts": -1},
        {"strategy": ONE_FOR_ONE, "max_restarts": 1.5},
        {"strategy": ONE_FOR_ONE, "max_seconds": 0},
        {"strategy": ONE_FOR_ONE, "max_seconds": -5},
        {"strategy": ONE_FOR_ONE, "auto_shutdown": "sometimes"},
    ],
)
def test_s2_bad_flags_are_supervisor_data_errors(tme, flags) -> None:
    result = Supervisor.start_link([probe_spec("a", tme)], **flags)
    assert isinstance(result, Error)
    assert result.reason[0] is SUPERVISOR_DATA
    assert result.reason[1][0].name.startswith("invalid_")
    refute_receive(("up", "a", ...))  # no child was started


def test_s2_strategy_given_as_elixir_string(tme) -> None:
    sup = start_sup([probe_spec("a", tme)], strategy="one_for_all")
    up("a")
    assert count_children(sup)["active"] == 1


# ------------------------------------------------------------ S3 start sequence


def test_s3a_failed_start_stops_earlier_children_and_skips_later(tme) -> None:
    log: list[Any] = []
    children = [
        probe_spec("a", tme, trap=True, log=log),
        {"id": "b", "start": (lambda: Error("x"), ())},
        probe_spec("c", tme, log=log),
    ]
    result = Supervisor.start_link(children, strategy=ONE_FOR_ONE)
    assert result == Error((SHUTDOWN, (FAILED_TO_START_CHILD, "b", "x")))
    assert log == [("start", "a"), ("stop", "a")]
    assert_receive(("terminated", "a", SHUTDOWN))
    refute_receive(("up", "c", ...))


def test_s3b_ignore_keeps_the_spec_undefined(tme) -> None:
    children = [probe_spec("a", tme), {"id": "b", "start": (lambda: IGNORE, ())}]
    sup = start_sup(children)
    assert pids_of(sup)["b"] is UNDEFINED
    assert count_children(sup) == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}


def test_s3b_ignored_temporary_child_is_dropped(tme) -> None:
    children = [{"id": "t", "start": (lambda: IGNORE, ()), "restart": Restart.TEMPORARY}]
    sup = start_sup(children)
    assert which_children(sup) == []


def test_s3c_start_order(tme) -> None:
    log: list[Any] = []
    start_sup([probe_spec(c, tme, log=log) for c in "abc"])
    assert log == [("start", "a"), ("start", "b"), ("start", "c")]


@pytest.mark.parametrize(
    ("start", "reason_check"),
    [
        (lambda: 42, lambda r: r == 42),
        (lambda: Ok("not a pid"), lambda r: r == Ok("not a pid")),
        (lambda: 1 / 0, lambda r: isinstance(r, Crash)),
    ],
    ids=["garbage", "ok-without-pid", "raises"],
)
def test_s3_bad_start_function_at_init(tme, start, reason_check) -> None:
    result = Supervisor.start_link(
        [probe_spec("a", tme), {"id": "bad", "start": (start, ())}], strategy=ONE_FOR_ONE
    )
    assert isinstance(result, Error)
    shutdown, (failed, child_id, reason) = result.reason
    assert (shutdown, failed, child_id) == (SHUTDOWN, FAILED_TO_START_CHILD, "bad")
    assert reason_check(reason)


def test_s3_non_trapping_caller_dies_with_the_failed_start(runtime) -> None:
    def caller(test: Pid) -> None:
        Supervisor.start_link(
            [{"id": "b", "start": (lambda: Error("x"), ())}], strategy=ONE_FOR_ONE
        )
        send(test, "survived")

    with runtime.test_process(trap_exit=True):
        _pid, ref = spawn_monitor(caller, self_pid())
        assert down(ref) == (SHUTDOWN, (FAILED_TO_START_CHILD, "b", "x"))
        refute_receive("survived")


# ----------------------------------------------------------- S4 init results


class IgnoringSup(Supervisor):
    def init(self, arg: Any) -> Any:
        return IGNORE


class BadReturnSup(Supervisor):
    def init(self, arg: Any) -> Any:
        return {"strategy": "one_for_one"}


class TwoChildren(Supervisor):
    def init(self, test: Any) -> Any:
        return supervisor_init(
            [probe_spec("a", test), probe_spec("b", test)], strategy=Strategy.REST_FOR_ONE
        )


def test_s4a_duplicate_ids(tme) -> None:
    result = Supervisor.start_link(
        [probe_spec("a", tme), probe_spec("a", tme)], strategy=ONE_FOR_ONE
    )
    assert result == Error((START_SPEC, (DUPLICATE_CHILD_NAME, "a")))
    refute_receive(("up", "a", ...))


def test_s4b_init_ignore(tme) -> None:
    assert IgnoringSup.start_link() is IGNORE


def test_s4_bad_init_return(tme) -> None:
    result = BadReturnSup.start_link()
    assert isinstance(result, Error)
    bad, (module, fn, value) = result.reason
    assert (bad, fn, value) == (BAD_RETURN, "init", {"strategy": "one_for_one"})
    assert "BadReturnSup" in str(module)


def test_s4_bad_spec_at_init(tme) -> None:
    result = Supervisor.start_link([{"start": (lambda: IGNORE, ())}], strategy=ONE_FOR_ONE)
    assert result == Error((START_SPEC, Atom_missing_id()))


def Atom_missing_id() -> Any:
    return MISSING_ID


def test_s4_module_based_supervisor(tme) -> None:
    result = TwoChildren.start_link(tme)
    assert isinstance(result, Ok)
    up("a")
    up("b")
    assert [c[0] for c in which_children(result.value)] == ["b", "a"]


# ------------------------------------------------------- S5 restart decision


def test_s5a_transient_clean_exit_not_restarted(tme, caplog) -> None:
    sup = start_sup([probe_spec("t", tme, restart=Restart.TRANSIENT)])
    pid = up("t")
    ref = monitor(pid)
    cast(pid, ("exit", (SHUTDOWN, 1)))
    assert down(ref) == (SHUTDOWN, 1)
    refute_receive(("up", "t", ...))
    assert count_children(sup) == {"specs": 1, "active": 0, "supervisors": 0, "workers": 1}
    assert pids_of(sup)["t"] is UNDEFINED
    assert reports(caplog, "child_terminated") == []


def test_s5_transient_crash_is_restarted(tme) -> None:
    sup = start_sup([probe_spec("t", tme, restart=Restart.TRANSIENT)])
    pid = up("t")
    exit(pid, "boom")
    new = up("t")
    assert new != pid and pids_of(sup)["t"] == new


def test_s5b_permanent_normal_exit_is_restarted(tme, caplog) -> None:
    sup = start_sup([probe_spec("p", tme)])
    pid = up("p")
    cast(pid, ("exit", NORMAL))
    new = up("p")
    assert new != pid and pids_of(sup)["p"] == new
    assert len(reports(caplog, "child_terminated")) == 1


def test_s5c_temporary_crash_removes_the_spec(tme, caplog) -> None:
    sup = start_sup([probe_spec("tmp", tme, restart=Restart.TEMPORARY), probe_spec("p", tme)])
    pid = up("tmp")
    up("p")
    ref = monitor(pid)
    exit(pid, "boom")
    down(ref)
    refute_receive(("up", "tmp", ...))
    assert "tmp" not in pids_of(sup)
    assert restart_child(sup, "tmp") == Error(NOT_FOUND)
    assert len(reports(caplog, "child_terminated")) == 1  # abnormal: logged


def test_s5_temporary_normal_exit_removed_without_log(tme, caplog) -> None:
    sup = start_sup([probe_spec("tmp", tme, restart=Restart.TEMPORARY)])
    pid = up("tmp")
    ref = monitor(pid)
    cast(pid, ("exit", NORMAL))
    down(ref)
    assert count_children(sup)["specs"] == 0
    assert reports(caplog, "child_terminated") == []


def test_s5_exit_from_a_stranger_is_ignored(tme) -> None:
    sup = start_sup([probe_spec("a", tme)])
    a = up("a")
    stranger = spawn(lambda: None)  # not a child, not the parent
    send(sup, (EXIT, stranger, "boom"))
    assert count_children(sup)["active"] == 1
    assert pids_of(sup)["a"] == a


# ------------------------------------------------------ S6 restart intensity


def _crash_and_wait(pid: Pid, child_id: str) -> Pid:
    exit(pid, "boom")
    return wait_msg(("up", child_id, Pid))[2]


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s6a_fourth_failure_in_window_gives_up(runtime, tme, caplog) -> None:
    clock = runtime.clock
    sup = start_sup([probe_spec("a", tme), probe_spec("b", tme, trap=True)])
    ref = monitor(sup)
    pid = wait_msg(("up", "a", Pid))[2]
    wait_msg(("up", "b", Pid))
    for t in (0, 1, 2):
        clock.set(t + 0.5)
        pid = _crash_and_wait(pid, "a")
    clock.set(3.9)
    exit(pid, "boom")
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN
    wait_msg(("terminated", "b", SHUTDOWN))  # the rest were shut down (S10)
    assert len(give_up_reports(caplog)) == 1


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s6b_window_lets_old_restarts_expire(runtime, tme) -> None:
    clock = runtime.clock
    sup = start_sup([probe_spec("a", tme)])
    pid = wait_msg(("up", "a", Pid))[2]
    for t in (0, 1, 2, 6):
        clock.set(t)
        pid = _crash_and_wait(pid, "a")
    assert is_alive(sup) and pids_of(sup)["a"] == pid


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s6b_inclusive_window_bound(runtime, tme) -> None:
    clock = runtime.clock
    sup = start_sup([probe_spec("a", tme)])
    ref = monitor(sup)
    pid = wait_msg(("up", "a", Pid))[2]
    for t in (0, 1, 2):
        clock.set(t)
        pid = _crash_and_wait(pid, "a")
    clock.set(5.99)  # floor 5: 5 - 5 = 0, and the restart at t=0 still counts
    exit(pid, "boom")
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s6_max_restarts_zero_gives_up_on_first_failure(runtime, tme) -> None:
    sup = start_sup([probe_spec("a", tme)], max_restarts=0)
    ref = monitor(sup)
    pid = wait_msg(("up", "a", Pid))[2]
    exit(pid, "boom")
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s6_one_for_all_counts_one_restart_per_failure(runtime, tme) -> None:
    sup = start_sup(
        [probe_spec(c, tme) for c in "abc"], strategy=Strategy.ONE_FOR_ALL, max_restarts=1
    )
    ref = monitor(sup)
    pids = {c: wait_msg(("up", c, Pid))[2] for c in "abc"}
    exit(pids["b"], "boom")  # 3 children restart, 1 restart counted
    pids = {c: wait_msg(("up", c, Pid))[2] for c in "abc"}
    assert is_alive(sup)
    exit(pids["a"], "boom")  # the second failure in the window exceeds 1
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s6_intensity_is_per_supervisor_not_per_child(runtime, tme) -> None:
    sup = start_sup([probe_spec(c, tme) for c in "abcd"])
    ref = monitor(sup)
    pids = {c: wait_msg(("up", c, Pid))[2] for c in "abcd"}
    for c in "abc":  # one crash each: 3 restarts for the supervisor
        pids[c] = _crash_and_wait(pids[c], c)
    exit(pids["d"], "boom")
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN


class CrashingJob(GenServer):
    """A job whose work always raises (the book's doomed job)."""

    child_spec_overrides = {"restart": Restart.TRANSIENT}

    def init(self, arg: Any) -> Any:
        send(arg["test"], ("job_started", self_pid()))
        return InitOk(arg, Continue("run"))

    def handle_continue(self, arg: Any, state: Any) -> Any:
        raise RuntimeError("doomed")


def start_job(arg: dict[str, Any]) -> Any:
    return CrashingJob.start_link(arg, name=Registry.via("s6c_jobs", arg["id"], "import"))


class JobSupervisor(Supervisor):
    def init(self, arg: Any) -> Any:
        spec = CrashingJob.child_spec(arg, start=(start_job, (arg,)), id="job")
        return supervisor_init([spec], strategy=ONE_FOR_ONE, max_seconds=30)


def test_s6c_jobber_job_supervisor_gives_up_after_four_starts(tme) -> None:
    assert isinstance(Registry.start_link(keys="unique", name="s6c_jobs"), Ok)
    runner = DynamicSupervisor.start_link(strategy=ONE_FOR_ONE).value
    spec = JobSupervisor.child_spec({"test": tme, "id": "job-1"}, restart=Restart.TEMPORARY)
    job_sup = DynamicSupervisor.start_child(runner, spec).value
    ref = monitor(job_sup)
    assert down(ref) is SHUTDOWN
    starts = [assert_receive(("job_started", Pid))[1] for _ in range(4)]
    refute_receive(("job_started", ...))
    assert len(set(starts)) == 4
    assert is_alive(runner)
    assert DynamicSupervisor.count_children(runner)["specs"] == 0


# ---------------------------------------------------------- S7 failed restart


class Flaky:
    """A start function that succeeds first, then fails while ``broken`` is set."""

    def __init__(self, test: Pid, child_id: str) -> None:
        self.test, self.child_id = test, child_id
        self.calls = 0
        self.broken = threading.Event()

    def __call__(self) -> Any:
        self.calls += 1
        if self.calls > 1 and self.broken.is_set():
            time.sleep(0.001)  # keep the retry loop from spinning the CPU flat out
            return Error("cannot start")
        return Probe.start_link({"test": self.test, "id": self.child_id})


@pytest.mark.timeout(20)
@pytest.mark.runtime(clock=FakeClock())
def test_s7a_failed_restarts_count_towards_intensity(runtime, tme, caplog) -> None:
    flaky = Flaky(tme, "a")
    flaky.broken.set()
    sup = start_sup([{"id": "a", "start": (flaky, ())}], max_restarts=1)
    ref = monitor(sup)
    pid = wait_msg(("up", "a", Pid))[2]
    exit(pid, "boom")
    assert wait_msg((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN
    assert flaky.calls == 2  # initial start + one failed restart; the retry exceeded
    assert len(reports(caplog, "start_error")) == 1
    assert len(give_up_reports(caplog)) == 1


def test_s7b_failed_restart_is_retried_until_it_succeeds(tme, caplog) -> None:
    flaky = Flaky(tme, "a")
    flaky.broken.set()
    sup = start_sup([{"id": "a", "start": (flaky, ())}, probe_spec("b", tme)], max_restarts=10**6)
    pid = up("a")
    b = up("b")
    exit(pid, "boom")
    # the supervisor keeps serving calls between retries: the child shows as restarting
    while pids_of(sup)["a"] is not RESTARTING:
        pass
    assert count_children(sup) == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
    assert restart_child(sup, "a") == Error(RESTARTING)
    assert delete_child(sup, "a") == Error(RESTARTING)
    flaky.broken.clear()
    new = up("a")
    assert pids_of(sup) == {"a": new, "b": b}
    assert count_children(sup)["active"] == 2
    assert reports(caplog, "start_error")


# ------------------------------------------------------- S8/S9 strategies


def test_s8a_one_for_all(tme) -> None:
    log: list[Any] = []
    sup = start_sup(
        [probe_spec(c, tme, trap=True, log=log) for c in "abc"], strategy=Strategy.ONE_FOR_ALL
    )
    old = {c: up(c) for c in "abc"}
    log.clear()
    cast(old["b"], ("exit", "boom"))
    new = {c: up(c) for c in "abc"}
    assert log == [
        ("stop", "b"),
        ("stop", "c"),
        ("stop", "a"),
        ("start", "a"),
        ("start", "b"),
        ("start", "c"),
    ]
    assert all(new[c] != old[c] for c in "abc")
    assert pids_of(sup) == new


def test_s8b_one_for_all_drops_temporary_siblings(tme) -> None:
    sup = start_sup(
        [
            probe_spec("a", tme),
            probe_spec("t", tme, restart=Restart.TEMPORARY),
            probe_spec("c", tme),
        ],
        strategy=Strategy.ONE_FOR_ALL,
    )
    a, _, _ = up("a"), up("t"), up("c")
    exit(a, "boom")
    up("a")
    up("c")
    refute_receive(("up", "t", ...))
    assert [c[0] for c in which_children(sup)] == ["c", "a"]


def test_s9a_rest_for_one(tme) -> None:
    log: list[Any] = []
    sup = start_sup(
        [probe_spec(c, tme, trap=True, log=log) for c in "abcd"], strategy=Strategy.REST_FOR_ONE
    )
    old = {c: up(c) for c in "abcd"}
    log.clear()
    cast(old["b"], ("exit", "boom"))
    new = {c: up(c) for c in "bcd"}
    assert log == [
        ("stop", "b"),
        ("stop", "d"),
        ("stop", "c"),
        ("start", "b"),
        ("start", "c"),
        ("start", "d"),
    ]
    assert pids_of(sup) == {"a": old["a"], **new}
    refute_receive(("up", "a", ...))


# ------------------------------------------------------------ S10 shutdown


def test_s10a_shutdown_timeout_then_kill(tme, caplog) -> None:
    sup = start_sup([probe_spec("a", tme, trap=True, terminate_sleep=50, shutdown=1)])
    pid = up("a")
    ref = monitor(pid)
    assert terminate_child(sup, "a") == OK
    assert down(ref) is KILLED
    refute_receive(("terminated", "a", ...))  # terminate never finished
    errors = reports(caplog, "shutdown_error")
    assert len(errors) == 1 and errors[0].reason is KILLED
    assert errors[0].offender["id"] == "a"


def test_s10b_non_trapping_child_gets_shutdown_without_terminate(tme, caplog) -> None:
    sup = start_sup([probe_spec("a", tme)])
    ref = monitor(up("a"))
    assert terminate_child(sup, "a") == OK
    assert down(ref) is SHUTDOWN
    refute_receive(("terminated", "a", ...))
    assert reports(caplog, "shutdown_error") == []


def test_s10c_brutal_kill(tme, caplog) -> None:
    sup = start_sup([probe_spec("a", tme, trap=True, shutdown=BRUTAL_KILL)])
    ref = monitor(up("a"))
    assert terminate_child(sup, "a") == OK
    assert down(ref) is KILLED
    refute_receive(("terminated", "a", ...))
    assert reports(caplog, "shutdown_error") == []


def test_s10_infinity_waits_for_terminate(tme) -> None:
    sup = start_sup([probe_spec("a", tme, trap=True, terminate_sleep=0.5, shutdown=INFINITY)])
    ref = monitor(up("a"))
    assert terminate_child(sup, "a") == OK
    assert_receive(("terminated", "a", SHUTDOWN), 0)  # already there when the call returned
    assert down(ref) is SHUTDOWN


def test_s10_shutdown_is_not_a_restart(tme) -> None:
    sup = start_sup([probe_spec("a", tme)])
    up("a")
    assert terminate_child(sup, "a") == OK
    refute_receive(("up", "a", ...))
    assert pids_of(sup)["a"] is UNDEFINED


def test_s10_unexpected_exit_reason_is_logged(tme, caplog) -> None:
    sup = start_sup([probe_spec("a", tme, trap=True)])
    pid = up("a")

    class Odd(Exception):
        pass

    # The child exits with a strange reason while being shut down: terminate raises.
    sup2 = start_sup(
        [probe_spec("b", tme, trap=True, on_terminate=lambda _id: (_ for _ in ()).throw(Odd()))]
    )
    ref = monitor(up("b"))
    assert terminate_child(sup2, "b") == OK
    assert isinstance(down(ref), Crash)
    assert len(reports(caplog, "shutdown_error")) == 1
    assert pids_of(sup)["a"] == pid


# ------------------------------------------------------- S11 supervisor exit


def test_s11a_stop_terminates_children_in_reverse_order(tme) -> None:
    log: list[Any] = []
    sup = start_sup([probe_spec(c, tme, trap=True, log=log) for c in "abc"])
    for c in "abc":
        up(c)
    assert stop(sup) == OK
    assert [e for e in log if e[0] == "stop"] == [("stop", "c"), ("stop", "b"), ("stop", "a")]


def test_s11_parent_exit_terminates_children_with_its_reason(runtime) -> None:
    log: list[Any] = []
    with runtime.test_process(trap_exit=True) as test:

        def parent() -> None:
            sup = start_sup([probe_spec(c, test, trap=True, log=log) for c in "ab"])
            send(test, ("sup", sup))
            receive()

        p = spawn(parent)
        sup = assert_receive(("sup", Pid))[1]
        ref = monitor(sup)
        exit(p, (SHUTDOWN, "bye"))
        assert down(ref) == (SHUTDOWN, "bye")
        assert [e for e in log if e[0] == "stop"] == [("stop", "b"), ("stop", "a")]


class GivingUp(Supervisor):
    def init(self, test: Any) -> Any:
        return supervisor_init([probe_spec("w", test)], strategy=ONE_FOR_ONE, max_restarts=0)


@pytest.mark.parametrize(
    ("restart", "restarted"), [(Restart.TRANSIENT, False), (Restart.PERMANENT, True)]
)
def test_s11b_gave_up_supervisor_under_parent(tme, restart, restarted) -> None:
    top = start_sup([GivingUp.child_spec(tme, id="inner", restart=restart)])
    inner = pids_of(top)["inner"]
    w = up("w")
    ref = monitor(inner)
    exit(w, "boom")
    assert down(ref) is SHUTDOWN
    if restarted:
        up("w")
        assert pids_of(top)["inner"] not in (inner, UNDEFINED)
    else:
        refute_receive(("up", "w", ...))
        assert pids_of(top)["inner"] is UNDEFINED
    assert is_alive(top)


# ------------------------------------------------------ S12 management calls


def test_s12a_child_life_cycle(tme) -> None:
    sup = start_sup([probe_spec("a", tme)])
    up("a")
    assert delete_child(sup, "a") == Error(RUNNING)
    assert restart_child(sup, "a") == Error(RUNNING)
    assert terminate_child(sup, "a") == OK
    result = restart_child(sup, "a")
    assert result == Ok(up("a"))
    assert terminate_child(sup, "a") == OK
    assert delete_child(sup, "a") == OK
    assert which_children(sup) == []
    assert delete_child(sup, "a") == Error(NOT_FOUND)
    assert restart_child(sup, "a") == Error(NOT_FOUND)


def test_s12b_duplicate_id(tme) -> None:
    sup = start_sup([probe_spec("a", tme)])
    a = up("a")
    assert start_child(sup, probe_spec("a", tme)) == Error((ALREADY_STARTED, a))
    assert terminate_child(sup, "a") == OK
    assert start_child(sup, probe_spec("a", tme)) == Error(ALREADY_PRESENT)
    refute_receive(("up", "a", ...))


def test_s12c_terminate_twice_and_pid_instead_of_id(tme) -> None:
    sup = start_sup([probe_spec("a", tme)])
    a = up("a")
    assert terminate_child(sup, a) == Error(NOT_FOUND)
    assert terminate_child(sup, "a") == OK
    assert terminate_child(sup, "a") == OK
    assert terminate_child(sup, "zz") == Error(NOT_FOUND)


def test_s12_start_child_appends_after_existing(tme) -> None:
    log: list[Any] = []
    sup = start_sup([probe_spec("a", tme, trap=True, log=log)])
    up("a")
    result = start_child(sup, probe_spec("b", tme, trap=True, log=log))
    assert result == Ok(up("b"))
    stop(sup)
    assert [e for e in log if e[0] == "stop"] == [("stop", "b"), ("stop", "a")]


def test_s12_start_child_ignore_and_temporary_ignore(tme) -> None:
    sup = start_sup([])
    assert start_child(sup, {"id": "i", "start": (lambda: IGNORE, ())}) == Ok(UNDEFINED)
    temp = {"id": "t", "start": (lambda: IGNORE, ()), "restart": Restart.TEMPORARY}
    assert start_child(sup, temp) == Ok(UNDEFINED)
    assert [c[0] for c in which_children(sup)] == ["i"]


@pytest.mark.parametrize(
    "start",
    [lambda: 42, lambda: 1 / 0, lambda: Error("nope")],
    ids=["garbage", "raises", "error"],
)
def test_s12_start_child_failure_leaves_tree_untouched(tme, caplog, start) -> None:
    sup = start_sup([probe_spec("a", tme), probe_spec("b", tme)])
    up("a")
    up("b")
    before = pids_of(sup)
    spec = ChildSpec(id="bad", start=(start, ()))
    result = start_child(sup, spec)
    assert isinstance(result, Error)
    reason, offender = result.reason
    assert offender == spec
    if isinstance(reason, Crash):
        assert isinstance(reason.exception, ZeroDivisionError)
    else:
        assert reason in (42, "nope")
    assert pids_of(sup) == before
    assert is_alive(sup)


def test_s12_start_child_name_clash_passes_through(tme) -> None:
    register("s12_taken")
    spec = ChildSpec(id="x", start=(functools.partial(Probe.start_link, name="s12_taken"), ({},)))
    sup = start_sup([])
    assert start_child(sup, spec) == Error((ALREADY_STARTED, self_pid()))


# ------------------------------------------------------------ S13 introspection


def test_s13a_which_children_newest_first_and_counts(tme) -> None:
    sup = start_sup([])
    assert start_child(sup, {"id": "c1", "start": (lambda: IGNORE, ())}) == Ok(UNDEFINED)
    p2 = start_child(sup, probe_spec("c2", tme)).value
    children = which_children(sup)
    assert [(c[0], c[1], c[2]) for c in children] == [
        ("c2", p2, ChildType.WORKER),
        ("c1", UNDEFINED, ChildType.WORKER),
    ]
    assert count_children(sup) == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
    assert children[0][3] == (Probe,)  # modules: [module]


def test_s13_counts_supervisor_children(tme) -> None:
    top = start_sup([GivingUp.child_spec(tme, id="inner"), probe_spec("w2", tme)])
    assert count_children(top) == {"specs": 2, "active": 2, "supervisors": 1, "workers": 1}
    assert pids_of(top)["inner"] != UNDEFINED
    assert which_children(top)[1][2] is ChildType.SUPERVISOR


def test_s13_plain_process_children(tme) -> None:
    sup = start_sup([{"id": "p", "start": (plain_worker, (tme, "p"))}])
    assert pids_of(sup)["p"] == up("p")


# -------------------------------------------------- §9 auto_shutdown


def test_auto_shutdown_any_significant(tme) -> None:
    sup = start_sup(
        [
            probe_spec("s1", tme, restart=Restart.TRANSIENT, significant=True),
            probe_spec("s2", tme, restart=Restart.TRANSIENT, significant=True),
            probe_spec("other", tme),
        ],
        auto_shutdown=AutoShutdown.ANY_SIGNIFICANT,
    )
    ref = monitor(sup)
    s1 = up("s1")
    cast(s1, ("exit", NORMAL))
    assert down(ref) is SHUTDOWN


def test_auto_shutdown_all_significant(tme) -> None:
    sup = start_sup(
        [
            probe_spec("s1", tme, restart=Restart.TRANSIENT, significant=True),
            probe_spec("s2", tme, restart=Restart.TEMPORARY, significant=True),
            probe_spec("other", tme),
        ],
        auto_shutdown="all_significant",
    )
    ref = monitor(sup)
    s1, s2 = up("s1"), up("s2")
    cast(s1, ("exit", NORMAL))
    refute_receive((DOWN, ref, ..., ..., ...))
    assert is_alive(sup)
    exit(s2, "boom")  # temporary: not restarted, and it was the last significant one
    assert down(ref) is SHUTDOWN


def test_auto_shutdown_significant_crash_is_restarted_not_shutdown(tme) -> None:
    sup = start_sup(
        [probe_spec("s", tme, restart=Restart.TRANSIENT, significant=True)],
        auto_shutdown=AutoShutdown.ANY_SIGNIFICANT,
    )
    s = up("s")
    exit(s, "boom")
    assert up("s") != s and is_alive(sup)


class JobSup(Supervisor):
    """A JobSupervisor that ends with its job (the lab's fix for the lingering supervisor)."""

    def init(self, test: Any) -> Any:
        job = probe_spec("job", test, restart=Restart.TRANSIENT, significant=True)
        return supervisor_init(
            [job], strategy=ONE_FOR_ONE, auto_shutdown=AutoShutdown.ANY_SIGNIFICANT
        )


def test_auto_shutdown_job_supervisor_exits_when_job_ends_normally(tme) -> None:
    runner = DynamicSupervisor.start_link().value
    spec = JobSup.child_spec(tme, restart=Restart.TEMPORARY)
    job_sup = DynamicSupervisor.start_child(runner, spec).value
    ref = monitor(job_sup)
    job = up("job")
    cast(job, ("exit", NORMAL))
    assert down(ref) is SHUTDOWN
    assert DynamicSupervisor.count_children(runner)["specs"] == 0  # no lingering supervisor


def test_auto_shutdown_not_triggered_by_terminate_child(tme) -> None:
    result = JobSup.start_link(tme)
    sup = result.value
    ref = monitor(sup)
    up("job")
    assert terminate_child(sup, "job") == OK
    refute_receive((DOWN, ref, ..., ..., ...))
    assert is_alive(sup)


def test_auto_shutdown_off_by_default_rejects_significant(tme) -> None:
    result = Supervisor.start_link(
        [probe_spec("s", tme, restart=Restart.TRANSIENT, significant=True)], strategy=ONE_FOR_ONE
    )
    assert isinstance(result, Error) and result.reason[0] is START_SPEC


# ------------------------------------------------------------------ events


def _common(event: Any) -> tuple[Any, ...]:
    return tuple(event.get(k) for k in ("supervisor", "child_id", "restart", "role", "dynamic"))


def test_events_carry_the_tree(runtime, tme) -> None:
    events: list[Any] = []
    runtime.subscribe(events.append)
    sup = start_sup([probe_spec("a", tme, restart=Restart.TRANSIENT)], max_restarts=1)
    a = up("a")
    exit(a, "boom")
    a2 = up("a")
    ref = monitor(sup)
    exit(a2, "boom")
    assert down(ref) is SHUTDOWN
    runtime.flush_events()
    expected = (str(sup), "a", "transient", "worker", False)
    started = events_of(events, "child_started")
    assert [(e.pid, _common(e)) for e in started] == [(str(a), expected)]
    restarted = events_of(events, "child_restarted")
    assert [(e.pid, e.get("old_pid"), _common(e)) for e in restarted] == [
        (str(a2), str(a), expected)
    ]
    for kind in ("intensity_reached", "supervisor_gave_up"):
        (event,) = events_of(events, kind)
        assert _common(event) == expected, kind


def test_child_terminated_event(runtime, tme) -> None:
    events: list[Any] = []
    runtime.subscribe(events.append)
    sup = start_sup([probe_spec("a", tme, type=ChildType.WORKER)])
    a = up("a")
    terminate_child(sup, "a")
    runtime.flush_events()
    (event,) = events_of(events, "child_terminated")
    assert event.pid == str(a)
    assert _common(event) == (str(sup), "a", "permanent", "worker", False)
    assert event.get("reason_kind") == "shutdown"
