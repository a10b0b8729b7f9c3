"""The runtime's clock: the one place every wait gets its notion of time.

Runtime time is in *book seconds*: with ``time_scale=0.01`` the book's 5-second
retry is 5.0 runtime seconds and 50 ms of wall time.  Every sleep, receive
timeout, timer, call timeout and restart-intensity window goes through a clock,
so a deterministic virtual clock can replace :class:`ScaledClock` later without
touching the code that waits.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "ScaledClock"]


class Clock(Protocol):
    """What the runtime needs from a clock."""

    time_scale: float

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
        if isinstance(time_scale, bool) or not isinstance(time_scale, int | float):
            raise TypeError(f"time_scale: expected a positive number, got {time_scale!r}")
        if not time_scale > 0:
            raise ValueError(f"time_scale: expected a positive number, got {time_scale!r}")
        self.time_scale = float(time_scale)
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) / self.time_scale

    def to_wall(self, seconds: float) -> float:
        """Runtime seconds -> wall seconds."""
        return seconds * self.time_scale

    def wall_timeout(self, deadline: float | None) -> float | None:
        if deadline is None:
            return None
        return max(0.0, (deadline - self.now()) * self.time_scale)

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        if deadline is None:
            cond.wait()
            return
        remaining = deadline - self.now()
        if remaining > 0:
            cond.wait(remaining * self.time_scale)
