"""Waiting on runtime events in the Jobber tests: a collector, never sleep-and-hope.

Not a conftest: test modules import what they use (``from jobber_events import ...``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from jobber_lab.otp import Event, Runtime

__all__ = ["SIM_WAIT", "WAIT", "Collector", "statuses"]

WAIT = 10.0
"""Wall seconds any single wait may take before the test fails (generous: CI is slow)."""

SIM_WAIT = 3600.0
"""On a simulated runtime: the runtime seconds a wait lets pass (it costs no wall time)."""


def _matches(event: Event, kind: str | None, pid: Any, fields: dict[str, Any]) -> bool:
    if kind is not None and event.kind != kind:
        return False
    if pid is not None and event.pid != str(pid):
        return False
    for name, want in fields.items():
        have = event.fields.get(name)
        if callable(want):
            if not want(have):
                return False
        elif have != (str(want) if name in _PID_FIELDS and want is not None else want):
            return False
    return True


_PID_FIELDS = frozenset({"supervisor", "old_pid", "other", "parent"})


class Collector:
    """Every event of ``runtime`` from now on, with waits on a condition variable.

    ``fields`` filters compare a field to a value (pids may be given as ``Pid``) or call a
    predicate on it.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._events: list[Event] = []
        self._cond = threading.Condition()
        self._sub = runtime.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        with self._cond:
            self._events.append(event)
            self._cond.notify_all()

    def close(self) -> None:
        self._sub.cancel()

    @property
    def events(self) -> list[Event]:
        with self._cond:
            return list(self._events)

    def of(self, kind: str | None = None, pid: Any = None, **fields: Any) -> list[Event]:
        """The events so far of ``kind`` (about ``pid``) whose fields match."""
        return [e for e in self.events if _matches(e, kind, pid, fields)]

    def flushed(self, kind: str | None = None, pid: Any = None, **fields: Any) -> list[Event]:
        """Like :meth:`of`, after every event emitted so far was delivered."""
        assert self.runtime.flush_events(WAIT), "event dispatcher did not catch up"
        return self.of(kind, pid, **fields)

    def wait_for(
        self, predicate: Callable[[list[Event]], Any], timeout: float = WAIT, what: str = ""
    ) -> Any:
        """Wait until ``predicate(events)`` is truthy and return its value, or fail.

        On a simulated runtime a wall-clock wait would never see time move: the wait lets
        simulated time pass instead (``run_until``, up to ``SIM_WAIT`` runtime seconds)."""
        if self.runtime.simulated:
            found: list[Any] = []

            def ready() -> bool:
                result = predicate(self.events)
                if result:
                    found.append(result)
                return bool(result)

            if self.runtime.run_until(ready, timeout=SIM_WAIT):
                return found[0]
            dump = "\n".join(_line(e) for e in self.events[-60:])
            raise AssertionError(
                f"simulated time ran {SIM_WAIT}s (or out of things to do) waiting for "
                f"{what or predicate}\n{dump}"
            )
        with self._cond:
            result = self._cond.wait_for(lambda: predicate(self._events), timeout)
            if result:
                return result
            dump = "\n".join(_line(e) for e in self._events[-60:])
        raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}\n{dump}")

    def wait_count(
        self, n: int, kind: str, pid: Any = None, timeout: float = WAIT, **fields: Any
    ) -> list[Event]:
        """Wait for at least ``n`` matching events; return the first ``n``."""

        def enough(events: list[Event]) -> list[Event] | None:
            found = [e for e in events if _matches(e, kind, pid, fields)]
            return found[:n] if len(found) >= n else None

        what = f"{n} x {kind} pid={pid} {fields}"
        return self.wait_for(enough, timeout, what)

    def wait_event(self, kind: str, pid: Any = None, timeout: float = WAIT, **fields: Any) -> Event:
        """Wait for the first matching event and return it."""
        return self.wait_count(1, kind, pid, timeout, **fields)[0]


def statuses(events: list[Event], pid: Any = None) -> list[tuple[str, int]]:
    """``(status, retries)`` of the ``job_status`` events (of ``pid``), in order."""
    return [
        (e.fields["status"], e.fields["retries"])
        for e in events
        if e.kind == "job_status" and (pid is None or e.pid == str(pid))
    ]


def _line(e: Event) -> str:
    return f"{e.seq:5d} {e.time:9.3f} {e.kind:20s} {e.pid} {dict(e.fields)}"
