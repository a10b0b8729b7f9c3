"""The runtime's clock: the one place every wait gets its notion of time.

Runtime time is in *book seconds*: with ``time_scale=0.01`` the book's 5-second
retry is 5.0 runtime seconds and 50 ms of wall time.  Every sleep, receive
timeout, timer, call timeout and restart-intensity window goes through a clock,
so :class:`VirtualClock` (simulated time, see :mod:`._sim`) replaces
:class:`ScaledClock` without touching the code that waits.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from ._durations import MAX_WALL_WAIT
from ._durations import time_scale as _check_time_scale

__all__ = ["Clock", "ScaledClock", "VirtualClock"]


class Clock(Protocol):
    """What the runtime needs from a clock."""

    @property
    def time_scale(self) -> float:
        """Wall seconds per runtime second."""
        ...

    def now(self) -> float:
        """Runtime seconds since the clock started."""
        ...

    def wall_timeout(self, deadline: float | None) -> float | None:
        """How long (wall seconds) a waiter for runtime ``deadline`` may block before it
        must look at the clock again; None means until woken."""
        ...

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        """Block on ``cond`` (held by the caller) until notified or ``deadline`` passes."""
        ...


class ScaledClock:
    """Wall-clock time scaled by ``time_scale`` (1.0 = real time)."""

    def __init__(self, time_scale: float = 1.0) -> None:
        self.time_scale = _check_time_scale("ScaledClock(time_scale)", time_scale)
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) / self.time_scale

    def to_wall(self, seconds: float) -> float:
        """Runtime seconds -> wall seconds."""
        return seconds * self.time_scale

    def wall_timeout(self, deadline: float | None) -> float | None:
        """Capped at MAX_WALL_WAIT: a far deadline (1e300, inf) must never overflow a wait;
        every waiter loops and looks at the clock again."""
        if deadline is None:
            return None
        wall = (deadline - self.now()) * self.time_scale
        if not wall > 0:  # also NaN: wake at once rather than wait on garbage
            return 0.0
        return min(wall, MAX_WALL_WAIT)

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        if deadline is None:
            cond.wait()
            return
        wall = self.wall_timeout(deadline)
        if wall:
            cond.wait(wall)


class VirtualClock:
    """Simulated time: ``now()`` moves only when the simulation's scheduler moves it.

    It never reads the wall clock, so the times in a simulated run are exact (the
    book's retry is at 5.0, not 5.03).  ``pace`` is the optional time scale of a
    paced simulation (wall seconds per runtime second); ``time_scale`` reads it, or 1.0
    when the simulation runs as fast as it can, so code that turns a wall budget into
    runtime seconds keeps working.
    """

    def __init__(self, pace: float | None = None) -> None:
        self.pace = None if not pace else _check_time_scale("Runtime(time_scale)", pace)
        self._now = 0.0

    @property
    def time_scale(self) -> float:
        return self.pace or 1.0

    def now(self) -> float:
        return self._now

    def advance_to(self, seconds: float) -> None:
        """Move time forward (never back); the scheduler's alone, under its lock."""
        if seconds > self._now:
            self._now = seconds

    def wall_timeout(self, deadline: float | None) -> float | None:
        """Waits in simulated time go through the scheduler, not the wall clock: a waiter
        that asks anyway is told to look again soon."""
        if deadline is None:
            return None
        return 0.0 if deadline <= self._now else min(0.01, MAX_WALL_WAIT)

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        wall = self.wall_timeout(deadline)
        if wall is None:
            cond.wait()
        elif wall:
            cond.wait(wall)
