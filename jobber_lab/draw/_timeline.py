"""The timeline: what each job and supervisor did, lane by lane, over runtime time.

The picture chapter 2 needs: a job's attempts and retries, the crash that makes a
JobSupervisor restart it, the restarts piling up inside the supervisor's intensity window,
and the moment (``supervisor_gave_up``) the window overflows and the supervisor quits.  A
job keeps one lane through its restarts (the lane follows ``job_id`` and ``old_pid`` -> new
pid), so "the same job, started four times" reads as one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._events import EventView, names_of, view
from ._style import STATUS_COLOURS

__all__ = ["draw_timeline", "timeline_lanes"]

_CRASH = "#8b0000"
_WINDOW = "#d9534f"

# Point markers: kind -> (marker, colour, size, legend text)
_MARKS: dict[str, tuple[str, str, float, str]] = {
    "new": ("o", STATUS_COLOURS["new"], 36, "new"),
    "retry": (">", "#6a3d9a", 49, "retry"),
    "errored": ("X", STATUS_COLOURS["errored"], 64, "errored"),
    "done": ("o", STATUS_COLOURS["done"], 49, "done"),
    "failed": ("s", STATUS_COLOURS["failed"], 49, "failed"),
    "crash": ("*", _CRASH, 140, "crash"),
    "restart": ("^", "#2a7f62", 64, "restarted"),
    "exit": ("|", "#333333", 120, "exit"),
    "intensity": ("D", _WINDOW, 49, "intensity reached"),
    "gave_up": ("v", _CRASH, 100, "supervisor gave up"),
    "zombie": ("P", STATUS_COLOURS["zombie"], 81, "zombie thread"),
}
_ATTEMPT_COLOURS = {  # how an attempt ended -> bar colour
    "done": STATUS_COLOURS["done"],
    "errored": STATUS_COLOURS["errored"],
    "failed": STATUS_COLOURS["failed"],
    "crash": _CRASH,
    None: STATUS_COLOURS["running"],
}


@dataclass
class _Lane:
    key: tuple[str, str]
    label: str
    first: float
    pids: list[str] = field(default_factory=list)


def _lane_label(
    kind: str, ident: str, names: dict[str, str], job_type: Any, kind_hint: dict[str, str]
) -> str:
    if kind == "job":
        short = ident if len(ident) <= 8 else ident[:8] + "…"
        return f"{job_type} job {short}" if job_type else f"job {short}"
    name = names.get(ident)
    return f"{name} {ident}" if name else f"{kind_hint.get(ident, 'process')} {ident}"


def timeline_lanes(events: Iterable[Any]) -> tuple[list[str], dict[str, int]]:
    """The lanes :func:`draw_timeline` would draw: (labels top to bottom, pid -> lane index).

    A lane per job (by ``job_id``), per supervisor that restarted, gave up or failed a
    restart, and per other process that crashed or became a zombie.
    """
    lanes, pid_lane = _lanes(view(events))
    return [lane.label for lane in lanes], {p: i for p, i in pid_lane.items()}


def _lanes(evs: list[EventView]) -> tuple[list[_Lane], dict[str, int]]:
    names = names_of(evs)
    # A dynamic child has no child id: call a process by its role when it has no name.
    kind_hint = {str(e.get("supervisor")): "supervisor" for e in evs if e.get("supervisor")}
    lanes: list[_Lane] = []
    by_key: dict[tuple[str, str], int] = {}
    pid_lane: dict[str, int] = {}

    def lane_for(key: tuple[str, str], when: float, job_type: Any = None) -> int:
        if key not in by_key:
            by_key[key] = len(lanes)
            label = _lane_label(key[0], key[1], names, job_type, kind_hint)
            lanes.append(_Lane(key, label, when))
        return by_key[key]

    def attach(pid: str, index: int) -> None:
        if pid not in pid_lane:
            pid_lane[pid] = index
            lanes[index].pids.append(pid)

    for e in evs:
        if e.kind == "job_status" and e.pid is not None:
            job = e.get("job_id")
            key = ("job", str(job)) if job is not None else ("proc", e.pid)
            if e.pid in pid_lane and job is None:
                continue
            attach(e.pid, lane_for(key, e.time, e.get("job_type")))
        elif e.kind == "child_restarted" and e.pid is not None:
            old = e.get("old_pid")
            if old is not None and str(old) in pid_lane:
                attach(e.pid, pid_lane[str(old)])
            sup = e.get("supervisor")
            if sup is not None:
                lane_for(("proc", str(sup)), e.time)
                attach(str(sup), by_key[("proc", str(sup))])
        elif e.kind in ("intensity_reached", "supervisor_gave_up", "restart_failed"):
            sup = e.get("supervisor") or e.pid
            if sup is not None:
                attach(str(sup), lane_for(("proc", str(sup)), e.time))
        elif e.kind == "exited" and e.pid is not None and e.get("reason_kind") == "crash":
            if e.pid not in pid_lane:
                attach(e.pid, lane_for(("proc", e.pid), e.time))
        elif e.kind == "zombie" and e.pid is not None and e.pid not in pid_lane:
            attach(e.pid, lane_for(("proc", e.pid), e.time))
    # A job that crashed and was restarted: the new pid's job_status joined the job's lane
    # above; a new pid seen only through child_restarted joined its old pid's lane.
    return lanes, pid_lane


def draw_timeline(
    events: Iterable[Any],
    ax: Axes | None = None,
    *,
    max_seconds: float | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the lanes of :func:`timeline_lanes` over runtime time and return the Figure.

    Bars are attempts (from ``job_status`` running until the job is done, errored, failed or
    its process exits), coloured by how they ended; markers show new jobs, retries, errors,
    crashes, supervisor restarts, exits and zombies.  A supervisor that gave up gets its
    restart-intensity window shaded (``max_seconds`` before the moment it gave up, on its
    lane and its children's) and a dotted line at that moment.  The window length comes from
    the ``intensity_reached`` event; ``max_seconds`` overrides it (or supplies it for a trace
    without one).  Times are the runtime's (book) seconds, as in the events.
    """
    evs = view(events)
    lanes, pid_lane = _lanes(evs)
    n = len(lanes)
    if ax is None:
        height = min(max(0.42 * n + 1.5, 2.6), 12.0)
        fig = Figure(figsize=(10.5, height), dpi=80)
        ax = fig.add_axes((0.2, 0.9 / height, 0.56, 1 - 1.35 / height))
    else:
        fig = ax.get_figure()  # type: ignore[assignment]
        assert isinstance(fig, Figure)
    ax.set_title(title or "timeline", fontsize=11, loc="left")
    ax.set_xlabel("runtime time (s)")
    if not evs or not lanes:
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "no job or supervisor activity in these events",
            ha="center",
            va="center",
            transform=ax.transAxes,
            color="#777777",
        )
        return fig

    t_start = evs[0].time
    t_end = max(e.time for e in evs)
    marks: dict[str, list[tuple[float, int]]] = {k: [] for k in _MARKS}
    bars: list[tuple[int, float, float, Any]] = []  # lane, start, end, how it ended
    open_attempt: dict[str, float] = {}  # pid -> start of the running attempt
    lifetimes: dict[str, list[float]] = {}  # pid -> [start, end]
    children_of: dict[str, set[str]] = {}
    windows: list[tuple[str, float]] = []  # supervisor, when it reached intensity / gave up
    window_len: dict[str, float] = {}
    intensity_fields: dict[str, tuple[Any, Any]] = {}
    give_ups: list[float] = []

    def close_attempt(pid: str, when: float, how: Any) -> None:
        start = open_attempt.pop(pid, None)
        if start is not None and pid in pid_lane:
            bars.append((pid_lane[pid], start, when, how))

    for e in evs:
        pid = e.pid
        if e.kind in ("spawned", "child_started", "child_restarted") and pid is not None:
            lifetimes.setdefault(pid, [e.time, t_end])
            sup = e.get("supervisor")
            if sup is not None and e.kind != "spawned":
                children_of.setdefault(str(sup), set()).add(pid)
            if e.kind == "child_restarted" and pid in pid_lane:
                marks["restart"].append((e.time, pid_lane[pid]))
        elif e.kind == "job_status" and pid is not None and pid in pid_lane:
            lane = pid_lane[pid]
            lifetimes.setdefault(pid, [e.time, t_end])
            status = e.get("status")
            if status == "new":
                marks["new"].append((e.time, lane))
            elif status == "running":
                close_attempt(pid, e.time, None)
                open_attempt[pid] = e.time
                attempt = e.get("attempt") or 0
                if (isinstance(attempt, int) and attempt > 1) or (e.get("retries") or 0) > 0:
                    marks["retry"].append((e.time, lane))
            elif status in ("done", "errored", "failed"):
                close_attempt(pid, e.time, status)
                marks[status].append((e.time, lane))
        elif e.kind == "exited" and pid is not None:
            if pid in lifetimes:
                lifetimes[pid][1] = e.time
            crashed = e.get("reason_kind") == "crash"
            close_attempt(pid, e.time, "crash" if crashed else None)
            if pid in pid_lane:
                marks["crash" if crashed else "exit"].append((e.time, pid_lane[pid]))
        elif e.kind == "intensity_reached":
            sup = str(e.get("supervisor") or pid)
            if sup in pid_lane:
                marks["intensity"].append((e.time, pid_lane[sup]))
            if e.get("max_seconds") is not None:
                window_len[sup] = float(e.get("max_seconds"))
            intensity_fields[sup] = (e.get("restarts"), e.get("max_restarts"))
            windows.append((sup, e.time))
        elif e.kind == "supervisor_gave_up":
            sup = str(e.get("supervisor") or pid)
            if sup in pid_lane:
                marks["gave_up"].append((e.time, pid_lane[sup]))
            give_ups.append(e.time)
            windows.append((sup, e.time))
        elif e.kind == "zombie" and pid is not None and pid in pid_lane:
            marks["zombie"].append((e.time, pid_lane[pid]))
    for pid in list(open_attempt):
        close_attempt(pid, t_end, None)

    # Lifelines: a thin line per process while it lived, in its lane.
    segs = [(pid_lane[p], span[0], span[1]) for p, span in lifetimes.items() if p in pid_lane]
    if segs:
        ax.hlines(
            [s[0] for s in segs],
            [s[1] for s in segs],
            [s[2] for s in segs],
            colors="#999999",
            linewidths=1.0,
            zorder=1,
        )
    for lane, start, end, how in bars:
        ax.barh(
            lane,
            max(end - start, (t_end - t_start) * 0.002),
            left=start,
            height=0.45,
            color=_ATTEMPT_COLOURS.get(how, STATUS_COLOURS["running"]),
            edgecolor="none",
            zorder=2,
        )

    # Intensity windows: the last event per supervisor (gave_up, else intensity_reached).
    last_window: dict[str, float] = {}
    for sup, when in windows:
        last_window[sup] = when
    shaded = False
    for sup, end in last_window.items():
        length = max_seconds if max_seconds is not None else window_len.get(sup)
        if length is None:
            continue
        # Clipped to the trace: a window reaching back before the first event says no more.
        start = max(end - length, evs[0].time)
        rows = {pid_lane[p] for p in {sup, *children_of.get(sup, set())} if p in pid_lane}
        for row in rows:
            ax.barh(
                row,
                end - start,
                left=start,
                height=0.9,
                color=_WINDOW,
                alpha=0.13,
                edgecolor=_WINDOW,
                linewidth=0.6,
                zorder=0,
            )
        shaded = True
        _restarts, max_restarts = intensity_fields.get(sup, (None, None))
        if sup in pid_lane:
            note = f"window {length:g} s"
            if max_restarts is not None:
                note += f": > {max_restarts} restarts"
            ax.text(
                start,
                pid_lane[sup] - 0.5,
                note,
                fontsize=7,
                color=_CRASH,
                va="bottom",
                ha="left",
                zorder=5,
                parse_math=False,
            )
    for when in sorted(set(give_ups)):
        ax.axvline(when, color=_CRASH, linestyle=":", linewidth=1.2, zorder=1)

    for kind, points in marks.items():
        if points:
            marker, colour, size, _ = _MARKS[kind]
            ax.scatter(
                [p[0] for p in points],
                [p[1] for p in points],
                marker=marker,
                s=size,
                c=colour,
                edgecolors="#222222" if marker not in "|x" else None,
                linewidths=0.6 if marker != "|" else 1.8,
                zorder=4,
            )

    ax.set_yticks(range(n))
    ax.set_yticklabels([lane.label for lane in lanes], fontsize=8)
    ax.set_ylim(n - 0.4, -0.6)
    pad = max((t_end - t_start) * 0.03, 0.05)
    ax.set_xlim(t_start - pad, t_end + pad)
    ax.grid(axis="x", color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    handles: list[Any] = []
    used_bars = {how for _, _, _, how in bars}
    for how, text in (
        (None, "attempt (running)"),
        ("done", "attempt → done"),
        ("errored", "attempt → errored"),
        ("failed", "attempt → failed"),
        ("crash", "attempt → crash"),
    ):
        if how in used_bars:
            handles.append(Patch(color=_ATTEMPT_COLOURS[how], label=text))
    for kind, points in marks.items():
        if points:
            marker, colour, size, text = _MARKS[kind]
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker=marker,
                    color=colour,
                    markeredgecolor="#222222",
                    markersize=size**0.5,
                    label=text,
                )
            )
    if shaded:
        handles.append(
            Patch(facecolor=_WINDOW, alpha=0.2, edgecolor=_WINDOW, label="intensity window")
        )
    if give_ups:
        handles.append(Line2D([], [], color=_CRASH, linestyle=":", label="gave up"))
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
    )
    return fig
