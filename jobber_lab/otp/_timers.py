"""Timers on one scheduler thread per runtime (T1), not a ``threading.Timer`` each.

Deadlines are in runtime time and every wait goes through the runtime's clock,
so the book's ``Process.send_after(self(), :retry, 5_000)`` runs at any time scale.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from ._clock import Clock

__all__ = ["TimerService"]

log = logging.getLogger("jobber_lab.otp.timers")

# After a failure to compute a wait, how long (wall seconds) the scheduler pauses.
_RETRY_WALL_SECONDS = 0.05


class _Entry:
    __slots__ = ("action", "cancelled", "deadline", "key", "owner")

    def __init__(self, deadline: float, action: Callable[[], Any], key: Any, owner: Any) -> None:
        self.deadline = deadline
        self.action = action
        self.key = key
        self.owner = owner
        self.cancelled = False


class TimerService:
    """A heap of deadlines served by one daemon thread.

    With ``threaded=False`` (simulated time) there is no thread: the simulation's
    scheduler asks for :meth:`next_deadline`, moves the clock there and runs what
    :meth:`pop_due` hands it, holding the baton, so timers fire in a fixed order.
    ``on_schedule`` is called after every new timer (the scheduler may be idle).
    """

    def __init__(
        self,
        clock: Clock,
        name: str = "timers",
        *,
        threaded: bool = True,
        on_schedule: Callable[[], None] | None = None,
    ) -> None:
        self._clock = clock
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Entry]] = []
        self._by_key: dict[Any, _Entry] = {}
        # owner -> its keyed timers, so a process's death costs its own timers only
        self._by_owner: dict[Any, dict[Any, _Entry]] = {}
        self._counter = itertools.count()
        self._cancelled = 0  # cancelled entries still in the heap
        self._stopped = False
        self._on_schedule = on_schedule
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name=f"{name}-scheduler", daemon=True)
            self._thread.start()

    @property
    def thread(self) -> threading.Thread | None:
        """The scheduler thread (None in simulated time, where the simulation fires timers)."""
        return self._thread

    def schedule(
        self, delay: float, action: Callable[[], Any], *, key: Any = None, owner: Any = None
    ) -> None:
        """Run ``action`` on the scheduler thread ``delay`` runtime seconds from now.

        ``key`` makes the timer cancellable/readable; ``owner`` lets all of one
        process's timers be dropped when it dies.
        """
        if not delay == delay:  # NaN: callers validate, but a NaN deadline breaks the heap order
            raise ValueError(f"schedule(delay): expected seconds >= 0, got {delay!r}")
        entry = _Entry(self._clock.now() + delay, action, key, owner)
        with self._cond:
            if self._stopped:
                return
            if key is not None:
                self._by_key[key] = entry
                if owner is not None:
                    self._by_owner.setdefault(owner, {})[key] = entry
            heapq.heappush(self._heap, (entry.deadline, next(self._counter), entry))
            if self._heap[0][2] is entry:
                self._cond.notify()
        if self._on_schedule is not None:
            self._on_schedule()

    def cancel(self, key: Any) -> float | None:
        """Cancel by key; remaining runtime seconds, or None if unknown or already fired."""
        with self._cond:
            entry = self._by_key.pop(key, None)
            if entry is None:
                return None
            self._forget_owned(entry)
            entry.cancelled = True
            self._cancelled += 1
            self._compact()
            return max(0.0, entry.deadline - self._clock.now())

    def read(self, key: Any) -> float | None:
        with self._cond:
            entry = self._by_key.get(key)
            if entry is None:
                return None
            return max(0.0, entry.deadline - self._clock.now())

    def drop_owner(self, owner: Any) -> None:
        """Forget every keyed timer owned by ``owner`` (a dead destination)."""
        with self._cond:
            owned = self._by_owner.pop(owner, None)
            if not owned:
                return
            for key, entry in owned.items():
                entry.cancelled = True
                self._cancelled += 1
                self._by_key.pop(key, None)
            self._compact()

    def _forget_owned(self, entry: _Entry) -> None:
        """Remove a keyed entry from its owner's index (lock held)."""
        if entry.owner is not None:
            owned = self._by_owner.get(entry.owner)
            if owned is not None:
                owned.pop(entry.key, None)
                if not owned:
                    del self._by_owner[entry.owner]

    def _compact(self) -> None:
        """Drop cancelled entries from the heap once they are the majority (lock held)."""
        if self._cancelled > 32 and 2 * self._cancelled > len(self._heap):
            self._heap = [item for item in self._heap if not item[2].cancelled]
            heapq.heapify(self._heap)
            self._cancelled = 0

    def pending(self, owner: Any = None) -> int:
        """Live timers (for one owner, or all): used by tests of T1 (c)."""
        with self._cond:
            if owner is not None:
                return len(self._by_owner.get(owner, ()))
            return len(self._by_key)

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopped = True
            self._heap.clear()
            self._by_key.clear()
            self._by_owner.clear()
            self._cancelled = 0
            self._cond.notify()
        if self._thread is not None and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        """Serve the heap until stopped, surviving anything a timer throws at it.

        This thread is every timer of the runtime (retries, ``send_after``, the kill
        ladder): if it died, nothing would ever fire again and the only trace would be
        ``threading.excepthook``.  So an action's exception, or a clock that fails to
        compute a wait, is logged and the loop goes on.
        """
        while True:
            try:
                entry = self._next_due()
            except Exception:
                log.exception("timer scheduler: computing the next wait failed; retrying")
                self._pause()
                continue
            if entry is None:
                return
            try:
                entry.action()
            except BaseException:  # the scheduler must outlive any action
                log.exception("timer action failed")

    def _next_due(self) -> _Entry | None:
        """Block until an entry is due and pop it; None once stopped."""
        with self._cond:
            while True:
                while not self._stopped and (
                    not self._heap or self._heap[0][0] > self._clock.now()
                ):
                    self._clock.wait(self._cond, self._heap[0][0] if self._heap else None)
                if self._stopped:
                    return None
                entry = self._pop_locked()
                if entry is not None:
                    return entry

    def _pop_locked(self) -> _Entry | None:
        """Pop the head entry; None if it was a cancelled one (lock held, heap not empty)."""
        _, _, entry = heapq.heappop(self._heap)
        if entry.cancelled:
            self._cancelled = max(0, self._cancelled - 1)
            return None
        if entry.key is not None:
            self._by_key.pop(entry.key, None)
            self._forget_owned(entry)
        return entry

    def next_deadline(self) -> float | None:
        """The earliest live deadline (runtime seconds), or None: for simulated time."""
        with self._cond:
            while self._heap and self._heap[0][2].cancelled:
                heapq.heappop(self._heap)
                self._cancelled = max(0, self._cancelled - 1)
            return self._heap[0][0] if self._heap and not self._stopped else None

    def pop_due(self, now: float) -> Callable[[], Any] | None:
        """The action of the earliest timer due at ``now`` (removed), or None: for simulated
        time, where the caller runs it.  Equal deadlines come out in scheduling order."""
        with self._cond:
            while not self._stopped and self._heap and self._heap[0][0] <= now:
                entry = self._pop_locked()
                if entry is not None:
                    return entry.action
            return None

    def _pause(self) -> None:
        """A short plain wait after a failure, so a broken clock cannot spin a core."""
        with self._cond:
            if not self._stopped:
                self._cond.wait(_RETRY_WALL_SECONDS)
