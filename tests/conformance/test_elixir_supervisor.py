"""Ported from elixir-lang/elixir lib/elixir/test/elixir/supervisor_test.exs (@0fe19648).

``Stack`` and ``Stack.Sup`` are the ExUnit file's own modules, as Python classes.  Module
atoms become classes, keyword lists become keyword arguments, ``{:ok, pid}`` is
``Ok(pid)``.  ``:global`` names and the deprecated ``Supervisor.Spec`` tuples are not
ported (no distribution; old-style specs are not part of this port).
"""

from __future__ import annotations

from typing import Any

import pytest
from conformance_support import WAIT

from jobber_lab.otp import (
    INFINITY,
    INVALID_MFA,
    MISSING_ID,
    NORMAL,
    NOT_FOUND,
    OK,
    RUNNING,
    ArgumentError,
    Atom,
    ChildSpec,
    ChildType,
    Error,
    GenServer,
    InitOk,
    NoReply,
    Ok,
    Pid,
    Registry,
    Reply,
    Restart,
    Stop,
    Strategy,
    Supervisor,
    SupervisorInit,
    Via,
    call,
    child_spec,
    count_children,
    delete_child,
    restart_child,
    sleep,
    start_child,
    stop,
    supervisor_init,
    terminate_child,
    whereis,
    which_children,
)
from jobber_lab.otp import start_link as gen_start_link

ONE_FOR_ONE = Strategy.ONE_FOR_ONE


class Stack(GenServer):
    """supervisor_test.exs ``Stack``: ``start_link({state, opts})``, pop, push, stop."""

    @classmethod
    def start_link(cls, arg: Any = None, **options: Any) -> Any:
        state, opts = arg
        return gen_start_link(cls, state, **opts)

    def init(self, arg: Any) -> Any:
        return InitOk(arg)

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        if request == "pop":
            return Reply(state[0], state[1:])
        if request == "stop":
            return Stop(NORMAL, state, reply=OK)
        return super().handle_call(request, from_, state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        return NoReply([request[1], *state])


class StackSup(Supervisor):
    """supervisor_test.exs ``Stack.Sup``."""

    def init(self, pair: Any) -> Any:
        return supervisor_init([(Stack, pair)], strategy=ONE_FOR_ONE)


class Task(GenServer):
    """Stands in for Elixir's ``Task`` in the child-spec cases (``restart: :temporary``)."""

    child_spec_overrides = {"restart": Restart.TEMPORARY}


def wait_until_registered(name: Any) -> Pid:
    """The ExUnit file's ``wait_until_registered/1``, bounded."""
    for _ in range(int(WAIT / 0.05)):
        pid = whereis(name)
        if pid is not None:
            return pid
        sleep(0.05)
    raise AssertionError(f"{name!r} was never registered")


def test_generates_child_spec_1() -> None:
    """supervisor_test.exs, "generates child_spec/1"."""
    spec = StackSup.child_spec(["hello"])
    assert (spec.id, spec.start, spec.type) == (
        StackSup,
        (StackSup.start_link, (["hello"],)),
        ChildType.SUPERVISOR,
    )


def test_generates_child_spec_1_with_use_options() -> None:
    """supervisor_test.exs, "generates child_spec/1" (``use Supervisor, id: :id, restart:
    :temporary``), as a per-call override: Python classes take the options at the call."""
    spec = StackSup.child_spec(["hello"], id="id", restart=Restart.TEMPORARY)
    assert (spec.id, spec.restart, spec.type) == ("id", Restart.TEMPORARY, ChildType.SUPERVISOR)


def test_generates_child_spec_1_with_class_options() -> None:
    """supervisor_test.exs, "generates child_spec/1" (``CustomSup``): the class-level
    form that GenServer subclasses already have."""

    class CustomSup(Supervisor):
        child_spec_overrides = {"id": "id", "restart": Restart.TEMPORARY}

    spec = CustomSup.child_spec(["hello"])
    assert (spec.id, spec.restart) == ("id", Restart.TEMPORARY)


def test_child_spec_2() -> None:
    """supervisor_test.exs, "child_spec/2"."""
    assert child_spec(Task) == ChildSpec(
        id=Task, start=(Task.start_link, (None,)), restart=Restart.TEMPORARY, modules=(Task,)
    )
    assert child_spec((Task, "foo")).start == (Task.start_link, ("foo",))
    assert child_spec({"id": Task}).id is Task
    fn = (print, ())
    spec = child_spec(Task, id="foo", start=fn, restart=Restart.PERMANENT, shutdown=INFINITY)
    assert (spec.id, spec.start, spec.restart, spec.shutdown) == (
        "foo",
        fn,
        Restart.PERMANENT,
        INFINITY,
    )

    class NotAChild:
        pass

    with pytest.raises(ArgumentError):
        child_spec(NotAChild)
    with pytest.raises(ArgumentError):
        child_spec("other")


def test_init_2() -> None:
    """supervisor_test.exs, "init/2": flags default to 3 restarts in 5 seconds."""
    init = supervisor_init([Task], strategy=ONE_FOR_ONE)
    assert isinstance(init, SupervisorInit)
    assert (init.strategy, init.max_restarts, init.max_seconds) == (ONE_FOR_ONE, 3, 5)
    assert init.children == [Task]
    init = supervisor_init(
        [(Task, "foo")], strategy=Strategy.ONE_FOR_ALL, max_restarts=1, max_seconds=2
    )
    assert (init.strategy, init.max_restarts, init.max_seconds) == (Strategy.ONE_FOR_ALL, 1, 2)
    with pytest.raises(ArgumentError, match="strategy"):
        supervisor_init([])


def test_start_link_2_with_via(tme) -> None:
    """supervisor_test.exs, "start_link/2 with via" (a Registry via-name for :global's)."""
    assert isinstance(Registry.start_link(keys="unique", name="via_reg"), Ok)
    name = Registry.via("via_reg", "via_sup")
    assert isinstance(Supervisor.start_link([], strategy=ONE_FOR_ONE, name=name), Ok)
    assert which_children(name) == []


def test_start_link_3_with_local(tme) -> None:
    """supervisor_test.exs, "start_link/3 with local"."""
    Supervisor.start_link([], strategy=ONE_FOR_ONE, name="my_sup")
    assert which_children("my_sup") == []


def test_start_link_2(tme) -> None:
    """supervisor_test.exs, "start_link/2": a named child restarts after a normal stop."""
    children = [(Stack, (["hello"], {"name": "dyn_stack"}))]
    pid = Supervisor.start_link(children, strategy=ONE_FOR_ONE).value
    wait_until_registered("dyn_stack")
    assert call("dyn_stack", "pop") == "hello"
    assert call("dyn_stack", "stop") is OK
    wait_until_registered("dyn_stack")
    assert call("dyn_stack", "pop") == "hello"
    assert stop(pid) is OK


def test_start_link_2_rejects_bad_names(tme) -> None:
    """supervisor_test.exs, "start_link/2" (bad ``:name`` options): a tuple is no name.
    (A string *is* a name in this port, and the error is a TypeError.)"""
    children = [(Stack, (["hello"], {}))]
    with pytest.raises(TypeError, match="name"):
        Supervisor.start_link(children, name=("invalid_tuple", "x"), strategy=ONE_FOR_ONE)


def test_start_link_2_rejects_a_via_name_without_a_module(tme) -> None:
    """supervisor_test.exs, "start_link/2" (``name: {:via, "Via", "my_gen_server_name"}``
    raises ArgumentError)."""
    children = [(Stack, (["hello"], {}))]
    with pytest.raises((ArgumentError, TypeError)):
        Supervisor.start_link(children, name=Via("Via", "name"), strategy=ONE_FOR_ONE)


def test_start_link_3(tme) -> None:
    """supervisor_test.exs, "start_link/3": a module-based supervisor."""
    pid = StackSup.start_link((["hello"], {"name": "stat_stack"})).value
    wait_until_registered("stat_stack")
    assert call("stat_stack", "pop") == "hello"
    assert stop(pid) is OK


def test_start_child_2_supports_new_child_spec_as_tuple(tme) -> None:
    """supervisor_test.exs, "start_child/2 supports new child spec as tuple" (a map)."""
    pid = Supervisor.start_link([], strategy=ONE_FOR_ONE).value
    child = {"id": Task, "restart": Restart.TEMPORARY, "start": (Task.start_link, ([],))}
    result = start_child(pid, child)
    assert isinstance(result, Ok) and isinstance(result.value, Pid)


def test_start_child_2_supports_new_child_spec(tme) -> None:
    """supervisor_test.exs, "start_child/2 supports new child spec" (``{Module, arg}``)."""
    pid = Supervisor.start_link([], strategy=ONE_FOR_ONE).value
    result = start_child(pid, (Stack, (["x"], {})))
    assert isinstance(result, Ok) and isinstance(result.value, Pid)


def test_start_child_2_with_invalid_child_spec(tme) -> None:
    """supervisor_test.exs, "start_child/2 with invalid child spec".  The 6-tuple is an
    old-style spec in Elixir (``{:invalid_mfa, 2}``); here it is no spec at all."""
    pid = Supervisor.start_link([], strategy=ONE_FOR_ONE).value
    assert start_child(pid, {}) == Error(MISSING_ID)
    six = (1, 2, 3, 4, 5, 6)
    assert start_child(pid, six) == Error((Atom("invalid_child_spec"), six))
    bad = ("Task", "foo", "bar")
    assert start_child(pid, {"id": 1, "start": bad}) == Error((INVALID_MFA, bad))


def test_child_life_cycle(tme) -> None:
    """supervisor_test.exs, "child life-cycle"."""
    pid = Supervisor.start_link([], strategy=ONE_FOR_ONE).value
    assert which_children(pid) == []
    assert count_children(pid) == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
    spec = child_spec((Stack, (["hello"], {})))
    stack = start_child(pid, spec).value
    assert call(stack, "pop") == "hello"
    assert which_children(pid) == [(Stack, stack, ChildType.WORKER, (Stack,))]
    assert count_children(pid) == {"specs": 1, "active": 1, "supervisors": 0, "workers": 1}
    assert delete_child(pid, Stack) == Error(RUNNING)
    assert terminate_child(pid, Stack) is OK
    stack = restart_child(pid, Stack).value
    assert call(stack, "pop") == "hello"
    assert terminate_child(pid, Stack) is OK
    assert delete_child(pid, Stack) is OK
    assert delete_child(pid, Stack) == Error(NOT_FOUND)
    assert stop(pid) is OK
