"""Application (A1-A3): start results, orderly stop, strays killed, a top supervisor that
dies on its own."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from otp_support import Probe, assert_receive, events_of, probe_spec

from jobber_lab.otp import (
    ALREADY_STARTED,
    BAD_RETURN,
    DOWN,
    NORMAL,
    NORMAL_START,
    NOT_STARTED,
    OK,
    Application,
    Crash,
    DynamicSupervisor,
    Error,
    Ok,
    Pid,
    Registry,
    Strategy,
    Supervisor,
    app_start,
    app_stop,
    exit,
    is_alive,
    monitor,
    receive,
    send,
    spawn,
    started_applications,
)
from jobber_lab.otp import self as self_pid
from jobber_lab.otp._application import _running, _starting

ONE_FOR_ONE = Strategy.ONE_FOR_ONE


def master_of(runtime, app_name: str) -> Pid:
    return _running[runtime][app_name]


class Jobber(Application):
    """The book's tree: Registry first, then the JobRunner (a DynamicSupervisor)."""

    name = "jobber"

    def __init__(self, test: Pid, log: list[Any]) -> None:
        self.test, self.log = test, log

    def start(self, start_type: Any, args: Any) -> Any:
        children = [
            Registry.child_spec(keys="unique", name="a_jobs"),
            DynamicSupervisor.child_spec(name="a_runner"),
        ]
        result = Supervisor.start_link(children, strategy=ONE_FOR_ONE)
        return Ok(result.value, {"top": result.value})

    def prep_stop(self, state: Any) -> Any:
        self.log.append("prep_stop")
        return {**state, "prepped": True}

    def stop(self, state: Any) -> Any:
        self.log.append(("stop", state.get("prepped"), is_alive(state["top"])))
        send(self.test, ("app_stopped", state))
        return OK


# ------------------------------------------------------------------------ A1


def test_a1a_start_twice(tme) -> None:
    app = Jobber(tme, [])
    assert app_start(app) == OK
    assert app_start(app) == Error((ALREADY_STARTED, "jobber"))
    assert started_applications() == ["jobber"]


def test_a1b_registry_started_before_the_runner(runtime, tme) -> None:
    events: list[Any] = []
    runtime.subscribe(events.append)
    assert app_start(Jobber(tme, [])) == OK
    runtime.flush_events()
    started = [e.get("child_id") for e in events_of(events, "child_started")]
    assert started == ["a_jobs", "a_runner"]


class Dependent(Application):
    name = "dependent"
    dependencies = ("jobber",)

    def start(self, start_type: Any, args: Any) -> Any:
        return Ok(Supervisor.start_link([], strategy=ONE_FOR_ONE).value)


def test_a1_missing_dependency(tme) -> None:
    assert app_start(Dependent()) == Error((NOT_STARTED, "jobber"))
    assert app_start(Jobber(tme, [])) == OK
    assert app_start(Dependent()) == OK
    assert sorted(started_applications()) == ["dependent", "jobber"]


class Returns(Application):
    name = "returns"

    def __init__(self, value: Any) -> None:
        self.value = value

    def start(self, start_type: Any, args: Any) -> Any:
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


def test_a1_start_error_is_wrapped(tme) -> None:
    result = app_start(Returns(Error("db down")))
    reason, (module, fn, args) = result.reason
    assert reason == "db down" and module == "Returns" and fn == "start"
    assert args == [NORMAL_START, None]  # the start type is :normal, as OTP passes it
    assert "returns" not in started_applications()


@pytest.mark.parametrize("value", [42, Ok("no pid"), ValueError("bad")])
def test_a1_bad_return_or_raise(tme, value) -> None:
    result = app_start(Returns(value))
    assert isinstance(result, Error)
    bad, ((module, fn, _args), got) = result.reason
    assert (bad, module, fn) == (BAD_RETURN, "Returns", "start")
    if isinstance(value, Exception):
        assert isinstance(got, Crash) and got.exception is value
    else:
        assert got == value
    assert "returns" not in started_applications()  # the name is free again


def test_a1_start_args_are_passed(tme) -> None:
    seen: list[Any] = []

    class Recorder(Application):
        name = "recorder"

        def start(self, start_type: Any, args: Any) -> Any:
            seen.append(args)
            return Ok(Supervisor.start_link([], strategy=ONE_FOR_ONE).value)

    assert app_start(Recorder(), args={"port": 1}) == OK
    assert seen == [{"port": 1}]


# ------------------------------------------------------------------------ A2


def test_a2a_stop_order(runtime, tme) -> None:
    log: list[Any] = []
    app = Jobber(tme, log)
    assert app_start(app) == OK
    job = DynamicSupervisor.start_child(
        "a_runner", probe_spec("job", tme, trap=True, log=log)
    ).value
    assert_receive(("up", "job", job))
    reg_pid = runtime.whereis("a_jobs")
    ref_job, ref_reg = monitor(job), monitor(reg_pid)
    assert app_stop(app) == OK
    first = assert_receive((DOWN, ..., ..., ..., ...))
    second = assert_receive((DOWN, ..., ..., ..., ...))
    assert (first[1], second[1]) == (ref_job, ref_reg)  # jobs go before the Registry
    assert log == [("start", "job"), "prep_stop", ("stop", "job"), ("stop", True, False)]
    assert started_applications() == []
    assert app_stop(app) == Error((NOT_STARTED, "jobber"))


def _stray_loop() -> None:
    while True:
        receive()


class Leaky(Application):
    name = "leaky"

    def __init__(self, test: Pid) -> None:
        self.test = test

    def start(self, start_type: Any, args: Any) -> Any:
        sup = Supervisor.start_link(
            [{"id": "w", "start": (_start_leaky_worker, (self.test,))}], strategy=ONE_FOR_ONE
        ).value
        return Ok(sup)


def _start_leaky_worker(test: Pid) -> Any:
    result = Probe.start_link({"test": test, "id": "w"})
    stray = spawn(_stray_loop)  # not linked, not supervised: a leak
    send(test, ("stray", stray))
    return result


def test_a2b_stray_process_is_killed_and_reported(tme, caplog) -> None:
    assert app_start(Leaky(tme)) == OK
    stray = assert_receive(("stray", Pid))[1]
    ref = monitor(stray)
    with caplog.at_level(logging.WARNING, logger="jobber_lab.otp.application"):
        assert app_stop("leaky") == OK
    assert not is_alive(stray)
    assert assert_receive((DOWN, ref, ..., stray, ...), 0)[4] is not None
    assert any("behind" in r.getMessage() for r in caplog.records)


def test_a2_stop_unknown_app(tme) -> None:
    assert app_stop("nobody") == Error((NOT_STARTED, "nobody"))


# ------------------------------------------------------------------------ A3


class Fragile(Application):
    name = "fragile"

    def __init__(self, test: Pid) -> None:
        self.test = test
        self.stops = 0

    def start(self, start_type: Any, args: Any) -> Any:
        sup = Supervisor.start_link(
            [probe_spec("w", self.test)], strategy=ONE_FOR_ONE, max_restarts=0
        ).value
        return Ok(sup, "fragile-state")

    def stop(self, state: Any) -> Any:
        self.stops += 1
        send(self.test, ("fragile_stopped", state))
        return OK


def test_a3a_top_supervisor_gives_up(runtime, tme) -> None:
    other = Jobber(tme, [])
    assert app_start(other) == OK
    other_top = runtime.whereis("a_runner")
    fragile = Fragile(tme)
    assert app_start(fragile) == OK
    master = master_of(runtime, "fragile")
    ref = monitor(master)
    w = assert_receive(("up", "w", Pid))[2]
    exit(w, "boom")
    assert_receive(("fragile_stopped", "fragile-state"))
    assert_receive((DOWN, ref, ..., master, ...))
    assert fragile.stops == 1
    assert started_applications() == ["jobber"]
    assert runtime.whereis("a_runner") == other_top and is_alive(other_top)
    assert app_start(fragile) == OK
    assert_receive(("up", "w", Pid))
    assert sorted(started_applications()) == ["fragile", "jobber"]


# ------------------------------------------------------- A1 (issue 12)


class Slow(Application):
    """Counts its start calls; its start waits for the test's ``go``."""

    name = "slow"

    def __init__(self, test: Pid) -> None:
        self.test, self.calls, self.start_types = test, 0, []

    def start(self, start_type: Any, args: Any) -> Any:
        self.calls += 1
        self.start_types.append(start_type)
        send(self.test, ("starting", self_pid()))
        receive(lambda m: m == "go")
        return Supervisor.start_link([], strategy=ONE_FOR_ONE)


def test_a1_start_type_is_normal(tme) -> None:
    app = Slow(tme)
    spawn(lambda: send(tme, ("result", app_start(app))))
    send(assert_receive(("starting", ...))[1], "go")
    assert assert_receive(("result", ...))[1] == OK
    assert app.start_types == [NORMAL_START] and NORMAL_START is NORMAL
    assert app_stop(app) == OK


def _waiting_callers(runtime, name: str) -> list[Pid]:
    pending = _starting.get(runtime, {}).get(name)
    return list(pending.waiters) if pending is not None else []


def test_a1_concurrent_app_start_runs_start_once_and_both_get_its_answer(runtime, tme) -> None:
    app = Slow(tme)
    spawn(lambda: send(tme, ("result", "first", app_start(app))))
    starter = assert_receive(("starting", ...))[1]
    second = spawn(lambda: send(tme, ("result", "second", app_start(app))))
    deadline = time.monotonic() + 5
    while second not in _waiting_callers(runtime, "slow"):  # queued behind the first
        assert time.monotonic() < deadline, "the second caller never queued"
        time.sleep(0.001)
    send(starter, "go")
    answers = {assert_receive(("result", ..., ...))[1:] for _ in range(2)}
    assert answers == {("first", OK), ("second", OK)}
    assert app.calls == 1
    assert app_stop(app) == OK
