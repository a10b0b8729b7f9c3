"""The seats at the simulation's baton: one per participant, and the states it goes through.

Split out of :mod:`._baton` (which schedules them) so each module stays small; a seat is
plain data plus the gate its thread waits on, and knows nothing of the order of hand-offs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._baton import Baton
    from ._process import Process

__all__ = ["Seat"]

# Seat states.
OUT = "out"  # a driver outside any runtime call, or a process before its first grant
RUNNABLE = "runnable"  # in the run queue
RUNNING = "running"  # holds the baton
BLOCKED = "blocked"  # in a runtime wait
ENTERING = "entering"  # a driver (or a rejoining process) waiting for quiescence
DETACHED = "detached"  # stalled outside the runtime; the world went on without it
DONE = "done"


def _live(entry: tuple[float, int, Seat]) -> bool:
    """A sleepers-heap entry still stands for its seat's current wait."""
    return entry[2].state == BLOCKED and entry[2].token == entry[1]


class Seat:
    """One participant: a process, or a thread from outside (a driver).

    ``gate`` is a lock held while the seat waits; granting the baton releases it, so a
    hand-off is one release and one acquire (no condition variable, no herd).
    """

    __slots__ = ("driver", "gate", "label", "proc", "state", "token", "woken")

    def __init__(self, label: str, *, driver: bool, proc: Process | None = None) -> None:
        self.label = label
        self.driver = driver
        self.proc = proc
        self.gate = threading.Lock()
        self.gate.acquire()
        self.state = OUT
        self.token: int | None = None  # the live entry of this seat in the sleepers heap
        self.woken = False  # a wake-up came while not blocked: the next wait returns at once

    def __repr__(self) -> str:
        return f"<Seat {self.label} {self.state}>"


class _SeatWake:
    """Stands in for a process's wake-up queue: a token means "make it runnable"."""

    __slots__ = ("_baton", "_seat")

    def __init__(self, baton: Baton, seat: Seat) -> None:
        self._baton = baton
        self._seat = seat

    def put(self, _item: Any) -> None:
        self._baton.wake(self._seat)
