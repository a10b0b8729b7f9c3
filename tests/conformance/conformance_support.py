"""Helpers shared by the ported upstream suites: the upstream test modules' own helpers,
rewritten against this port's public API.

Not a conftest: test modules import what they use (``from conformance_support import ...``).
"""

from __future__ import annotations

from typing import Any

from jobber_lab.otp import (
    DOWN,
    EXIT,
    IGNORE,
    KILL,
    NORMAL,
    OK,
    SHUTDOWN,
    Atom,
    GenServer,
    InitOk,
    NoReply,
    Ok,
    Pid,
    Reply,
    Stop,
    count_children,
    exit,
    monitor,
    send,
    sleep,
    spawn_link,
    terminate_child,
    trap_exit,
)
from jobber_lab.otp import receive as otp_receive
from jobber_lab.testing import assert_receive as _assert_receive
from jobber_lab.testing import refute_receive as _refute_receive

WAIT = 300.0
"""Runtime seconds to wait for a message that must come (3 s of wall time at 0.01)."""

REFUTE = 5.0
"""Runtime seconds to watch for a message that must not come (50 ms of wall time)."""

DIED = Atom("died")
"""supervisor_1's ``{stop, died, State}`` reason for the ``die`` message."""


def assert_receive(pattern: Any = Ellipsis, timeout: float = WAIT) -> Any:
    return _assert_receive(pattern, timeout)


def refute_receive(pattern: Any = Ellipsis, timeout: float = REFUTE) -> None:
    _refute_receive(pattern, timeout)


def flush() -> list[Any]:
    """Take every message already in the mailbox (ExUnit's ``flush``)."""
    taken = []
    while True:
        message = otp_receive(None, 0)
        if message is Atom("timeout"):
            return taken
        taken.append(message)


# ----------------------------------------------------------- supervisor_1.erl


class Sup1Child(GenServer):
    """OTP's ``supervisor_1``: a trapping child that obeys ``die``, ``stop`` and
    ``{sleep, T}`` messages and stops on a ``shutdown`` EXIT from anyone."""

    def init(self, arg: Any) -> Any:
        if arg == "error":
            # supervisor_1 has no init(error) clause: a function_clause crash.
            raise ValueError("no function clause matching supervisor_1:init(error)")
        trap_exit(True)
        return InitOk({})

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        return Reply(request, state)

    def handle_info(self, message: Any, state: Any) -> Any:
        if message == "die":
            return Stop(DIED, state)
        if message == "stop":
            return Stop(NORMAL, state)
        if type(message) is tuple and message[0] == "exit":  # supervisor_deadlock's exit
            return Stop(message[1], state)
        if type(message) is tuple and len(message) == 3 and message[0] is EXIT:
            reason = message[2]
            if reason is SHUTDOWN or (type(reason) is tuple and reason[0] is SHUTDOWN):
                return Stop(reason, state)
        if type(message) is tuple and message[0] == "sleep":
            while True:  # supervisor_1 sleeps again after every sleep: it never returns
                sleep(message[1])
        return NoReply(state)


def sup1_start_child(extra: Any = None) -> Any:
    """``supervisor_1:start_child/0,1``: ``{ok, Pid}``, or ``{ok, Pid, Extra}``."""
    result = Sup1Child.start_link(None)
    if extra is None or not isinstance(result, Ok):
        return result
    return Ok(result.value, extra)


class Once:
    """The process dictionary flag ``supervisor_1`` keeps between two start calls."""

    def __init__(self) -> None:
        self.done = False

    def first(self) -> bool:
        first, self.done = not self.done, True
        return first


def sup1_start_child_ignore(once: Once) -> Any:
    """``supervisor_1:start_child(ignore)``: ``ignore`` the first time, then a child."""
    return IGNORE if once.first() else sup1_start_child()


def sup1_start_child_error(once: Once) -> Any:
    """``supervisor_1:start_child(error)``: a child the first time, then init crashes."""
    return sup1_start_child() if once.first() else Sup1Child.start_link("error")


def sup1_spec(child_id: Any, start: Any = None, **opts: Any) -> dict[str, Any]:
    """A child spec map like the SUITE's ``{Id, {supervisor_1, start_child, []}, ...}``;
    OTP's 1000 ms shutdown is the default here (1.0 runtime seconds)."""
    opts.setdefault("shutdown", 1.0)
    return {"id": child_id, "start": start or (sup1_start_child, ()), **opts}


def counts(sup: Any) -> list[int]:
    """The SUITE's ``get_child_counts``: ``[specs, active, supervisors, workers]``."""
    c = count_children(sup)
    return [c["specs"], c["active"], c["supervisors"], c["workers"]]


def terminate(sup: Any, child: Pid | None, child_id: Any, how: Any) -> None:
    """The SUITE's ``terminate/4``: end a child one way and wait for its DOWN."""
    if how == "supervisor":
        assert terminate_child(sup, child_id) is OK
        return
    assert child is not None
    ref = monitor(child)
    if how == "kill":
        exit(child, KILL)
        expected: Any = Atom("killed")
    elif how == "normal":
        send(child, "stop")
        expected = NORMAL
    elif how == "abnormal":
        send(child, "die")
        expected = DIED
    else:  # SHUTDOWN or (SHUTDOWN, term)
        exit(child, how)
        expected = how
    assert assert_receive((DOWN, ref, ..., child, ...))[4] == expected


def check_exit(*pids: Pid) -> None:
    """The SUITE's ``check_exit/1``: an EXIT from each pid, in this order."""
    for pid in pids:
        assert_receive((EXIT, pid, ...))


def check_exit_reason(pid: Any, reason: Any) -> None:
    """The SUITE's ``check_exit_reason/2`` (``pid=...`` for any sender)."""
    message = assert_receive((EXIT, pid, ...))
    assert message[2] == reason, message


def sleeper(test: Pid | None = None, tag: Any = "ready", *, trap: bool = False) -> Any:
    """Elixir's ``{Task, fn -> Process.sleep(:infinity) end}``: a plain linked process."""

    def body() -> None:
        if trap:
            trap_exit(True)
        if test is not None:
            send(test, tag)
        otp_receive()

    return Ok(spawn_link(body))
