"""Links, monitors and exit signals: every signal rule of otp-semantics §1, in one path.

:meth:`Signals._signal` decides what an exit signal does (P2); :meth:`Signals._die` makes a
process logically dead, then tells its links and, after them, its monitors, depth-first,
so whoever sees a DOWN knows each linked process already has its EXIT (G2, R6).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from ._atoms import KILL, KILLED, NOPROC, NORMAL
from ._events import EventKind, plain
from ._pid import Pid, Ref
from ._process import Process
from ._results import Crash, ExitSignal, NoProcError, format_reason, reason_kind
from ._runtime_base import RuntimeBase, _check_pid, _is_name, _serial, remove_first
from ._signals import Down, DownNotice, Exit, LinkSignal, Pending, is_down

__all__ = ["Signals"]


class Signals(RuntimeBase):
    """Links, monitors, ``trap_exit`` and exit signals: a death, and whom it tells.

    A part of :class:`~jobber_lab.otp.Runtime`.
    """

    def trap_exit(self, flag: bool) -> bool:
        """Set the calling process's trap_exit flag; returns the old value."""
        proc = self._require_process("trap_exit")
        old, proc.trap_exit = proc.trap_exit, bool(flag)
        return old

    def link(self, pid: Pid) -> bool:
        """Link the caller and ``pid`` (P3).  Dead target: raise, or an EXIT noproc if trapping."""
        _check_pid("link", pid)
        proc = self._require_process("link")
        with self._lock:
            other = self._procs.get(pid)
            if other is not None:
                if pid != proc.pid and pid not in proc.links:
                    proc.links.add(pid)
                    other.links.add(proc.pid)
                    self.events.emit(EventKind.LINKED, proc.pid, other=str(pid))
                return True
        if not proc.trap_exit:
            raise NoProcError(NOPROC)
        self._deliver(proc.pid, Exit.of(pid, NOPROC))
        return True

    def unlink(self, pid: Pid) -> bool:
        _check_pid("unlink", pid)
        proc = self._require_process("unlink")
        with self._lock:
            if pid in proc.links:
                proc.links.discard(pid)
                other = self._procs.get(pid)
                if other is not None:
                    other.links.discard(proc.pid)
                self.events.emit(EventKind.UNLINKED, proc.pid, other=str(pid))
        return True

    def monitor(self, target: Any) -> Ref:
        """Monitor a pid or name (P4); a dead target gives an immediate DOWN noproc."""
        proc = self._require_process("monitor")
        pid = self.resolve(target)
        if pid is None and not _is_name(target):
            raise TypeError(f"monitor(target): expected a Pid or a name, got {target!r}")
        return self._monitor(proc, pid, target)

    def _monitor(self, proc: Process, pid: Pid | None, target: Any) -> Ref:
        ref = Ref(self.number, next(self._refs))
        with self._lock:
            other = self._procs.get(pid) if pid is not None else None
            if other is not None:
                proc.monitors[ref] = other.pid
                other.monitored_by[ref] = proc.pid
                return ref
        self._deliver(proc.pid, Down.of(ref, pid if pid is not None else target, NOPROC))
        return ref

    def demonitor(self, ref: Ref, *, flush: bool = False) -> bool:
        if not isinstance(ref, Ref):
            raise TypeError(f"demonitor(ref): expected a Ref, got {ref!r}")
        proc = self._require_process("demonitor")
        return self._demonitor(proc, ref, flush)

    def _demonitor(self, proc: Process, ref: Ref, flush: bool) -> bool:
        with self._lock:
            pid = proc.monitors.pop(ref, None)
            if pid is not None:
                other = self._procs.get(pid)
                if other is not None:
                    other.monitored_by.pop(ref, None)
        if flush:
            remove_first(proc.mailbox, lambda m: is_down(m, ref))
        return True

    def exit(self, pid: Pid, reason: Any) -> bool:
        """``Process.exit(pid, reason)``: send an exit signal (P2)."""
        _check_pid("exit", pid)
        caller = self._caller()
        sender = caller.pid if caller is not None else None
        self._signal(pid, sender, reason, via_link=False)
        if caller is not None and not caller.alive:
            raise ExitSignal(caller.reason)
        return True

    def _signal(self, target: Pid, sender: Pid | None, reason: Any, *, via_link: bool) -> None:
        """Deliver one exit signal, and whatever deaths it causes (P2 table)."""
        self._propagate(deque([LinkSignal(target, sender, reason, via_link)]))

    def _propagate(self, work: deque[Pending]) -> None:
        """Run exit signals and DOWNs to completion, iteratively and depth-first.

        A dying process's link signals, and every death they cause in turn, are
        delivered before its monitors get their DOWN: whoever sees a DOWN knows
        that each linked process already has its EXIT or is dead too (G2, R6).
        A loop, not recursion, so a chain of a thousand links is fine.
        """
        while work:
            item = work.popleft()
            if isinstance(item, DownNotice):
                self._deliver(item.watcher, item.down, tag="DOWN")
                continue
            target, sender, reason, via_link = item
            proc = self._procs.get(target)
            if proc is None:
                continue
            if reason is KILL and not via_link:
                new_reason = KILLED
            elif proc.trap_exit:
                self._deliver(target, Exit.of(sender, reason), tag="EXIT")
                continue
            elif reason is NORMAL:
                if sender != target:
                    continue
                new_reason = NORMAL
            else:
                new_reason = reason
            work.extendleft(reversed(self._mark_dead(proc, new_reason)))

    def _die(self, proc: Process, reason: Any) -> None:
        """Make ``proc`` logically dead now: release everything, tell links then monitors."""
        self._propagate(deque(self._mark_dead(proc, reason)))

    def _mark_dead(self, proc: Process, reason: Any) -> list[Pending]:
        """The logical death itself; returns the link signals, then the DOWNs, to deliver."""
        with self._lock:
            if not proc.alive:
                return []
            proc.alive = False
            proc.reason = reason
            proc.dead_at = time.monotonic()
            del self._procs[proc.pid]
            name = proc.name
            if name is not None:
                self._names.pop(name, None)
            links = proc.links
            proc.links = set()
            for other_pid in links:
                other = self._procs.get(other_pid)
                if other is not None:
                    other.links.discard(proc.pid)
            watchers = proc.monitored_by
            proc.monitored_by = {}
            for ref, watched in proc.monitors.items():
                other = self._procs.get(watched)
                if other is not None:
                    other.monitored_by.pop(ref, None)
            proc.monitors = {}
            proc.aliases.clear()
        proc.wake.put(None)  # a receive or sleep in its thread unwinds now
        self.timers.drop_owner(proc.pid)
        if not proc.quiet:
            self.events.emit(
                EventKind.EXITED,
                proc.pid,
                reason=format_reason(reason),
                reason_kind=reason_kind(reason),
                exception=format_reason(reason) if isinstance(reason, Crash) else None,
            )
        if name is not None:
            self.events.emit(EventKind.UNNAMED, proc.pid, name=plain(name))
        thread = proc.thread
        if thread is not None and thread is not threading.current_thread() and not proc.adopted:
            self._schedule_escalation(proc)
        items: list[Pending] = [
            LinkSignal(other, proc.pid, reason, True) for other in sorted(links, key=_serial)
        ]
        items += [
            DownNotice(watcher, Down.of(ref, proc.pid, reason)) for ref, watcher in watchers.items()
        ]
        return items
