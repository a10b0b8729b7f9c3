"""Sending and receiving: mailboxes, selective receive, and sleep, all cancellation points.

A message is appended to the receiver's mailbox and its wake-up token set; the receiver
scans only what it has not scanned yet, so a selective receive over a long mailbox stays
linear. A dead process's receive or sleep unwinds at once.
"""

from __future__ import annotations

import copy
import queue
import time
from collections.abc import Callable
from typing import Any

from ._atoms import TIMEOUT
from ._durations import MAX_WALL_WAIT, duration
from ._events import EventKind
from ._pid import Pid
from ._process import Process, current_process
from ._results import ArgumentError, ExitSignal
from ._runtime_base import RuntimeBase, _is_name, _via_module
from ._signals import is_down, is_exit

__all__ = ["MESSAGE_TEXT_LIMIT", "Mailboxes"]


class Mailboxes(RuntimeBase):
    """``send``, ``receive`` and ``sleep``.

    A part of :class:`~jobber_lab.otp.Runtime`.
    """

    def send(self, dest: Any, message: Any) -> Any:
        """``send(dest, msg)``: to a dead pid it is a silent no-op; an unknown name raises."""
        caller = self._caller()
        pid: Pid | None
        if isinstance(dest, Pid):
            pid = dest
        else:
            via = _via_module(dest)
            if via is not None:
                via.send(dest.name, message)
                return message
            if not _is_name(dest):
                raise TypeError(f"send(dest): expected a Pid or a registered name, got {dest!r}")
            pid = self._names.get(dest)
            if pid is None:
                raise ArgumentError(f"send(dest): no process is registered as {dest!r}")
        self._deliver(pid, message, sender=caller)
        return message

    def _deliver(
        self, pid: Pid, message: Any, sender: Process | None = None, tag: str = "info"
    ) -> None:
        proc = self._procs.get(pid)
        if self.trace_messages:
            self.events.emit(
                EventKind.MESSAGE_SENT,
                None if sender is None else sender.pid,
                other=str(pid),
                message=_short(message),
                tag=tag if tag != "info" else _tag_of(message),
            )
        if proc is not None and proc.alive:
            if self.copy_messages:
                message = copy.deepcopy(message)
            proc.mailbox.append(message)
            proc.wake.put(None)

    def receive(
        self,
        match: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Take the first message ``match`` accepts (all if None), keeping the others in order.

        Returns :data:`TIMEOUT` when ``timeout`` runtime seconds pass first
        (``timeout=0`` polls).  A cancellation point.
        """
        proc = self._require_process("receive")
        if match is not None and not callable(match):
            raise TypeError(f"receive(match): expected a callable or None, got {match!r}")
        wait = duration("receive(timeout)", timeout)
        deadline = None if wait is None else self.now() + wait
        return self._receive(proc, match, deadline)

    def _receive(
        self, proc: Process, match: Callable[[Any], bool] | None, deadline: float | None
    ) -> Any:
        """:meth:`receive` without the argument checks, for the behaviours' hot loops."""
        clock = self.clock
        box = proc.mailbox
        wake = proc.wake
        sim = self._sim
        if sim is not None:
            sim.tick(proc.seat)  # a receive is a reduction: a fair, counted hand-off
        scanned = 0
        while True:
            if not proc.alive:
                raise ExitSignal(proc.reason)
            if match is None:
                if box:
                    return box.popleft()
            else:
                # Only this thread removes, others only append: indexes stay valid.
                end = len(box)
                for i in range(scanned, end):
                    msg = box[i]
                    if match(msg):
                        del box[i]
                        return msg
                scanned = end
            if deadline is not None and self.now() >= deadline:
                return TIMEOUT
            if sim is not None:
                sim.wait(proc.seat, deadline)
            else:
                _await_token(wake, clock.wall_timeout(deadline))

    def sleep(self, seconds: float) -> None:
        """Interruptible sleep in runtime seconds (``Process.sleep``): a cancellation point."""
        wait = duration("sleep(seconds)", seconds, none_ok=False)
        proc = current_process()
        deadline = None if wait is None else self.now() + wait
        sim = self._sim
        if proc is None or proc.runtime is not self:
            if sim is not None and deadline is not None:
                sim.run_until_time(sim.driver_seat(), deadline)  # time moves for the caller
                return
            self._plain_sleep(deadline)
            return
        while proc.alive and (deadline is None or self.now() < deadline):
            if sim is not None:
                sim.wait(proc.seat, deadline)
            else:
                _await_token(proc.wake, self.clock.wall_timeout(deadline))
        if not proc.alive:
            raise ExitSignal(proc.reason)

    def _plain_sleep(self, deadline: float | None) -> None:
        """``sleep`` from plain code: in capped steps, so no wall wait can overflow."""
        while True:
            left = MAX_WALL_WAIT if deadline is None else self.clock.wall_timeout(deadline)
            if not left:
                return
            time.sleep(left)

    def mailbox(self, pid: Pid | None = None) -> list[Any]:
        """A copy of a process's mailbox (for tests and teaching)."""
        proc = self._procs.get(pid) if pid is not None else self._require_process("mailbox")
        if proc is None:
            return []
        while True:  # other threads may append while we copy
            try:
                return list(proc.mailbox)
            except RuntimeError:
                continue


def _await_token(wake: queue.SimpleQueue[None], timeout: float | None) -> None:
    """Wait for a wake-up token, at most ``timeout`` wall seconds (None: until one comes).

    Not a bare ``wake.get(True, timeout)``: CPython's C ``SimpleQueue.get`` (seen on 3.11) can
    block *forever* on a timed get.  When its internal lock is free, as it is after every get
    that found an item, the first pass takes the lock without waiting and then recomputes
    the remaining time; if the deadline passed in between (a few microseconds of
    preemption, likely with the short waits of a fast time scale), the negative remainder
    is passed on as "wait forever".  It froze a sleeping job for good under load.  A
    non-blocking get first takes that lock (or finds a token), so the timed wait starts
    from the timeout as given.
    """
    try:
        wake.get_nowait()
        return
    except queue.Empty:
        pass
    try:
        wake.get(True, timeout)
    except queue.Empty:
        pass


#: Characters of a traced message kept in its ``message_sent`` event: enough for the whole
#: term of any message in the course (a sequence diagram shows it on hover), while a
#: megabyte payload still costs the trace only this much.
MESSAGE_TEXT_LIMIT = 1000


def _short(message: Any, limit: int = MESSAGE_TEXT_LIMIT) -> str:
    text = repr(message)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tag_of(message: Any) -> str:
    if is_exit(message):
        return "EXIT"
    if is_down(message):
        return "DOWN"
    if type(message) is tuple and message:
        head = message[0]
        tag = getattr(head, "name", None)
        if tag == "$gen_call":
            return "call"
        if tag == "$gen_cast":
            return "cast"
    return "info"
