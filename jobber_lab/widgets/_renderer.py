"""The coalescing renderer: redraw a live picture at a bounded rate, whatever the event rate.

The dashboard (``jobber_lab.widgets``) uses it: tracer events only *signal* a change with
:meth:`CoalescingRenderer.notify` (cheap, from any thread, never blocks on drawing); one
thread draws at once on the first signal, then at most once per ``interval`` while signals
keep coming, and always draws once more after the last one, so the picture ends on the final
state.  JUPYTER.md measured the pattern: 1,000 events from 8 threads gave 3 renders.

It knows nothing of matplotlib (``render`` is any callable).  It lives in ``widgets/``, not
``draw/``: drawing stays pure functions (ARCHITECTURE.md's layer table), and the thread that
decides *when* to redraw belongs to the live views that need it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["CoalescingRenderer"]

log = logging.getLogger("jobber_lab.widgets.renderer")


class CoalescingRenderer:
    """Run ``deliver(render())`` on one daemon thread, coalescing bursts of :meth:`notify`.

    ``render`` draws the current state (e.g. copies the tracer's graph under its lock and
    returns PNG bytes); ``deliver`` hands the result on (e.g. sets ``Image.value``: setting
    widget values from a thread reaches the browser, capturing output does not).  An
    exception in either is logged and counted in :attr:`errors`; the thread carries on.

    Timing: the first signal after a quiet spell is drawn at once.  After a render, the next
    starts no sooner than ``interval`` after the previous one started, and never less than
    half an interval after it finished, so a drawing slower than the interval still leaves
    the runtime's threads most of the CPU (they share the GIL with this one).
    """

    def __init__(
        self,
        render: Callable[[], Any],
        deliver: Callable[[Any], None],
        interval: float = 0.25,
        *,
        name: str = "jobber-lab-renderer",
    ) -> None:
        if not callable(render):
            raise TypeError(f"CoalescingRenderer(render): expected a callable, got {render!r}")
        if not callable(deliver):
            raise TypeError(f"CoalescingRenderer(deliver): expected a callable, got {deliver!r}")
        if isinstance(interval, bool) or not isinstance(interval, int | float) or interval < 0:
            raise ValueError(
                f"CoalescingRenderer(interval): expected seconds >= 0, got {interval!r}"
            )
        self._render = render
        self._deliver = deliver
        self.interval = float(interval)
        self._cond = threading.Condition(threading.Lock())
        self._pending = False  # a change was signalled and not drawn yet
        self._busy = False  # the thread is inside render/deliver
        self._closed = False
        self._next_allowed = 0.0  # time.monotonic() before which no render starts
        self._due: float | None = None  # time.monotonic() of a signal booked by notify_after
        self._renders = 0
        self._errors = 0
        self._notifies = 0
        self.last_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # -- the public surface -------------------------------------------------------------

    def notify(self) -> None:
        """Signal that the state changed.  Cheap; safe from any thread; never draws itself."""
        with self._cond:
            self._notifies += 1
            if self._closed:
                return
            if not self._pending:  # only the first signal of a burst wakes anyone
                self._pending = True
                self._cond.notify_all()  # all: a wait_idle() caller may be waiting too

    def notify_after(self, delay: float) -> None:
        """Book a signal ``delay`` seconds from now (the earliest booking wins), for a picture
        that changes with time alone, e.g. a "just crashed" mark that must fade without any
        new event.  Not a thread: the renderer's own wait ends at the due time.  A booking
        is not a pending change: :meth:`wait_idle` does not wait for it."""
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not delay >= 0:
            raise ValueError(
                f"CoalescingRenderer.notify_after(delay): expected seconds >= 0, got {delay!r}"
            )
        with self._cond:
            if self._closed:
                return
            due = time.monotonic() + float(delay)
            if self._due is None or due < self._due:
                self._due = due
                self._cond.notify_all()

    @property
    def render_count(self) -> int:
        """Renders completed (successful or not)."""
        return self._renders

    @property
    def errors(self) -> int:
        """Renders whose ``render`` or ``deliver`` raised."""
        return self._errors

    @property
    def notify_count(self) -> int:
        """Signals received, to compare with :attr:`render_count`."""
        return self._notifies

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    @property
    def closed(self) -> bool:
        return self._closed

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every signal so far has been drawn (or the renderer closed).

        True when idle, False on timeout: tests wait on this instead of sleeping and hoping.
        """
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._busy and (not self._pending or self._closed), timeout
            )

    def close(self, timeout: float | None = 5.0) -> bool:
        """Stop the thread and join it.  A signal not drawn yet is dropped: after ``close``
        nothing is delivered any more (a widget being torn down must not be set).

        True if the thread ended within ``timeout``.  Safe to call twice, or from ``deliver``.
        """
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if threading.current_thread() is self._thread:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> CoalescingRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "pending" if self._pending else "idle"
        return (
            f"<CoalescingRenderer {state} interval={self.interval} "
            f"renders={self._renders} errors={self._errors}>"
        )

    # -- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                # Wait for a signal (or a booked one to fall due), then for the throttle; a
                # close ends either wait.
                while not self._pending and not self._closed:
                    if self._due is None:
                        self._cond.wait()
                        continue
                    remaining = self._due - time.monotonic()
                    if remaining <= 0:
                        self._due, self._pending = None, True
                    else:
                        self._cond.wait(remaining)
                while not self._closed:
                    delay = self._next_allowed - time.monotonic()
                    if delay <= 0:
                        break
                    self._cond.wait(delay)
                if self._closed:
                    self._pending = False
                    self._cond.notify_all()
                    return
                # Take the signal *before* drawing: a notify during the render marks a new
                # change, which gets its own render after this one.
                self._pending = False
                self._busy = True
            started = time.monotonic()
            try:
                self._deliver(self._render())
            except Exception as exc:  # a broken drawing must not end live updates
                log.exception("renderer %s: render/deliver failed", self._thread.name)
                with self._cond:
                    self._errors += 1
                    self.last_error = exc
            finished = time.monotonic()
            with self._cond:
                self._renders += 1
                self._busy = False
                self._next_allowed = max(started + self.interval, finished + self.interval / 2)
                self._cond.notify_all()
