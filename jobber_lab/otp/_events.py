"""Events: the one contract between the core and everything above it.

Every lifecycle fact becomes an :class:`Event` holding plain data only (pids as
their printed strings, reasons as short text), so a trace is JSON lines and a
replay is exact.  Emitting never blocks the emitting process and never runs
subscriber code on its thread: events go through a queue to one dispatcher
thread that delivers them in sequence order.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._atoms import Atom

__all__ = ["Event", "EventBus", "EventKind", "Subscription"]

log = logging.getLogger("jobber_lab.otp.events")


class EventKind:
    """The event kinds, as plain strings so traces stay readable.

    Fields each kind carries (all plain data; pids are strings like ``<0.42.0>``):

    - ``spawned``: pid, parent (the spawning pid or None), name, behaviour, role
      (worker/supervisor/registry/application), linked (bool)
    - ``exited``: pid, reason (text), reason_kind (normal/shutdown/killed/crash), exception
      (``Type: message`` or None)
    - ``linked`` / ``unlinked``: pid, other
    - ``down``: pid (the watcher), other (the dead process), reason
    - ``named`` / ``unnamed``: pid, name (registered name)
    - ``child_started``: supervisor, pid, child_id, restart, role, dynamic, shutdown
    - ``child_restarted``: supervisor, pid (new), old_pid, child_id, restart, role, dynamic,
      restarts (restarts inside the current window, after this one)
    - ``child_terminated``: supervisor, pid, child_id, reason, reason_kind, dynamic
    - ``restart_failed``: supervisor, child_id, reason
    - ``intensity_reached``: supervisor, restarts, max_restarts, max_seconds
    - ``supervisor_gave_up``: supervisor, reason
    - ``registry_register`` / ``registry_unregister``: registry (name), pid, key, value
    - ``timer_fired``: pid (destination or None), message (text)
    - ``zombie``: pid, name, reason, seconds
    - ``message_sent``: pid (sender or None), other (receiver), message (text), tag
      (call/reply/cast/info/EXIT/DOWN) - opt-in (``Runtime(trace_messages=True)``)
    - ``app_started`` / ``app_stopped``: app, pid (top supervisor), reason

    An application adds its own kinds beside these (the Jobber app's ``job_status`` and
    ``quota_refused`` are ``jobber_lab.jobber.JobEventKind``): the core knows no app.
    """

    SPAWNED = "spawned"
    EXITED = "exited"
    LINKED = "linked"
    UNLINKED = "unlinked"
    DOWN = "down"
    NAMED = "named"
    UNNAMED = "unnamed"
    CHILD_STARTED = "child_started"
    CHILD_RESTARTED = "child_restarted"
    CHILD_TERMINATED = "child_terminated"
    RESTART_FAILED = "restart_failed"
    INTENSITY_REACHED = "intensity_reached"
    SUPERVISOR_GAVE_UP = "supervisor_gave_up"
    REGISTRY_REGISTER = "registry_register"
    REGISTRY_UNREGISTER = "registry_unregister"
    TIMER_FIRED = "timer_fired"
    ZOMBIE = "zombie"
    MESSAGE_SENT = "message_sent"
    APP_STARTED = "app_started"
    APP_STOPPED = "app_stopped"


def plain(value: Any) -> Any:
    """``value`` as an event field holds it: plain data that JSON lines keep exactly.

    Strings, numbers, booleans and None stay as they are; an atom becomes its name and a
    class its ``__name__`` (how a reader calls ``JobRegistry`` or a ``Job`` child id); any
    other term its ``repr``. The one rule for every field the core fills from a user's term.
    """
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Atom):
        return value.name
    if isinstance(value, type):
        return value.__name__
    return repr(value)


@dataclass(frozen=True)
class Event:
    """One fact: global sequence number, runtime time (seconds), kind, pid, fields."""

    seq: int
    time: float
    kind: str
    pid: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """A field by name (``event.get("reason")``)."""
        return self.fields.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON lines."""
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "pid": self.pid,
            "fields": dict(self.fields),
        }


Subscriber = Callable[[Event], None]


class Subscription:
    """Handle returned by :meth:`EventBus.subscribe`; call it (or ``.cancel()``) to detach."""

    def __init__(self, bus: EventBus, callback: Subscriber, after: int = 0) -> None:
        self._bus = bus
        self.callback = callback
        self.after = after  # the last seq emitted before subscribing: those are not ours

    def cancel(self) -> None:
        self._bus._unsubscribe(self)

    __call__ = cancel


_STOP = object()


class EventBus:
    """Sequence-numbered events delivered in order on one dispatcher thread."""

    def __init__(self, clock_now: Callable[[], float], name: str = "events") -> None:
        self._now = clock_now
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._seq = 0
        self._queued = 0  # seq of the last event handed to the dispatcher
        self._delivered = 0
        self._delivered_cond = threading.Condition()
        self._flush_waiters = 0  # threads in flush(): only then is notify_all worth its cost
        self._subscribers: tuple[Subscription, ...] = ()
        self._thread = threading.Thread(target=self._run, name=f"{name}-dispatcher", daemon=True)
        self._closed = False
        self._thread.start()

    def emit(self, kind: str, pid: Any = None, **fields: Any) -> None:
        """Record a fact.  Cheap, never blocks on subscribers.

        With nobody subscribed the fact is only counted: a subscriber gets exactly the
        events emitted after it subscribed, so building and dispatching one for nobody
        (half the cost of a spawn, measured) would buy nothing.
        """
        if self._closed:
            return
        with self._lock:
            self._seq += 1
            if not self._subscribers:
                return
            event = Event(self._seq, self._now(), kind, None if pid is None else str(pid), fields)
            self._queued = self._seq
            self._queue.put(event)

    def subscribe(self, callback: Subscriber) -> Subscription:
        """Deliver every later event to ``callback`` on the dispatcher thread."""
        if not callable(callback):
            raise TypeError(f"subscribe(callback): expected a callable, got {callback!r}")
        with self._lock:
            sub = Subscription(self, callback, after=self._seq)
            self._subscribers = (*self._subscribers, sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subscribers = tuple(s for s in self._subscribers if s is not sub)

    @property
    def last_seq(self) -> int:
        return self._seq

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every event emitted so far was delivered; True if it was."""
        target = self._queued
        with self._delivered_cond:
            self._flush_waiters += 1
            try:
                return self._delivered_cond.wait_for(lambda: self._delivered >= target, timeout)
            finally:
                self._flush_waiters -= 1

    def close(self, timeout: float = 5.0) -> None:
        """Deliver what is queued, then stop the dispatcher thread."""
        if self._closed:
            return
        self.flush(timeout)
        self._closed = True
        self._queue.put(_STOP)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _run(self) -> None:
        get, get_nowait = self._queue.get, self._queue.get_nowait
        while True:
            batch = [get()]
            try:  # one wake-up serves a whole burst
                while len(batch) < 512:
                    batch.append(get_nowait())
            except queue.Empty:
                pass
            for event in batch:
                if event is _STOP:
                    return
                for sub in self._subscribers:
                    if event.seq <= sub.after:  # emitted before this subscriber subscribed
                        continue
                    try:
                        sub.callback(event)
                    except Exception:  # a broken subscriber must not stop the others
                        log.exception("event subscriber %r failed on %s", sub.callback, event.kind)
                self._delivered = event.seq
                if self._flush_waiters:
                    with self._delivered_cond:
                        self._delivered_cond.notify_all()
