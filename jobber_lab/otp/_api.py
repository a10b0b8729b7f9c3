"""The short module-level API, Elixir's ``Process``/``Kernel`` functions.

Each call acts on the runtime of the calling process, or on the default
runtime when called from plain code (a notebook cell), the way iex talks to
its node.  Every call is a cancellation point for a killed process.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, NoReturn, overload

from ._durations import finite_duration
from ._pid import Pid, Ref
from ._process import current_process
from ._results import ExitSignal
from ._runtime import current_runtime
from ._runtime_base import _is_name

if TYPE_CHECKING:
    from ._timers import TimerService

__all__ = [
    "cancel_timer",
    "checkpoint",
    "demonitor",
    "exit",
    "exit_signal",
    "is_alive",
    "link",
    "make_ref",
    "monitor",
    "now",
    "read_timer",
    "receive",
    "register",
    "self",
    "send",
    "send_after",
    "sleep",
    "spawn",
    "spawn_link",
    "spawn_monitor",
    "trap_exit",
    "unlink",
    "unregister",
    "whereis",
]

_NO_REASON: Any = object()


@overload
def spawn(
    fn: Callable[..., Any], *args: Any, monitor: Literal[False] = ..., **kwargs: Any
) -> Pid: ...


@overload
def spawn(
    fn: Callable[..., Any], *args: Any, monitor: Literal[True], **kwargs: Any
) -> tuple[Pid, Ref]: ...


def spawn(
    fn: Callable[..., Any], *args: Any, monitor: bool = False, **kwargs: Any
) -> Pid | tuple[Pid, Ref]:
    """Start ``fn(*args)`` in a new process; with ``monitor=True``, ``(pid, ref)``."""
    if monitor:
        return spawn_monitor(fn, *args, **kwargs)
    pid: Pid = current_runtime().spawn(fn, *args, **kwargs)  # kwargs hold no `monitor` here
    return pid


def spawn_link(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Pid:
    """Start ``fn(*args)`` linked to the caller, before it runs a line."""
    pid: Pid = current_runtime().spawn(fn, *args, link=True, **kwargs)
    return pid


def spawn_monitor(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Pid, Ref]:
    """Start ``fn(*args)`` monitored by the caller; returns ``(pid, ref)``."""
    pid_ref: tuple[Pid, Ref] = current_runtime().spawn(fn, *args, monitor=True, **kwargs)
    return pid_ref


def self() -> Pid:
    """The calling process's pid (``self()``)."""
    proc = current_process()
    if proc is None:
        raise RuntimeError("self(): not called from a process")
    proc.runtime.checkpoint()
    return proc.pid


def send(dest: Any, message: Any) -> Any:
    """``send(dest, message)``; returns the message like Erlang's ``!``."""
    return current_runtime().send(dest, message)


def receive(match: Callable[[Any], bool] | None = None, timeout: float | None = None) -> Any:
    """Selective receive; :data:`TIMEOUT` if ``timeout`` seconds pass first."""
    return current_runtime().receive(match, timeout)


def sleep(seconds: float) -> None:
    """``Process.sleep``: interruptible, in runtime seconds (scaled)."""
    current_runtime().sleep(seconds)


def checkpoint() -> None:
    """Let a killed process unwind here (put one in long CPU loops)."""
    current_runtime().checkpoint()


def link(pid: Pid) -> bool:
    return current_runtime().link(pid)


def unlink(pid: Pid) -> bool:
    return current_runtime().unlink(pid)


def monitor(target: Any) -> Ref:
    return current_runtime().monitor(target)


def demonitor(ref: Ref, *, flush: bool = False) -> bool:
    return current_runtime().demonitor(ref, flush=flush)


def trap_exit(flag: bool) -> bool:
    """``Process.flag(:trap_exit, flag)``; returns the old value."""
    return current_runtime().trap_exit(flag)


@overload
def exit(pid_or_reason: Any) -> NoReturn: ...


@overload
def exit(pid_or_reason: Pid, reason: Any) -> bool: ...


def exit(pid_or_reason: Any, reason: Any = _NO_REASON) -> bool:
    """``exit(reason)`` ends the caller; ``exit(pid, reason)`` sends an exit signal (P2)."""
    if reason is _NO_REASON:
        checkpoint()
        raise ExitSignal(pid_or_reason)
    return current_runtime().exit(pid_or_reason, reason)


def exit_signal(pid: Pid, reason: Any) -> bool:
    """``Process.exit(pid, reason)`` under the name otp-semantics P2 uses; returns True."""
    return current_runtime().exit(pid, reason)


def register(name: Any, pid: Pid | None = None) -> bool:
    return current_runtime().register(name, pid)


def unregister(name: Any) -> bool:
    return current_runtime().unregister(name)


def whereis(name: Any) -> Pid | None:
    return current_runtime().whereis(name)


def is_alive(pid: Pid) -> bool:
    return current_runtime().is_alive(pid)


def make_ref() -> Ref:
    return current_runtime().make_ref()


def now() -> float:
    """Runtime time in (book) seconds."""
    return current_runtime().now()


class TimerRef(Ref):
    """What :func:`send_after` returns; it remembers its timer service, so plain code
    (not a process) can cancel or read it whatever the default runtime is."""

    __slots__ = ("_timers",)
    _timers: weakref.ref[TimerService]


def send_after(dest: Any, message: Any, seconds: float) -> TimerRef:
    """Deliver ``message`` to ``dest`` after ``seconds`` (T1), through the mailbox.

    A pid destination's timer dies with it; a name is resolved when it fires.
    """
    rt = current_runtime()
    rt.checkpoint()
    seconds = finite_duration(
        "send_after(seconds)",
        seconds,
        instead="a message that never arrives needs no timer (or keep the ref and cancel it)",
    )
    if (
        not isinstance(dest, Pid)
        and not isinstance(dest, str)
        and rt.resolve(dest) is None
        and not _is_name(dest)
    ):
        raise TypeError(f"send_after(dest): expected a Pid or a name, got {dest!r}")
    base = rt.make_ref()
    ref = TimerRef(base.node, base.serial)
    ref._timers = weakref.ref(rt.timers)

    def fire() -> None:
        pid = rt.resolve(dest)
        if pid is None:
            return
        rt.emit("timer_fired", pid, message=repr(message)[:60])
        rt._deliver(pid, message)

    rt.timers.schedule(seconds, fire, key=ref, owner=dest if isinstance(dest, Pid) else None)
    if isinstance(dest, Pid) and not rt.is_alive(dest):
        # A timer to a dead pid is cancelled at once (it may have died before the
        # timer existed, so its own death could not drop it).
        rt.timers.cancel(ref)
    return ref


def cancel_timer(ref: Ref) -> float | bool:
    """Cancel a timer: the seconds it had left, or False if it fired or never existed."""
    if not isinstance(ref, Ref):
        raise TypeError(f"cancel_timer(ref): expected a timer Ref, got {ref!r}")
    left = _timers_of(ref).cancel(ref)
    return False if left is None else left


def read_timer(ref: Ref) -> float | bool:
    """Seconds left on a timer, or False."""
    if not isinstance(ref, Ref):
        raise TypeError(f"read_timer(ref): expected a timer Ref, got {ref!r}")
    left = _timers_of(ref).read(ref)
    return False if left is None else left


def _timers_of(ref: Ref) -> Any:
    timers = getattr(ref, "_timers", None)
    return timers() if timers is not None and timers() is not None else current_runtime().timers
