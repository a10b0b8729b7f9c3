"""The timeline: what each job and supervisor did, lane by lane, over runtime time.

The picture chapter 2 needs: a job's attempts and retries, the crash that makes a
JobSupervisor restart it, the restarts piling up inside the supervisor's intensity window,
and the moment (``supervisor_gave_up``) the window overflows and the supervisor quits.  A
job keeps one lane through its restarts (the lane follows ``job_id`` and ``old_pid`` -> new
pid), so "the same job, started four times" reads as one line.

Lanes are named by the course's one naming rule (see :func:`._events.process_names`), the
pid beneath, so JobRunner is "JobRunner" in lesson 03's cut window and in lesson 04's whole
run alike. Drawing goes in named steps: read the story out of the events (:class:`_Story`),
then lifetimes, attempts, intensity windows, marks, axes and legend, one function each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jobber_lab.jobber import JobStatus

from ._events import EventView, Labels, process_names, view
from ._style import STATUS_COLOURS, legend_below, say_empty

__all__ = ["WINDOW_NOTE", "draw_timeline", "timeline_lanes"]

_CRASH = "#8b0000"
_WINDOW = "#d9534f"
_WINDOW_ALPHA = 0.13
_RESTART_GREEN = "#2a7f62"
_TEXT = 9.0  # points: every label, tick and legend entry
_LANE = 0.55  # inches per lane: two lines of 9-pt text with air between lanes

#: How the legend explains the shaded window: OTP stamps each restart with the whole second
#: it happened in (otp-semantics S6), so "5 s" admits restarts up to almost 6 s apart.
WINDOW_NOTE = "intensity window (OTP counts whole seconds)"

# Point markers: kind -> (marker, colour, size, legend text)
_MARKS: dict[str, tuple[str, str, float, str]] = {
    JobStatus.NEW: ("o", STATUS_COLOURS[JobStatus.NEW], 36, "new"),
    "retry": (">", "#6a3d9a", 49, "retry"),
    JobStatus.ERRORED: ("X", STATUS_COLOURS[JobStatus.ERRORED], 64, "errored"),
    JobStatus.DONE: ("o", STATUS_COLOURS[JobStatus.DONE], 49, "done"),
    JobStatus.FAILED: ("s", STATUS_COLOURS[JobStatus.FAILED], 49, "failed"),
    "crash": ("*", _CRASH, 140, "crash"),
    "restart": ("^", _RESTART_GREEN, 64, "restarted"),
    "restarter": ("^", "none", 64, "supervisor restarted a child"),
    "exit": ("|", "#333333", 120, "exit"),
    "intensity": ("D", _WINDOW, 49, "intensity reached"),
    "gave_up": ("v", _CRASH, 100, "supervisor gave up"),
    "zombie": ("P", STATUS_COLOURS["zombie"], 81, "zombie thread"),
}
#: Marks drawn off the lane's centre line (in lanes, up is negative: the y axis is inverted),
#: so a restart at the instant of a crash shows beside the crash star, not over it.
_MARK_OFFSET = {"restart": -0.3, "restarter": -0.3}
_ATTEMPT_COLOURS = {  # how an attempt ended -> bar colour
    JobStatus.DONE: STATUS_COLOURS[JobStatus.DONE],
    JobStatus.ERRORED: STATUS_COLOURS[JobStatus.ERRORED],
    JobStatus.FAILED: STATUS_COLOURS[JobStatus.FAILED],
    "crash": _CRASH,
    None: STATUS_COLOURS[JobStatus.RUNNING],
}
_ATTEMPT_LEGEND = (
    (None, "attempt (running)"),
    (JobStatus.DONE, "attempt → done"),
    (JobStatus.ERRORED, "attempt → errored"),
    (JobStatus.FAILED, "attempt → failed"),
    ("crash", "attempt → crash"),
)


# ----------------------------------------------------------------------------- lanes


@dataclass
class _Lane:
    key: tuple[str, str]
    first: float
    pids: list[str] = field(default_factory=list)
    label: str = ""


def timeline_lanes(
    events: Iterable[Any], labels: Labels | None = None
) -> tuple[list[str], dict[str, int]]:
    """The lanes :func:`draw_timeline` would draw: (labels top to bottom, pid -> lane index).

    A lane per job (by ``job_id``), per supervisor that restarted, gave up or failed a
    restart, and per other process that crashed or became a zombie. A label is the
    process's name by the naming rule (a job: its id), and beneath it what it is and its pid
    (``first -> last`` when restarts ran it in several processes): ``"JobRunner\nsupervisor
    <0.12.0>"``, ``"doomed-3\ndoomed job <0.31.0> → <0.34.0>"``.
    """
    lanes, pid_lane = _lanes(view(events), labels)
    return [lane.label for lane in lanes], dict(pid_lane)


def _lanes(evs: list[EventView], labels: Labels | None) -> tuple[list[_Lane], dict[str, int]]:
    book = _LaneBook()
    for e in evs:
        book.read(e)
    # A job that crashed and was restarted: the new pid's job_status joined the job's lane;
    # a new pid seen only through child_restarted joined its old pid's lane.
    _name_lanes(book.lanes, evs, labels)
    return book.lanes, book.pid_lane


#: Event kinds that give the supervisor they are about a lane.
_SUPERVISOR_TROUBLE = ("intensity_reached", "supervisor_gave_up", "restart_failed")


class _LaneBook:
    """The lanes in the order they are first met, and the lane each pid is drawn on."""

    def __init__(self) -> None:
        self.lanes: list[_Lane] = []
        self.by_key: dict[tuple[str, str], int] = {}
        self.pid_lane: dict[str, int] = {}

    def read(self, e: EventView) -> None:
        """Give the process (or job) this event is about a lane, if it earns one."""
        if e.kind == "job_status" and e.pid is not None:
            self._job_status(e.pid, e.get("job_id"), e.time)
        elif e.kind == "child_restarted" and e.pid is not None:
            self._restarted(e.pid, e.get("old_pid"), e.get("supervisor"), e.time)
        elif e.kind in _SUPERVISOR_TROUBLE:
            sup = e.get("supervisor") or e.pid
            if sup is not None:
                self._process(str(sup), e.time)
        elif _crashed_or_zombie(e) and e.pid is not None and e.pid not in self.pid_lane:
            self._process(e.pid, e.time)

    def _job_status(self, pid: str, job: Any, when: float) -> None:
        """A job's lane is its id's (all its pids); a status without a job id, its pid's."""
        if job is not None:
            self._attach(pid, self._lane_for(("job", str(job)), when))
        elif pid not in self.pid_lane:
            self._process(pid, when)

    def _restarted(self, pid: str, old: Any, sup: Any, when: float) -> None:
        """The new pid joins its old pid's lane; the supervisor that restarted it gets one."""
        if old is not None and str(old) in self.pid_lane:
            self._attach(pid, self.pid_lane[str(old)])
        if sup is not None:
            self._process(str(sup), when)

    def _process(self, pid: str, when: float) -> None:
        self._attach(pid, self._lane_for(("proc", pid), when))

    def _lane_for(self, key: tuple[str, str], when: float) -> int:
        if key not in self.by_key:
            self.by_key[key] = len(self.lanes)
            self.lanes.append(_Lane(key, when))
        return self.by_key[key]

    def _attach(self, pid: str, index: int) -> None:
        if pid not in self.pid_lane:
            self.pid_lane[pid] = index
            self.lanes[index].pids.append(pid)


def _crashed_or_zombie(e: EventView) -> bool:
    return (e.kind == "exited" and e.get("reason_kind") == "crash") or e.kind == "zombie"


def _supervisors(evs: Iterable[EventView]) -> set[str]:
    """Pids known to be supervisors: by their role, or by supervising someone."""
    found: set[str] = set()
    for e in evs:
        if e.get("supervisor"):
            found.add(str(e.get("supervisor")))
        started = e.kind in ("spawned", "child_started", "child_restarted")
        if started and e.pid is not None and e.get("role") == "supervisor":
            found.add(e.pid)
    return found


def _name_lanes(lanes: list[_Lane], evs: list[EventView], labels: Labels | None) -> None:
    names = process_names(evs, labels)
    supervisors = _supervisors(evs)
    job_types = {str(e.get("job_id")): e.get("job_type") for e in evs if e.get("job_type")}
    for lane in lanes:
        kind, ident = lane.key
        # A job is called by its id, as the naming rule calls the app's processes.
        name = ident if kind == "job" else names.get(ident, ident)
        pids = lane.pids or [ident]
        where = pids[0] if len(pids) == 1 else f"{pids[0]} → {pids[-1]}"
        if kind == "job":
            what = job_types.get(ident)
            where = f"{what} job {where}" if what else f"job {where}"
        elif ident in supervisors:
            where = f"supervisor {where}"
        unnamed = kind == "proc" and name == ident
        lane.label = where if unnamed else f"{name}\n{where}"


# ----------------------------------------------------------------------------- the story


@dataclass
class _Story:
    """What the events say happened, gathered in one pass, in the lanes' coordinates."""

    pid_lane: Mapping[str, int]
    t_start: float
    t_end: float
    origin: float = 0.0  # the runtime time drawn as 0; every time below is relative to it
    marks: dict[str, list[tuple[float, int]]] = field(
        default_factory=lambda: {k: [] for k in _MARKS}
    )
    bars: list[tuple[int, float, float, Any]] = field(default_factory=list)
    open_attempt: dict[str, float] = field(default_factory=dict)  # pid -> its attempt's start
    lifetimes: dict[str, list[float]] = field(default_factory=dict)  # pid -> [start, end]
    windows: list[tuple[str, float]] = field(default_factory=list)  # supervisor, when
    window_len: dict[str, float] = field(default_factory=dict)
    max_restarts: dict[str, Any] = field(default_factory=dict)
    give_ups: list[float] = field(default_factory=list)
    ran: set[str] = field(default_factory=set)  # pids that have started an attempt

    def at(self, e: EventView) -> float:
        """The event's time on the drawn axis."""
        return e.time - self.origin

    def mark(self, kind: str, when: float, pid: str) -> None:
        if pid in self.pid_lane:
            self.marks[kind].append((when, self.pid_lane[pid]))

    def close_attempt(self, pid: str, when: float, how: Any) -> None:
        start = self.open_attempt.pop(pid, None)
        if start is not None and pid in self.pid_lane:
            self.bars.append((self.pid_lane[pid], start, when, how))

    # one reader per event kind ------------------------------------------------------

    def started(self, e: EventView, pid: str) -> None:
        self.lifetimes.setdefault(pid, [self.at(e), self.t_end])
        sup = e.get("supervisor")
        if e.kind == "child_restarted":
            self.mark("restart", self.at(e), pid)
            if sup is not None:
                self.mark("restarter", self.at(e), str(sup))

    def job_status(self, e: EventView, pid: str) -> None:
        self.lifetimes.setdefault(pid, [self.at(e), self.t_end])
        status = e.get("status")
        if status == JobStatus.NEW:
            self.mark(JobStatus.NEW, self.at(e), pid)
        elif status == JobStatus.RUNNING:
            self.close_attempt(pid, self.at(e), None)
            self.open_attempt[pid] = self.at(e)
            # A retry is the same process running its job again (the book's Job sends
            # itself :retry); a restarted process's first attempt is marked as a restart.
            # Counted here, not read from attempt/retries fields, which not every
            # publisher sends (lesson 02's does not; the book's first error keeps 0).
            if pid in self.ran:
                self.mark("retry", self.at(e), pid)
            self.ran.add(pid)
        elif status in (JobStatus.DONE, JobStatus.ERRORED, JobStatus.FAILED):
            self.close_attempt(pid, self.at(e), status)
            self.mark(str(status), self.at(e), pid)

    def exited(self, e: EventView, pid: str) -> None:
        if pid in self.lifetimes:
            self.lifetimes[pid][1] = self.at(e)
        crashed = e.get("reason_kind") == "crash"
        self.close_attempt(pid, self.at(e), "crash" if crashed else None)
        self.mark("crash" if crashed else "exit", self.at(e), pid)

    def intensity(self, e: EventView, sup: str) -> None:
        self.mark("intensity", self.at(e), sup)
        if e.get("max_seconds") is not None:
            self.window_len[sup] = float(e.get("max_seconds"))
        self.max_restarts[sup] = e.get("max_restarts")
        self.windows.append((sup, self.at(e)))

    def gave_up(self, e: EventView, sup: str) -> None:
        self.mark("gave_up", self.at(e), sup)
        self.give_ups.append(self.at(e))
        self.windows.append((sup, self.at(e)))


def _read_story(evs: list[EventView], pid_lane: Mapping[str, int], origin: float = 0.0) -> _Story:
    story = _Story(pid_lane, evs[0].time - origin, max(e.time for e in evs) - origin, origin=origin)
    for e in evs:
        pid = e.pid
        if e.kind in ("spawned", "child_started", "child_restarted") and pid is not None:
            story.started(e, pid)
        elif e.kind == "job_status" and pid is not None and pid in pid_lane:
            story.job_status(e, pid)
        elif e.kind == "exited" and pid is not None:
            story.exited(e, pid)
        elif e.kind == "intensity_reached":
            story.intensity(e, str(e.get("supervisor") or pid))
        elif e.kind == "supervisor_gave_up":
            story.gave_up(e, str(e.get("supervisor") or pid))
        elif e.kind == "zombie" and pid is not None:
            story.mark("zombie", story.at(e), pid)
    for pid in list(story.open_attempt):
        story.close_attempt(pid, story.t_end, None)
    return story


# ----------------------------------------------------------------------------- drawing


def draw_timeline(
    events: Iterable[Any],
    ax: Axes | None = None,
    *,
    max_seconds: float | None = None,
    title: str | None = None,
    labels: Labels | None = None,
    origin: float | None = None,
) -> Figure:
    """Draw the lanes of :func:`timeline_lanes` over runtime time and return the Figure.

    Bars are attempts (from ``job_status`` running until the job is done, errored, failed or
    its process exits), coloured by how they ended; markers show new jobs, retries, errors,
    crashes, supervisor restarts, exits and zombies.  A supervisor that gave up gets its
    restart-intensity window shaded (``max_seconds`` before the moment it gave up, on its
    lane and its children's) and a dotted line at that moment.  The window length comes from
    the ``intensity_reached`` event; ``max_seconds`` overrides it (or supplies it for a trace
    without one).  Times are the runtime's (book) seconds, as in the events; ``origin``
    (a runtime time, e.g. ``rt.now()`` when a lesson's story began) is drawn as 0, so the
    axis reads "seconds since the story began" like the story's own prints, not the time
    the runtime has been up.  ``labels`` (``tracer.label_of`` or a mapping) names processes
    whose naming events are not in ``events``, e.g. a window cut from a longer run.

    Each attempt is its own bar, with a white gap before the next, so a job crashed and
    restarted four times reads as four bars; a restart is marked just above its lane (on
    the restarted process's lane, hollow on the supervisor's that did it), so it never
    hides the crash star of the same instant.
    """
    if max_seconds is not None and (isinstance(max_seconds, bool) or not max_seconds > 0):
        raise ValueError(f"draw_timeline(max_seconds): expected seconds > 0, got {max_seconds!r}")
    if origin is not None and (
        isinstance(origin, bool) or not isinstance(origin, (int, float)) or origin != origin
    ):
        raise ValueError(f"draw_timeline(origin): expected a runtime time in s, got {origin!r}")
    evs = view(events)
    lanes, pid_lane = _lanes(evs, labels)
    fig, ax, own_figure = _figure(ax, len(lanes))
    ax.set_title(title or "timeline", fontsize=11, loc="left")
    ax.set_xlabel(
        "runtime time (s)"
        if origin is None
        else f"seconds since the story began (runtime time {origin:g} s = 0)",
        fontsize=_TEXT,
    )
    if not evs or not lanes:
        _draw_empty(ax)
        return fig
    story = _read_story(evs, pid_lane, float(origin or 0.0))
    _draw_lifetimes(ax, story)
    _draw_attempts(ax, story)
    shaded = _draw_windows(ax, story, max_seconds)
    for when in sorted(set(story.give_ups)):
        ax.axvline(when, color=_CRASH, linestyle=":", linewidth=1.2, zorder=1)
    _draw_marks(ax, story)
    _format_axes(ax, lanes, story)
    _draw_legend(fig, ax, _legend_handles(story, shaded), own_figure)
    return fig


def _figure(ax: Axes | None, n_lanes: int) -> tuple[Figure, Axes, bool]:
    """The caller's axes, or a figure whose constrained layout holds the lane names and the
    legend, so a viewer that trims the picture cuts nothing."""
    if ax is not None:
        fig = ax.get_figure(root=True)
        assert isinstance(fig, Figure)
        return fig, ax, False
    height = min(max(_LANE * n_lanes + 2.4, 3.8), 16.0)
    fig = Figure(figsize=(11.0, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot(), True


def _draw_empty(ax: Axes) -> None:
    ax.set_yticks([])
    say_empty(ax, "no job or supervisor activity in these events", _TEXT)


def _draw_lifetimes(ax: Axes, story: _Story) -> None:
    """A thin line per process while it lived, in its lane."""
    segs = [
        (story.pid_lane[p], span[0], span[1])
        for p, span in story.lifetimes.items()
        if p in story.pid_lane
    ]
    if segs:
        ax.hlines(
            [s[0] for s in segs],
            [s[1] for s in segs],
            [s[2] for s in segs],
            colors="#999999",
            linewidths=1.0,
            zorder=1,
        )


def _draw_attempts(ax: Axes, story: _Story) -> None:
    shortest = (story.t_end - story.t_start) * 0.002
    for lane, start, end, how in story.bars:
        ax.barh(
            lane,
            max(end - start, shortest),
            left=start,
            height=0.45,
            color=_ATTEMPT_COLOURS.get(how, STATUS_COLOURS[JobStatus.RUNNING]),
            # The white edge is the gap between back-to-back attempts (a crash and the
            # restart's first attempt share an instant): one bar per attempt, visibly.
            edgecolor="white",
            linewidth=2.5,
            zorder=2,
        )


def _draw_windows(ax: Axes, story: _Story, max_seconds: float | None) -> bool:
    """Shade each supervisor's last intensity window (it ends where it gave up, else where it
    reached intensity) on its own lane only: the window is the supervisor's count, and its
    children's lanes (other jobs, as in lesson 03's collateral damage) are not in it.
    True if any was drawn."""
    last_window: dict[str, float] = {}
    for sup, when in story.windows:
        last_window[sup] = when
    shaded = False
    for sup, end in last_window.items():
        length = max_seconds if max_seconds is not None else story.window_len.get(sup)
        if length is None or sup not in story.pid_lane:
            continue
        # Clipped to the trace: a window reaching back before the first event says no more.
        start = max(end - length, story.t_start)
        row = story.pid_lane[sup]
        ax.barh(
            row,
            end - start,
            left=start,
            height=0.9,
            color=_WINDOW,
            alpha=_WINDOW_ALPHA,
            edgecolor=_WINDOW,
            linewidth=0.6,
            zorder=0,
        )
        shaded = True
        note = f"window {length:g} s"
        if story.max_restarts.get(sup) is not None:
            note += f": > {story.max_restarts[sup]} restarts"
        if end - length < story.t_start:
            note += " (began before these events)"
        ax.text(
            start,
            row - 0.5,
            note,
            fontsize=_TEXT,
            color=_CRASH,
            va="bottom",
            ha="left",
            zorder=5,
            parse_math=False,
        )
    return shaded


def _draw_marks(ax: Axes, story: _Story) -> None:
    for kind, points in story.marks.items():
        if points:
            marker, colour, size, _ = _MARKS[kind]
            hollow = colour == "none"
            # A crash star is dark red like the crashed attempt's bar it ends: a white rim
            # keeps it visible there.
            edge = (
                _RESTART_GREEN
                if hollow
                else None
                if marker in "|x"
                else "white"
                if kind == "crash"
                else "#222222"
            )
            ax.scatter(
                [p[0] for p in points],
                [p[1] + _MARK_OFFSET.get(kind, 0.0) for p in points],
                marker=marker,
                s=size,
                c=None if hollow else colour,
                facecolors="none" if hollow else None,
                edgecolors=edge,
                linewidths=1.4 if hollow else 0.6 if marker != "|" else 1.8,
                zorder=4,
                label=kind,
            )


def _format_axes(ax: Axes, lanes: list[_Lane], story: _Story) -> None:
    n = len(lanes)
    ax.set_yticks(range(n))
    ax.set_yticklabels([lane.label for lane in lanes], fontsize=_TEXT)
    ax.tick_params(axis="x", labelsize=_TEXT)
    ax.set_ylim(n - 0.4, -0.6)
    pad = max((story.t_end - story.t_start) * 0.03, 0.05)
    ax.set_xlim(story.t_start - pad, story.t_end + pad)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend_handles(story: _Story, shaded: bool) -> list[Any]:
    """One entry per bar colour, marker and line actually drawn, nothing else."""
    handles: list[Any] = []
    used_bars = {how for _, _, _, how in story.bars}
    for how, text in _ATTEMPT_LEGEND:
        if how in used_bars:
            handles.append(Patch(color=_ATTEMPT_COLOURS[how], label=text))
    for kind, points in story.marks.items():
        if points:
            marker, colour, size, text = _MARKS[kind]
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker=marker,
                    color=colour,
                    markerfacecolor=colour,
                    markeredgecolor=_RESTART_GREEN if colour == "none" else "#222222",
                    markersize=size**0.5,
                    label=text,
                )
            )
    if shaded:
        handles.append(Patch(facecolor=_WINDOW, alpha=0.2, edgecolor=_WINDOW, label=WINDOW_NOTE))
    if story.give_ups:
        handles.append(Line2D([], [], color=_CRASH, linestyle=":", label="gave up"))
    return handles


def _draw_legend(fig: Figure, ax: Axes, handles: list[Any], own_figure: bool) -> None:
    """Below the lanes, in the figure's own layout, when we made the figure (the time axis
    keeps the full width); beside the caller's axes otherwise, where their layout left room
    (as lesson 04's two-panel figure does)."""
    if own_figure:
        legend_below(fig, handles, max_cols=4, fontsize=_TEXT)
    else:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=_TEXT,
            frameon=False,
        )
