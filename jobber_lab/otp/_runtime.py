"""The runtime: a small BEAM node made of threads.

It owns the process table, registered names, the clock, the timer service and
the event bus.  Threads cannot be killed, so death has two layers (§7): *logical*
death happens at once under the runtime lock; the thread is unwound at its next
cancellation point, by an injected exception as a last resort, and reported as a
zombie if even that fails.

:class:`Runtime` is assembled from one part per concern, each its own module:

- :mod:`._spawning`: making a process (written once) and running its thread;
- :mod:`._adoption`: a thread adopted as a process (the test's, the shell, a cell);
- :mod:`._mailbox`: send, selective receive and sleep;
- :mod:`._links`: links, monitors and exit signals, every rule of otp-semantics §1 in
  one path (:meth:`Runtime._signal` decides, :meth:`Runtime._die` makes a process dead);
- :mod:`._names`: registered names;
- :mod:`._kill_ladder`: unwinding a thread that will not stop;
- :mod:`._sim`: the simulation controls.

Here: the state they share (declared in :mod:`._runtime_base`), lookups, shutdown, and
the default runtime behind the module-level API.
"""

from __future__ import annotations

import itertools
import math
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ._adoption import Adoption
from ._atoms import KILL, KILLED
from ._baton import Baton
from ._clock import Clock, ScaledClock, VirtualClock
from ._durations import duration
from ._durations import time_scale as _check_time_scale
from ._events import EventBus, Subscription
from ._kill_ladder import KillLadder
from ._links import Signals
from ._mailbox import Mailboxes
from ._names import Names
from ._pid import Pid, Ref
from ._process import Process, current_process
from ._registry_tables import RegistryTables
from ._results import ExitSignal
from ._sim import SimulationControls, guard_entry_points
from ._spawning import Spawning
from ._timers import TimerService

__all__ = ["Runtime", "current_runtime", "default_runtime"]

_runtime_numbers = itertools.count(1)


class Runtime(Spawning, Adoption, Mailboxes, Signals, Names, KillLadder, SimulationControls):
    """An isolated node: processes, names, timers, events and a clock.

    Use it as a context manager, or call :meth:`shutdown`: every process exits,
    every thread is joined or reported as leaked.

    ``simulated=True`` runs it on simulated time (see :mod:`._sim` and :mod:`._baton`): one
    process at a time, a virtual clock that jumps to the next deadline, the same events
    for the same ``seed`` on every run.  There ``time_scale`` is the optional pace (None
    or 0: as fast as possible), ``grace`` is in runtime seconds (times the pace), and a
    process that holds the baton ``stall_after`` wall seconds without a runtime call is
    reported and left behind.  ``seed`` seeds :attr:`random` (a simulated runtime's
    default is 0; a scaled one draws from the OS unless given a seed).  ``paused=True``
    starts a paced clock paused, at exactly 0.0, so the first step is a round number.
    """

    def __init__(
        self,
        *,
        time_scale: float | None = None,
        clock: Clock | None = None,
        grace: float = 1.0,
        trace_messages: bool = False,
        copy_messages: bool = False,
        name: str | None = None,
        simulated: bool = False,
        seed: int | None = None,
        stall_after: float = 1.0,
        paused: bool = False,
        _number: int | None = None,
    ) -> None:
        # grace=math.inf means "never inject": the ladder stops at the exit signal.
        checked_grace = duration("Runtime(grace)", grace, none_ok=False)
        if not isinstance(simulated, bool):
            raise TypeError(f"Runtime(simulated): expected True or False, got {simulated!r}")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise TypeError(f"Runtime(seed): expected an int or None, got {seed!r}")
        if simulated and clock is not None:
            raise ValueError("Runtime(clock): a simulated runtime makes its own virtual clock")
        if not isinstance(paused, bool):
            raise TypeError(f"Runtime(paused): expected True or False, got {paused!r}")
        if paused and not simulated:
            raise ValueError("Runtime(paused): only a simulated runtime can start paused")
        checked_stall = duration("Runtime(stall_after)", stall_after, none_ok=False)
        if clock is None and not simulated:
            time_scale = _check_time_scale(
                "Runtime(time_scale)", 1.0 if time_scale is None else time_scale
            )
        self.number = next(_runtime_numbers) if _number is None else _number
        self.name = name or f"runtime-{self.number}"
        self._sim: Baton | None = None
        if simulated:
            virtual = VirtualClock(time_scale)
            self.clock: Clock = virtual
            self._sim = Baton(
                virtual,
                name=self.name,
                stall_after=math.inf if checked_stall is None else checked_stall,
                on_stall=self._on_stall,
                paused=paused,
            )
        else:
            self.clock = clock if clock is not None else ScaledClock(time_scale)  # type: ignore[arg-type]
        self.seed = 0 if simulated and seed is None else seed
        #: The runtime's random generator: everything random (the book's job ids, any
        #: tie-break) draws from it, so a simulated run repeats exactly.
        self.random = random.Random(self.seed)
        self.grace = math.inf if checked_grace is None else checked_grace
        self.trace_messages = bool(trace_messages)
        # BEAM copies every message; Python passes references.  This debug mode
        # deep-copies on send, so code that mutates a message it sent shows up.
        self.copy_messages = bool(copy_messages)
        self._lock = threading.RLock()
        self._serials = itertools.count(1)
        self._refs = itertools.count(1)
        self._procs: dict[Pid, Process] = {}
        self._threads: dict[Pid, Process] = {}  # processes whose thread may still run
        self._names: dict[Any, Pid] = {}
        self._zombies: dict[Pid, Process] = {}
        self._zombie_count = 0
        self._closed = False
        self.events = EventBus(self.clock.now, name=self.name)
        #: The tables of this runtime's Registry processes (read directly, as Elixir reads ETS).
        self.registries = RegistryTables()
        if self._sim is not None:
            self.timers = TimerService(
                self.clock, name=self.name, threaded=False, on_schedule=self._sim.kick
            )
            self._sim.timers = self.timers
            guard_entry_points(self, self._sim)
        else:
            self.timers = TimerService(self.clock, name=self.name)

    # ----------------------------------------------------------------- basics

    @property
    def time_scale(self) -> float:
        return self.clock.time_scale

    def now(self) -> float:
        """Runtime time in (book) seconds."""
        return self.clock.now()

    def make_ref(self) -> Ref:
        return Ref(self.number, next(self._refs))

    def subscribe(self, callback: Callable[[Any], None]) -> Subscription:
        """Receive every later :class:`Event` on the dispatcher thread."""
        return self.events.subscribe(callback)

    def flush_events(self, timeout: float | None = 5.0) -> bool:
        """Wait until every event emitted so far reached the subscribers (in a simulated
        runtime, called from outside, once the world is quiescent)."""
        self._settle_for_observers()
        return self.events.flush(timeout)

    def _on_stall(self, seat: Any, held: float) -> None:
        """The baton's watchdog left a stalled process behind: say so in the event stream."""
        self.events.emit("baton_held", seat.label, seconds=round(held, 3))

    def emit(self, kind: str, pid: Any = None, **fields: Any) -> None:
        """Publish an app-level annotation (e.g. a job's status) as an event."""
        self.events.emit(kind, pid, **fields)

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"<Runtime {self.name} {self.mode} procs={len(self._procs)}>"

    # -------------------------------------------------------------- lookups

    def process(self, pid: Pid) -> Process | None:
        """The live process record for ``pid``, or None."""
        return self._procs.get(pid)

    def is_alive(self, pid: Pid) -> bool:
        if not isinstance(pid, Pid):
            raise TypeError(f"is_alive(pid): expected a Pid, got {pid!r}")
        return pid in self._procs

    def processes(self) -> list[Pid]:
        """Pids of all live processes, oldest first."""
        with self._lock:
            return sorted(self._procs, key=lambda p: p.serial)

    def _caller(self) -> Process | None:
        """The calling process (checked: a logically dead one unwinds here)."""
        proc = current_process()
        if proc is not None and proc.runtime is self and not proc.alive:
            raise ExitSignal(proc.reason)
        return proc

    def checkpoint(self) -> None:
        """A cancellation point for CPU loops: unwinds a process that was killed."""
        self._caller()

    # --------------------------------------------------------------- receiving

    def _require_process(self, what: str) -> Process:
        proc = self._caller()
        if proc is None or proc.runtime is not self:
            raise RuntimeError(
                f"{what}() must run inside a process of {self.name} "
                "(spawn one, or use runtime.test_process())"
            )
        return proc

    # --------------------------------------------------------------- shutdown

    def _kill_everyone(self) -> None:
        """Shutdown's first half: every process killed (youngest first), then closed.

        In simulated time the caller takes the baton first, without waiting for a busy world
        to settle, and lets the dying unwind in turn between rounds; closing the baton then
        lets any thread still unwinding run freely.
        """
        sim = self._sim
        seat = sim.enter(urgent=True) if sim is not None and not sim.holds() else None
        for _ in range(100):  # processes may spawn while dying; bounded
            with self._lock:
                victims = [p for p in self._procs.values() if not p.adopted]
            if not victims:
                break
            for proc in sorted(victims, key=lambda p: -p.pid.serial):
                self._signal(proc.pid, None, KILL, via_link=False)
            if seat is not None:
                sim.settle(seat)  # type: ignore[union-attr]  # the dying unwind, in turn
        with self._lock:
            adopted = [p for p in self._procs.values() if p.adopted]
        for proc in adopted:
            self._die(proc, KILLED)
        self._closed = True
        if sim is not None:
            sim.close()

    def shutdown(self, timeout: float = 5.0) -> list[threading.Thread]:
        """Kill every process, join every thread; returns (and logs) the threads that leaked.

        ``timeout`` is in wall seconds: this is about real threads, not the story.
        """
        if self._closed:
            return self.leaked_threads()
        deadline = time.monotonic() + timeout
        self._kill_everyone()
        with self._lock:
            pending = list(self._threads.values())
        leaked = self._join_or_leak(pending, deadline)
        self.timers.stop()
        self.events.close()
        return leaked

    @property
    def closed(self) -> bool:
        return self._closed

    def threads(self) -> list[threading.Thread]:
        """Every thread this runtime owns that is still running (for leak checks)."""
        with self._lock:
            mine: list[threading.Thread | None] = [p.thread for p in self._threads.values()]
        mine += [self.events.thread, self.timers.thread]
        if self._sim is not None:
            mine += self._sim.threads
        return [t for t in mine if t is not None and t.is_alive()]


# ---------------------------------------------------------------- helpers


def _check_timeout(what: str, value: Any) -> float | None:
    """``what(timeout)`` through the one validator; None (forever) for math.inf."""
    return duration(f"{what}(timeout)", value)


# ------------------------------------------------------ the default runtime

_default_lock = threading.Lock()
_default: Runtime | None = None


def default_runtime() -> Runtime:
    """The runtime behind the module-level API (like the node an iex session talks to)."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Runtime(name="default", _number=0)
        return _default


def current_runtime() -> Runtime:
    """The runtime of the calling process, else the default one."""
    proc = current_process()
    return proc.runtime if proc is not None else default_runtime()
