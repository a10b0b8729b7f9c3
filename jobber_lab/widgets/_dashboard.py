"""``Dashboard``: buttons that start the book's jobs, and a live view of what they do.

Threads, as JUPYTER.md measured them:

- Button handlers run on the kernel's main thread and must return at once: they start a job
  (one quick call into JobRunner), send an exit signal, or record a request, then return.
- Tracer events arrive on the runtime's dispatcher thread; the hook only *signals* the
  :class:`~jobber_lab.draw.CoalescingRenderer`, so a burst of events becomes one redraw.
- Everything slow (replaying history, drawing the tree, writing an export) runs on the
  renderer thread, which then *sets* widget values; nothing ever captures output in a thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import ipywidgets as w

from jobber_lab import otp
from jobber_lab.draw import CoalescingRenderer, save_tree, tree_png
from jobber_lab.jobber import TOP_SUPERVISOR, VARIANTS, Jobber

from ._controls import NO_PROCESS, Controls, layout
from ._header import facts_from, header_html
from ._html import esc
from ._log import log_html
from ._moment import read_moment
from ._session import JOB_KINDS, Session
from ._table import job_table_html

__all__ = ["Dashboard"]

log = logging.getLogger("jobber_lab.widgets")

_NOTICE_COLOURS = {"ok": "#2e7d32", "info": "#333333", "error": "#c0392b", "warn": "#b35900"}

_open: weakref.WeakSet[Dashboard] = weakref.WeakSet()


@dataclass(frozen=True)
class _Frame:
    """One render's results, handed from the renderer's drawing to its delivery."""

    session: Session
    at: int | None
    png: bytes
    header: str
    table: str
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

    A new Dashboard closes the ones made before it (re-running the cell leaves no threads
    behind), unless ``keep_others=True`` (two dashboards side by side: isolated vs direct).
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
    ) -> None:
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
        if not keep_others:
            for other in list(_open):
                other.close()
        if app is not None:
            variant, time_scale = app.variant, app.runtime.time_scale
        self.controls = Controls(variant, float(time_scale), float(seconds))
        self.widget: w.VBox = layout(self.controls)
        self._lock = threading.Lock()  # guards _session, _at, _export, _png
        self._quiet = threading.local()  # set while *we* move the slider, not the student
        self._at: int | None = None  # the seq shown; None = live
        self._export: Path | None = None  # an export waiting for the renderer
        self._png: tuple[tuple[Any, ...], bytes] | None = None
        self._kill_options: tuple[tuple[str, Any], ...] = ()
        self._closed = False
        _quiet_logs.acquire()
        try:
            self._session = (
                Session.adopt(app)
                if app is not None
                else Session.start(variant=variant, time_scale=float(time_scale))
            )
        except BaseException:
            _quiet_logs.release()
            raise
        self.renderer = CoalescingRenderer(
            self._render, self._deliver, interval, name="jobber-lab-dashboard-renderer"
        )
        self._session.on_event(self._on_event)
        self._wire()
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

    def wait_idle(self, timeout: float | None = 10.0) -> bool:
        """Wait until every event so far is delivered *and* drawn; True if it was in time.

        ``flush`` first: an event's hook (which signals the renderer) runs after the event is
        applied, so waiting on the renderer alone could return before the signal arrived.
        """
        self._session.tracer.flush(timeout)
        return self.renderer.wait_idle(timeout)

    def reset(self) -> None:
        """Stop the app (every thread joined) and start a clean one with the chosen options."""
        if self._closed:
            return
        c = self.controls
        with self._lock:
            old = self._session
        leaked = old.close()
        try:
            new = Session.start(variant=c.variant_choice.value, time_scale=c.scale_choice.value)
        except Exception as exc:
            self._say(f"Reset failed: {exc}", "error")
            return
        new.on_event(self._on_event)
        with self._lock:
            self._session, self._at, self._png = new, None, None
        with self._quieted():
            c.slider.value = 0
            c.slider.max = 0
        self.renderer.notify()
        text = f"Reset: a clean Jobber ({new.variant} variant, time scale {new.time_scale:g})"
        if leaked:
            text += f"; {len(leaked)} thread(s) of the old runtime would not stop"
        self._say(text, "warn" if leaked else "ok")

    def close(self) -> None:
        """Stop the renderer, the app and its runtime, and close the widgets. Safe twice."""
        if self._closed:
            return
        self._closed = True
        _open.discard(self)
        try:
            self.renderer.close()
            self._session.close()
        finally:
            _quiet_logs.release()
            for f in fields(self.controls):
                value = getattr(self.controls, f.name)
                if isinstance(value, w.Widget):
                    value.close()
            self.widget.close()

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
        c.reset.on_click(lambda _b: self.reset())
        c.variant_choice.observe(self._option_changed, names="value")
        c.scale_choice.observe(self._option_changed, names="value")
        c.kill.on_click(lambda _b: self._kill())
        w.link((c.play, "value"), (c.slider, "value"))
        w.link((c.slider, "max"), (c.play, "max"))
        c.slider.observe(self._travel, names="value")
        c.live.on_click(lambda _b: self._go_live())
        c.export.on_click(lambda _b: self._request_export())

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
        colour = _NOTICE_COLOURS.get(kind, "#333333")
        self.controls.notice.value = (
            f"<div class='jl-notice jl-{kind}' style='color:{colour};font-family:sans-serif'>"
            f"{esc(text)}</div>"
        )

    # ------------------------------------------------------------------ handlers

    def _start_job(self, kind: str) -> None:
        """``Jobber.start_job``: a quick call into JobRunner, then back to the kernel."""
        if self._closed or kind not in JOB_KINDS:
            return
        self._go_live(quiet=True)
        seconds = float(self.controls.duration.value)
        try:
            job_id, result = self._session.start_job(kind, seconds)
        except Exception as exc:  # JobRunner down (direct variant), app stopped, ...
            article = "an" if kind == "import" else "a"
            self._say(f"Could not start {article} {kind} job: {self._why(exc)}", "error")
            return
        if isinstance(result, otp.Error):
            quota = self._session.app.import_quota
            self._say(
                f"Import job refused: start_job returned {{:error, {result.reason}}}: the quota "
                f"of {quota} running imports is reached",
                "warn",
            )
        else:
            self._say(f"Started {job_id}: start_job returned {result}", "ok")

    def _why(self, exc: Exception) -> str:
        """A failed start in a student's words, not a page-long call tuple."""
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

    def _option_changed(self, _change: dict[str, Any]) -> None:
        """A new variant or time scale means a new app: Reset applies it."""
        self.reset()

    def _kill(self) -> None:
        """``Process.exit(pid, reason)`` from the main thread: one signal, no waiting."""
        c = self.controls
        target, reason = c.kill_target.value, c.kill_reason.value
        if not target:
            self._say("Kill: choose a process first", "warn")
            return
        self._go_live(quiet=True)
        if self._session.kill(target, reason):
            self._say(f"Process.exit({target}, :{reason}) sent", "ok")
        else:
            self._say(f"Kill: {target} is no longer alive", "warn")

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
            with self._quieted():
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
            session, at, export = self._session, self._at, self._export
            self._export = None
        live = at is None
        now = session.runtime.now() if live else None
        moment = read_moment(session.tracer, at, now)
        facts = facts_from(
            moment.graph,
            moment.rows,
            variant=session.variant,
            time_scale=session.time_scale,
            quota=session.app.import_quota,
            first_job_runner=session.first_job_runner,
            refused=moment.refused,
            travel=None
            if live
            else f"seq {moment.seq} of {moment.last_seq} at {moment.now or 0.0:.1f}s",
        )
        changed = facts.job_runner not in (None, facts.first_job_runner)
        highlight = facts.job_runner if changed else None
        title = f"Jobber ({session.variant})" + (" — live" if live else f" — seq {moment.seq}")
        key = (id(session), moment.seq, highlight, title)
        cached = self._png
        if cached is not None and cached[0] == key:
            png = cached[1]
        else:
            png = tree_png(moment.graph, title=title, highlight=highlight)
            self._png = (key, png)
        notice = self._export_now(session, export) if export is not None else None
        options = tuple(session.live_processes()) if not session.closed else ()
        return _Frame(
            session=session,
            at=at,
            png=png,
            header=header_html(facts),
            table=job_table_html(moment.rows, moment.now),
            log=log_html(moment.lines),
            kill_options=options,
            last_seq=moment.last_seq,
            notice=notice,
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
        if self._closed or frame.session is not self._session:
            return  # a frame of a session that Reset already replaced
        c = self.controls
        c.tree.value = frame.png
        c.header.value = frame.header
        c.table.value = frame.table
        c.log.value = frame.log
        self._set_kill_options(frame.kill_options)
        with self._quieted():
            if frame.last_seq > c.slider.max or self._at is None:
                c.slider.max = frame.last_seq
            if self._at is None:
                c.slider.value = frame.last_seq
        if frame.notice is not None:
            self._say(*frame.notice)

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
