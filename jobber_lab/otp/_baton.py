"""The baton of simulated time: who may run now, and what happens when nobody can.

In a simulated runtime (``Runtime(simulated=True)``) exactly one thread runs runtime code
at a time: the holder of the baton.  A process holds it from the moment it is granted
until it blocks in a runtime wait (``receive``, ``sleep``, a ``call``, a start ack);
the baton then goes, in a fixed order, to

1. the next runnable process (first come, first served: the order in which they were
   woken, which is itself decided by the one thread that held the baton);
2. else a thread from outside (a notebook cell, a test's body, a widget handler: a
   *driver*) that asked to enter: it runs its call into the runtime holding the baton;
3. else, if time may move, the clock jumps to the earliest deadline (timers, receive
   timeouts, sleeps, call timeouts, the kill ladder's grace), the timers due then fire
   and then the waits due then become runnable, each group in deadline-then-creation
   order (timers first: a message due at an instant is in its mailbox before a sleep or
   timeout due at that instant ends).

Time may move only while a driver is blocked in a runtime wait (``rt.sleep(20)``, a
``call``, :meth:`~jobber_lab.otp.Runtime.run_for`, a step) or while a paced clock plays.
A driver's call returns only once the world is quiescent at the current instant, so the
code of a notebook cell always sees the same state, whatever the machine's load.

Outside the promise, and detected: a process that blocks *outside* the runtime
(``time.sleep``, I/O, a CPU loop with no cancellation point) keeps the baton and the
world stands still.  After ``stall_after`` wall seconds without a runtime call, the
watchdog warns (``RuntimeWarning``, a log line and a ``baton_held`` event) and lets the
world go on without it; it rejoins at its next runtime call.  From then on the run is
no longer deterministic.  Observers (the event dispatcher, the tracer, renderers) never
take part: they see events after the fact.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._baton_watch import _BatonWatch
from ._clock import VirtualClock
from ._process import _set_current, current_process
from ._results import ExitSignal
from ._seat import BLOCKED, DONE, ENTERING, OUT, RUNNABLE, RUNNING, Seat, _live, _SeatWake

if TYPE_CHECKING:
    from ._process import Process
    from ._timers import TimerService

__all__ = ["Baton", "Seat"]

log = logging.getLogger("jobber_lab.otp.sim")

#: Receives a process may make without blocking before it lets the others in line run (the
#: BEAM preempts after about 4000 reductions): counted, so the hand-off is deterministic,
#: and a process that keeps mailing itself at one instant cannot shut everyone out.
BUDGET = 1000


class Baton(_BatonWatch):
    """The scheduler of one simulated runtime (see the module docstring)."""

    def __init__(
        self,
        clock: VirtualClock,
        *,
        name: str,
        stall_after: float,
        on_stall: Callable[[Seat, float], None] | None = None,
        paused: bool = False,
    ) -> None:
        self.clock = clock
        self.name = name
        self.stall_after = stall_after
        self._on_stall = on_stall
        self.timers: TimerService | None = None  # set by the runtime once it exists
        self._lock = threading.Lock()
        self._holder: Seat | None = None
        self._holder_ident: int | None = None
        self._runq: deque[Seat] = deque()
        self._entering: deque[Seat] = deque()
        self._sleepers: list[tuple[float, int, Seat]] = []
        self._blocked: set[Seat] = set()  # every seat in a runtime wait (to free at close)
        self._tokens = itertools.count(1)
        self._waiting_drivers = 0
        self._step_target: float | None = None
        self._paused = paused  # a paced clock made paused starts at exactly 0.0
        self._closed = False
        self._local = threading.local()
        self._scheduler = Seat("scheduler", driver=False)  # the holder while timers fire
        self._budget = BUDGET
        self.grants = 0  # hand-offs so far (the watchdog's progress counter)
        self.touches = 0  # runtime calls by the holder (also progress)
        self._anchor_wall = time.monotonic()
        self._anchor_now = 0.0
        self._wakeup = threading.Condition(self._lock)  # the pacer and the watchdog sleep here
        self._helpers: list[threading.Thread] = []
        if stall_after != math.inf:
            self._start_helper(self._watch, "watchdog")
        if clock.pace:
            self._start_helper(self._pace, "pacer")

    def _start_helper(self, target: Callable[[], None], what: str) -> None:
        thread = threading.Thread(target=target, name=f"{self.name}-sim-{what}", daemon=True)
        self._helpers.append(thread)
        thread.start()

    @property
    def threads(self) -> list[threading.Thread]:
        return list(self._helpers)

    @property
    def closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------ participants

    def attach(self, proc: Process) -> None:
        """A freshly spawned process: runnable at once, behind those already runnable."""
        seat = Seat(str(proc.pid), driver=False, proc=proc)
        proc.seat = seat
        proc.wake = _SeatWake(self, seat)  # type: ignore[assignment]
        with self._lock:
            if self._closed:
                seat.state = DONE
                seat.gate.release()  # its thread runs freely, like every thread after shutdown
                return
            seat.state = RUNNABLE
            self._runq.append(seat)

    def adopt(self, proc: Process) -> None:
        """A thread from outside adopted as a process: it keeps its driver seat."""
        seat = self.driver_seat()
        proc.seat = seat
        proc.wake = _SeatWake(self, seat)  # type: ignore[assignment]

    def driver_seat(self) -> Seat:
        seat: Seat | None = getattr(self._local, "seat", None)
        if seat is None:
            seat = Seat(threading.current_thread().name, driver=True)
            self._local.seat = seat
        return seat

    def begin(self, seat: Seat) -> None:
        """A process thread's first act: wait until it is granted the baton."""
        self._await_grant(seat)

    def end(self, seat: Seat) -> None:
        """A process thread is done with the runtime: it leaves for good."""
        with self._lock:
            held = self._holder is seat
            seat.state = DONE
            if held:
                self._give_up()

    # ------------------------------------------------------------- the guard

    def holds(self) -> bool:
        """Whether the calling thread holds the baton (nested runtime calls are free)."""
        if self._holder_ident == threading.get_ident():
            self.touches += 1
            return True
        return False

    def enter(self, *, urgent: bool = False) -> Seat | None:
        """Take the baton for a runtime call from a thread that does not hold it.

        Returns the seat to hand to :meth:`leave`, or None when there is nothing to give
        back: a process that stalled outside the runtime rejoins the world here and keeps
        the baton (it is a process again, holding it until its next wait).  ``urgent``
        (shutdown): next in line, without waiting for quiescence, so even a world that
        never settles (a restart loop at one instant) can be shut down.
        """
        if self._closed:
            return None
        proc = current_process()
        temporary = True
        if proc is not None and proc.seat is not None and not proc.adopted:
            if proc.seat.proc is not proc:  # a process of another runtime: plain code here
                seat = self.driver_seat()
            else:
                if not proc.alive and not proc.finishing:
                    raise ExitSignal(proc.reason)  # a zombie's runtime call only unwinds it
                seat = proc.seat
                temporary = proc.finishing
        else:
            seat = self.driver_seat()
        with self._lock:
            if self._closed:
                return None
            if self._holder is None and not self._runq and not self._entering:
                self._take(seat)
                wait = False
            elif urgent:
                seat.state = RUNNABLE
                self._runq.appendleft(seat)
                wait = True
            else:
                seat.state = ENTERING
                self._entering.append(seat)
                wait = True
        if wait:
            self._await_grant(seat)
        return seat if temporary else None

    def leave(self, seat: Seat) -> None:
        """End a driver's runtime call: let the world settle at this instant, then let go."""
        if seat.driver:
            self.settle(seat)
        with self._lock:
            if self._holder is seat:
                seat.state = OUT
                self._give_up()

    def settle(self, seat: Seat) -> None:
        """Held by ``seat``: wait until no process is runnable, without moving time."""
        with self._lock:
            if self._closed or self._holder is not seat or not self._runq:
                return
            seat.state = ENTERING
            self._entering.appendleft(seat)
            self._give_up()
        self._await_grant(seat)

    # ----------------------------------------------------------------- waits

    def wait(self, seat: Seat, deadline: float | None) -> None:
        """Block in a runtime wait until woken or ``deadline`` (runtime seconds).

        The caller re-checks what it waits for (a message, the time) and loops, as with
        the wake-up tokens of a scaled runtime.  A driver resumes only at quiescence.
        """
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                if seat.woken:
                    seat.woken = False
                    return
                seat.state = BLOCKED
                self._blocked.add(seat)
                if deadline is not None:
                    token = next(self._tokens)
                    seat.token = token
                    heapq.heappush(self._sleepers, (deadline, token, seat))
                if seat.driver:
                    self._waiting_drivers += 1
                if self._holder is seat:
                    self._give_up()
        if closed:
            time.sleep(0.001)  # shut down: nothing will ever wake it; do not spin a core
            return
        self._await_grant(seat)
        if seat.driver:
            self.settle(seat)

    def tick(self, seat: Seat) -> None:
        """A receive by the holder: after BUDGET of them without blocking, if anyone is
        waiting, go to the back of the line (at a cancellation point: no lock is held)."""
        self._budget -= 1
        if self._budget > 0:
            return
        self._budget = BUDGET
        with self._lock:
            if self._holder is not seat or not (self._runq or self._entering) or self._closed:
                return
            seat.state = RUNNABLE
            self._runq.append(seat)
            self._give_up()
        self._await_grant(seat)

    def wake(self, seat: Seat) -> None:
        """A message or a signal for ``seat``: runnable now (behind those already runnable)."""
        with self._lock:
            if seat.state == BLOCKED:
                self._make_runnable(seat)
                if self._holder is None and not self._closed:
                    self._pass_on()  # woken from outside the world while it was idle
            elif seat.state != DONE:
                seat.woken = True

    def kick(self) -> None:
        """Something changed outside the world (a new timer): if it is idle, look again."""
        with self._lock:
            if self._holder is None and not self._closed:
                self._pass_on()
            self._wakeup.notify_all()

    # ------------------------------------------------------------ scheduling

    def _make_runnable(self, seat: Seat) -> None:
        seat.state = RUNNABLE
        self._blocked.discard(seat)
        seat.token = None  # its sleeper entry, if any, is dead now
        if seat.driver:
            self._waiting_drivers -= 1
        self._runq.append(seat)

    def _take(self, seat: Seat) -> None:
        self._budget = BUDGET
        self._holder = seat
        self._holder_ident = threading.get_ident()
        seat.state = RUNNING
        seat.woken = False
        self.grants += 1

    def _grant(self, seat: Seat) -> None:
        self._budget = BUDGET
        self._holder = seat
        self._holder_ident = None  # the grantee sets its own, once it runs
        seat.state = RUNNING
        seat.woken = False
        self.grants += 1
        seat.gate.release()

    def _await_grant(self, seat: Seat) -> None:
        try:
            seat.gate.acquire()
        except BaseException:  # KeyboardInterrupt in a cell, a test's timeout: give up the place
            self._abandon(seat)
            raise
        if self._holder is seat:
            self._holder_ident = threading.get_ident()

    def _abandon(self, seat: Seat) -> None:
        """A waiter was interrupted: take it out of every queue, or hand on a grant it got
        meanwhile, so the world does not wait for a thread that has gone elsewhere."""
        with self._lock:
            if self._holder is seat:
                seat.gate.acquire(blocking=False)  # the grant raced the interrupt
                seat.state = OUT
                self._give_up()
                return
            if seat.state == ENTERING and seat in self._entering:
                self._entering.remove(seat)
            elif seat.state == RUNNABLE and seat in self._runq:
                self._runq.remove(seat)
            elif seat.state == BLOCKED:
                self._blocked.discard(seat)
                seat.token = None
                if seat.driver:
                    self._waiting_drivers -= 1
            seat.state = OUT

    def _give_up(self) -> None:
        """The holder lets go (lock held): hand the baton on."""
        self._holder = None
        self._holder_ident = None
        self._pass_on()

    def _pass_on(self) -> None:
        """Nobody holds the baton (lock held): give it to whoever is next, moving time
        forward when nobody is runnable and time may move (see the module docstring)."""
        while True:
            if self._runq:
                self._grant(self._runq.popleft())
                return
            if self._entering:
                self._grant(self._entering.popleft())
                return
            if self._closed:
                return
            deadline = self._next_deadline_locked()
            if deadline is None or deadline > self._limit():
                self._wakeup.notify_all()
                return
            self._advance(deadline)

    def _advance(self, deadline: float) -> None:
        """Move time to ``deadline``, fire its timers, make its waits runnable (lock held)."""
        self.clock.advance_to(deadline)
        now = self.clock.now()
        timers = self.timers
        if timers is not None:
            self._holder = self._scheduler
            self._holder_ident = threading.get_ident()
            self._lock.release()
            # Timer actions are nobody's code (a scaled runtime runs them on its timer
            # thread): whichever thread hands the baton on runs them as plain code.
            was = current_process()
            _set_current(None)
            try:
                while True:
                    action = timers.pop_due(now)
                    if action is None:
                        break
                    try:
                        action()
                    except BaseException:  # the world must outlive any timer action
                        log.exception("timer action failed")
            finally:
                _set_current(was)
                self._lock.acquire()
                self._holder = None
                self._holder_ident = None
        sleepers = self._sleepers
        while sleepers and sleepers[0][0] <= now:
            entry = heapq.heappop(sleepers)
            if _live(entry):
                self._make_runnable(entry[2])

    def _next_deadline_locked(self) -> float | None:
        sleepers = self._sleepers
        while sleepers and not _live(sleepers[0]):
            heapq.heappop(sleepers)  # a wait that ended early: its entry is dead
        best = sleepers[0][0] if sleepers else None
        timer = self.timers.next_deadline() if self.timers is not None else None
        if timer is not None and (best is None or timer < best):
            best = timer
        return best

    def _limit(self) -> float:
        """How far time may move now (runtime seconds; -inf: not at all)."""
        if self._step_target is not None:
            return self._step_target
        pace = self.clock.pace
        if self._waiting_drivers > 0 and (pace is None or self._paused):
            return math.inf  # someone asked for that time: as fast as possible
        if pace is not None and not self._paused:
            return self._paced_now()
        return -math.inf

    def _paced_now(self) -> float:
        pace = self.clock.pace or 1.0
        return self._anchor_now + (time.monotonic() - self._anchor_wall) / pace

    # ------------------------------------------------------------- controls

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        with self._lock:
            self._paused = True

    def play(self) -> None:
        with self._lock:
            self._paused = False
            self._anchor_wall = time.monotonic()
            self._anchor_now = self.clock.now()
            self._wakeup.notify_all()

    def next_deadline(self) -> float | None:
        with self._lock:
            return self._next_deadline_locked()

    def run_until_time(self, seat: Seat, deadline: float, *, step: bool = False) -> None:
        """A driver (holding the baton) waits until ``deadline``: time moves to it.

        ``step``: exactly to ``deadline`` even on a paused or paced clock, nothing later.
        """
        if step:
            self._step_target = deadline
        try:
            while not self._closed and self.clock.now() < deadline:
                self.wait(seat, deadline)
            self.settle(seat)
        finally:
            if step:
                self._step_target = None

    def runnable(self) -> int:
        """Processes runnable now (0 whenever a driver's call has returned)."""
        with self._lock:
            return len(self._runq)

    # --------------------------------------------------------------- helpers

    def close(self) -> None:
        """The runtime shut down: nobody waits for the baton any more (threads still
        unwinding run freely), and the helpers stop."""
        with self._lock:
            self._closed = True
            waiting = [s for s in (*self._runq, *self._entering) if s.state != RUNNING]
            waiting += list(self._blocked)
            self._blocked.clear()
            self._runq.clear()
            self._entering.clear()
            self._sleepers.clear()
            self._holder = None
            self._holder_ident = None
            for seat in {id(s): s for s in waiting}.values():
                seat.state = DONE
                seat.gate.release()
            self._wakeup.notify_all()
        for thread in self._helpers:
            if thread is not threading.current_thread():
                thread.join(5.0)
