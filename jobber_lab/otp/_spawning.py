"""Spawning: a new process in a new thread, and what runs in that thread from start to exit.

A process is created in one place (:meth:`Spawning._new_process`), whether the runtime starts
its thread (``spawn``) or adopts the caller's (``test_process``, ``shell``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from ._atoms import NORMAL
from ._events import EventKind, plain
from ._pid import Pid, Ref
from ._process import Process, _set_current
from ._results import Crash, ExitError, ExitSignal, format_reason, is_clean
from ._runtime_base import RuntimeBase, _is_name

if TYPE_CHECKING:
    from ._runtime import Runtime

__all__ = ["Spawning"]

log = logging.getLogger("jobber_lab.otp")


class Spawning(RuntimeBase):
    """``spawn``, the one place a process is made, and the life of its thread.

    A part of :class:`~jobber_lab.otp.Runtime`.
    """

    @overload
    def spawn(
        self,
        fn: Callable[..., Any],
        *args: Any,
        link: bool = ...,
        monitor: Literal[False] = ...,
        trap_exit: bool = ...,
        name: Any = ...,
        behaviour: str | None = ...,
        role: str = ...,
        **kwargs: Any,
    ) -> Pid: ...

    @overload
    def spawn(
        self,
        fn: Callable[..., Any],
        *args: Any,
        link: bool = ...,
        monitor: Literal[True],
        trap_exit: bool = ...,
        name: Any = ...,
        behaviour: str | None = ...,
        role: str = ...,
        **kwargs: Any,
    ) -> tuple[Pid, Ref]: ...

    def spawn(
        self,
        fn: Callable[..., Any],
        *args: Any,
        link: bool = False,
        monitor: bool = False,
        trap_exit: bool = False,
        name: Any = None,
        behaviour: str | None = None,
        role: str = "worker",
        **kwargs: Any,
    ) -> Pid | tuple[Pid, Ref | None]:
        """Start ``fn(*args, **kwargs)`` in a new process; link/monitor atomically."""
        if not callable(fn):
            raise TypeError(f"spawn(fn): expected a callable, got {fn!r}")
        if name is not None and not _is_name(name):
            raise TypeError(f"spawn(name): expected a str or Atom name, got {name!r}")
        caller = self._caller()
        if self._closed:
            raise RuntimeError(f"{self.name} is shut down: cannot spawn")
        proc = self._new_process(
            parent=caller.pid if caller is not None and caller.runtime is self else None,
            behaviour=behaviour or str(getattr(fn, "__qualname__", type(fn).__name__)),
            role=role,
            trap_exit=trap_exit,
        )
        pid = proc.pid
        if caller is not None and caller.runtime is self:
            proc.group = caller.group  # processes belong to their spawner's application
        ref: Ref | None = None  # None: spawned from plain code, which nothing can monitor from
        thread = threading.Thread(
            target=self._thread_main,
            args=(proc, fn, args, kwargs),
            name=f"jobber-lab {pid} {proc.behaviour}",
            daemon=True,
        )
        proc.thread = thread
        with self._lock:  # one step: nobody sees the process before its links and monitor
            self._admit(proc, name, linked=bool(link and caller is not None))
            self._threads[pid] = proc
            if link and caller is not None:
                proc.links.add(caller.pid)
                caller.links.add(pid)
            if monitor and caller is not None:
                ref = self.make_ref()
                caller.monitors[ref] = pid
                proc.monitored_by[ref] = caller.pid
        if self._sim is not None:
            self._sim.attach(proc)  # runnable, behind those already runnable
        thread.start()
        return (pid, ref) if monitor else pid

    def _new_process(
        self, *, parent: Pid | None, behaviour: str, role: str, trap_exit: bool = False
    ) -> Process:
        """A process record with the next pid, not yet in the process table: every process,
        spawned or adopted, is made here."""
        runtime = cast("Runtime", self)  # this mixin only ever runs as part of a Runtime
        pid = Pid(self.number, next(self._serials))
        proc = Process(runtime, pid, parent=parent, behaviour=behaviour, role=role)
        proc.trap_exit = trap_exit
        return proc

    def _admit(self, proc: Process, name: Any, *, linked: bool, quiet: bool = False) -> None:
        """Put ``proc`` in the process table and name it, saying so (``spawned`` first, then
        ``named``: the event order is the order of facts). Under the lock, and the name is
        checked before the process exists, so a taken name leaves no phantom behind."""
        with self._lock:
            if name is not None:
                self._check_name_free(name)
            self._procs[proc.pid] = proc
            if not quiet:
                self.events.emit(
                    EventKind.SPAWNED,
                    proc.pid,
                    parent=None if proc.parent is None else str(proc.parent),
                    name=None if name is None else plain(name),
                    behaviour=proc.behaviour,
                    role=proc.role,
                    linked=linked,
                )
            if name is not None:
                self._register_locked(proc, name)

    def _thread_main(
        self, proc: Process, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        _set_current(proc)
        reason: Any = NORMAL
        raised = False
        sim = self._sim
        try:
            if sim is not None:
                sim.begin(proc.seat)  # wait for the baton (inside: an AsyncKill may land here)
            fn(*args, **kwargs)
        except ExitSignal as signal:
            reason = signal.reason
        except ExitError as exc:  # an uncaught exit (a failed call): Elixir exits with it
            reason = exc.reason
            raised = not is_clean(reason)
        except BaseException as exc:
            reason = Crash(exc)
            raised = True
        finally:
            proc.finishing = True  # runtime code from here on: never inject AsyncKill
            try:
                self._finish(proc, reason, raised)
            finally:
                if sim is not None:
                    sim.end(proc.seat)
                _set_current(None)

    def _finish(self, proc: Process, reason: Any, raised: bool = False) -> None:
        """The thread is done: die (if nobody killed us first) and leave the thread table.

        A crash report is logged for an uncaught exception, *before* the death is
        signalled (as proc_lib does), so whoever sees the DOWN also finds the report;
        behaviours that exit with ``ExitSignal`` log their own, richer report.
        """
        if proc.alive:
            if raised:
                log.error(
                    "crash report: process %s (%s) exited: %s",
                    proc.pid,
                    proc.behaviour,
                    format_reason(reason),
                    exc_info=_exc_info(reason),
                )
            self._die(proc, reason)
        with self._lock:
            self._threads.pop(proc.pid, None)
            self._zombies.pop(proc.pid, None)


def _exc_info(reason: Any) -> Any:
    if isinstance(reason, Crash):
        exc = reason.exception
        return (type(exc), exc, exc.__traceback__)
    return None
