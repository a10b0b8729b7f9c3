"""Adopting a thread as a process: the test's process, iex's shell, a cell calling a server.

The thread is not started by the runtime, so it is not killed by it either: when the
process dies, the thread simply becomes plain code again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from ._atoms import NORMAL
from ._pid import Pid
from ._process import Process, _set_current, current_process
from ._results import Crash, ExitSignal
from ._runtime_base import RuntimeBase

__all__ = ["Adoption", "Shell"]


class Adoption(RuntimeBase):
    """The calling thread as a process: ``test_process``, ``shell``, ``calling_process``.

    A part of :class:`~jobber_lab.otp.Runtime`.
    """

    @contextlib.contextmanager
    def test_process(self, *, trap_exit: bool = False, name: Any = None) -> Iterator[Pid]:
        """Adopt the calling thread as a process for the ``with`` block (ExUnit's test pid)."""
        with self._adopt(trap_exit=trap_exit, name=name, behaviour="test") as proc:
            yield proc.pid

    def shell(self, *, trap_exit: bool = True) -> Shell:
        """Make the calling thread a long-lived process, like iex's shell process.

        For notebooks, where a ``with`` block cannot span cells: every later cell on
        this thread runs as that process (it can ``receive``, and servers it starts stay
        linked to it).  ``shell.exit()`` ends it; ``runtime.shutdown()`` does too.
        """
        return Shell(self._adopt(trap_exit=trap_exit, behaviour="shell"))

    @contextlib.contextmanager
    def calling_process(self) -> Iterator[Process]:
        """The caller as a process: itself if it is one, else a short-lived quiet stand-in.

        Lets plain code (a notebook cell, a button handler) ``call`` a server or
        start one, the way iex's shell process does.
        """
        proc = self._caller()
        if proc is not None and proc.runtime is self:
            yield proc
            return
        if proc is not None:
            raise RuntimeError(f"a process of {proc.runtime.name} cannot act in {self.name}")
        with self._adopt(behaviour="caller", quiet=True) as adopted:
            yield adopted

    @contextlib.contextmanager
    def _adopt(
        self, *, trap_exit: bool = False, name: Any = None, behaviour: str, quiet: bool = False
    ) -> Iterator[Process]:
        if current_process() is not None:
            raise RuntimeError("this thread already is a process")
        if self._closed:
            raise RuntimeError(f"{self.name} is shut down")
        sim = self._sim
        seat = sim.enter() if sim is not None and not sim.holds() else None
        try:  # in a simulated runtime, holding the baton: the pid is drawn in order
            proc = self._new_process(
                parent=None, behaviour=behaviour, role="worker", trap_exit=trap_exit
            )
            proc.adopted = True
            proc.quiet = quiet
            proc.thread = threading.current_thread()
            if sim is not None:
                sim.adopt(proc)
            self._admit(proc, name, linked=False, quiet=quiet)
        finally:
            if seat is not None:
                sim.leave(seat)  # type: ignore[union-attr]
        _set_current(proc)
        reason: Any = NORMAL
        try:
            yield proc
        except ExitSignal as signal:
            reason = signal.reason
            raise
        except BaseException as exc:
            reason = Crash(exc)
            raise
        finally:
            _set_current(None)
            if proc.alive:
                # urgent: its death is news from outside, and must not wait on a busy world
                busy = sim is not None and not sim.holds()
                seat = sim.enter(urgent=True) if busy else None  # type: ignore[union-attr]
                try:
                    self._die(proc, reason)
                finally:
                    if seat is not None:
                        sim.leave(seat)  # type: ignore[union-attr]


class Shell:
    """A thread adopted as a process until :meth:`exit` (see :meth:`Runtime.shell`)."""

    def __init__(self, adoption: contextlib.AbstractContextManager[Process]) -> None:
        self._adoption: contextlib.AbstractContextManager[Process] | None = adoption
        self._process = adoption.__enter__()
        self.pid = self._process.pid

    def exit(self) -> None:
        """End the shell process (normal exit); the thread is plain code again."""
        adoption, self._adoption = self._adoption, None
        if adoption is not None:
            adoption.__exit__(None, None, None)

    def __enter__(self) -> Shell:
        return self

    def __exit__(self, *exc: object) -> None:
        self.exit()

    def __repr__(self) -> str:
        return f"<Shell {self.pid}>"
