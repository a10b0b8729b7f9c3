"""Ported from elixir-lang/elixir lib/elixir/test/elixir/gen_server_test.exs (@9d105ba4).

``Stack`` is the ExUnit file's server.  Exit reasons keep Elixir's shape with Python
values: ``{:noproc, {GenServer, :call, [nil, :pop, 5000]}}`` is
``(NOPROC, ("GenServer", "call", (None, "pop", 5.0)))`` (timeouts in seconds, the
argument list as a tuple).  Not ported: ``:global`` names, ``{name, node}``,
``abcast/3`` and ``multi_call/4`` (no distribution).
"""

from __future__ import annotations

from typing import Any

import pytest
from conformance_support import assert_receive, refute_receive

from jobber_lab.otp import (
    CALLING_SELF,
    EXIT,
    INFINITY,
    NOPROC,
    NORMAL,
    OK,
    TIMEOUT,
    ArgumentError,
    ExitError,
    GenServer,
    InitOk,
    NoReply,
    Ok,
    Registry,
    Reply,
    Restart,
    Via,
    call,
    cast,
    exit,
    register,
    start,
    start_link,
    stop,
    whereis,
)
from jobber_lab.otp import self as self_pid


class Stack(GenServer):
    """gen_server_test.exs ``Stack``."""

    def init(self, args: Any) -> Any:
        return InitOk(args)

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        if request == "pop":
            return Reply(state[0], state[1:])
        if request == "noreply":
            return NoReply(state)
        if request == "stop_self":
            try:
                stop(self_pid())
            except ExitError as caught:
                return Reply(caught.reason, state)
        return super().handle_call(request, from_, state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        return NoReply([request[1], *state])


def caught_exit(fn: Any, *args: Any) -> Any:
    """ExUnit's ``catch_exit``."""
    with pytest.raises(ExitError) as info:
        fn(*args)
    return info.value.reason


def test_generates_child_spec_1() -> None:
    """gen_server_test.exs, "generates child_spec/1"."""
    spec = Stack.child_spec(["hello"])
    assert (spec.id, spec.start) == (Stack, (Stack.start_link, (["hello"],)))

    def foo_bar() -> Any:
        return None

    class CustomStack(GenServer):
        child_spec_overrides = {
            "id": "id",
            "restart": Restart.TEMPORARY,
            "shutdown": INFINITY,
            "start": (foo_bar, ()),
        }

    spec = CustomStack.child_spec(["hello"])
    assert (spec.id, spec.restart, spec.shutdown, spec.start) == (
        "id",
        Restart.TEMPORARY,
        INFINITY,
        (foo_bar, ()),
    )


def test_start_link_3(me) -> None:
    """gen_server_test.exs, "start_link/3": a tuple is no name (a string is one here;
    the error is a TypeError)."""
    with pytest.raises(TypeError, match="name"):
        start_link(Stack, ["hello"], name=("invalid_tuple", "my_gen_server_name"))


def test_start_link_3_rejects_a_via_name_without_a_module(tme) -> None:
    """gen_server_test.exs, "start_link/3" (``name: {:via, "Via", "my_gen_server_name"}``)."""
    with pytest.raises((ArgumentError, TypeError)):
        start_link(Stack, ["hello"], name=Via("Via", "my_gen_server_name"))


def test_start_link_3_with_via(me) -> None:
    """gen_server_test.exs, "start_link/3 with via" (Registry instead of :global)."""
    Registry.start_link(keys="unique", name="gs_reg")
    name = Registry.via("gs_reg", "via_stack")
    start_link(Stack, ["hello"], name=name)
    assert call(name, "pop") == "hello"


def test_start_link_3_with_local(me) -> None:
    """gen_server_test.exs, "start_link/3 with local"."""
    start_link(Stack, ["hello"], name="stack")
    assert call("stack", "pop") == "hello"


def test_start_link_2_call_2_and_cast_2(tme) -> None:
    """gen_server_test.exs, "start_link/2, call/2 and cast/2"."""
    pid = start_link(Stack, ["hello"]).value
    assert call(pid, "pop") == "hello"
    assert cast(pid, ("push", "world")) is OK
    assert call(pid, "pop") == "world"
    assert stop(pid) is OK
    assert assert_receive((EXIT, pid, ...))[2] is NORMAL  # it was linked
    Registry.start_link(keys="unique", name="cast_reg")
    assert cast(Registry.via("cast_reg", "bar"), ("push", "world")) is OK
    assert cast("foo", ("push", "world")) is OK


def test_call_3_exit_messages(me, runtime) -> None:
    """gen_server_test.exs, "call/3 exit messages"."""
    name = "self"
    register(name, me)
    Registry.start_link(keys="unique", name="call_reg")
    Registry.register("call_reg", name)
    via = Registry.via("call_reg", name)
    pid = start_link(Stack, ["hello"]).value
    stopped_pid = start(Stack, ["hello"]).value
    stop(stopped_pid)

    def where(server: Any, timeout: Any = 5.0) -> Any:
        return ("GenServer", "call", (server, "pop", timeout))

    assert caught_exit(call, name, "pop", 5.0) == (CALLING_SELF, where(name))
    assert caught_exit(call, via, "pop", 5.0) == (CALLING_SELF, where(via))
    assert caught_exit(call, me, "pop", 5.0) == (CALLING_SELF, where(me))
    assert caught_exit(call, pid, "noreply", 0.001) == (
        TIMEOUT,
        ("GenServer", "call", (pid, "noreply", 0.001)),
    )
    assert caught_exit(call, stopped_pid, "pop", 5.0) == (NOPROC, where(stopped_pid))


def test_call_3_exit_messages_nil(me) -> None:
    """gen_server_test.exs, "call/3 exit messages" (``GenServer.call(nil, :pop, 5000)``)."""
    assert caught_exit(call, None, "pop", 5.0) == (
        NOPROC,
        ("GenServer", "call", (None, "pop", 5.0)),
    )


def test_nil_name(me, runtime) -> None:
    """gen_server_test.exs, "nil name": ``name: nil`` registers nothing."""
    before = set(runtime.registered())
    result = start_link(Stack, ["hello"], name=None)
    assert isinstance(result, Ok)
    assert set(runtime.registered()) == before


def test_start_2(tme) -> None:
    """gen_server_test.exs, "start/2": not linked to the caller."""
    pid = start(Stack, ["hello"]).value
    exit(pid, "kill_it")
    refute_receive((EXIT, pid, ...))


def test_whereis_1(me) -> None:
    """gen_server_test.exs, "whereis/1" (the local and via forms)."""
    pid = start_link(Stack, [], name="whereis_server").value
    assert whereis("whereis_server") == pid
    assert whereis(pid) == pid
    assert whereis("whereis_bad_server") is None
    Registry.start_link(keys="unique", name="where_reg")
    via_pid = start_link(Stack, [], name=Registry.via("where_reg", "whereis_server")).value
    assert whereis(Registry.via("where_reg", "whereis_server")) == via_pid
    assert whereis(Registry.via("where_reg", "whereis_bad_server")) is None


def test_stop_3(me) -> None:
    """gen_server_test.exs, "stop/3"."""
    pid = start(Stack, []).value
    assert stop(pid, NORMAL) is OK
    stopped_pid = pid
    assert caught_exit(stop, stopped_pid) == (
        NOPROC,
        ("GenServer", "stop", (stopped_pid, NORMAL, INFINITY)),
    )
    assert caught_exit(stop, None) == (NOPROC, ("GenServer", "stop", (None, NORMAL, INFINITY)))
    pid = start(Stack, []).value
    assert call(pid, "stop_self") == (CALLING_SELF, ("GenServer", "stop", (pid, NORMAL, INFINITY)))
    start(Stack, [], name="stop_3")
    assert stop("stop_3", NORMAL) is OK
