"""Colours, shapes and small helpers shared by every drawing.

One palette for the tree, the timeline and the GIF so a student learns one colour per job
status once: the same orange means "errored" in every picture of the course.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jobber_lab.jobber import JobStatus
from jobber_lab.trace import GHOST_SECONDS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "GHOST_MARKS",
    "ROLE_COLOURS",
    "STATUS_COLOURS",
    "STATUS_ORDER",
    "faded",
    "legend_below",
    "natural_key",
    "node_status",
    "say_empty",
    "short",
]

#: Job status -> face colour. ``zombie`` is not a job status but a thread that would not
#: unwind; it gets its own colour in every role so it is never mistaken for a live process.
STATUS_COLOURS: dict[str, str] = {
    JobStatus.NEW: "#c7d7ea",
    JobStatus.RUNNING: "#4c9be8",
    JobStatus.ERRORED: "#f0a032",
    JobStatus.DONE: "#5cb85c",
    JobStatus.FAILED: "#d9534f",
    "zombie": "#8e6bbf",
}
STATUS_ORDER: tuple[str, ...] = (*JobStatus, "zombie")

#: Role -> face colour for the non-worker shapes (their status is always "running").
ROLE_COLOURS: dict[str, str] = {
    "application": "#fff4cc",
    "supervisor": "#e8e8e8",
    "registry": "#d6f0ee",
}

EDGE_COLOUR = "#555555"
#: The ring of a process that replaced one (the new JobRunner): the course's "new" orange.
NEW_COLOUR = "#ff7f0e"
#: The ring of the node the caller selected (``highlight=``), e.g. the job chosen in a table.
HIGHLIGHT_COLOUR = "#1f5fbf"
RESTART_COLOUR = "#c0392b"

#: How a ghost (a process that just left) is marked: (mark colour, words in the legend).
GHOST_MARKS: dict[str, tuple[str, str]] = {
    "crashed": ("#d62728", f"crashed / killed (in the last {GHOST_SECONDS:g} s)"),
    "gave up": ("#7f1d1d", "gave up: too many restarts"),
    "shut down": ("#7a7a7a", "shut down by its supervisor"),
}


def faded(colour: str, keep: float = 0.35) -> str:
    """``colour`` mixed with white, ``keep`` of it left: how a ghost's face is drawn."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * keep) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


_DIGITS = re.compile(r"(\d+)")


def _pad(match: re.Match[str]) -> str:
    return match.group().zfill(20)


def natural_key(value: Any) -> str:
    """Sort key that puts ``<0.9.0>`` before ``<0.10.0>`` (plain string order would not):
    numbers zero-padded, one regex pass, cheap enough to run on every node of every redraw."""
    return _DIGITS.sub(_pad, str(value))


def node_status(attrs: Mapping[str, Any]) -> str:
    """The colour key of a node: ``zombie`` wins over whatever status it had."""
    if attrs.get("zombie") or attrs.get("status") == "zombie":
        return "zombie"
    status = attrs.get("status") or JobStatus.RUNNING
    return status if status in STATUS_COLOURS else JobStatus.RUNNING


def short(text: Any, limit: int = 28) -> str:
    """One line of at most ``limit`` characters: message texts can be whole reprs."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def legend_below(fig: Figure, handles: list[Any], *, max_cols: int, fontsize: float) -> None:
    """The legend of a figure we made: a frameless band below the drawing, inside the
    figure's own layout (so the drawing keeps the full width), at most ``max_cols`` wide."""
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), max_cols),
        fontsize=fontsize,
        frameon=False,
    )


def say_empty(ax: Axes, text: str, fontsize: float) -> None:
    """A grey note in the middle of an empty drawing saying why it is empty, so a blank
    picture is never mistaken for a broken one."""
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="#777777",
        fontsize=fontsize,
    )
