"""How a tree node looks: its shape and size by role, its colours, its caption.

The rules a reader of the picture learns (a supervisor is an ellipse, a job a circle in its
status colour, ghosts faded with a mark) live here, apart from where they are placed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Hashable, Mapping
from typing import Any, Literal

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D, IdentityTransform

from jobber_lab.trace import name_of

from ._layout import Position
from ._pathtext import PointsCollection
from ._style import (
    ROLE_COLOURS,
    STATUS_COLOURS,
    faded,
    node_status,
)

Labels = bool | Literal["auto"]
LegendPlace = bool | Literal["auto", "right", "below"] | None

#: With ``labels="auto"`` every node is labelled up to this many nodes (unless ``figsize``
#: pins the size: then only labels that fit); above it only the non-leaf nodes (and the
#: highlighted ones) are candidates, and of those only labels that fit.
AUTO_LABEL_LIMIT = 150

# Sizes, in points unless named otherwise.
_MAX_FONT = 9.0
_MIN_FONT = 6.0
_MIN_ROTATED_FONT = 5.0
_WRAP_BELOW = 8.0  # a flat label smaller than this is tried on more, narrower lines
_PID_SCALE = 0.85  # the pid line's size, relative to the name line
_INSIDE_PAD = 2.0  # an ellipse is its label's width plus this many font sizes
_LEAF_MARKER = 11.0
_MIN_MARKER = 3.0  # diameter of a worker / registry marker
_SUP_HEIGHT = 14.0  # an unlabelled supervisor ellipse
_ELLIPSE_ASPECT = 2.4
_BOX_ASPECT = 2.8
_RING = 12.0  # a ring is its node's shape this many points wider
_EDGE_PAD = 20.0  # points kept free left and right of the outermost nodes (for ↻n, rings)
_SLOT_INCHES = 0.55  # preferred width of one leaf slot
_LEVEL_PTS = 62.0  # preferred height of one generation
_MIN_SIZE = (6.0, 3.0)
_MAX_SIZE = (16.0, 10.0)
_TITLE_INCHES = 0.4
DEFAULT_DPI = 80


def _shape(path: MplPath, sx: float, sy: float) -> MarkerStyle:
    """A marker of the given aspect; matplotlib scales a path marker by its largest extent,
    so the marker's *width* equals the scatter size's square root for these wide shapes."""
    return MarkerStyle(path.transformed(Affine2D().scale(sx, sy)))


_ELLIPSE = _shape(MplPath.unit_circle(), 1.0, 1.0 / _ELLIPSE_ASPECT)
_BOX = _shape(
    MplPath.unit_rectangle().transformed(Affine2D().translate(-0.5, -0.5)), 1.0, 1.0 / _BOX_ASPECT
)
_CIRCLE = MarkerStyle("o")
_DIAMOND = MarkerStyle("D")


@functools.lru_cache(maxsize=64)
def _marker_path(marker: MarkerStyle) -> MplPath:
    """A marker's outline in the unit square, as ``scatter`` would draw it, with its curves
    flattened to a 72-gon: Agg draws the same, but matplotlib measures a curved marker's
    extent (before every stamp) in Python, about 0.6 ms a collection against 0.05 ms."""
    path = marker.get_path().transformed(marker.get_transform())
    codes = path.codes
    if codes is None or not any(c in (MplPath.CURVE3, MplPath.CURVE4) for c in np.asarray(codes)):
        return path
    (polygon,) = path.transformed(Affine2D().scale(100)).to_polygons(closed_only=True)
    return MplPath(np.asarray(polygon) / 100, closed=True)


def _markers(
    ax: Axes | Figure,
    marker: MarkerStyle,
    xy: list[Position],
    sizes: list[float] | float,
    *,
    faces: list[str] | str,
    edges: list[str] | str,
    linewidths: list[float] | float,
    zorder: float,
    gid: str,
    transform: Any = None,
    linestyles: str = "solid",
) -> PathCollection:
    """``ax.scatter`` without its argument checking, masking and data-limit updates: the
    same PathCollection for a few milliseconds less, which a live redraw notices.  On a
    Figure (the legend) ``transform`` places the offsets."""
    collection = PointsCollection(
        [_marker_path(marker)],
        sizes=np.atleast_1d(np.asarray(sizes, dtype=float)),
        offsets=np.asarray(xy, dtype=float).reshape(-1, 2),
        offset_transform=transform if transform is not None else ax.transData,  # type: ignore[union-attr]
        transform=IdentityTransform(),  # without it add_collection applies transData to the
        facecolors=faces,  # marker outline itself: giant markers, 30x slower, clipped away
        edgecolors=edges,
        linewidths=linewidths,
        linestyles=linestyles,
        zorder=zorder,
    )
    collection.set_gid(gid)
    if isinstance(ax, Figure):
        collection.set_clip_on(False)
        ax.add_artist(collection)
    else:
        ax.add_collection(collection, autolim=False)
    return collection


_ROLE_SHAPES: dict[str, tuple[MarkerStyle, float]] = {
    # role -> (marker, height/width ratio of its drawn outline)
    "application": (_BOX, 1.0 / _BOX_ASPECT),
    "supervisor": (_ELLIPSE, 1.0 / _ELLIPSE_ASPECT),
    "registry": (_DIAMOND, 1.0),
    "worker": (_CIRCLE, 1.0),
}
_INSIDE_ROLES = frozenset({"application", "supervisor"})  # label drawn inside the shape


def node_label(key: Hashable, attrs: Mapping[str, Any]) -> str:
    """What a node is called: the tracer's ``label``, else the naming rule on its attributes
    (:func:`jobber_lab.trace.process_name`), else its key."""
    label = attrs.get("label")
    if label not in (None, ""):
        return str(label)
    return name_of({**attrs, "pid": attrs.get("pid") or key})


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _role(key: Hashable, attrs: Mapping[str, Any]) -> str:
    role = attrs.get("role")
    if role in _ROLE_SHAPES:
        return str(role)
    return "application" if str(key).startswith("app:") else "worker"


def _is_job(role: str, attrs: Mapping[str, Any]) -> bool:
    return role == "worker" and attrs.get("job_id") is not None


def _ghost_mark(attrs: Mapping[str, Any]) -> str | None:
    """The legend row of a ghost: ``killed`` is drawn like ``crashed``."""
    kind = attrs.get("ghost")
    if not kind:
        return None
    return "crashed" if kind in ("crashed", "killed") else str(kind)


def _is_new(role: str, attrs: Mapping[str, Any]) -> bool:
    """Ringed as new: a process (not a job) that replaced a predecessor, e.g. JobRunner."""
    return bool(attrs.get("replaced")) and not attrs.get("ghost") and not _is_job(role, attrs)


def node_caption(key: Hashable, attrs: Mapping[str, Any]) -> tuple[str, str]:
    """The two lines under (or in) a node: what it is called and how it is doing, then its
    pid.  ``("doomed-3 · running · try 2", "<0.42.0>")`` for a job, ``("new JobRunner",
    "<0.50.0>, replaced <0.12.0>")`` for a supervisor that replaced a predecessor,
    ``("doomed-3 · crashed", pid)`` for a ghost, ``("JobRegistry", pid)`` otherwise."""
    name = node_label(key, attrs)
    role = _role(key, attrs)
    pid = attrs.get("pid")
    pid = "" if pid in (None, "") or role == "application" else str(pid)
    if role == "application":
        return name, ""
    if attrs.get("ghost"):
        return f"{name} · {attrs['ghost']}", pid
    if _is_job(role, attrs):
        parts = [name, node_status(attrs)]
        if _int(attrs.get("attempts")) > 0:
            parts.append(f"try {_int(attrs.get('attempts'))}")
        return " · ".join(parts), pid
    if _is_new(role, attrs):
        return f"new {name}", f"{pid}, replaced {attrs['replaced']}"
    return name, pid


def _face(role: str, attrs: Mapping[str, Any]) -> str:
    status = node_status(attrs)
    face = STATUS_COLOURS[status] if status == "zombie" or role == "worker" else ROLE_COLOURS[role]
    return faded(face) if attrs.get("ghost") else face


@functools.cache
def _has_root_kw() -> bool:
    """``Axes.get_figure(root=...)`` exists from matplotlib 3.10; the package allows 3.7."""
    return "root" in inspect.signature(Artist.get_figure).parameters


def _figure_of(ax: Axes) -> Figure:
    """The figure an axes is drawn on (the root one, on matplotlib versions that nest)."""
    fig = ax.get_figure(root=True) if _has_root_kw() else ax.get_figure()
    assert isinstance(fig, Figure)
    return fig


def _half_height(role: str, width: float) -> float:
    return width * _ROLE_SHAPES[role][1] / 2
