"""The runtime: a small BEAM node made of threads.

It owns the process table, registered names, the clock, the timer service and
the event bus.  Every signal rule of otp-semantics §1 lives here, in one path:
:meth:`Runtime._signal` decides what an exit signal does and
:meth:`Runtime._die` makes a process logically dead.  Threads cannot be killed,
so death has two layers (§7): *logical* death happens at once under the runtime
lock; the thread is unwound at its next cancellation point, by an injected
exception as a last resort, and reported as a zombie if even that fails.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import itertools
import logging
import math
import queue
import random
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Literal, overload

from ._atoms import KILL, KILLED, NOPROC, NORMAL, TIMEOUT, Atom
from ._baton import Baton
from ._clock import Clock, ScaledClock, VirtualClock
from ._durations import MAX_WALL_WAIT, duration
from ._durations import time_scale as _check_time_scale
from ._events import EventBus, EventKind, Subscription, plain
from ._pid import Pid, Ref
from ._process import Process, _set_current, current_process
from ._registry_tables import RegistryTables
from ._results import (
    ArgumentError,
    Crash,
    ExitError,
    ExitSignal,
    NoProcError,
    format_reason,
    is_clean,
    reason_kind,
)
from ._signals import Down, DownNotice, Exit, LinkSignal, Pending, is_down, is_exit
from ._sim import SimulationControls, guard_entry_points
from ._timers import TimerService
from ._via import Via

__all__ = ["AsyncKill", "Runtime", "current_runtime", "default_runtime"]

log = logging.getLogger("jobber_lab.otp")

_runtime_numbers = itertools.count(1)


class AsyncKill(ExitSignal):
    """Injected into a thread that did not unwind in time (the last rung of §7).

    Injected as a *class*, so it cannot carry the reason: it reads it from the
    process record of the thread it lands in.
    """

    def __init__(self, *args: Any) -> None:
        proc = current_process()
        super().__init__(proc.reason if proc is not None else KILLED)


class Runtime(SimulationControls):
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

    # --------------------------------------------------------------- spawning

    @overload
    def spawn(
        self,
        fn: Callable[..., Any],
        *args: Any,
        link: bool = ...,
        monitor: Literal[False] = ...,
        trap_exit: bool = ...,
        name: Any = ...,
        behaviour: str | None = ...,
        role: str = ...,
        **kwargs: Any,
    ) -> Pid: ...

    @overload
    def spawn(
        self,
        fn: Callable[..., Any],
        *args: Any,
        link: bool = ...,
        monitor: Literal[True],
        trap_exit: bool = ...,
        name: Any = ...,
        behaviour: str | None = ...,
        role: str = ...,
        **kwargs: Any,
    ) -> tuple[Pid, Ref]: ...

    def spawn(
        self,
        fn: Callable[..., Any],
        *args: Any,
        link: bool = False,
        monitor: bool = False,
        trap_exit: bool = False,
        name: Any = None,
        behaviour: str | None = None,
        role: str = "worker",
        **kwargs: Any,
    ) -> Pid | tuple[Pid, Ref | None]:
        """Start ``fn(*args, **kwargs)`` in a new process; link/monitor atomically."""
        if not callable(fn):
            raise TypeError(f"spawn(fn): expected a callable, got {fn!r}")
        if name is not None and not _is_name(name):
            raise TypeError(f"spawn(name): expected a str or Atom name, got {name!r}")
        caller = self._caller()
        if self._closed:
            raise RuntimeError(f"{self.name} is shut down: cannot spawn")
        pid = Pid(self.number, next(self._serials))
        proc = Process(
            self,
            pid,
            parent=caller.pid if caller is not None and caller.runtime is self else None,
            behaviour=behaviour or str(getattr(fn, "__qualname__", type(fn).__name__)),
            role=role,
        )
        proc.trap_exit = trap_exit
        if caller is not None and caller.runtime is self:
            proc.group = caller.group  # processes belong to their spawner's application
        ref: Ref | None = None  # None: spawned from plain code, which nothing can monitor from
        thread = threading.Thread(
            target=self._thread_main,
            args=(proc, fn, args, kwargs),
            name=f"jobber-lab {pid} {proc.behaviour}",
            daemon=True,
        )
        proc.thread = thread
        with self._lock:
            if name is not None:
                self._check_name_free(name)  # before the process exists: no phantom on error
            self._procs[pid] = proc
            self._threads[pid] = proc
            # spawned comes first, then named: the event order is the order of facts
            self.events.emit(
                EventKind.SPAWNED,
                pid,
                parent=None if proc.parent is None else str(proc.parent),
                name=None if name is None else plain(name),
                behaviour=proc.behaviour,
                role=role,
                linked=bool(link and caller is not None),
            )
            if name is not None:
                self._register_locked(proc, name)
            if link and caller is not None:
                proc.links.add(caller.pid)
                caller.links.add(pid)
            if monitor and caller is not None:
                ref = self.make_ref()
                caller.monitors[ref] = pid
                proc.monitored_by[ref] = caller.pid
        if self._sim is not None:
            self._sim.attach(proc)  # runnable, behind those already runnable
        thread.start()
        return (pid, ref) if monitor else pid

    def _thread_main(
        self, proc: Process, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        _set_current(proc)
        reason: Any = NORMAL
        raised = False
        sim = self._sim
        try:
            if sim is not None:
                sim.begin(proc.seat)  # wait for the baton (inside: an AsyncKill may land here)
            fn(*args, **kwargs)
        except ExitSignal as signal:
            reason = signal.reason
        except ExitError as exc:  # an uncaught exit (a failed call): Elixir exits with it
            reason = exc.reason
            raised = not is_clean(reason)
        except BaseException as exc:
            reason = Crash(exc)
            raised = True
        finally:
            proc.finishing = True  # runtime code from here on: never inject AsyncKill
            try:
                self._finish(proc, reason, raised)
            finally:
                if sim is not None:
                    sim.end(proc.seat)
                _set_current(None)

    def _finish(self, proc: Process, reason: Any, raised: bool = False) -> None:
        """The thread is done: die (if nobody killed us first) and leave the thread table.

        A crash report is logged for an uncaught exception, *before* the death is
        signalled (as proc_lib does), so whoever sees the DOWN also finds the report;
        behaviours that exit with ``ExitSignal`` log their own, richer report.
        """
        if proc.alive:
            if raised:
                log.error(
                    "crash report: process %s (%s) exited: %s",
                    proc.pid,
                    proc.behaviour,
                    format_reason(reason),
                    exc_info=_exc_info(reason),
                )
            self._die(proc, reason)
        with self._lock:
            self._threads.pop(proc.pid, None)
            self._zombies.pop(proc.pid, None)

    @contextlib.contextmanager
    def test_process(self, *, trap_exit: bool = False, name: Any = None) -> Iterator[Pid]:
        """Adopt the calling thread as a process for the ``with`` block (ExUnit's test pid)."""
        with self._adopt(trap_exit=trap_exit, name=name, behaviour="test") as proc:
            yield proc.pid

    def shell(self, *, trap_exit: bool = True) -> Shell:
        """Make the calling thread a long-lived process, like iex's shell process.

        For notebooks, where a ``with`` block cannot span cells: every later cell on
        this thread runs as that process (it can ``receive``, and servers it starts stay
        linked to it).  ``shell.exit()`` ends it; ``runtime.shutdown()`` does too.
        """
        return Shell(self._adopt(trap_exit=trap_exit, behaviour="shell"))

    @contextlib.contextmanager
    def calling_process(self) -> Iterator[Process]:
        """The caller as a process: itself if it is one, else a short-lived quiet stand-in.

        Lets plain code (a notebook cell, a button handler) ``call`` a server or
        start one, the way iex's shell process does.
        """
        proc = self._caller()
        if proc is not None and proc.runtime is self:
            yield proc
            return
        if proc is not None:
            raise RuntimeError(f"a process of {proc.runtime.name} cannot act in {self.name}")
        with self._adopt(behaviour="caller", quiet=True) as adopted:
            yield adopted

    @contextlib.contextmanager
    def _adopt(
        self, *, trap_exit: bool = False, name: Any = None, behaviour: str, quiet: bool = False
    ) -> Iterator[Process]:
        if current_process() is not None:
            raise RuntimeError("this thread already is a process")
        if self._closed:
            raise RuntimeError(f"{self.name} is shut down")
        sim = self._sim
        seat = sim.enter() if sim is not None and not sim.holds() else None
        try:  # in a simulated runtime, holding the baton: the pid is drawn in order
            pid = Pid(self.number, next(self._serials))
            proc = Process(self, pid, parent=None, behaviour=behaviour, role="worker")
            proc.adopted = True
            proc.quiet = quiet
            proc.trap_exit = trap_exit
            proc.thread = threading.current_thread()
            if sim is not None:
                sim.adopt(proc)
            self._adopt_locked(proc, name, quiet, behaviour)
        finally:
            if seat is not None:
                sim.leave(seat)  # type: ignore[union-attr]
        _set_current(proc)
        reason: Any = NORMAL
        try:
            yield proc
        except ExitSignal as signal:
            reason = signal.reason
            raise
        except BaseException as exc:
            reason = Crash(exc)
            raise
        finally:
            _set_current(None)
            if proc.alive:
                # urgent: its death is news from outside, and must not wait on a busy world
                busy = sim is not None and not sim.holds()
                seat = sim.enter(urgent=True) if busy else None  # type: ignore[union-attr]
                try:
                    self._die(proc, reason)
                finally:
                    if seat is not None:
                        sim.leave(seat)  # type: ignore[union-attr]

    def _adopt_locked(self, proc: Process, name: Any, quiet: bool, behaviour: str) -> None:
        pid = proc.pid
        with self._lock:
            if name is not None:
                self._check_name_free(name)
            self._procs[pid] = proc
            if not quiet:
                self.events.emit(
                    EventKind.SPAWNED,
                    pid,
                    parent=None,
                    name=None if name is None else plain(name),
                    behaviour=behaviour,
                    role="worker",
                    linked=False,
                )
            if name is not None:
                self._register_locked(proc, name)

    # ---------------------------------------------------------------- sending

    def resolve(self, dest: Any) -> Pid | None:
        """A pid, a registered name or a via-name -> the live pid, or None."""
        if isinstance(dest, Pid):
            return dest
        via = _via_module(dest)
        if via is not None:
            found = via.whereis_name(dest.name)
            return found if isinstance(found, Pid) else None
        if not _is_name(dest):
            return None  # only names are ever registered; an unhashable one must not raise
        return self._names.get(dest)

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

    # --------------------------------------------------------------- receiving

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

    def _require_process(self, what: str) -> Process:
        proc = self._caller()
        if proc is None or proc.runtime is not self:
            raise RuntimeError(
                f"{what}() must run inside a process of {self.name} "
                "(spawn one, or use runtime.test_process())"
            )
        return proc

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

    # ------------------------------------------------------------ links/flags

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

    # ----------------------------------------------------------------- names

    def register(self, name: Any, pid: Pid | None = None) -> bool:
        """``Process.register``: names are atoms, strings or other hashable non-pid terms."""
        if not _is_name(name):
            raise TypeError(f"register(name): expected a str or Atom name, got {name!r}")
        caller = self._caller()
        target = pid if pid is not None else (caller.pid if caller is not None else None)
        if target is None:
            raise RuntimeError("register(name): no pid given and not called from a process")
        with self._lock:
            proc = self._procs.get(target)
            if proc is None:
                raise ArgumentError(f"register(name, pid): {target} is not alive")
            self._register_locked(proc, name)
        return True

    def _check_name_free(self, name: Any) -> None:
        if name in self._names:
            raise ArgumentError(f"register: the name {name!r} is already registered")

    def _register_locked(self, proc: Process, name: Any) -> None:
        self._check_name_free(name)
        if proc.name is not None:
            raise ArgumentError(f"register: {proc.pid} already has the name {proc.name!r}")
        self._names[name] = proc.pid
        proc.name = name
        self.events.emit(EventKind.NAMED, proc.pid, name=plain(name))

    def try_register(self, name: Any, pid: Pid) -> Pid | None:
        """Register unless taken; returns the current holder when taken (G1's race-free path)."""
        with self._lock:
            holder = self._names.get(name)
            if holder is not None:
                return holder
            proc = self._procs.get(pid)
            if proc is None:
                return None
            self._register_locked(proc, name)
            return None

    def unregister(self, name: Any) -> bool:
        with self._lock:
            pid = self._names.pop(name, None)
            if pid is None:
                raise ArgumentError(f"unregister(name): {name!r} is not registered")
            proc = self._procs.get(pid)
            if proc is not None:
                proc.name = None
        self.events.emit(EventKind.UNNAMED, pid, name=plain(name))
        return True

    def whereis(self, name: Any) -> Pid | None:
        """The pid registered as ``name`` (or behind a via-name), or None."""
        if isinstance(name, Pid):
            return name
        if not _is_name(name):
            raise TypeError(
                f"whereis(name): expected a Pid, a str or Atom name or a via-name, got {name!r}"
            )
        return self.resolve(name)

    def registered(self) -> list[Any]:
        with self._lock:
            return list(self._names)

    # ---------------------------------------------------------------- signals

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

    # ------------------------------------------------------------ kill ladder

    def _schedule_escalation(self, proc: Process) -> None:
        if self.grace == math.inf:
            return  # the caller asked for no escalation at all
        if self.grace == 0:
            self._escalate(proc)
            return
        self.timers.schedule(self.grace / self.time_scale, lambda: self._escalate(proc))

    def _escalate(self, proc: Process) -> None:
        """Rung 3 then 4 of the ladder: inject AsyncKill once, then call it a zombie."""
        thread = proc.thread
        if thread is None or not thread.is_alive() or self._closed or proc.finishing:
            return
        if not proc.escalated:
            proc.escalated = True
            log.warning(
                "process %s did not unwind within %.2fs of its death; injecting AsyncKill",
                proc.pid,
                self.grace,
            )
            _inject(thread, AsyncKill)
            delay = max(self.grace, 0.05) / self.time_scale
            self.timers.schedule(delay, lambda: self._escalate(proc))
            return
        self._report_zombie(proc)

    def _report_zombie(self, proc: Process) -> None:
        thread = proc.thread
        with self._lock:
            if proc.pid in self._zombies or thread is None or not thread.is_alive():
                return
            self._zombies[proc.pid] = proc
            self._zombie_count += 1
        seconds = time.monotonic() - (proc.dead_at or time.monotonic())
        frame = sys._current_frames().get(thread.ident or -1)
        stack = "".join(traceback.format_stack(frame)) if frame is not None else "(no frame)"
        log.warning(
            "zombie thread: process %s (%s) died with %s %.2fs ago but its thread still runs:\n%s",
            proc.pid,
            proc.behaviour,
            format_reason(proc.reason),
            seconds,
            stack,
        )
        self.events.emit(
            EventKind.ZOMBIE,
            proc.pid,
            name=plain(proc.name) if proc.name is not None else proc.behaviour,
            reason=format_reason(proc.reason),
            seconds=round(seconds, 3),
        )

    @property
    def zombie_count(self) -> int:
        """How many zombie threads were ever reported."""
        return self._zombie_count

    def leaked_threads(self) -> list[threading.Thread]:
        """Threads of dead processes that are still running (zombies not yet gone)."""
        with self._lock:
            return [
                p.thread
                for p in self._zombies.values()
                if p.thread is not None and p.thread.is_alive()
            ]

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
        leaked: list[threading.Thread] = []
        with self._lock:
            pending = list(self._threads.values())
        for proc in pending:
            thread = proc.thread
            if thread is None or thread is threading.current_thread():
                continue
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive() and not proc.escalated and not proc.finishing:
                proc.escalated = True
                _inject(thread, AsyncKill)
                thread.join(min(0.5, max(0.05, deadline - time.monotonic())))
            if thread.is_alive():
                leaked.append(thread)
                with self._lock:
                    if proc.pid not in self._zombies:
                        self._zombies[proc.pid] = proc
                        self._zombie_count += 1
                log.warning("runtime %s shut down with a leaked thread: %s", self.name, thread.name)
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


class Shell:
    """A thread adopted as a process until :meth:`exit` (see :meth:`Runtime.shell`)."""

    def __init__(self, adoption: contextlib.AbstractContextManager[Process]) -> None:
        self._adoption: contextlib.AbstractContextManager[Process] | None = adoption
        self._process = adoption.__enter__()
        self.pid = self._process.pid

    def exit(self) -> None:
        """End the shell process (normal exit); the thread is plain code again."""
        adoption, self._adoption = self._adoption, None
        if adoption is not None:
            adoption.__exit__(None, None, None)

    def __enter__(self) -> Shell:
        return self

    def __exit__(self, *exc: object) -> None:
        self.exit()

    def __repr__(self) -> str:
        return f"<Shell {self.pid}>"


# ---------------------------------------------------------------- helpers


def _inject(thread: threading.Thread, exc_type: type[BaseException]) -> None:
    ident = thread.ident
    if ident is None:
        return
    set_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    n = set_async(ctypes.c_ulong(ident), ctypes.py_object(exc_type))
    if n > 1:  # should never happen; undo as the C API asks
        set_async(ctypes.c_ulong(ident), None)


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


def _exc_info(reason: Any) -> Any:
    if isinstance(reason, Crash):
        exc = reason.exception
        return (type(exc), exc, exc.__traceback__)
    return None


def _is_name(x: Any) -> bool:
    return isinstance(x, str | Atom | Via)


def _via_module(dest: Any) -> Any:
    """The registry-like module behind a via-name, if ``dest`` is one."""
    return dest.module if type(dest) is Via else None


def _serial(pid: Pid) -> int:
    return pid.serial


def _check_pid(what: str, pid: Any) -> None:
    if not isinstance(pid, Pid):
        raise TypeError(f"{what}(pid): expected a Pid, got {pid!r}")


def _check_timeout(what: str, value: Any) -> float | None:
    """``what(timeout)`` through the one validator; None (forever) for math.inf."""
    return duration(f"{what}(timeout)", value)


def remove_first(box: Any, predicate: Callable[[Any], bool]) -> bool:
    """Remove the first message ``predicate`` accepts, in place (the owner's thread only:
    other threads may append meanwhile, so the deque is never replaced)."""
    for i in range(len(box)):
        if predicate(box[i]):
            del box[i]
            return True
    return False


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
