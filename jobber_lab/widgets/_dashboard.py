"""``Dashboard``: buttons that start the book's jobs, and a live view of what they do.

Threads, as JUPYTER.md measured them:

- Button handlers run on the kernel's main thread and must return at once: they start a job
  (one quick call into JobRunner), send an exit signal, or record a request, then return.
- Tracer events arrive on the runtime's dispatcher thread; the hook only *signals* the
  :class:`~jobber_lab.widgets.CoalescingRenderer`, so a burst of events becomes one redraw.
- Everything slow (replaying history, drawing the tree, writing an export) runs on the
  renderer thread, which then *sets* widget values; nothing ever captures output in a thread.

Simulated time (the default): a handler that calls into the runtime (a job button, Kill,
Step) takes part like any code from outside: it waits for quiescence, runs holding the baton
and returns at quiescence. The renderer reads the live processes the same way; the
dispatcher only watches. No lock of ours is held while waiting for the baton, and no one
waits for one of ours while holding it, so a click never wedges the kernel
(``tests/widgets/test_clock.py`` storms the buttons while the clock plays).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import logging
import re
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import ipywidgets as w

from jobber_lab import otp, trace
from jobber_lab.draw import node_label, save_tree, tree_png, tree_svg
from jobber_lab.jobber import TOP_SUPERVISOR, VARIANTS, Jobber

from ._controls import LOG_HEIGHT, NO_PROCESS, TREE_FIGSIZE, Controls, clock_state, layout
from ._header import clock_text, facts_from, header_html
from ._html import esc
from ._log import log_html
from ._moment import read_moment
from ._renderer import CoalescingRenderer
from ._session import JOB_KINDS, KILL_REASONS, Session
from ._table import JobRowView, job_row_views, table_head

__all__ = ["Dashboard"]

log = logging.getLogger("jobber_lab.widgets")

_NOTICE_COLOURS = {"ok": "#2e7d32", "info": "#333333", "error": "#c0392b", "warn": "#b35900"}

_open: weakref.WeakSet[Dashboard] = weakref.WeakSet()

#: How the tree reaches the browser. "svg" (the default) is an inline SVG: crisp at any zoom,
#: hover tooltips, the labels findable as text; "png" is a PNG at PNG_SCALE times the box's
#: pixels, for a slow link to a remote server (4-9x fewer bytes per redraw, see the README).
TREE_FORMATS = ("svg", "png")
PNG_SCALE = 2.2

#: At most this many processes are named in the tree's accessible description.
_DESCRIBED = 200

#: A pid as events print it: the processes a step touched are these strings in its events.
_PID = re.compile(r"<\d+\.\d+\.\d+>")


def touched(events: list[otp.Event] | tuple[otp.Event, ...]) -> frozenset[str]:
    """Every process the events name: each event's pid and the pids in its fields (the
    supervisor that restarted, the pid it replaced, the other end of a link)."""
    pids: set[str] = set()
    for event in events:
        for value in (event.pid, *event.fields.values()):
            if isinstance(value, str) and _PID.fullmatch(value):
                pids.add(value)
    return frozenset(pids)


@dataclass(frozen=True)
class _Frame:
    """One render's results, handed from the renderer's drawing to its delivery."""

    session: Session
    at: int | None
    tree: str  # the tree box's HTML: an inline SVG or an <img> of a PNG
    header: str
    next_up: str  # "next: t = 10.000 s", or why nothing is next
    table: str  # the header line above the rows
    rows: tuple[JobRowView, ...]
    log: str
    kill_options: tuple[tuple[str, Any], ...]
    last_seq: int
    notice: tuple[str, str] | None  # (text, kind) when an export finished


class _QuietLogs:
    """While a dashboard is open, the runtime's crash reports go to its log, not under the cell.

    Without a handler, Python's last-resort handler prints every "GenServer terminating"
    traceback to stderr, which the kernel shows under the dashboard's cell and which pushes the
    dashboard down the page. A ``NullHandler`` on ``jobber_lab`` stops only that last resort:
    handlers a user configured on the root logger still get every record.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._handler = logging.NullHandler()

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                logging.getLogger("jobber_lab").addHandler(self._handler)

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                logging.getLogger("jobber_lab").removeHandler(self._handler)


_quiet_logs = _QuietLogs()


class Dashboard:
    """Jobber in a notebook cell: start good, bad, doomed and import jobs and watch the tree.

    ``Dashboard()`` starts its own app (``variant``, ``time_scale``: runtime seconds are the
    book's seconds, so ``time_scale=0.1`` runs its 5 s jobs in 0.5 s); ``Dashboard(app)``
    follows a running :class:`~jobber_lab.jobber.Jobber` (and stops it on :meth:`close`).
    ``seconds`` is how long each job's work takes, in book seconds.

    ``simulated=True`` (the default) runs the app on a simulated runtime paced at
    ``time_scale`` (``Runtime(simulated=True, seed=seed, time_scale=time_scale)``): the jobs
    run on screen as before, but every event happens at its exact time, and the clock can
    stop: **Pause**, **Step** (to the next deadline; its events marked ▶ in the log and their
    processes ringed in the tree; "next: t = …" says when the one after is) and **Play**
    (:meth:`pause`, :meth:`step`, :meth:`play`). The default because stopping the world and
    asking "what happens next?" is what a student can do nowhere else, and it costs nothing
    when the clock plays. ``simulated=False`` keeps a scaled runtime: every process a real
    thread running at once on the wall clock, as in production, where no clock can be
    stopped (Pause and Step are greyed out, their tooltip says why). Reset and a variant or
    time-scale change keep the choice, and a paused clock stays paused.

    A new Dashboard closes the ones made before it (re-running the cell leaves no threads
    behind), unless ``keep_others=True`` (two dashboards side by side: isolated vs direct).
    ``tree_format``: ``"svg"`` (crisp, tooltips) or ``"png"`` (fewer bytes per redraw, for a
    slow link to a remote kernel); the README's dashboard section has the measurements.

    Every action (buttons, Reset, :meth:`kill`, :meth:`select`, :meth:`close`) is safe from
    any thread: ipywidgets callbacks, the renderer and the runtime's timers may overlap.
    """

    def __init__(
        self,
        app: Jobber | None = None,
        *,
        variant: str = "isolated",
        time_scale: float = 0.1,
        seconds: float = 5,
        interval: float = 0.25,
        keep_others: bool = False,
        tree_format: str = "svg",
        simulated: bool = True,
        seed: int = 0,
    ) -> None:
        _check_options(app, variant, time_scale, seconds, tree_format, simulated, seed)
        if not keep_others:
            for other in list(_open):
                other.close()
        if app is not None:
            variant, time_scale = app.variant, app.runtime.time_scale
            simulated = app.runtime.simulated
        self.simulated = simulated
        self.seed = seed
        self.controls = Controls(variant, float(time_scale), float(seconds))
        self.widget: w.VBox = layout(self.controls)
        self.tree_format = tree_format
        # Three locks, always taken in this order (never the other way round):
        # _life serialises Reset and close, from whichever thread they come, so two Resets
        # never both start a session (the leak issue 14 found) and none starts after close;
        # _ui serialises setting widget values, so close() never tears a widget down while
        # another thread sets it; _lock guards the small state below, held only briefly.
        self._life = threading.RLock()
        self._ui = threading.RLock()
        self._lock = threading.Lock()  # guards _session, _at, _export, _cache, _selected
        self._quiet = threading.local()  # set while *we* move the slider, not the student
        self._at: int | None = None  # the seq shown; None = live
        self._export: Path | None = None  # an export waiting for the renderer
        self._cache: tuple[tuple[Any, ...], str] | None = None
        self._selected: str | None = None  # the pid the student chose: ringed in the tree
        # The last Step's events, their seqs (marked in the log) and the pids they name
        # (ringed in the tree); cleared by Play and Reset.
        self._step: tuple[otp.Event, ...] = ()
        self._step_seqs: frozenset[int] = frozenset()
        self._step_pids: frozenset[str] = frozenset()
        self._kill_options: tuple[tuple[str, Any], ...] = ()
        self._row_views: tuple[JobRowView, ...] = ()  # what each row button shows now
        self._closed = False
        _quiet_logs.acquire()
        try:
            self._session = (
                Session.adopt(app)
                if app is not None
                else Session.start(
                    variant=variant, time_scale=float(time_scale), simulated=simulated, seed=seed
                )
            )
        except BaseException:
            _quiet_logs.release()
            raise
        #: Every session this dashboard ever ran: close() makes sure each one is closed.
        self._sessions: list[Session] = [self._session]
        self.renderer = CoalescingRenderer(
            self._render, self._deliver, interval, name="jobber-lab-dashboard-renderer"
        )
        self._session.on_event(self._on_event)
        self._wire()
        self._sync_clock(self._session)
        _open.add(self)
        self.renderer.notify()

    # ------------------------------------------------------------------ public surface

    @property
    def app(self) -> Jobber:
        return self._session.app

    @property
    def runtime(self) -> otp.Runtime:
        return self._session.runtime

    @property
    def tracer(self) -> Any:
        """The current session's :class:`~jobber_lab.trace.Tracer` (a new one after Reset)."""
        return self._session.tracer

    @property
    def session(self) -> Session:
        return self._session

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def sessions(self) -> tuple[Session, ...]:
        """Every session this dashboard started (or adopted), oldest first."""
        with self._life:
            return tuple(self._sessions)

    @property
    def selected(self) -> str | None:
        """The job id or pid the student chose (ringed in the tree), or None."""
        return self._selected

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

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        """Wait until every event so far is delivered *and* drawn; True if it was in time.

        ``flush`` first: an event's hook (which signals the renderer) runs after the event is
        applied, so waiting on the renderer alone could return before the signal arrived.
        """
        self._session.tracer.flush(timeout)
        return self.renderer.wait_idle(timeout)

    def reset(self) -> None:
        """Stop the app (every thread joined) and start a clean one with the chosen options.

        Safe from any thread, at any time: Resets (and close) take turns, so each one closes
        exactly the session before it, and a Reset that comes after close does nothing.
        """
        with self._life:
            if self._closed:
                return
            c = self.controls
            paused = self._session.runtime.paused
            leaked = self._session.close()
            try:
                new = Session.start(
                    variant=c.variant_choice.value,
                    time_scale=c.scale_choice.value,
                    simulated=self.simulated,
                    seed=self.seed,
                    paused=paused,
                )
            except Exception as exc:
                self._say(f"Reset failed: {exc}", "error")
                return
            self._sessions.append(new)
            new.on_event(self._on_event)
            with self._lock:
                self._session, self._at, self._cache, self._selected = new, None, None, None
                self._step, self._step_seqs, self._step_pids = (), frozenset(), frozenset()
            self._sync_clock(new)
            with self._ui, self._quieted():
                if not self._closed:
                    c.slider.value = 0
                    c.slider.max = 0
        self.renderer.notify()
        text = f"Reset: a clean Jobber ({new.variant} variant, {new.runtime.mode})"
        if leaked:
            text += f"; {len(leaked)} thread(s) of the old runtime would not stop"
        self._say(text, "warn" if leaked else "ok")

    def close(self) -> None:
        """Stop the renderer, every session's app and runtime, and close the widgets.

        Safe twice and from any thread, also while a Reset, a click or a redraw runs in
        another: after ``close`` returns no thread of any session it ever started is alive.
        """
        with self._life:
            if self._closed:
                return
            self._closed = True
            sessions = list(self._sessions)
        _open.discard(self)
        try:
            self.renderer.close()
            for session in sessions:
                session.close()
        finally:
            _quiet_logs.release()
            with self._ui:
                for f in fields(self.controls):
                    value = getattr(self.controls, f.name)
                    for widget in value if isinstance(value, list) else [value]:
                        if isinstance(widget, w.Widget):
                            widget.close()
                self.widget.close()

    def select(self, target: str | None) -> None:
        """Ring a process in the tree: a pid as printed (``"<3.21.0>"``) or a job id
        (``"doomed-3"``: its process, whichever attempt it is on); None rings nothing.

        A click on a job's row selects the job; picking a process in the Kill chooser selects
        that pid, so the node about to be killed is the one marked in the picture.
        """
        if target is not None and not isinstance(target, str):
            raise TypeError(
                f"Dashboard.select(target): expected a pid or job id string or None, got {target!r}"
            )
        with self._lock:
            if self._selected == (target or None):
                return
            self._selected = target or None
        self.renderer.notify()

    def kill(self, target: str, reason: str = "kill") -> bool:
        """``Process.exit(pid, reason)`` to the process printed as ``target``; what the Kill
        button does with the chooser's values. False (and a notice) when it is not alive."""
        if reason not in KILL_REASONS:
            raise ValueError(
                f"Dashboard.kill(reason): expected one of {tuple(KILL_REASONS)}, got {reason!r}"
            )
        if not target:
            self._say("Kill: choose a process first", "warn")
            return False
        self._go_live(quiet=True)
        try:
            sent = self._session.kill(target, reason)
        except Exception as exc:  # the session closed under us: a Reset from another thread
            self._say(f"Kill: {self._why(exc)}", "error")
            return False
        if sent:
            self._say(f"Process.exit({target}, :{reason}) sent", "ok")
        else:
            self._say(f"Kill: {target} is no longer alive", "warn")
        return sent

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Displaying the dashboard displays its root VBox."""
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self._session.variant}"
        return f"<Dashboard {state} {self._session.runtime.name}>"

    # ------------------------------------------------------------------ wiring

    def _wire(self) -> None:
        c = self.controls
        for kind, button in c.job_buttons.items():
            button.on_click(lambda _b, kind=kind: self._start_job(kind))
        c.import_4.on_click(lambda _b: self._start_imports(4))
        for i, row in enumerate(c.rows):
            row.on_click(lambda _b, i=i: self._row_clicked(i))
        c.kill_target.observe(lambda ch: self.select(ch["new"] or None), names="value")
        c.reset.on_click(lambda _b: self.reset())
        c.variant_choice.observe(self._option_changed, names="value")
        c.scale_choice.observe(self._option_changed, names="value")
        c.kill.on_click(lambda _b: self.kill(c.kill_target.value, c.kill_reason.value))
        w.link((c.play, "value"), (c.slider, "value"))
        w.link((c.slider, "max"), (c.play, "max"))
        c.slider.observe(self._travel, names="value")
        c.live.on_click(lambda _b: self._go_live())
        c.export.on_click(lambda _b: self._request_export())
        c.pause.on_click(lambda _b: self._clock_clicked(self.pause))
        c.step.on_click(lambda _b: self._clock_clicked(self.step))
        c.resume.on_click(lambda _b: self._clock_clicked(self.play))

    def _on_event(self, _event: otp.Event) -> None:
        """The tracer hook, on the dispatcher thread: only a signal, never a drawing."""
        self.renderer.notify()

    @contextlib.contextmanager
    def _quieted(self) -> Iterator[None]:
        """Mark slider moves made by this thread as ours (observers run in the setting thread)."""
        self._quiet.on = True
        try:
            yield
        finally:
            self._quiet.on = False

    def _say(self, text: str, kind: str = "info") -> None:
        """One line under the buttons (the full text on hover: the box never grows)."""
        colour = _NOTICE_COLOURS.get(kind, "#333333")
        value = (
            f"<div class='jl-notice jl-{kind}' title='{esc(text)}' style='color:{colour};"
            "font-family:sans-serif;white-space:nowrap;overflow:hidden;text-overflow:ellipsis'>"
            f"{esc(text)}</div>"
        )
        with self._ui:
            if not self._closed:
                self.controls.notice.value = value

    # ------------------------------------------------------------------ handlers

    def _start_job(self, kind: str) -> tuple[str, Any] | None:
        """``Jobber.start_job``: a quick call into JobRunner, then back to the kernel."""
        if self._closed or kind not in JOB_KINDS:
            return None
        self._go_live(quiet=True)
        seconds = float(self.controls.duration.value)
        try:
            job_id, result = self._session.start_job(kind, seconds)
        except Exception as exc:  # JobRunner down (direct variant), app stopped, ...
            article = "an" if kind == "import" else "a"
            self._say(f"Could not start {article} {kind} job: {self._why(exc)}", "error")
            return None
        if isinstance(result, otp.Error):
            self._say(f"Import job refused: {self._refusal(result)}", "warn")
        else:
            self._say(f"Started {job_id}: start_job returned {result}", "ok")
        return job_id, result

    def _refusal(self, result: otp.Error) -> str:
        quota = self._session.app.import_quota
        return (
            f"start_job returned {{:error, {result.reason}}}: {quota} imports already running "
            "(the quota)"
        )

    def _start_imports(self, count: int) -> None:
        """Import ×4: imports back to back, faster than any of them ends, so the quota shows
        at the default time scale (a 5 s import lasts 0.5 s there: too short for clicks)."""
        tried = [self._start_job("import") for _ in range(count)]
        outcomes = [o for o in tried if o is not None]
        if len(outcomes) < len(tried):
            return  # the failed start already said why
        started = [job_id for job_id, result in outcomes if not isinstance(result, otp.Error)]
        refused = [result for _, result in outcomes if isinstance(result, otp.Error)]
        text = f"Import ×{count}: started {', '.join(started) or 'none'}"
        if refused:
            text += f"; {len(refused)} refused: {self._refusal(refused[0])}"
        self._say(text, "warn" if refused else "ok")

    def _why(self, exc: Exception) -> str:
        """A failed start in a student's words, not a page-long call tuple."""
        if self._session.closed:
            return "the app was reset meanwhile: press the button again"
        if self._session.app.whereis(TOP_SUPERVISOR) is None:
            return "Jobber is down (its supervisor gave up or was killed): press Reset"
        if isinstance(exc, otp.ExitError):
            reason = exc.reason
            head = reason[0] if isinstance(reason, tuple) and reason else reason
            return (
                f"the call to JobRunner exited with {otp.format_reason(head)}: JobRunner is "
                "down or being restarted; try again in a moment"
            )
        text = str(exc)
        return f"{type(exc).__name__}: {text[:200]}{'…' if len(text) > 200 else ''}"

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

    def _option_changed(self, _change: dict[str, Any]) -> None:
        """A new variant or time scale means a new app: Reset applies it."""
        self.reset()

    def _row_clicked(self, index: int) -> None:
        """A click on a job's row selects that job (a second click deselects it)."""
        views = self._row_views
        if index < len(views):
            job_id = views[index].job_id
            self.select(None if self._selected == job_id else job_id)

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

    def _request_export(self) -> None:
        folder = Path(self.controls.export_dir.value or ".").expanduser()
        with self._lock:
            self._export = folder
        self._say(f"Exporting to {folder} ...", "info")
        self.renderer.notify()

    # ------------------------------------------------------------------ the renderer thread

    def _render(self) -> _Frame:
        """Read one moment, draw it, write a pending export: all on the renderer thread."""
        with self._lock:
            session, at, export, selected = self._session, self._at, self._export, self._selected
            step_seqs, step_pids = self._step_seqs, self._step_pids
            self._export = None
        live = at is None
        now = session.runtime.now() if live else None
        moment = read_moment(session.tracer, at, now)
        facts = facts_from(
            moment.graph,
            moment.rows,
            variant=session.variant,
            mode=session.runtime.mode,
            now=now,
            quota=session.app.import_quota,
            first_job_runner=session.first_job_runner,
            refused=moment.refused,
            replaced=moment.replaced,
            travel=None
            if live
            else f"seq {moment.seq} of {moment.last_seq} at {moment.now or 0.0:.1f}s",
        )
        # The tree marks the story itself (the new JobRunner, "just crashed" ghosts, fading
        # with ``now``), so ``highlight`` carries the student's selection and the processes
        # the last Step touched (draw_tree rings those in the picture, ghosts included).
        marked: set[str] = set(step_pids)
        if selected is not None:
            marked |= {
                str(node)
                for node, attrs in moment.graph.nodes(data=True)
                if str(node) == selected or attrs.get("job_id") == selected
            }
        # The tree's title is the header's: the box's height is the tree's, not a caption's.
        clock = round(moment.now or 0.0, 1)
        key = (moment.seq, tuple(sorted(marked, key=str)), clock)
        with self._lock:
            cached = self._cache
        if cached is not None and cached[0] == (session, *key):
            tree = cached[1]
        else:
            tree = self._tree_html(moment.graph, marked, moment.now)
            with self._lock:
                if self._session is session:  # a Reset meanwhile: keep the new session's
                    self._cache = ((session, *key), tree)
        # Marks fade with runtime time: only a clock that follows the wall clock moves it
        # without a step (paused or unpaced, nothing fades until someone asks for time).
        follows_wall = not session.simulated or (session.paced and not session.runtime.paused)
        if live and now is not None and follows_wall:
            self._book_fade(moment.graph, now, session.time_scale)
        notice = self._export_now(session, export) if export is not None else None
        options = tuple(session.live_processes()) if not session.closed else ()
        return _Frame(
            session=session,
            at=at,
            tree=tree,
            header=header_html(facts),
            next_up=self._next_text(session),
            table=table_head(moment.rows),
            rows=tuple(job_row_views(moment.rows, moment.now)),
            log=log_html(
                moment.lines,
                LOG_HEIGHT,
                marked={i for i, seq in enumerate(moment.line_seqs) if seq in step_seqs},
            ),
            kill_options=options,
            last_seq=moment.last_seq,
            notice=notice,
        )

    def _book_fade(self, graph: Any, now: float, time_scale: float) -> None:
        """ "Just crashed" marks fade with time alone, with no event to signal it: book one
        more drawing for when the next of them expires (none when nothing is marked)."""
        fade = getattr(trace, "GHOST_SECONDS", None)
        marks = graph.graph.get("ghosts") or {}
        if fade is None or not marks:
            return
        ends = [float(g["exited"]) + float(fade) for g in marks.values() if "exited" in g]
        later = [end for end in ends if end > now]
        if later:
            self.renderer.notify_after((min(later) - now) * time_scale + 0.02)

    def _tree_html(self, graph: Any, marked: set[str], now: float | None = None) -> str:
        """The tree box's content: the picture, scaled to fit the fixed box, and a text
        description naming every process (a screen reader's view, and what tests search)."""
        highlight = sorted(marked, key=str) or None
        # The key as a strip under the tree: beside it, it took a third of the box's width.
        kw: dict[str, Any] = {"highlight": highlight, "figsize": TREE_FIGSIZE, "legend": "below"}
        if now is not None:
            kw["now"] = now
        fit = "width:100%;height:100%"
        if self.tree_format == "svg":
            svg = tree_svg(graph, **kw).decode("utf-8")
            svg = svg[svg.index("<svg") :]  # no XML prolog or DOCTYPE inside HTML
            picture = svg.replace(
                "<svg ",
                f"<svg class='jl-tree-svg' style='{fit}' preserveAspectRatio='xMidYMid meet' ",
                1,
            )
        else:
            dpi = 96 * PNG_SCALE
            data = base64.b64encode(tree_png(graph, dpi=dpi, **kw)).decode("ascii")
            picture = (
                f"<img class='jl-tree-png' alt='' style='{fit};object-fit:contain' "
                f"src='data:image/png;base64,{data}'>"
            )
        return (
            f"<div class='jl-tree' role='img' aria-label='{esc(_describe(graph))}' "
            f"style='{fit}'>{picture}</div>"
        )

    def _export_now(self, session: Session, folder: Path) -> tuple[str, str]:
        """Write ``supervision_tree.png`` (live tree) and ``trace.jsonl`` into ``folder``."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tree = save_tree(
                session.tracer.graph,
                folder / "supervision_tree.png",
                title=f"Jobber supervision tree ({session.variant})",
            )
            count = session.tracer.save(folder / "trace.jsonl")
        except Exception as exc:
            return f"Export failed: {type(exc).__name__}: {exc}", "error"
        return f"Exported {tree} and {folder / 'trace.jsonl'} ({count} events)", "ok"

    def _deliver(self, frame: _Frame) -> None:
        """Set the widget values (from the renderer thread: setting reaches the browser)."""
        with self._ui:
            if self._closed or frame.session is not self._session:
                return  # a frame of a session that Reset already replaced
            c = self.controls
            if c.tree.value != frame.tree:
                c.tree.value = frame.tree
            c.header.value = frame.header
            self._show_next(frame.session, frame.next_up)
            c.table.value = frame.table
            self._set_rows(frame.rows)
            c.log.value = frame.log
            self._set_kill_options(frame.kill_options)
            with self._quieted():
                if frame.last_seq > c.slider.max or self._at is None:
                    c.slider.max = frame.last_seq
                if self._at is None:
                    c.slider.value = frame.last_seq
            if frame.notice is not None:
                self._say(*frame.notice)
        self._sync_clock(frame.session)  # a cell may have paused the runtime itself

    def _set_rows(self, views: tuple[JobRowView, ...]) -> None:
        """Show ``views`` in the row buttons, touching only what changed (each set is a
        message to the browser)."""
        selected = self._selected
        for i, button in enumerate(self.controls.rows):
            view = views[i] if i < len(views) else None
            display = "none" if view is None else "flex"
            if button.layout.display != display:
                button.layout.display = display
            if view is None:
                continue
            if button.description != view.text:
                button.description = view.text
                button.tooltip = f"{view.job_id}: click to ring it in the tree"
            if button.style.button_color != view.colour:
                button.style.button_color = view.colour
            chosen = view.job_id == selected
            if chosen != ("jl-selected" in button._dom_classes):
                (button.add_class if chosen else button.remove_class)("jl-selected")
        self._row_views = views

    def _set_kill_options(self, options: tuple[tuple[str, Any], ...]) -> None:
        """New options, keeping the student's choice while that process lives."""
        if options == self._kill_options:
            return
        self._kill_options = options
        target = self.controls.kill_target
        chosen = target.value
        target.options = [(NO_PROCESS, ""), *options]
        if chosen and any(value == chosen for _, value in options):
            target.value = chosen


def _check_options(
    app: Any,
    variant: Any,
    time_scale: Any,
    seconds: Any,
    tree_format: Any,
    simulated: Any,
    seed: Any,
) -> None:
    """``Dashboard(...)``'s arguments, each refused with the argument's name and what was
    expected, before anything starts."""
    if app is not None and not isinstance(app, Jobber):
        raise TypeError(f"Dashboard(app): expected a jobber.Jobber or None, got {app!r}")
    if variant not in VARIANTS:
        raise ValueError(f"Dashboard(variant=...): expected one of {VARIANTS}, got {variant!r}")
    if isinstance(time_scale, bool) or not isinstance(time_scale, int | float):
        raise TypeError(f"Dashboard(time_scale=...): expected a number, got {time_scale!r}")
    if not time_scale > 0:
        raise ValueError(f"Dashboard(time_scale=...): expected > 0, got {time_scale!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError(f"Dashboard(seconds=...): expected a number >= 0, got {seconds!r}")
    if tree_format not in TREE_FORMATS:
        raise ValueError(
            f"Dashboard(tree_format=...): expected one of {TREE_FORMATS}, got {tree_format!r}"
        )
    if not isinstance(simulated, bool):
        raise TypeError(f"Dashboard(simulated=...): expected True or False, got {simulated!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"Dashboard(seed=...): expected an int, got {seed!r}")


@functools.cache
def _describe(graph: Any) -> str:
    """Every process in the tree by name, job id, status and pid, in one line of text."""
    parts = []
    for node, attrs in list(graph.nodes(data=True))[:_DESCRIBED]:
        name = node_label(node, attrs)
        job = attrs.get("job_id")
        status = attrs.get("status")
        words = [str(job)] if job and str(job) != name else []
        words += [name] + ([str(status)] if status else []) + [str(node)]
        parts.append(" ".join(words))
    more = graph.number_of_nodes() - len(parts)
    return "Supervision tree: " + "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
