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

import threading
import weakref
from dataclasses import fields
from pathlib import Path
from typing import Any

import ipywidgets as w

from jobber_lab import otp
from jobber_lab.jobber import Jobber

from ._controls import Controls, layout
from ._dashboard_base import _check_options, _quiet_logs
from ._dashboard_render import _Rendering
from ._renderer import CoalescingRenderer
from ._session import JOB_KINDS, KILL_REASONS, Session
from ._table import JobRowView

__all__ = ["Dashboard"]

_open: weakref.WeakSet[Dashboard] = weakref.WeakSet()


class Dashboard(_Rendering):
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

    def _option_changed(self, _change: dict[str, Any]) -> None:
        """A new variant or time scale means a new app: Reset applies it."""
        self.reset()

    def _row_clicked(self, index: int) -> None:
        """A click on a job's row selects that job (a second click deselects it)."""
        views = self._row_views
        if index < len(views):
            job_id = views[index].job_id
            self.select(None if self._selected == job_id else job_id)

    def _request_export(self) -> None:
        folder = Path(self.controls.export_dir.value or ".").expanduser()
        with self._lock:
            self._export = folder
        self._say(f"Exporting to {folder} ...", "info")
        self.renderer.notify()
