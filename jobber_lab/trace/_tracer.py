"""The Tracer: a runtime's events turned into a live supervision-tree graph and a history.

Events arrive on the runtime's dispatcher thread while notebook and renderer threads read, so
every change happens under one lock and readers get copies: nobody ever sees half an event.
Change hooks run after the lock is released, so a slow hook delays only the dispatcher,
never the runtime's processes (emitting an event never waits for subscribers).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol

import networkx as nx

from jobber_lab.otp import Event, current_process

from . import _summaries
from ._describe import describe
from ._graph import GraphState, apply_event, new_graph
from ._store import replay_file, write_events

__all__ = ["Snapshot", "Tracer"]

log = logging.getLogger("jobber_lab.trace")

ChangeHook = Callable[[Event], None]


class _Subscribable(Protocol):
    def subscribe(self, callback: Callable[[Event], None]) -> Any: ...


class Snapshot(NamedTuple):
    """The live tree and the history as they were together, at one :attr:`Tracer.version`."""

    graph: nx.DiGraph
    history: list[Event]
    version: int


class Tracer:
    """Follows a runtime's events: ``graph`` (live tree), ``history``, replay, summaries.

    ``Tracer(runtime)`` subscribes at once (any object with ``subscribe(callback)`` will do,
    an ``EventBus`` too); ``Tracer()`` starts empty and is fed by hand or by
    :meth:`from_events` / :meth:`load`. ``max_history`` bounds the kept events (default: keep
    all); the graph still sees every event, and events pushed out of the history are counted
    in :attr:`dropped`.
    """

    def __init__(self, runtime: _Subscribable | None = None, *, max_history: int | None = None):
        if max_history is not None and (
            not isinstance(max_history, int) or isinstance(max_history, bool) or max_history < 1
        ):
            raise ValueError(f"max_history: expected a positive int or None, got {max_history!r}")
        self.lock = threading.RLock()
        self._cond = threading.Condition(self.lock)
        self._graph = new_graph()
        self._state = GraphState()
        self._history: deque[Event] = deque(maxlen=max_history)
        self._max_history = max_history
        # The replay checkpoint: graph and state after the events pushed out of the history.
        self._base_graph = new_graph()
        self._base_state = GraphState()
        self._total = 0
        self._waiters = 0  # threads inside wait_for (guarded by the lock)
        self._dropped = 0
        self._hooks: tuple[ChangeHook, ...] = ()
        self._runtime = runtime
        self._subscription: Any = None
        if runtime is not None:
            self._subscription = runtime.subscribe(self.feed)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_events(cls, events: Iterable[Event], *, max_history: int | None = None) -> Tracer:
        """A tracer without a runtime that has seen ``events`` (for replay and tests)."""
        tracer = cls(max_history=max_history)
        for event in events:
            if not isinstance(event, Event):
                raise TypeError(f"from_events(events): expected Event items, got {event!r}")
            tracer.feed(event)
        return tracer

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Tracer:
        """A tracer replaying a JSON-lines trace written by :meth:`save`; never runs code.

        Raises ``TraceFormatError`` (a ValueError) naming the file and line of the first bad
        line.
        """
        tracer = cls()
        replay_file(path, tracer.feed)  # any replay failure names the file and line too
        return tracer

    def detach(self) -> None:
        """Stop following the runtime; the graph and history stay for reading and replay."""
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            subscription.cancel()

    def __enter__(self) -> Tracer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.detach()

    # ------------------------------------------------------------------ the one way in

    def feed(self, event: Event) -> None:
        """Apply one event: the runtime subscription calls this, and so can tests and replays."""
        with self.lock:
            apply_event(self._graph, event, self._state)
            history = self._history
            if history.maxlen is not None and len(history) == history.maxlen:
                apply_event(self._base_graph, history[0], self._base_state)
                self._dropped += 1
            history.append(event)
            self._total += 1
            if self._waiters:  # notify_all is pure Python: skip it when nobody waits
                self._cond.notify_all()
            hooks = self._hooks
        for hook in hooks:
            try:
                hook(event)
            except Exception:  # one broken view must not stop the others or the tracer
                log.exception("tracer change hook %r failed on %s", hook, event.kind)

    def on_change(self, callback: ChangeHook) -> Callable[[], None]:
        """Call ``callback(event)`` after each applied event; returns a function that removes it.

        It runs on the dispatcher thread, outside the lock: keep it cheap (set a
        ``threading.Event`` and let a renderer thread draw), and never block in it.
        """
        if not callable(callback):
            raise TypeError(f"on_change(callback): expected a callable, got {callback!r}")
        with self.lock:
            self._hooks = (*self._hooks, callback)

        def remove() -> None:
            with self.lock:
                self._hooks = tuple(h for h in self._hooks if h is not callback)

        return remove

    # ------------------------------------------------------------------ reading

    @property
    def graph(self) -> nx.DiGraph:
        """A copy of the live tree: safe to read and draw while events keep coming.

        Exited processes are not in it; the ones that just crashed, gave up or were shut
        down are in ``graph.graph["ghosts"]`` for a few runtime seconds (see ``trace.ghosts``).
        """
        with self.lock:
            return self._graph.copy()

    @property
    def history(self) -> list[Event]:
        """The kept events in order (all of them unless ``max_history`` was set)."""
        with self.lock:
            return list(self._history)

    def snapshot(self) -> Snapshot:
        """:attr:`graph`, :attr:`history` and :attr:`version`, copied under one lock.

        Read one after the other, the three can straddle an event (a table one job ahead of
        the tree); a view that shows several of them at once reads them here.
        """
        with self.lock:
            return Snapshot(self._graph.copy(), list(self._history), self._total)

    @property
    def version(self) -> int:
        """How many events were applied; a renderer compares it to know whether to redraw."""
        return self._total

    @property
    def dropped(self) -> int:
        """Events pushed out of the history by ``max_history`` (the graph still applied them)."""
        return self._dropped

    def label_of(self, pid: str) -> str:
        """What ``pid`` is called by the naming rule (:func:`~jobber_lab.trace.process_name`:
        registered name, job id, child id, behaviour, else the pid), as last known, so the
        log, the table and the pictures name a process alike even after it exited."""
        with self.lock:
            return self._state.labels.get(pid, pid)

    def describe(self, event: Event) -> str | None:
        """``describe(event)`` with the names this tracer knows, for a live log view."""
        with self.lock:
            return describe(event, self._state.labels)

    def wait_for(
        self, predicate: Callable[[Event], bool], timeout: float | None = 5.0
    ) -> Event | None:
        """The first event in the history (already seen or still to come) matching
        ``predicate``, or None after ``timeout`` seconds. Tests wait with this, never sleep.

        On an unpaced simulated runtime, called from outside its processes, waiting is what
        moves time: it lets the runtime run (``run_until``) until the event comes, and
        ``timeout`` is in runtime seconds.  Elsewhere (a scaled runtime, or a paced one whose
        clock plays by itself and stays still while paused) it waits on the wall clock, with
        ``timeout`` in wall seconds.
        """
        rt = self._runtime
        unpaced = getattr(getattr(rt, "clock", None), "pace", None) is None
        if self.simulated and unpaced and not _inside(rt):
            return self._wait_simulated(rt, predicate, timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        checked = 0  # absolute index of the next event to look at
        with self._cond:
            while True:
                first = self._total - len(self._history)
                for index in range(max(checked, first), self._total):
                    event = self._history[index - first]
                    if predicate(event):
                        return event
                checked = self._total
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._waiters += 1
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiters -= 1

    @property
    def simulated(self) -> bool:
        """Whether the runtime followed runs on simulated time (see :meth:`wait_for`)."""
        return bool(getattr(self._runtime, "simulated", False))

    def _wait_simulated(
        self, rt: Any, predicate: Callable[[Event], bool], timeout: float | None
    ) -> Event | None:
        """:meth:`wait_for` on simulated time: each event is shown to ``predicate`` once."""
        found: list[Event] = []
        checked = [0]  # absolute index of the next event to look at

        def seen() -> bool:
            with self._cond:
                first = self._total - len(self._history)
                for index in range(max(checked[0], first), self._total):
                    event = self._history[index - first]
                    if predicate(event):
                        found.append(event)
                        return True
                checked[0] = self._total
            return False

        rt.run_until(seen, timeout=timeout)
        return found[0] if found else None

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until the runtime delivered every event emitted so far (True if it did)."""
        runtime = self._runtime
        if runtime is None:
            return True
        for name in ("flush_events", "flush"):
            method = getattr(runtime, name, None)
            if method is not None:
                return bool(method(timeout))
        return True

    # ------------------------------------------------------------------ replay

    def _replay_start(self) -> tuple[list[Event], tuple[nx.DiGraph, GraphState]]:
        """History and replay checkpoint, copied together under the lock."""
        with self.lock:
            return list(self._history), (self._base_graph.copy(), self._base_state.copy())

    def graph_at(self, seq_or_time: int | float) -> nx.DiGraph:
        """The tree as it was: after event ``seq`` (an int) or at runtime time ``t`` (a float:
        every event with ``time <= t``). ``graph_at(last seq)`` equals :attr:`graph`.

        With ``max_history``, moments before the kept history raise ValueError.
        """
        if isinstance(seq_or_time, bool) or not isinstance(seq_or_time, (int, float)):
            raise TypeError(
                f"graph_at: expected a seq (int) or a time (float), got {seq_or_time!r}"
            )
        events, (graph, state) = self._replay_start()
        by_seq = isinstance(seq_or_time, int)
        base = graph.graph["seq"] if by_seq else graph.graph["time"]
        if base is not None and base and seq_or_time < base:
            raise ValueError(
                f"graph_at({seq_or_time!r}): that moment is before the kept history "
                f"(max_history={self._max_history}, {self._dropped} events dropped)"
            )
        for event in events:
            if (event.seq if by_seq else event.time) > seq_or_time:
                break
            apply_event(graph, event, state)
        return graph

    # ------------------------------------------------------------------ files

    def save(self, path: str | os.PathLike[str]) -> int:
        """Write the history as JSON lines (``Event.to_dict()`` per line); returns the count.

        Only the kept history is written: with ``max_history`` and :attr:`dropped` > 0 the
        file starts mid-story.
        """
        return write_events(path, self.history)

    # ------------------------------------------------------------------ summaries

    def job_rows(self) -> list[dict[str, Any]]:
        """One row per job id, in the order jobs first appeared (see ``_summaries.job_rows``)."""
        events, start = self._replay_start()
        return _summaries.job_rows(events, start)

    def supervisor_rows(
        self,
        now: float | None = None,
        window: float | Mapping[str, float] = _summaries.DEFAULT_WINDOW,
    ) -> list[dict[str, Any]]:
        """Per supervisor: pid, label, restarts inside the intensity window, ... in order of
        appearance (see ``_summaries.supervisor_rows`` for how the window is chosen)."""
        events, start = self._replay_start()
        return _summaries.supervisor_rows(events, start, now=now, window=window)

    def log_lines(self, n: int | None = None, times: bool = True) -> list[str]:
        """The history in words, oldest first; the last ``n`` lines if given."""
        events, start = self._replay_start()
        return _summaries.log_lines(events, start, n=n, times=times)

    def __repr__(self) -> str:
        with self.lock:
            nodes = self._graph.number_of_nodes()
        attached = "attached" if self._subscription is not None else "detached"
        return f"<Tracer {attached}: {self._total} events, {nodes} nodes, {self._dropped} dropped>"


def _inside(rt: Any) -> bool:
    """True in one of ``rt``'s own processes, which let time pass with their own waits."""
    proc = current_process()
    return proc is not None and proc.runtime is rt and not proc.adopted
