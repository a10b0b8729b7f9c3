"""What the parts of the dashboard share: its state, the notice line, the frame a render
hands to its delivery, and the checks of ``Dashboard(...)``'s arguments.

The dashboard is one class built in layers, each a module of one concern: this base, the
clock controls (``_dashboard_clock``), the renderer thread's drawing and delivery
(``_dashboard_render``), and ``Dashboard`` itself (``_dashboard``: its life, its public
actions and the buttons' wiring). Each layer calls only those below it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from jobber_lab import otp
from jobber_lab.jobber import TOP_SUPERVISOR, VARIANTS, Jobber

from ._controls import Controls
from ._html import esc
from ._renderer import CoalescingRenderer
from ._session import Session
from ._table import JobRowView

log = logging.getLogger("jobber_lab.widgets")

_NOTICE_COLOURS = {"ok": "#2e7d32", "info": "#333333", "error": "#c0392b", "warn": "#b35900"}

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


class _DashboardBase:
    """The state every part of a :class:`Dashboard` shares (set up in ``Dashboard.__init__``,
    where the three locks' order is explained), and the notice line they all write to."""

    simulated: bool
    seed: int
    controls: Controls
    widget: w.VBox
    tree_format: str
    renderer: CoalescingRenderer
    _life: threading.RLock
    _ui: threading.RLock
    _lock: threading.Lock
    _quiet: threading.local
    _at: int | None
    _export: Path | None
    _cache: tuple[tuple[Any, ...], str] | None
    _selected: str | None
    _step: tuple[otp.Event, ...]
    _step_seqs: frozenset[int]
    _step_pids: frozenset[str]
    _kill_options: tuple[tuple[str, Any], ...]
    _row_views: tuple[JobRowView, ...]
    _closed: bool
    _session: Session
    _sessions: list[Session]

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

    def _refusal(self, result: otp.Error) -> str:
        quota = self._session.app.import_quota
        return (
            f"start_job returned {{:error, {result.reason}}}: {quota} imports already running "
            "(the quota)"
        )


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
