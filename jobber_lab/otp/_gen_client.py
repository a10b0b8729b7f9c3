"""The GenServer client API: ``call``, ``cast``, ``reply``, ``stop``, ``whereis``.

What runs in the *caller*: a call monitors the server, sends ``{:$gen_call, from, request}``
and waits for the reply or the DOWN (G3, G6), so a dead server or a timeout is an exit in
the caller, as in Elixir.
"""

from __future__ import annotations

from typing import Any

from ._atoms import CALLING_SELF, INFINITY, NOPROC, NORMAL, TIMEOUT, Atom
from ._gen_terms import GEN_CALL, GEN_CAST, GEN_STOP, From
from ._mailbox import _short
from ._pid import Pid
from ._process import Process, current_process
from ._results import OK, ExitError, ExitSignal
from ._runtime import Runtime, _check_timeout, current_runtime
from ._runtime_base import remove_first
from ._signals import is_down
from ._via import Via

__all__ = ["call", "cast", "reply", "stop", "whereis"]


def call(server: Any, request: Any, timeout: float | Atom | None = 5.0) -> Any:
    """Send a request and wait for the reply (G3).

    Raises :class:`ExitError` with ``(cause, ("GenServer", "call", (server, request,
    timeout)))``; cause is ``TIMEOUT``, ``NOPROC``, ``CALLING_SELF`` or the server's
    exit reason.  A late reply after a timeout never lands in the caller's mailbox.
    """
    if timeout is INFINITY or timeout is None:
        wait: float | None = None
    else:
        wait = _check_timeout("call", timeout)
    caller = current_process()
    if caller is not None and caller.alive:  # the common case: a process calls
        return _call(caller.runtime, caller, server, request, timeout, wait)
    rt = current_runtime()
    with rt.calling_process() as stand_in:
        return _call(rt, stand_in, server, request, timeout, wait)


def _call(
    rt: Runtime, caller: Process, server: Any, request: Any, timeout: Any, wait: float | None
) -> Any:
    """One call: monitor the server (its ref doubles as the reply alias), send, wait."""
    pid = server if type(server) is Pid else rt.resolve(server)
    if pid is None:
        if server is not None and not isinstance(server, str | Atom | Via):
            raise TypeError(f"call(server): expected a Pid or a name, got {server!r}")
        raise ExitError((NOPROC, ("GenServer", "call", (server, request, timeout))))
    if pid == caller.pid:
        raise ExitError((CALLING_SELF, ("GenServer", "call", (server, request, timeout))))
    ref = rt._monitor(caller, pid, pid)
    with caller.lock:
        caller.aliases.add(ref)
    rt._deliver(pid, (GEN_CALL, (caller.pid, ref), request), caller, "call")

    def answer(m: Any) -> bool:
        return (type(m) is tuple and len(m) >= 2 and m[0] is ref) or is_down(m, ref)

    msg = rt._receive(caller, answer, None if wait is None else rt.now() + wait)
    with caller.lock:
        caller.aliases.discard(ref)
        if msg is TIMEOUT:  # a reply that raced the timeout is dropped here
            remove_first(caller.mailbox, lambda m: type(m) is tuple and bool(m) and m[0] is ref)
    if msg is TIMEOUT:
        rt._demonitor(caller, ref, True)
        raise ExitError((TIMEOUT, ("GenServer", "call", (server, request, timeout))))
    if is_down(msg, ref):
        raise ExitError((msg.reason, ("GenServer", "call", (server, request, timeout))))
    rt._demonitor(caller, ref, True)
    return msg[1]


def reply(from_: From, value: Any) -> Any:
    """Answer a caller later (after ``NoReply`` in ``handle_call``); from any process (G4)."""
    if not (isinstance(from_, tuple) and len(from_) == 2 and isinstance(from_[0], Pid)):
        raise TypeError(f"reply(from_): expected the (pid, ref) a call gave, got {from_!r}")
    pid, ref = from_
    me = current_process()
    rt = me.runtime if me is not None else current_runtime()
    target = rt._procs.get(pid)
    if target is None:
        return OK
    if rt.trace_messages:
        rt.emit("message_sent", _me(), other=str(pid), message=_short(value), tag="reply")
    with target.lock:
        if ref in target.aliases and target.alive:
            target.mailbox.append((ref, value))
            target.wake.put(None)
    return OK


def cast(server: Any, request: Any) -> Any:
    """Fire and forget; always ``OK``, even to a dead pid or an unknown name (G4)."""
    proc = current_process()
    if proc is not None:
        if not proc.alive:
            raise ExitSignal(proc.reason)  # a cancellation point, like every runtime call
        rt = proc.runtime
    else:
        rt = current_runtime()
    if type(server) is Pid:
        pid: Pid | None = server
    else:
        try:
            pid = rt.resolve(server)
        except Exception:
            return OK
    if pid is not None:
        rt._deliver(pid, (GEN_CAST, request), proc, "cast")
    return OK


def stop(server: Any, reason: Any = NORMAL, timeout: float | Atom | None = INFINITY) -> Any:
    """Stop a server: ``terminate(reason)`` runs, then it exits; returns ``OK`` (G12)."""
    wait = None if timeout is INFINITY or timeout is None else _check_timeout("stop", timeout)
    rt = current_runtime()
    where = ("GenServer", "stop", (server, reason, timeout))
    with rt.calling_process() as caller:
        pid = rt.resolve(server)
        if pid is None:
            raise ExitError((NOPROC, where))
        if pid == caller.pid:
            raise ExitError((CALLING_SELF, where))
        ref = rt.monitor(pid)
        rt._deliver(pid, (GEN_STOP, reason), caller, "info")
        msg = rt.receive(lambda m: is_down(m, ref), wait)
        if msg is TIMEOUT:
            rt.demonitor(ref, flush=True)
            raise ExitError((TIMEOUT, where))
        if msg.reason is NOPROC:
            raise ExitError((NOPROC, where))
        if msg.reason != reason:
            raise ExitError((msg.reason, where))
        return OK


def whereis(server: Any) -> Pid | None:
    """The pid behind a name or via-name."""
    return current_runtime().resolve(server)


def _me() -> Any:
    proc = current_process()
    return proc.pid if proc is not None else None
