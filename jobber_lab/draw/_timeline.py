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
Reading lives in :mod:`._timeline_story`, the colours and markers in
:mod:`._timeline_look`; this module draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jobber_lab.jobber import JobStatus

from ._events import Labels, view
from ._style import STATUS_COLOURS, legend_below, say_empty
from ._timeline_look import (
    _ATTEMPT_COLOURS,
    _ATTEMPT_LEGEND,
    _CRASH,
    _LANE,
    _MARK_OFFSET,
    _MARKS,
    _RESTART_GREEN,
    _TEXT,
    _WINDOW,
    _WINDOW_ALPHA,
    WINDOW_NOTE,
)
from ._timeline_story import _Lane, _lanes, _read_story, _Story, timeline_lanes

__all__ = ["WINDOW_NOTE", "draw_timeline", "timeline_lanes"]


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
