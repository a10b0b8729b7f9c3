"""Ported from erlang/otp lib/stdlib/test/gen_server_SUITE.erl (@37158d81).

Ported: ``start``, the ``stop`` group (the local and via cases), ``crash``, ``call``,
``cast``, ``info``, ``otp_7669``, ``terminate_crash_format``, ``error_format_status``,
the ``undef_callbacks`` group and ``undef_in_terminate`` / ``undef_in_handle_info``.
The SUITE's own callback module is :class:`SuiteServer`; ``dummy_via`` is a Registry
via-name.  OTP's milliseconds are runtime seconds; where the SUITE relies on a race
between two short timers, the figures are widened so the order cannot flip on a loaded
machine (noted at each case).

Not ported (no such feature): ``{global, _}`` and remote-node cases, ``abcast`` /
``multicall``, ``cast_fast``, ``enter_loop`` (``spec_init*``, ``otp_5854``),
``hibernate``, ``sys`` (``call_format_status``, ``get_state``, ``replace_state``),
``code_change`` (``undef_code_change``) and the timing benchmark
``call_with_huge_message_queue``.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from conformance_support import assert_receive, refute_receive

from jobber_lab.otp import (
    ALREADY_STARTED,
    BAD_RETURN_VALUE,
    DOWN,
    EXIT,
    IGNORE,
    NOPROC,
    NORMAL,
    OK,
    SHUTDOWN,
    TIMEOUT,
    Crash,
    Error,
    ExitError,
    GenServer,
    InitOk,
    InitStop,
    NoReply,
    Registry,
    Reply,
    Stop,
    call,
    cast,
    exit,
    is_alive,
    monitor,
    reply,
    send,
    sleep,
    start,
    start_link,
    stop,
    whereis,
)
from jobber_lab.otp import self as self_pid

GS_LOG = "jobber_lab.otp.genserver"


class SuiteServer(GenServer):
    """gen_server_SUITE's callback module (the clauses the ported cases use)."""

    def init(self, arg: Any) -> Any:
        if arg == "ignore":
            return IGNORE
        if arg == "stop":
            return InitStop("stopped")
        if arg == "sleep":
            sleep(10.0)  # the SUITE sleeps 1 s against a 100 ms start timeout
            return InitOk([])
        if type(arg) is tuple and arg[0] == "state":
            return InitOk(arg[1])
        return InitOk([])

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        if request == "started_p":
            return Reply(OK, state)
        if type(request) is tuple and request[0] == "delayed_answer":
            return NoReply(("reply_to", from_), request[1])
        if type(request) is tuple and request[0] == "call_within":
            return Reply(OK, "call_within", request[1])
        if request == "next_call":
            return Reply(True, []) if state == "call_within" else Reply(False, state)
        if request == "badreturn":
            return "badreturn"
        if request == "stop":
            return Stop("stopped", state, reply=OK)
        if request == "crash":
            exit("crashed")
        if request == "exit_shutdown":
            exit(SHUTDOWN)
        if request == "stop_shutdown":
            return Stop(SHUTDOWN, state)
        if request == "shutdown_reason":
            exit((SHUTDOWN, "reason"))
        if request == "stop_shutdown_reason":
            return Stop((SHUTDOWN, "stop_reason"), state)
        return super().handle_call(request, from_, state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        sender, what = request[0], request[1]
        if what == "handle_cast":
            send(sender, (self_pid(), "handled_cast"))
            return NoReply(state)
        if what == "delayed_cast":
            return NoReply(("delayed_cast", sender), request[2])
        if what == "stop":
            return Stop((sender, "stopped"), state)
        return super().handle_cast(request, state)

    def handle_info(self, message: Any, state: Any) -> Any:
        if message is TIMEOUT:
            if type(state) is tuple and state[0] == "reply_to":
                reply(state[1], "delayed")
            elif type(state) is tuple and state[0] == "delayed_cast":
                send(state[1], (self_pid(), "delayed"))
            elif type(state) is tuple and state[0] == "delayed_info":
                send(state[1], (self_pid(), "delayed_info"))
            return NoReply([])
        if type(message) is tuple and len(message) >= 2:
            sender, what = message[0], message[1]
            if what == "handle_info":
                send(sender, (self_pid(), "handled_info"))
                return NoReply([])
            if what == "delayed_info":
                return NoReply(("delayed_info", sender), message[2])
            if what == "stop":
                return Stop((sender, "stopped_info"), state)
            if what == "call_undef_fun":
                undefined_function()
        return NoReply(state)

    def terminate(self, reason: Any, state: Any) -> Any:
        if type(reason) is tuple and len(reason) == 2 and reason[1] == "stopped":
            send(reason[0], (self_pid(), "stopped"))
        elif type(reason) is tuple and len(reason) == 2 and reason[1] == "stopped_info":
            send(reason[0], (self_pid(), "stopped_info"))
        elif state == "crash_terminate":
            exit(("crash", "terminate"))
        elif type(state) is tuple and state[0] == "undef_in_terminate":
            undefined_function()
        return OK


def undefined_function() -> Any:
    """Stands in for a call to an undefined function (Erlang's ``undef``)."""
    raise NameError("undef: oc_server:terminate/0")


def caught_exit(fn: Any, *args: Any) -> Any:
    with pytest.raises(ExitError) as info:
        fn(*args)
    return info.value.reason


def down_reason(ref: Any) -> Any:
    return assert_receive((DOWN, ref, ..., ..., ...))[4]


def wait_dead(pid: Any) -> None:
    ref = monitor(pid)
    down_reason(ref)


# -------------------------------------------------------------------- start


def test_start(tme) -> None:
    """gen_server_SUITE.erl, start (anonymous, timeout, ignore, stop, linked, local and
    via names)."""
    pid0 = start(SuiteServer, []).value
    assert call(pid0, "started_p") is OK
    assert call(pid0, "stop") is OK
    wait_dead(pid0)
    assert caught_exit(call, pid0, "started_p", 0.001)[0] is NOPROC

    pid00 = start(SuiteServer, [], timeout=1.0).value
    assert call(pid00, "started_p") is OK
    assert call(pid00, "stop") is OK
    assert start(SuiteServer, "sleep", timeout=0.1) == Error(TIMEOUT)
    assert start(SuiteServer, "ignore") is IGNORE
    assert start(SuiteServer, "stop") == Error("stopped")

    pid1 = start_link(SuiteServer, []).value
    assert call(pid1, "started_p") is OK
    assert call(pid1, "stop") is OK
    assert assert_receive((EXIT, pid1, ...))[2] == "stopped"

    Registry.start_link(keys="unique", name="dummy_via")
    for name in ("my_test_name", Registry.via("dummy_via", "my_test_name")):
        pid2 = start(SuiteServer, [], name=name).value
        assert call(name, "started_p") is OK
        assert start(SuiteServer, [], name=name) == Error((ALREADY_STARTED, pid2))
        assert call(name, "stop") is OK
        wait_dead(pid2)
        assert caught_exit(call, pid2, "started_p", 0.01)[0] is NOPROC

        pid3 = start_link(SuiteServer, [], name=name).value
        assert call(name, "started_p") is OK
        assert start(SuiteServer, [], name=name) == Error((ALREADY_STARTED, pid3))
        assert call(name, "stop") is OK
        assert assert_receive((EXIT, pid3, ...))[2] == "stopped"
    refute_receive(..., 0.01)


# --------------------------------------------------------------- stop group


def test_stop1(me) -> None:
    """gen_server_SUITE.erl, stop1: anonymous, reason normal; then noproc."""
    pid = start(SuiteServer, []).value
    assert stop(pid) is OK
    assert not is_alive(pid)
    assert caught_exit(stop, pid)[0] is NOPROC


def test_stop2(me) -> None:
    """gen_server_SUITE.erl, stop2: anonymous, other reason."""
    pid = start(SuiteServer, []).value
    assert stop(pid, "other_reason", None) is OK
    assert not is_alive(pid)


def test_stop3(me) -> None:
    """gen_server_SUITE.erl, stop3: an invalid timeout is refused, the server lives."""
    pid = start(SuiteServer, []).value
    with pytest.raises((TypeError, ValueError, ExitError)):
        stop(pid, "other_reason", "invalid_timeout")
    assert is_alive(pid)
    assert stop(pid) is OK
    assert not is_alive(pid)


def test_stop4(me) -> None:
    """gen_server_SUITE.erl, stop4: a registered name."""
    pid = start(SuiteServer, [], name="to_stop").value
    assert stop("to_stop") is OK
    assert not is_alive(pid)
    assert caught_exit(stop, "to_stop")[0] is NOPROC


def test_stop7(me) -> None:
    """gen_server_SUITE.erl, stop7: a via name."""
    Registry.start_link(keys="unique", name="dummy_via")
    name = Registry.via("dummy_via", "to_stop")
    pid = start(SuiteServer, [], name=name).value
    assert stop(name) is OK
    assert not is_alive(pid)
    assert caught_exit(stop, name)[0] is NOPROC


# -------------------------------------------------------------------- crash


def test_crash(tme, caplog) -> None:
    """gen_server_SUITE.erl, crash: shutdown reasons end the server without a crash
    report; ``exit(crashed)`` in handle_call logs one."""
    caplog.set_level(logging.ERROR, logger=GS_LOG)
    cases = [
        ([], "shutdown_reason", (SHUTDOWN, "reason")),
        (("state", "state1"), "stop_shutdown_reason", (SHUTDOWN, "stop_reason")),
        ([], "exit_shutdown", SHUTDOWN),
        (("state", "state3"), "stop_shutdown", SHUTDOWN),
    ]
    for arg, request, reason in cases:
        pid = start_link(SuiteServer, arg).value
        assert caught_exit(call, pid, request)[0] == reason
        assert assert_receive((EXIT, pid, ...))[2] == reason
    assert [r for r in caplog.records if r.name == GS_LOG] == []

    pid4 = start(SuiteServer, ("state", "state4")).value
    assert caught_exit(call, pid4, "crash")[0] == "crashed"
    records = [r for r in caplog.records if r.name == GS_LOG]
    assert len(records) == 1 and str(pid4) in records[0].getMessage()


def test_error_format_status(tme, caplog) -> None:
    """gen_server_SUITE.erl, error_format_status: the report names the server, the last
    message, the state, the reason and the client."""
    caplog.set_level(logging.ERROR, logger=GS_LOG)
    state = "called format_status"
    pid = start_link(SuiteServer, ("state", state)).value
    assert caught_exit(call, pid, "crash")[0] == "crashed"
    assert assert_receive((EXIT, pid, ...))[2] == "crashed"
    [record] = [r for r in caplog.records if r.name == GS_LOG]
    text = record.getMessage()
    assert str(pid) in text and "crashed" in text
    # The report prints terms the Elixir way: the request "crash" in double quotes.
    assert "Last message" in text and '"crash"' in text
    assert state in text and str(tme) in text


def test_terminate_crash_format(tme) -> None:
    """gen_server_SUITE.erl, terminate_crash_format: terminate exits, the server exits
    with terminate's reason, and the caller still gets the reply (OTP replies in an
    ``after``)."""
    pid = start_link(SuiteServer, ("state", "crash_terminate")).value
    assert call(pid, "stop") is OK
    assert assert_receive((EXIT, pid, ...))[2] == ("crash", "terminate")


def test_terminate_crash_format_report(tme, caplog) -> None:
    """gen_server_SUITE.erl, terminate_crash_format (the ``** Generic server`` report
    with the last message ``stop`` and the state)."""
    caplog.set_level(logging.ERROR, logger=GS_LOG)
    pid = start_link(SuiteServer, ("state", "crash_terminate")).value
    call(pid, "stop")
    assert_receive((EXIT, pid, ...))
    [record] = [r for r in caplog.records if r.name == GS_LOG]
    text = record.getMessage()
    assert "Last message" in text and "crash_terminate" in text


# --------------------------------------------------------------------- call


def test_call(tme) -> None:
    """gen_server_SUITE.erl, call: every handle_call return shape.  The idle-timeout
    figures are widened (1 s window, 10 s wait) so the order is never a race."""
    start_link(SuiteServer, [], name="my_test_name")
    name = "my_test_name"
    assert call(name, "started_p") is OK
    assert call(name, ("delayed_answer", 0.001)) == "delayed"
    assert call(name, ("call_within", 100.0)) is OK
    sleep(0.5)
    assert call(name, "next_call") is True
    assert call(name, ("call_within", 1.0)) is OK
    sleep(10.0)
    assert call(name, "next_call") is False
    assert call(name, ("delayed_answer", 0.001), 30.0) == "delayed"
    assert caught_exit(call, name, ("delayed_answer", 30.0), 0.001)[0] is TIMEOUT
    assert caught_exit(call, name, "badreturn")[0] == (BAD_RETURN_VALUE, "badreturn")


# ------------------------------------------------------------- cast and info


def test_cast(me) -> None:
    """gen_server_SUITE.erl, cast."""
    pid = start(SuiteServer, [], name="my_test_name").value
    assert call("my_test_name", "started_p") is OK
    assert cast("my_test_name", (me, "handle_cast")) is OK
    assert_receive((pid, "handled_cast"))
    assert cast("my_test_name", (me, "delayed_cast", 0.001)) is OK
    assert_receive((pid, "delayed"))
    assert cast("my_test_name", (me, "stop")) is OK
    assert_receive((pid, "stopped"))


def test_info(me) -> None:
    """gen_server_SUITE.erl, info."""
    pid = start(SuiteServer, [], name="my_test_name").value
    assert call("my_test_name", "started_p") is OK
    send(pid, (me, "handle_info"))
    assert_receive((pid, "handled_info"))
    send(pid, (me, "delayed_info", 0.001))
    assert_receive((pid, "delayed_info"))
    send(pid, (me, "stop"))
    assert_receive((pid, "stopped_info"))


def test_otp_7669(me) -> None:
    """gen_server_SUITE.erl, otp_7669: after a failed start the name is free at once."""
    for _ in range(20):
        assert start(SuiteServer, "ignore", name="gen_server_SUITE") is IGNORE
        assert whereis("gen_server_SUITE") is None
        assert start_link(SuiteServer, "ignore", name="gen_server_SUITE") is IGNORE
        assert whereis("gen_server_SUITE") is None
    for _ in range(5):
        assert start(SuiteServer, "stop", name="gen_server_SUITE") == Error("stopped")
        assert whereis("gen_server_SUITE") is None


# ---------------------------------------------------------- undef callbacks


class OcServer(GenServer):
    """``oc_server``: only init; every other callback is the behaviour's default."""

    def init(self, arg: Any) -> Any:
        return InitOk(arg)


def test_undef_terminate1(me) -> None:
    """gen_server_SUITE.erl, undef_terminate1: the default terminate, reason normal."""
    server = start(OcServer, []).value
    ref = monitor(server)
    assert stop(server) is OK
    assert down_reason(ref) is NORMAL


def test_undef_terminate2(me) -> None:
    """gen_server_SUITE.erl, undef_terminate2: the default terminate, another reason."""
    server = start(OcServer, []).value
    ref = monitor(server)
    assert stop(server, ("error", "test"), None) is OK
    assert down_reason(ref) == ("error", "test")


def test_undef_init(me) -> None:
    """gen_server_SUITE.erl, undef_init: OTP fails with ``undef``; the Python base class
    has a default ``init`` (state = the argument), so the start succeeds."""

    class OcInitServer(GenServer):
        def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
            return Reply(state, state)

    server = start(OcInitServer, "arg").value
    assert call(server, "state") == "arg"


def test_undef_handle_call(me) -> None:
    """gen_server_SUITE.erl, undef_handle_call: the caller exits with the crash."""
    server = start(OcServer, []).value
    reason = caught_exit(call, server, "call_msg")
    assert isinstance(reason[0], Crash) and reason[1][:2] == ("GenServer", "call")


def test_undef_handle_cast(me) -> None:
    """gen_server_SUITE.erl, undef_handle_cast: the server crashes."""
    server = start(OcServer, []).value
    ref = monitor(server)
    cast(server, "cast_msg")
    assert isinstance(down_reason(ref), Crash)


def test_undef_handle_info(me, caplog) -> None:
    """gen_server_SUITE.erl, undef_handle_info: logged, the server lives on."""
    caplog.set_level(logging.ERROR, logger=GS_LOG)
    server = start(OcServer, []).value
    send(server, "hej")
    call_ok = start(SuiteServer, []).value  # any round trip after the message
    assert call(call_ok, "started_p") is OK
    for _ in range(100):
        if any("hej" in r.getMessage() for r in caplog.records):
            break
        sleep(0.05)
    assert is_alive(server)
    assert any("hej" in r.getMessage() for r in caplog.records if r.name == GS_LOG)


def test_undef_in_terminate(me) -> None:
    """gen_server_SUITE.erl, undef_in_terminate: an error raised in terminate is what
    ``stop`` exits with."""
    state = ("undef_in_terminate", ("oc_server", "terminate"))
    server = start(SuiteServer, ("state", state)).value
    reason = caught_exit(stop, server)
    assert isinstance(reason[0], Crash) and isinstance(reason[0].exception, NameError)


def test_undef_in_handle_info(me) -> None:
    """gen_server_SUITE.erl, undef_in_handle_info: an error in handle_info crashes it."""
    server = start(SuiteServer, []).value
    ref = monitor(server)
    send(server, (me, "call_undef_fun"))
    reason = down_reason(ref)
    assert isinstance(reason, Crash) and isinstance(reason.exception, NameError)
