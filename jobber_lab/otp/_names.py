"""Registered names: ``register``, ``whereis`` and the lookups behind every ``send``.

A name is a str, an Atom or a via-name (``Via``); the table is the runtime's, guarded by
its lock, and a process loses its name when it dies (in :mod:`._links`).
"""

from __future__ import annotations

from typing import Any

from ._events import EventKind, plain
from ._pid import Pid
from ._process import Process
from ._results import ArgumentError
from ._runtime_base import RuntimeBase, _is_name, _via_module

__all__ = ["Names"]


class Names(RuntimeBase):
    """Registered names: the table of name -> pid and what reads or changes it.

    A part of :class:`~jobber_lab.otp.Runtime`.
    """

    def resolve(self, dest: Any) -> Pid | None:
        """A pid, a registered name or a via-name -> the live pid, or None."""
        if isinstance(dest, Pid):
            return dest
        via = _via_module(dest)
        if via is not None:
            found = via.whereis_name(dest.name)
            return found if isinstance(found, Pid) else None
        if not _is_name(dest):
            return None  # only names are ever registered; an unhashable one must not raise
        return self._names.get(dest)

    def register(self, name: Any, pid: Pid | None = None) -> bool:
        """``Process.register``: names are atoms, strings or other hashable non-pid terms."""
        if not _is_name(name):
            raise TypeError(f"register(name): expected a str or Atom name, got {name!r}")
        caller = self._caller()
        target = pid if pid is not None else (caller.pid if caller is not None else None)
        if target is None:
            raise RuntimeError("register(name): no pid given and not called from a process")
        with self._lock:
            proc = self._procs.get(target)
            if proc is None:
                raise ArgumentError(f"register(name, pid): {target} is not alive")
            self._register_locked(proc, name)
        return True

    def _check_name_free(self, name: Any) -> None:
        if name in self._names:
            raise ArgumentError(f"register: the name {name!r} is already registered")

    def _register_locked(self, proc: Process, name: Any) -> None:
        self._check_name_free(name)
        if proc.name is not None:
            raise ArgumentError(f"register: {proc.pid} already has the name {proc.name!r}")
        self._names[name] = proc.pid
        proc.name = name
        self.events.emit(EventKind.NAMED, proc.pid, name=plain(name))

    def try_register(self, name: Any, pid: Pid) -> Pid | None:
        """Register unless taken; returns the current holder when taken (G1's race-free path)."""
        with self._lock:
            holder = self._names.get(name)
            if holder is not None:
                return holder
            proc = self._procs.get(pid)
            if proc is None:
                return None
            self._register_locked(proc, name)
            return None

    def unregister(self, name: Any) -> bool:
        with self._lock:
            pid = self._names.pop(name, None)
            if pid is None:
                raise ArgumentError(f"unregister(name): {name!r} is not registered")
            proc = self._procs.get(pid)
            if proc is not None:
                proc.name = None
        self.events.emit(EventKind.UNNAMED, pid, name=plain(name))
        return True

    def whereis(self, name: Any) -> Pid | None:
        """The pid registered as ``name`` (or behind a via-name), or None."""
        if isinstance(name, Pid):
            return name
        if not _is_name(name):
            raise TypeError(
                f"whereis(name): expected a Pid, a str or Atom name or a via-name, got {name!r}"
            )
        return self.resolve(name)

    def registered(self) -> list[Any]:
        with self._lock:
            return list(self._names)
