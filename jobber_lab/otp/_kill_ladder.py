"""The kill ladder, rungs 3 and 4 (otp-semantics §7): unwinding a thread that did not stop.

Threads cannot be killed. A process is logically dead at once; its thread unwinds at its
next cancellation point. One that does not within ``grace`` gets :class:`AsyncKill` injected;
one that survives even that is reported as a zombie and left behind, never waited for.
"""

from __future__ import annotations

import ctypes
import logging
import math
import sys
import threading
import time
import traceback
from typing import Any

from ._atoms import KILLED
from ._events import EventKind, plain
from ._process import Process, current_process
from ._results import ExitSignal, format_reason
from ._runtime_base import RuntimeBase

__all__ = ["AsyncKill", "KillLadder"]

log = logging.getLogger("jobber_lab.otp")


class KillLadder(RuntimeBase):
    """Rungs 3 and 4 of the kill ladder, and the last join at shutdown.

    A part of :class:`~jobber_lab.otp.Runtime`.
    """

    def _schedule_escalation(self, proc: Process) -> None:
        if self.grace == math.inf:
            return  # the caller asked for no escalation at all
        if self.grace == 0:
            self._escalate(proc)
            return
        self.timers.schedule(self.grace / self.time_scale, lambda: self._escalate(proc))

    def _escalate(self, proc: Process) -> None:
        """Rung 3 then 4 of the ladder: inject AsyncKill once, then call it a zombie."""
        thread = proc.thread
        if thread is None or not thread.is_alive() or self._closed or proc.finishing:
            return
        if not proc.escalated:
            proc.escalated = True
            log.warning(
                "process %s did not unwind within %.2fs of its death; injecting AsyncKill",
                proc.pid,
                self.grace,
            )
            _inject(thread, AsyncKill)
            delay = max(self.grace, 0.05) / self.time_scale
            self.timers.schedule(delay, lambda: self._escalate(proc))
            return
        self._report_zombie(proc)

    def _report_zombie(self, proc: Process) -> None:
        thread = proc.thread
        with self._lock:
            if proc.pid in self._zombies or thread is None or not thread.is_alive():
                return
            self._zombies[proc.pid] = proc
            self._zombie_count += 1
        seconds = time.monotonic() - (proc.dead_at or time.monotonic())
        frame = sys._current_frames().get(thread.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(no frame)"
        log.warning(
            "zombie thread: process %s (%s) died with %s %.2fs ago but its thread still runs:\n%s",
            proc.pid,
            proc.behaviour,
            format_reason(proc.reason),
            seconds,
            stack,
        )
        self.events.emit(
            EventKind.ZOMBIE,
            proc.pid,
            name=plain(proc.name) if proc.name is not None else proc.behaviour,
            reason=format_reason(proc.reason),
            seconds=round(seconds, 3),
        )

    @property
    def zombie_count(self) -> int:
        """How many zombie threads were ever reported."""
        return self._zombie_count

    def leaked_threads(self) -> list[threading.Thread]:
        """Threads of dead processes that are still running (zombies not yet gone)."""
        with self._lock:
            return [
                p.thread
                for p in self._zombies.values()
                if p.thread is not None and p.thread.is_alive()
            ]

    def _join_or_leak(self, procs: list[Process], deadline: float) -> list[threading.Thread]:
        """At shutdown: join each thread until ``deadline`` (wall), injecting AsyncKill once into
        one still running; those that survive even that are zombies, returned as leaked."""
        leaked: list[threading.Thread] = []
        for proc in procs:
            thread = proc.thread
            if thread is None or thread is threading.current_thread():
                continue
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive() and not proc.escalated and not proc.finishing:
                proc.escalated = True
                _inject(thread, AsyncKill)
                thread.join(min(0.5, max(0.05, deadline - time.monotonic())))
            if thread.is_alive():
                leaked.append(thread)
                with self._lock:
                    if proc.pid not in self._zombies:
                        self._zombies[proc.pid] = proc
                        self._zombie_count += 1
                log.warning("runtime %s shut down with a leaked thread: %s", self.name, thread.name)
        return leaked


class AsyncKill(ExitSignal):
    """Injected into a thread that did not unwind in time (the last rung of §7).

    Injected as a *class*, so it cannot carry the reason: it reads it from the
    process record of the thread it lands in.
    """

    def __init__(self, *_args: Any) -> None:  # raised as a class: Python passes nothing
        proc = current_process()
        super().__init__(proc.reason if proc is not None else KILLED)


def _inject(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    ident = thread.ident
    if ident is None:
        return
    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    n = set_async(ctypes.c_ulong(ident), ctypes.py_object(exc_type))
    if n > 1:  # should never happen; undo as the C API asks
        set_async(ctypes.c_ulong(ident), None)
