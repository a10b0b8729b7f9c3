"""Simulated time for a :class:`~jobber_lab.otp.Runtime`: its controls and its entry guard.

``Runtime(simulated=True, seed=0)`` runs one process at a time on a virtual clock (the
baton, see :mod:`._baton`): the same program with the same seed gives the same events,
pids and runtime times on every run, and the book's 30-second story takes milliseconds.

The controls (a mixin of :class:`Runtime`, so the runtime module stays one class):

- ``simulated``, ``seed``, ``random`` (the seeded generator everything random draws from),
  ``mode`` (a line for a dashboard header);
- ``pause()`` / ``play()`` / ``paused``: a paced clock (``time_scale`` > 0) stops following
  the wall clock, or follows it again;
- ``step()``: advance to the next deadline and run to quiescence; the events of the step;
- ``run_for(seconds)``, ``run_until(predicate, timeout)``: let time pass from outside;
- ``next_deadline()``: when something will happen next, if anything ever will.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._durations import duration
from ._process import current_process

if TYPE_CHECKING:
    import random

    from ._baton import Baton, Seat
    from ._events import Event, EventBus

__all__ = ["ENTRY_POINTS", "SimulationControls", "guard_entry_points"]

#: How often (wall seconds) ``run_until`` on a scaled runtime looks at its predicate when no
#: event arrives: a predicate may read state that no event announces.
_SCALED_LOOK_AGAIN = 0.01

#: The runtime's methods that a thread from outside (a driver) may call and that read or
#: change the world: in a simulated runtime each takes the baton for its duration and
#: returns once the world is quiescent again.  A process holding the baton calls them
#: directly (one identity check).
ENTRY_POINTS = (
    "spawn",
    "send",
    "_deliver",
    "exit",
    "_receive",
    "sleep",
    "link",
    "unlink",
    "monitor",
    "_monitor",
    "demonitor",
    "_demonitor",
    "register",
    "unregister",
    "try_register",
    "whereis",
    "resolve",
    "registered",
    "processes",
    "process",
    "is_alive",
    "mailbox",
    "trap_exit",
    "emit",
    "checkpoint",
    "make_ref",
    "subscribe",
)


def guard_entry_points(runtime: Any, baton: Baton) -> None:
    """Shadow each entry point of ``runtime`` with a guarded one (simulated runtimes only:
    a scaled runtime keeps its plain methods and pays nothing)."""
    for name in ENTRY_POINTS:
        setattr(runtime, name, _guarded(baton, getattr(runtime, name)))


def _guarded(baton: Baton, method: Callable[..., Any]) -> Callable[..., Any]:
    holds = baton.holds

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        if holds():
            return method(*args, **kwargs)
        seat = baton.enter()
        try:
            return method(*args, **kwargs)
        finally:
            if seat is not None:
                baton.leave(seat)

    return call


def _step(
    sim: Baton,
    seat: Seat,
    *,
    end: float | None = None,
    moved: list[bool] | None = None,
    jump: bool = True,
) -> None:
    """One step, holding the baton at quiescence (so the next deadline cannot change under
    it): to the next deadline, or to ``end`` if that comes first.  ``jump``: at once, even
    on a playing paced clock (else at its pace)."""
    deadline = sim.next_deadline()
    if end is not None and (deadline is None or deadline > end):
        deadline = end
    if deadline is None:
        return
    if moved is not None:
        moved.append(True)
    sim.run_until_time(seat, deadline, step=jump)


class SimulationControls:
    """The simulation API of :class:`Runtime` (a scaled runtime answers ``simulated`` False
    and refuses the rest with a clear error)."""

    _sim: Baton | None
    events: EventBus
    seed: int | None
    random: random.Random

    def now(self) -> float:  # pragma: no cover - Runtime defines it
        raise NotImplementedError

    @property
    def simulated(self) -> bool:
        """True for ``Runtime(simulated=True)``: one process at a time, virtual time."""
        return self._sim is not None

    @property
    def paused(self) -> bool:
        """Whether the paced clock is paused (always False for a scaled runtime)."""
        return self._sim is not None and self._sim.paused

    @property
    def mode(self) -> str:
        """One line for a header: ``scaled ×0.01``, ``simulated · as fast as possible``,
        ``simulated · ×0.02``, ``simulated · paused``."""
        sim = self._sim
        if sim is None:
            return f"scaled ×{self.clock.time_scale:g}"  # type: ignore[attr-defined]
        if sim.paused:
            return "simulated · paused"
        pace = sim.clock.pace
        return "simulated · as fast as possible" if pace is None else f"simulated · ×{pace:g}"

    def pause(self) -> None:
        """Stop the paced clock: time stands still until :meth:`play`, :meth:`step`,
        :meth:`run_for` or a wait from outside asks for time.  Runnable processes still
        run to quiescence."""
        self._require_sim("pause").pause()

    def play(self) -> None:
        """Let a paced clock follow the wall clock again (at ``time_scale``), from now."""
        self._require_sim("play").play()

    def next_deadline(self) -> float | None:
        """The runtime time of the next thing due (a timer, a timeout, a sleep's end), or
        None if nothing will ever happen without a message from outside."""
        return self._require_sim("next_deadline").next_deadline()

    def step(self) -> list[Event]:
        """Advance to the next deadline and run until no process is runnable: one tick of
        the story.  Returns the events of the step, in order (empty if nothing is due).

        For code outside the runtime's processes (a notebook cell, a button, a test).
        Works paused or playing; a playing paced clock may move on by itself afterwards.
        """
        sim = self._require_driver("step")
        return self._drive(sim, functools.partial(_step, sim))

    def run_for(self, seconds: float) -> list[Event]:
        """Let ``seconds`` of runtime time pass (as fast as possible, or at the pace of a
        playing paced clock) and run to quiescence; the events of that time.

        On a scaled runtime it waits that long on the scaled wall clock (no quiescence
        there), so code written with it runs in either mode."""
        wait = duration("run_for(seconds)", seconds, none_ok=False)
        if wait is None or wait == math.inf:
            raise ValueError("run_for(seconds): expected a finite number of seconds")
        end = self.now() + wait
        if self._sim is None:
            return self._wait_scaled("run_for", lambda: False, end)[1]
        sim = self._require_driver("run_for")
        return self._drive(sim, lambda seat: sim.run_until_time(seat, end))

    def run_until(self, predicate: Callable[[], bool], timeout: float | None = None) -> bool:
        """Step until ``predicate()`` is true (checked at quiescence, after the events so far
        reached the subscribers, so a tracer's history may be read), at most ``timeout``
        runtime seconds from now, at the pace of a playing paced clock.  True if it became
        true; False if time ran out or nothing more will ever happen.

        On a scaled runtime it waits on the scaled wall clock, looking again at each event
        and at least every 10 ms of wall time; there ``timeout=None`` waits for as long as
        it takes, since nobody can tell that nothing more will happen."""
        if not callable(predicate):
            raise TypeError(f"run_until(predicate): expected a callable, got {predicate!r}")
        wait = duration("run_until(timeout)", timeout)
        end = None if wait is None else self.now() + wait
        if self._sim is None:
            return self._wait_scaled("run_until", predicate, end)[0]
        sim = self._require_driver("run_until")
        while True:
            self.flush_events()  # type: ignore[attr-defined]
            if predicate():
                return True
            if end is not None and self.now() >= end:
                return False
            moved: list[bool] = []
            step = functools.partial(_step, sim, end=end, moved=moved, jump=False)
            self._drive(sim, step)
            if not moved:
                return False  # nothing will ever happen again

    # ------------------------------------------------------------ internals

    def _wait_scaled(
        self, what: str, predicate: Callable[[], bool], end: float | None
    ) -> tuple[bool, list[Event]]:
        """``run_until`` / ``run_for`` on a scaled runtime: wait on the wall clock until
        ``predicate()`` or runtime time ``end``; whether it came true, and the events seen."""
        self._refuse_from_process(what)
        seen: list[Event] = []
        arrived = threading.Condition()

        def note(event: Event) -> None:
            with arrived:
                seen.append(event)
                arrived.notify_all()

        subscription = self.events.subscribe(note)
        try:
            while True:
                self.events.flush()
                if predicate():
                    return True, seen
                now = self.now()
                if end is not None and now >= end:
                    return False, seen
                wall = _SCALED_LOOK_AGAIN
                if end is not None:
                    wall = min(wall, (end - now) * self.time_scale)  # type: ignore[attr-defined]
                with arrived:
                    arrived.wait(wall)
        finally:
            subscription.cancel()

    def _require_sim(self, what: str) -> Baton:
        if self._sim is None:
            raise RuntimeError(f"{what}() needs a simulated runtime: Runtime(simulated=True)")
        return self._sim

    def _require_driver(self, what: str) -> Baton:
        """The baton, for a control that only code outside the processes may use."""
        sim = self._require_sim(what)
        self._refuse_from_process(what)
        if sim.holds():
            raise RuntimeError(f"{what}() cannot run inside another runtime call")
        return sim

    def _refuse_from_process(self, what: str) -> None:
        """The controls that let time pass are for code outside the runtime's processes."""
        proc = current_process()
        if proc is not None and proc.runtime is self and not proc.adopted:
            raise RuntimeError(
                f"{what}() is for code outside the runtime's processes (a cell, a test); "
                "a process lets time pass with sleep() or receive(timeout)"
            )

    def _drive(self, sim: Baton, body: Callable[[Seat], None]) -> list[Event]:
        """Run ``body`` holding ``sim``'s baton as a driver (the caller checked it with
        :meth:`_require_driver`); the events emitted meanwhile."""
        seen: list[Event] = []
        subscription = self.events.subscribe(seen.append)
        try:
            seat = sim.enter()
            if seat is not None:
                try:
                    body(seat)
                finally:
                    sim.leave(seat)
            self.events.flush()
        finally:
            subscription.cancel()
        return seen

    def _settle_for_observers(self) -> None:
        """Before reading the event stream from outside: let the world settle at this
        instant (a simulated runtime only; a no-op for its own processes)."""
        sim = self._sim
        if sim is None or sim.holds():
            return
        seat = sim.enter()
        if seat is not None:
            sim.leave(seat)
