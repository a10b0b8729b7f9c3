"""The helper threads of a simulated runtime's baton: the watchdog and the pacer.

Split out of :mod:`._baton` as a mixin of :class:`~._baton.Baton` (the same methods, on the
same object, under the same lock): the watchdog notices a holder blocked outside the runtime
and lets the world go on without it; the pacer lets a paced clock follow the wall clock.
"""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._seat import DETACHED, Seat

if TYPE_CHECKING:
    from ._clock import VirtualClock

__all__: list[str] = []

log = logging.getLogger("jobber_lab.otp.sim")

# How often (wall seconds) a paced clock's pacer looks at the wall clock.
_PACER_TICK = 0.02


class _BatonWatch:
    """The watchdog and the pacer of :class:`~._baton.Baton`, which supplies the state."""

    name: str
    clock: VirtualClock
    stall_after: float
    grants: int
    touches: int
    _on_stall: Callable[[Seat, float], None] | None
    _lock: threading.Lock
    _wakeup: threading.Condition
    _closed: bool
    _paused: bool
    _holder: Seat | None
    _runq: deque[Seat]

    if TYPE_CHECKING:  # the scheduling these helpers drive, defined by Baton

        def _give_up(self) -> None: ...

        def _pass_on(self) -> None: ...

        def _paced_now(self) -> float: ...

        def _next_deadline_locked(self) -> float | None: ...

    def _watch(self) -> None:
        """The watchdog: a holder that makes no runtime call for ``stall_after`` wall
        seconds is blocked outside the runtime; warn, and let the world go on."""
        seen: tuple[int, int, Seat | None] = (-1, -1, None)
        since = time.monotonic()
        tick = max(0.01, min(0.25, self.stall_after / 4))
        while True:
            stalled: Seat | None = None
            held = 0.0
            with self._lock:
                if self._closed:
                    return
                holder = self._holder
                now = (self.grants, self.touches, holder)
                if now != seen:
                    seen, since = now, time.monotonic()
                elif (
                    holder is not None
                    and holder.proc is not None
                    and not holder.driver
                    and time.monotonic() - since >= self.stall_after
                ):
                    held = time.monotonic() - since
                    holder.state = DETACHED
                    self._give_up()
                    stalled = holder
                else:
                    self._wakeup.wait(tick)
            if stalled is not None:
                self._report_stall(stalled, held)

    def _report_stall(self, seat: Seat, held: float) -> None:
        text = (
            f"{self.name}: process {seat.label} held the simulation's baton for {held:.2f}s of "
            "wall time without a runtime call (blocked outside the runtime: time.sleep, I/O, "
            "a CPU loop?); the world goes on without it, and this run is no longer deterministic"
        )
        log.warning("%s", text)
        warnings.warn(text, RuntimeWarning, stacklevel=1)
        if self._on_stall is not None:
            try:
                self._on_stall(seat, held)
            except Exception:
                log.exception("reporting a stalled baton failed")

    def _pace(self) -> None:
        """The pacer of a paced clock: while playing and idle, time follows the wall clock
        (never past the next deadline, so events still happen at their exact times)."""
        while True:
            with self._lock:
                if self._closed:
                    return
                if not self._paused and self._holder is None and not self._runq:
                    self._pass_on()
                    if self._holder is None:
                        target = self._paced_now()
                        deadline = self._next_deadline_locked()
                        if deadline is not None:
                            target = min(target, deadline)
                        self.clock.advance_to(target)
                self._wakeup.wait(_PACER_TICK)
