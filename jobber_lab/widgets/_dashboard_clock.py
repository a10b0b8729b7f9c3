"""The dashboard's clock controls: Pause, Step and Play on a simulated runtime, the
"next: t = …" line, and travel over the recorded history with the slider."""

from __future__ import annotations

import time
from typing import Any

from jobber_lab import otp

from ._controls import clock_state
from ._dashboard_base import _DashboardBase, log, touched
from ._header import clock_text
from ._html import esc
from ._session import Session


class _ClockControls(_DashboardBase):
    """Pause, Step, Play and time travel (see :class:`Dashboard`)."""

    @property
    def paused(self) -> bool:
        """Whether the clock stands still (a paced simulated runtime after :meth:`pause`)."""
        return self._session.runtime.paused

    @property
    def last_step(self) -> tuple[otp.Event, ...]:
        """The events of the last :meth:`step` (marked in the log), until Play or Reset."""
        with self._lock:
            return self._step

    def pause(self) -> None:
        """Stop the clock: time stands still (what is runnable still runs to quiescence).

        Raises RuntimeError on a scaled runtime, whose clock is the wall clock."""
        session = self._require_clock("pause")
        session.runtime.pause()
        self._sync_clock(session)
        self._say(f"Paused at t = {clock_text(session.runtime.now())}: Step, or Play", "info")
        self.renderer.notify()

    def play(self) -> None:
        """Let the clock follow the wall clock again (at the time scale); clears the marks."""
        session = self._require_clock("play")
        with self._lock:
            self._step, self._step_seqs, self._step_pids = (), frozenset(), frozenset()
        session.runtime.play()
        self._sync_clock(session)
        self._say("Playing", "info")
        self.renderer.notify()

    def step(self) -> list[otp.Event]:
        """``Runtime.step()``: advance to the next deadline and run to quiescence; returns
        the step's events, marks them in the log (▶) and rings the processes they name.

        Works playing too (the Step button is enabled only while paused: a playing clock
        reaches the next deadline by itself). A click that comes while a Reset closes the
        session raises RuntimeError; so does a scaled runtime.
        """
        session = self._require_clock("step")
        self._go_live(quiet=True)
        started = time.perf_counter()
        events = session.step()
        took = time.perf_counter() - started
        with self._lock:
            if self._session is session:
                self._step = tuple(events)
                self._step_seqs = frozenset(e.seq for e in events)
                self._step_pids = touched(events)
        self.renderer.notify()
        rt = session.runtime
        self._show_next(session, self._next_text(session))  # at once, not at the redraw
        if events:
            text = (
                f"Step to t = {clock_text(rt.now())}: {len(events)} events (▶ in the log, "
                f"ringed in the tree) in {took * 1000:.0f} ms"
            )
        else:
            text = "Step: nothing was due (no timer, no timeout): start a job, or Play"
        log.debug("step of %s: %d events in %.1f ms", rt.name, len(events), took * 1000)
        self._say(text, "ok" if events else "info")
        return events

    def _clock_clicked(self, action: Any) -> None:
        """Pause, Step or Play from a button: a race with a Reset (the session closed under
        the click) or a click on a greyed-out button becomes a notice, never an exception
        in the kernel's callback."""
        if self._closed:
            return
        try:
            action()
        except Exception as exc:
            self._say(f"{action.__name__.capitalize()}: {self._why(exc)}", "warn")

    def _require_clock(self, what: str) -> Session:
        session = self._session
        if not session.simulated:
            raise RuntimeError(
                f"Dashboard.{what}(): a scaled runtime follows the wall clock and cannot "
                "stop; use Dashboard(simulated=True)"
            )
        return session

    def _sync_clock(self, session: Session) -> None:
        """Enable Pause, Step and Play as the runtime's clock allows (and say why not)."""
        state = clock_state(
            simulated=session.simulated, paced=session.paced, paused=session.runtime.paused
        )
        c = self.controls
        with self._ui:
            if self._closed or session is not self._session:
                return
            for button, on, tip in (
                (c.pause, state.pause, state.pause_tip),
                (c.step, state.step, state.step_tip),
                (c.resume, state.resume, state.resume_tip),
            ):
                if button.disabled == on:
                    button.disabled = not on
                if button.tooltip != tip:
                    button.tooltip = tip

    def _show_next(self, session: Session, text: str) -> None:
        """Set the "next: t = …" line (at the right end of the notice's line)."""
        value = (
            "<div class='jl-next-text' style='font-family:sans-serif;text-align:right;"
            f"white-space:nowrap' title='when the next timer or timeout is due'>{esc(text)}</div>"
        )
        with self._ui:
            if (
                not self._closed
                and session is self._session
                and self.controls.next_up.value != value
            ):
                self.controls.next_up.value = value

    def _next_text(self, session: Session) -> str:
        """When something happens next: ``next: t = 10.000 s`` (the runtime's next deadline)."""
        if not session.simulated:
            return ""
        if session.closed:
            return "next: —"
        deadline = session.runtime.next_deadline()
        if deadline is None:
            return "next: nothing due"
        return f"next: t = {clock_text(deadline)}"

    def _travel(self, change: dict[str, Any]) -> None:
        """The student moved the slider (or Play did): show the trace as it was then."""
        if getattr(self._quiet, "on", False) or self._closed:
            return
        with self._lock:
            self._at = int(change["new"])
        self.renderer.notify()

    def _go_live(self, quiet: bool = False) -> None:
        with self._lock:
            was_travelling = self._at is not None
            self._at = None
        if was_travelling or not quiet:
            with self._ui, self._quieted():
                if not self._closed:
                    self.controls.play.playing = False
                    self.controls.slider.value = self.controls.slider.max
            self.renderer.notify()
