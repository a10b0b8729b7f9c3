"""Shared helpers for the supervision tests: a hand-set clock and small probe workers.

Not a conftest: test modules import what they use (``from otp_support import ...``).
"""

from __future__ import annotations

import threading
from typing import Any

from jobber_lab.otp import (
    GenServer,
    InitOk,
    NoReply,
    Ok,
    Pid,
    Reply,
    Stop,
    receive,
    send,
    sleep,
    spawn_link,
    trap_exit,
)
from jobber_lab.otp import self as self_pid
from jobber_lab.testing import assert_receive as _assert_receive
from jobber_lab.testing import matches
from jobber_lab.testing import refute_receive as _refute_receive

__all__ = ["FakeClock", "Probe", "events_of", "probe_spec", "wait_msg"]


class FakeClock:
    """A clock whose ``now()`` only moves when a test calls :meth:`set`.

    ``wait`` sleeps on the condition for a few real milliseconds at most, so a
    waiter re-checks often and nothing hangs on a deadline the test never reaches.
    """

    def __init__(self, start: float = 0.0, time_scale: float = 0.01) -> None:
        self.time_scale = time_scale
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def set(self, seconds: float) -> None:
        self._now = float(seconds)

    def wall_timeout(self, deadline: float | None) -> float:
        return 0.005 if deadline is not None else 0.05

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        cond.wait(self.wall_timeout(deadline))


class Probe(GenServer):
    """A worker that tells the test when it starts and when its terminate runs.

    ``arg`` is a dict: ``test`` (pid to notify), ``id``, optional ``trap`` (trap exits
    so terminate runs on shutdown), ``log`` (a shared list of ``(what, id)``),
    ``terminate_sleep`` (runtime seconds), ``on_terminate`` (callable).
    """

    def init(self, arg: dict[str, Any]) -> Any:
        if arg.get("trap"):
            trap_exit(True)
        if "log" in arg:
            arg["log"].append(("start", arg["id"]))
        send(arg["test"], ("up", arg["id"], self_pid()))
        return InitOk(arg)

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        return Reply(request, state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        if type(request) is tuple and request[0] == "exit":
            return Stop(request[1], state)
        return NoReply(state)

    def terminate(self, reason: Any, state: Any) -> Any:
        hook = state.get("on_terminate")
        if hook is not None:
            hook(state["id"])
        if state.get("terminate_sleep"):
            sleep(state["terminate_sleep"])
        if "log" in state:
            state["log"].append(("stop", state["id"]))
        send(state["test"], ("terminated", state["id"], reason))
        return None


def probe_spec(child_id: Any, test: Pid, **opts: Any) -> dict[str, Any]:
    """A child spec map for a :class:`Probe` (spec keys split from probe options)."""
    spec_keys = {"restart", "shutdown", "type", "significant", "modules"}
    spec = {k: opts.pop(k) for k in list(opts) if k in spec_keys}
    return {
        "id": child_id,
        "start": (Probe.start_link, ({"test": test, "id": child_id, **opts},)),
        **spec,
    }


def plain_worker(test: Pid, tag: Any) -> Any:
    """A start function for a bare process (not a GenServer): ``Ok(pid)``."""

    def body() -> None:
        send(test, ("up", tag, self_pid()))
        receive()

    return Ok(spawn_link(body))


def wait_msg(pattern: Any = Ellipsis) -> Any:
    """Receive a matching message with no runtime timeout (for fake-clock tests,
    whose deadlines never pass); pytest-timeout bounds the test instead."""
    return receive(matches(pattern), None)


def events_of(events: list[Any], *kinds: str) -> list[Any]:
    return [e for e in events if e.kind in kinds]


WAIT = 300.0
"""Runtime seconds to wait for a message that must come (3 s of wall time at 0.01)."""

REFUTE = 5.0
"""Runtime seconds to watch for a message that must not come (50 ms at 0.01)."""


def assert_receive(pattern: Any = Ellipsis, timeout: float = WAIT) -> Any:
    """:func:`jobber_lab.testing.assert_receive` with a generous default for loaded CI."""
    return _assert_receive(pattern, timeout)


def refute_receive(pattern: Any = Ellipsis, timeout: float = REFUTE) -> None:
    _refute_receive(pattern, timeout)
