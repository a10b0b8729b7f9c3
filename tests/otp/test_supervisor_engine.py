"""Issue 12: what the one supervisor engine fixed, through the public API of both
front ends (Supervisor and DynamicSupervisor): start exits as error values, a
RESTARTING child that can be terminated, module-based DynamicSupervisors, unknown
options as ``supervisor_data`` errors, the start function's Info kept on restart."""

from __future__ import annotations

import threading
from typing import Any

from otp_support import Probe, assert_receive, probe_spec

from jobber_lab.otp import (
    BAD_RETURN,
    DEFAULT_MAX_RESTARTS,
    DEFAULT_MAX_SECONDS,
    FAILED_TO_START_CHILD,
    IGNORE,
    INFINITY,
    MAX_CHILDREN,
    NOT_FOUND,
    OK,
    RESTARTING,
    SHUTDOWN,
    SUPERVISOR_DATA,
    UNKNOWN_OPTIONS,
    Atom,
    ChildType,
    DynamicInit,
    DynamicSupervisor,
    Error,
    Ok,
    Pid,
    Restart,
    Strategy,
    Supervisor,
    exit,
    is_alive,
    restart_child,
    start_child,
    terminate_child,
    which_children,
)

DS = DynamicSupervisor


def _exits_oops() -> Any:
    exit("oops")  # Elixir's exit(:oops) inside the start function


# ------------------------------------------------------ start function exits


def test_dynamic_start_child_whose_start_exits_returns_error_and_sup_stays_up(tme) -> None:
    """OTP catches what a start function throws: ``{:error, :oops}``, supervisor alive."""
    sup = DS.start_link().value
    assert DS.start_child(sup, {"id": "x", "start": (_exits_oops, ())}) == Error("oops")
    assert is_alive(sup)
    assert DS.count_children(sup)["specs"] == 0
    assert isinstance(DS.start_child(sup, probe_spec("a", tme)), Ok)


def test_static_start_child_whose_start_exits_returns_error_and_sup_stays_up(tme) -> None:
    sup = Supervisor.start_link([], strategy=Strategy.ONE_FOR_ONE).value
    result = start_child(sup, {"id": "x", "start": (_exits_oops, ())})
    assert isinstance(result, Error) and result.reason[0] == "oops"
    assert is_alive(sup)
    assert which_children(sup) == []


def test_static_init_child_whose_start_exits_fails_the_start(tme) -> None:
    result = Supervisor.start_link(
        [{"id": "x", "start": (_exits_oops, ())}], strategy=Strategy.ONE_FOR_ONE
    )
    assert result == Error((SHUTDOWN, (FAILED_TO_START_CHILD, "x", "oops")))


# ------------------------------------------------- terminate a RESTARTING child


class _Flaky:
    """Starts once, then every restart fails; counts the start calls."""

    def __init__(self, test: Pid) -> None:
        self.test, self.calls = test, 0
        self.lock = threading.Lock()

    def __call__(self) -> Any:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            return Probe.start_link({"test": self.test, "id": "f"})
        return Error("cannot start")


def _wait_for(sup: Pid, want: Any) -> None:
    while want not in [c[1] for c in DS.which_children(sup)]:
        pass


def test_dynamic_terminate_child_on_restarting_child_drops_the_retry(tme) -> None:
    """Elixir keeps a RESTARTING child under the pid it had: terminate_child(old_pid)
    is ``:ok`` and the queued retry for the removed child is dropped."""
    flaky = _Flaky(tme)
    sup = DS.start_link(max_restarts=10**6).value
    old = DS.start_child(sup, {"id": "f", "start": (flaky, ())}).value
    exit(old, "boom")
    _wait_for(sup, RESTARTING)
    assert DS.terminate_child(sup, old) is OK
    assert DS.count_children(sup)["specs"] == 0  # every retry queued before is handled
    calls = flaky.calls
    assert DS.which_children(sup) == []
    assert flaky.calls == calls  # no retry loop after the child was removed
    assert DS.terminate_child(sup, old) == Error(NOT_FOUND)


def test_static_terminate_child_on_restarting_child_drops_the_retry(tme) -> None:
    flaky = _Flaky(tme)
    sup = Supervisor.start_link(
        [{"id": "f", "start": (flaky, ())}], strategy=Strategy.ONE_FOR_ONE, max_restarts=10**6
    ).value
    [(_, old, _, _)] = which_children(sup)
    exit(old, "boom")
    while which_children(sup)[0][1] is not RESTARTING:
        pass
    assert terminate_child(sup, "f") is OK
    assert which_children(sup)[0][1] is not RESTARTING
    calls = flaky.calls
    assert which_children(sup) == [("f", Atom("undefined"), ChildType.WORKER, (flaky,))]
    assert flaky.calls == calls


# ---------------------------------------------------- module-based DynamicSupervisor


class Pool(DynamicSupervisor):
    """Elixir's ``use DynamicSupervisor`` with ``init(arg)`` returning the flags."""

    def init(self, arg: Any) -> Any:
        return DynamicSupervisor.init(
            strategy=Strategy.ONE_FOR_ONE, max_children=1, extra_arguments=[arg]
        )


def _tagged_probe(tag: str, test: Pid) -> Any:
    return Probe.start_link({"test": test, "id": tag})


def test_module_based_dynamic_supervisor_uses_its_init_flags(tme) -> None:
    sup = Pool.start_link("pool-tag").value
    spec = {"id": "w", "start": (_tagged_probe, (tme,))}
    assert isinstance(DS.start_child(sup, spec), Ok)
    assert_receive(("up", "pool-tag", Pid))  # extra_arguments were prepended
    assert DS.start_child(sup, spec) == Error(MAX_CHILDREN)


def test_module_based_dynamic_supervisor_init_ignore_and_garbage(tme) -> None:
    class Returns(DynamicSupervisor):
        def init(self, arg: Any) -> Any:
            return arg

    assert Returns.start_link(IGNORE) is IGNORE
    assert Returns.start_link("garbage") == Error((BAD_RETURN, (Returns, "init", "garbage")))


def test_module_based_dynamic_supervisor_child_spec_under_a_supervisor(tme) -> None:
    spec = Pool.child_spec("t")
    assert (spec.id, spec.start, spec.type) == (
        Pool,
        (Pool.start_link, ("t",)),
        ChildType.SUPERVISOR,
    )
    top = Supervisor.start_link([spec], strategy=Strategy.ONE_FOR_ONE).value
    [(child_id, pid, kind, _)] = which_children(top)
    assert (child_id, kind) == (Pool, ChildType.SUPERVISOR) and isinstance(pid, Pid)


def test_dynamic_init_defaults_are_elixirs() -> None:
    flags = DynamicSupervisor.init()
    assert flags == DynamicInit(Strategy.ONE_FOR_ONE, 3, 5, INFINITY, ())
    assert (DEFAULT_MAX_RESTARTS, DEFAULT_MAX_SECONDS) == (3, 5)


# ------------------------------------------------------------- option errors


def test_static_unknown_option_is_a_supervisor_data_error(tme) -> None:
    result = Supervisor.start_link([], strategy=Strategy.ONE_FOR_ONE, max_kids=3)
    assert result == Error((SUPERVISOR_DATA, (UNKNOWN_OPTIONS, ["max_kids"])))


def test_dynamic_auto_shutdown_is_an_unsupported_option(tme) -> None:
    result = DS.start_link(auto_shutdown="any_significant")
    assert result == Error((SUPERVISOR_DATA, (Atom("invalid_auto_shutdown"), "any_significant")))


# ------------------------------------------------------------ restart_child info


def test_restart_child_hands_back_the_start_functions_info(tme) -> None:
    def start() -> Any:
        return Ok(Probe.start_link({"test": tme, "id": "c"}).value, "extra_return")

    sup = Supervisor.start_link([], strategy=Strategy.ONE_FOR_ONE).value
    first = start_child(sup, {"id": "c", "start": (start, ())})
    assert isinstance(first, Ok) and first.info == "extra_return"
    assert terminate_child(sup, "c") is OK
    again = restart_child(sup, "c")
    assert isinstance(again, Ok) and again.info == "extra_return"


def test_child_spec_overrides_on_supervisor_subclasses() -> None:
    """Elixir's ``use Supervisor, id: ..., restart: :temporary`` as a class attribute."""

    class CustomSup(Supervisor):
        child_spec_overrides = {"id": "custom", "restart": Restart.TEMPORARY}

    class CustomPool(DynamicSupervisor):
        child_spec_overrides = {"restart": Restart.TRANSIENT}

    assert (CustomSup.child_spec().id, CustomSup.child_spec().restart) == (
        "custom",
        Restart.TEMPORARY,
    )
    assert CustomSup.child_spec(restart=Restart.PERMANENT).restart is Restart.PERMANENT
    assert CustomPool.child_spec("x").restart is Restart.TRANSIENT
