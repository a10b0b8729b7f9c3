"""The supervision tree as a picture: graph in, matplotlib Figure or PNG/SVG bytes out.

Built for redraw speed because the dashboard redraws it live (JUPYTER.md measured the costs):
text labels dominate, so labels are thinned on big trees by a rule a student can see (a
label is drawn only where it fits); nodes are one scatter collection per shape and edges one
``LineCollection`` (arrowheads cost 2.7x and a tree's direction is already top-down); no
``tight_layout`` or ``bbox_inches="tight"``: the layout is computed here, once, in points,
and everything drawn (nodes, labels, rings, the legend beside or under it) lies inside the
figure, so no viewer needs to trim it and none can cut it (see :class:`TreeFigure`).
No pyplot: ``Figure()`` objects are freed with their last reference, pyplot's are not.

The story is drawn, not only the state: a process that just crashed, gave up or was shut
down by its supervisor stays as a faded *ghost* for a few runtime seconds (the tracer keeps
them in ``graph.graph["ghosts"]``), a child restarted n times says ``↻n``, a process that
replaced another (the new JobRunner) is ringed and says which pid it replaced.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D, IdentityTransform
from PIL import Image

from jobber_lab.trace import ghosts as graph_ghosts
from jobber_lab.trace import name_of

from ._layout import Position, layout_bounds, layout_forest, tree_children
from ._pathtext import HAlign, PointsCollection, VAlign, label_path, path_labels, text_width
from ._style import (
    EDGE_COLOUR,
    GHOST_MARKS,
    HIGHLIGHT_COLOUR,
    NEW_COLOUR,
    RESTART_COLOUR,
    ROLE_COLOURS,
    STATUS_COLOURS,
    STATUS_ORDER,
    faded,
    node_status,
)

__all__ = [
    "AUTO_LABEL_LIMIT",
    "DEFAULT_DPI",
    "TreeFigure",
    "draw_tree",
    "figure_bytes",
    "node_caption",
    "node_label",
    "node_tooltip",
    "save_tree",
    "tree_png",
    "tree_svg",
]

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
    if path.codes is None or not any(c in (MplPath.CURVE3, MplPath.CURVE4) for c in path.codes):
        return path
    (polygon,) = path.transformed(Affine2D().scale(100)).to_polygons(closed_only=True)
    return MplPath(polygon / 100, closed=True)


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


@dataclass
class _Label:
    node: Hashable
    text: str
    sub: str
    size: float
    rotated: bool
    inside: bool
    #: A flat label's lines: the caption's first line, maybe wrapped (``names``), then its
    #: second (``subs``, drawn smaller).  A rotated label draws ``text`` and ``sub`` whole.
    names: tuple[str, ...] = ()
    subs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.names = self.names or (self.text,)
        self.subs = self.subs or ((self.sub,) if self.sub else ())


_LINE = 1.25  # a line's height, in font sizes


def _wrapped(text: str, sub: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A caption on more, narrower lines: ``doomed-3 · running · try 2`` as the job id over
    the rest, ``<0.50.0>, replaced <0.12.0>`` as the pid over what it replaced."""
    name, _, rest = text.partition(" · ")
    pid, _, before = sub.partition(", ")
    names = (name, rest) if rest else (name,)
    return names, ((pid, before) if before else ((pid,) if pid else ()))


def _flat_fit(names: tuple[str, ...], subs: tuple[str, ...], space: float, inside: bool) -> float:
    """The largest font size (points, quantised, at most _MAX_FONT) at which these lines fit
    ``space`` points sideways: inside a shape, with its padding and tall enough to hold them
    (an ellipse's width is its height times its aspect), below a marker as they are."""
    widest = max(
        max(text_width(t, 1.0) for t in names),
        max((text_width(t, _PID_SCALE) for t in subs), default=0.0),
    )
    if inside:
        tall = (len(names) + len(subs) * _PID_SCALE) * _LINE * _ELLIPSE_ASPECT if subs else 0.0
        per_point = max(widest + _INSIDE_PAD, tall)
    else:
        per_point = widest
    return _quantise(min(_MAX_FONT, space / max(per_point, 0.5)))


def _quantise(size: float) -> float:
    """Half-point font sizes: neighbours of one level then share a size, which reads calmer."""
    return math.floor(size * 2) / 2 if math.isfinite(size) else size


def _as_set(highlight: Any) -> set[Hashable]:
    if highlight is None:
        return set()
    if isinstance(highlight, list | tuple | set | frozenset):
        return set(highlight)
    return {highlight}


def _level_room(
    pos: Mapping[Hashable, Position], pts_per_x: float, lo: float, hi: float
) -> dict[Hashable, float]:
    """Points each node may take sideways without touching its neighbour on the same level
    or leaving the axes (``lo``, ``hi``: the x limits): what its shape and label may use."""
    by_level: dict[float, list[Hashable]] = {}
    for node, (_, y) in pos.items():
        by_level.setdefault(y, []).append(node)
    room: dict[Hashable, float] = {}
    for row in by_level.values():
        row.sort(key=lambda n: pos[n][0])
        for i, node in enumerate(row):
            x = pos[node][0]
            gap = 2 * min(x - lo, hi - x)
            if i > 0:
                gap = min(gap, x - pos[row[i - 1]][0])
            if i + 1 < len(row):
                gap = min(gap, pos[row[i + 1]][0] - x)
            room[node] = gap * pts_per_x
    return room


def _plan_labels(
    graph: nx.DiGraph,
    leaves: set[Hashable],
    labels: Labels,
    highlighted: set[Hashable],
    room: Mapping[Hashable, float],
    pinned: bool = False,
) -> list[_Label]:
    """Which nodes get a label, at what size, horizontal or rotated.

    A label is two lines (:func:`node_caption`).  It is drawn horizontally where both fit
    the room to the nearest neighbour (the name inside the shape for applications and
    supervisors, both lines below the marker for workers); a leaf's label that does not fit
    is first tried wrapped onto more, narrower lines (:func:`_wrapped`), then turned upright,
    where it only needs two lines' height.  A small tree (or ``labels=True``) gets every
    label, at the minimum size where it does not fit; on a big tree with ``labels="auto"``,
    or on a figure whose size is ``pinned`` (the dashboard's box: it cannot grow to make
    room), a label that fits no way is left out unless highlighted, which is the thinning:
    only as much text as can be read, never a smear of overlapping names.
    """
    if labels is False:
        return []
    if labels == "auto" and len(graph) > AUTO_LABEL_LIMIT:
        candidates = [n for n in graph.nodes if n not in leaves or n in highlighted]
    else:
        candidates = list(graph.nodes)
    forced = labels is True or (len(graph) <= AUTO_LABEL_LIMIT and not pinned)
    plan: list[_Label] = []
    for node in candidates:
        attrs = graph.nodes[node]
        text, sub = node_caption(node, attrs)
        inside = _role(node, attrs) in _INSIDE_ROLES
        space = room.get(node, math.inf) * 0.92
        flat = _flat_fit((text,), (sub,) if sub else (), space, inside)
        if flat < _WRAP_BELOW:  # narrower on more lines, if that reads larger
            names, subs = _wrapped(text, sub)
            wrapped = _flat_fit(names, subs, space, inside)
            if wrapped > flat and wrapped >= _MIN_FONT:
                plan.append(_Label(node, text, sub, wrapped, False, inside, names, subs))
                continue
        if flat >= _MIN_FONT:
            plan.append(_Label(node, text, sub, flat, False, inside))
            continue
        upright = _quantise(min(_MAX_FONT - 1, space / (_LINE * (1 + _PID_SCALE))))
        if not inside and upright >= _MIN_ROTATED_FONT:
            plan.append(_Label(node, text, sub, upright, True, False))
        elif forced or node in highlighted:
            plan.append(_Label(node, text, sub, _MIN_ROTATED_FONT, not inside, inside))
    return plan


def _resolve_root(graph: nx.DiGraph, root: Hashable) -> Hashable:
    """``root=`` as a node key, ``"app:<name>"``, an application's name or a unique label."""
    if root in graph:
        return root
    wanted = str(root)
    for node in graph.nodes:
        if str(node).startswith("app:") and str(node)[4:].lower() == wanted.lower():
            return node
    matches = [n for n, a in graph.nodes(data=True) if node_label(n, a) == wanted]
    if len(matches) == 1:
        return matches[0]
    detail = f" ({len(matches)} nodes are called that)" if matches else ""
    raise ValueError(
        f"draw_tree(root): expected a node of the graph (a pid, 'app:<name>', an "
        f"application's name or a unique label), got {root!r}{detail}"
    )


def _view(
    graph: nx.DiGraph, root: Hashable | None, now: float | None, show_ghosts: bool
) -> nx.DiGraph:
    """The graph to draw: the subtree under ``root`` (all of it without one), plus the ghosts
    whose parent is drawn, each placed under that parent as the leaf it was."""
    from jobber_lab.trace import GHOST_SECONDS

    table = dict(graph_ghosts(graph)) if show_ghosts else {}
    if now is not None:
        table = {p: g for p, g in table.items() if now - g["exited"] <= GHOST_SECONDS}
    if root is None and not table:
        return graph
    if root is None:
        view = graph.copy()
    else:
        top = _resolve_root(graph, root)
        view = graph.subgraph({top} | nx.descendants(graph, top)).copy()
    pending = sorted(table.items(), key=lambda item: item[1]["exited"])
    while pending:  # a ghost may hang under a ghost (a Job under its gave-up supervisor)
        rest = [(p, g) for p, g in pending if g.get("parent") not in view]
        for pid, ghost in pending:
            if ghost.get("parent") in view and pid not in view:
                view.add_node(pid, **ghost)
                view.add_edge(ghost["parent"], pid, dynamic=bool(ghost.get("dynamic")))
        if len(rest) == len(pending):
            break
        pending = rest
    return view


# ---------------------------------------------------------------------------- the legend

_LEGEND_ROW = 13.0  # points between legend rows
_LEGEND_FONT = 8.0
_STRIP_ROW = 12.0  # points between the lines of a legend strip under the tree
_STRIP_GAP = 10.0  # points between two entries on a strip's line
#: ``legend="auto"`` puts the key under the tree when, beside it, it would take more than
#: this share of a pinned figure's width.
_BESIDE_SHARE = 0.2
_LEGEND_SHAPES = {"application": (_BOX, 18.0), "supervisor": (_ELLIPSE, 18.0)}
_CROSS = MarkerStyle("x")
_BAR = MarkerStyle("_")

#: One legend row: (text, layers drawn at its marker spot, dashed line instead of a marker).
#: A layer is (marker, size in points, face, edge, line width, line style).
_Layer = tuple[MarkerStyle, float, str, str, float, str]
_Row = tuple[str, list[_Layer], bool]


def _legend_rows(view: nx.DiGraph, highlighted: set[Hashable]) -> list[_Row]:
    """Every mark the picture uses, and every job status always (a key that changes from
    frame to frame reads badly): shapes, dashed edges, ↻n, rings and ghosts only when drawn."""
    rows: list[_Row] = [
        (status, [(_CIRCLE, 8.0, STATUS_COLOURS[status], "#333333", 0.8, "solid")], False)
        for status in STATUS_ORDER
    ]
    roles: set[str] = set()
    restarted = new = False
    marks: set[str] = set()
    for node, attrs in view.nodes(data=True):
        role = _role(node, attrs)
        roles.add(role)
        mark = _ghost_mark(attrs)
        if mark is not None:
            marks.add(mark)
        elif _int(attrs.get("restarts")) > 0:
            restarted = True
        new = new or _is_new(role, attrs)
    for role in ("application", "supervisor", "registry"):
        if role in roles:
            marker, size = _LEGEND_SHAPES.get(role, (_DIAMOND, 6.0))
            rows.append(
                (role, [(marker, size, ROLE_COLOURS[role], "#333333", 0.8, "solid")], False)
            )
    if any(d.get("dynamic") for _, _, d in view.edges(data=True)):
        rows.append(("dynamic child", [], True))
    if restarted:
        rows.append(
            ("↻n restarted n×", [(_CIRCLE, 8.0, "white", RESTART_COLOUR, 1.8, "solid")], False)
        )
    if new:
        rows.append(("new: replaced the pid named", [_ring_layer(NEW_COLOUR)], False))
    if highlighted:
        rows.append(("selected", [_ring_layer(HIGHLIGHT_COLOUR)], False))
    for mark, (_colour, words) in GHOST_MARKS.items():
        if mark in marks:
            rows.append((words, _ghost_layers(mark, 8.0), False))
    return rows


def _ring_layer(colour: str) -> _Layer:
    return (_CIRCLE, 11.0, "none", colour, 2.2, "solid")


def _ghost_layers(mark: str, size: float) -> list[_Layer]:
    colour = GHOST_MARKS[mark][0]
    face: _Layer = (_CIRCLE, size, faded("#c7d7ea"), colour, 1.0, "dashed")
    symbol = _BAR if mark == "shut down" else _CROSS
    return [face, (symbol, size * 0.8, colour, colour, 2.0, "solid")]


def _legend_size(rows: list[_Row]) -> tuple[float, float]:
    """Width and height of the legend beside the tree (one column), in points."""
    widest = max((text_width(text, _LEGEND_FONT) for text, _, _ in rows), default=0.0)
    return 26.0 + widest + 6.0, len(rows) * _LEGEND_ROW + 12.0


def _legend_spots(rows: list[_Row], width: float | None) -> tuple[list[Position], float]:
    """Where each row's marker goes, in points from the legend's top-left corner, and the
    legend's height.  ``width=None``: one column (beside the tree); a width: entries flow
    left to right and wrap, a strip under the tree that leaves it the figure's full width
    (a one-column key took a third of the dashboard's 520 px box)."""
    if width is None:
        return [(10.0, -12.0 - i * _LEGEND_ROW) for i in range(len(rows))], len(
            rows
        ) * _LEGEND_ROW + 12.0
    spots: list[Position] = []
    x, line = 0.0, 0
    for text, _, _ in rows:
        need = 24.0 + text_width(text, _LEGEND_FONT) + _STRIP_GAP
        if x > 0 and x + need - _STRIP_GAP > width:
            x, line = 0.0, line + 1
        spots.append((x + 10.0, -8.0 - line * _STRIP_ROW))
        x += need
    return spots, (line + 1) * _STRIP_ROW + 4.0 if rows else 0.0


def _draw_key(fig: Figure, rows: list[_Row], origin: Position, spots: list[Position]) -> None:
    """The legend, laid out in the figure itself, in points from its bottom-left corner
    (``origin`` is the legend's top-left, ``spots`` each row's marker from there, see
    :func:`_legend_spots`): nothing of it can stray outside the figure, a viewer trimming
    whitespace keeps it whole, and it costs no second Axes (14 ms)."""
    points = Affine2D().scale(1 / 72) + fig.dpi_scale_trans
    words = _Labels("jl-legend")
    groups: dict[tuple[int, int, str], _KeyMarks] = {}
    for (text, layers, dashed), (sx, sy) in zip(rows, spots, strict=True):
        x0, y = origin[0] + sx - 10.0, origin[1] + sy
        if dashed:
            _draw_key_dash(fig, (x0, y), points)
        for j, look in enumerate(layers):
            _add_key_mark(groups, j, look, (x0 + 10.0, y))
        words.add((x0 + 24.0, y), text, _LEGEND_FONT, "#222222", ha="left")
    # One collection per marker, layer and line style: a dozen rows, four or five artists.
    for (layer, _, style), (marker, xy, sizes, faces, edges, lws) in groups.items():
        _markers(
            fig,
            marker,
            xy,
            sizes,
            faces=faces,
            edges=edges,
            linewidths=lws,
            zorder=2 + layer,
            gid=f"jl-legend-marks-{len(xy)}-{layer}",
            transform=points,
            linestyles=style,
        )
    words.draw(fig, fig, points)


#: The legend's markers of one layer, marker and line style: (marker, spots, sizes, faces,
#: edges, line widths), drawn as one collection.
_KeyMarks = tuple[MarkerStyle, list[Position], list[float], list[str], list[str], list[float]]


def _draw_key_dash(fig: Figure, at: Position, points: Any) -> None:
    """The dashed stroke that stands for a dynamic child's edge."""
    x0, y = at
    line = LineCollection(
        [((x0 + 3.0, y), (x0 + 17.0, y))],
        colors=EDGE_COLOUR,
        linestyles="--",
        linewidths=1.0,
        transform=points,
    )
    line.set_gid("jl-legend-dashed")
    fig.add_artist(line)


def _add_key_mark(
    groups: dict[tuple[int, int, str], _KeyMarks], layer_index: int, layer: _Layer, at: Position
) -> None:
    """Add one layer of a row's marker to its collection."""
    marker, size, face, edge, lw, style = layer
    group = groups.setdefault((layer_index, id(marker), style), (marker, [], [], [], [], []))
    group[1].append(at)
    group[2].append(size * size)
    group[3].append(face)
    group[4].append(edge)
    group[5].append(lw)


def _legend_place(legend: Any) -> str | None:
    """``legend=`` as ``"auto"``, ``"right"``, ``"below"`` or None (no legend)."""
    if legend is True:
        return "auto"
    if legend is False or legend is None:
        return None
    if legend in ("auto", "right", "below"):
        return str(legend)
    raise ValueError(
        f"draw_tree(legend): expected True, False, 'auto', 'right' or 'below', got {legend!r}"
    )


# ---------------------------------------------------------------------------- the tree


def _half_height(role: str, width: float) -> float:
    return width * _ROLE_SHAPES[role][1] / 2


def _label_below(lab: _Label | None, half: float) -> float:
    """Points a node's label hangs below its centre (its shape's half height without one)."""
    if lab is None:
        return half
    if lab.inside:
        return half
    if lab.rotated:
        longest = max(text_width(lab.text, lab.size), text_width(lab.sub, lab.size * _PID_SCALE))
        return half + 3 + longest
    return half + 3 + lab.size * 1.3 * (len(lab.names) + len(lab.subs) * _PID_SCALE)


def _shape_widths(
    view: nx.DiGraph, planned: Mapping[Hashable, _Label], room: Mapping[Hashable, float]
) -> dict[Hashable, float]:
    """Each node's drawn width in points: supervisors as wide as their name, every shape
    shrunk to the room its level leaves (big trees: dots, not a smear)."""
    widths: dict[Hashable, float] = {}
    for node, attrs in view.nodes(data=True):
        role = _role(node, attrs)
        ratio = _ROLE_SHAPES[role][1]
        lab = planned.get(node)
        fit = max(room.get(node, math.inf) * 0.85, _MIN_MARKER)
        if role in _INSIDE_ROLES:
            width = min(_SUP_HEIGHT / ratio, fit)
            if lab is not None and not lab.rotated:
                widest = max(
                    max(text_width(t, lab.size) for t in lab.names),
                    max((text_width(t, lab.size * _PID_SCALE) for t in lab.subs), default=0.0),
                )
                width = max(width, widest + _INSIDE_PAD * lab.size)
                if lab.subs:  # tall enough for the name and the pid lines
                    lines = len(lab.names) + len(lab.subs) * _PID_SCALE
                    tall = lines * _LINE * lab.size
                    width = max(width, tall / ratio + 4 / ratio)
                    if len(lab.names) + len(lab.subs) > 2:
                        # a wrapped block's corners inside the curve: the ellipse through
                        # the block's corners, at the shape's aspect, plus a little air
                        width = max(width, math.hypot(widest, tall / ratio) + lab.size)
        else:
            width = min(_LEAF_MARKER if role == "worker" else _LEAF_MARKER * 0.85, fit)
        widths[node] = float(math.ceil(width))  # few distinct sizes: few collections
    return widths


def _slot_inches(view: nx.DiGraph, leaves: set[Hashable]) -> float:
    """Width of one leaf slot: wide enough for the leaves' captions at 8 pt on a tree small
    enough to label everything (then readable flat, not rotated), the classic 0.55 in else."""
    if len(view) > AUTO_LABEL_LIMIT or not leaves:
        return _SLOT_INCHES
    widest = 0.0
    for node in leaves:
        text, sub = node_caption(node, view.nodes[node])
        widest = max(widest, text_width(text, 8.0), text_width(sub, 8.0 * _PID_SCALE))
    return min(max(_SLOT_INCHES, (widest + 14) / 72), 1.9)


def _fit_upright(
    plan: list[_Label],
    budget: float,
    forced: bool,
    highlighted: set[Hashable],
    depth: int,
    measure: Any,
) -> list[_Label]:
    """Upright labels made shorter until the rows fit a pinned height (``budget`` points):
    an upright label hangs its whole length below its node, and on a figure of fixed size
    the rows were squeezed together instead, so shapes and names overlapped.  Half a point
    at a time down to the least upright size, then (``labels="auto"``) the upright labels
    of unselected nodes are shortened to their name, then left out, the thinning again.  If
    the rows overflow even without them, they may hang as far as the rest already does."""

    def height(candidate: list[_Label]) -> float:
        above, below, gap = measure(candidate)
        return float(above + below + depth * gap)

    # Where the rows overflow without any upright label, those may take what the rest needs.
    limit = max(budget, height([lab for lab in plan if not lab.rotated]) + 0.5)

    def fits(candidate: list[_Label]) -> bool:
        return height(candidate) <= limit

    while any(lab.rotated and lab.size > _MIN_ROTATED_FONT for lab in plan):
        plan = [
            _Label(lab.node, lab.text, lab.sub, max(lab.size - 0.5, _MIN_ROTATED_FONT), True, False)
            if lab.rotated
            else lab
            for lab in plan
        ]
        if fits(plan):
            return plan
    if forced:
        return plan
    # Only the name (the job id), and larger again while it fits; then nothing.
    short = [
        _Label(lab.node, lab.text.partition(" · ")[0], "", _MAX_FONT - 1, True, False)
        if lab.rotated and lab.node not in highlighted
        else lab
        for lab in plan
    ]
    while not fits(short) and any(
        lab.rotated and not lab.sub and lab.size > _MIN_ROTATED_FONT for lab in short
    ):
        short = [
            _Label(lab.node, lab.text, "", lab.size - 0.5, True, False)
            if lab.rotated and not lab.sub
            else lab
            for lab in short
        ]
    if fits(short):
        return short
    return [lab for lab in plan if not lab.rotated or lab.node in highlighted]


def _vertical_room(
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    planned: Mapping[Hashable, _Label],
    widths: Mapping[Hashable, float],
    rings: Mapping[Hashable, float],
) -> tuple[float, float, float]:
    """(above the top row, below the bottom row, least distance between two rows), in
    points, so no shape, ring or hanging label reaches the next row or the figure's edge."""
    levels, needs, above, below = _row_needs(view, pos, planned, widths, rings)
    if not levels:
        return 10.0, 10.0, _LEVEL_PTS
    return above, below, max(max(needs, default=0.0), 1.0)


def _row_needs(
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    planned: Mapping[Hashable, _Label],
    widths: Mapping[Hashable, float],
    rings: Mapping[Hashable, float],
) -> tuple[list[float], list[float], float, float]:
    """The rows' y values from the top, the points each pair of neighbouring rows needs
    between them, and the points above the top row and below the bottom one."""
    up: dict[float, float] = {}
    down: dict[float, float] = {}
    for node, attrs in view.nodes(data=True):
        role = _role(node, attrs)
        half = _half_height(role, widths[node]) + rings.get(node, 0.0) / 2
        y = pos[node][1]
        count = 10.0 if _int(attrs.get("restarts")) > 0 and not attrs.get("ghost") else 0.0
        up[y] = max(up.get(y, 0.0), half + count)  # ↻n sits above the shape's right end
        down[y] = max(down.get(y, 0.0), _label_below(planned.get(node), half))
    levels = sorted(up, reverse=True)
    if not levels:
        return [], [], 10.0, 10.0
    needs = [down[a] + up[b] + 6.0 for a, b in itertools.pairwise(levels)]
    return levels, needs, up[levels[0]] + 4.0, down[levels[-1]] + 4.0


def _rows_in_points(
    pos: Mapping[Hashable, Position], levels: list[float], needs: list[float], room: float
) -> dict[Hashable, Position]:
    """``pos`` with each row's y in points from the top row: every pair of rows as far apart
    as its own shapes and labels need, the room left over shared out evenly (squeezed in
    proportion where there is too little).  On a pinned figure a uniform spacing gave every
    gap the largest one's need, and a tree of five rows overflowed its box."""
    total = sum(needs)
    if total <= room:
        spacing = [need + (room - total) / len(needs) for need in needs]
    else:
        spacing = [need * room / total for need in needs]
    row_y = dict(
        zip(levels, itertools.accumulate([0.0, *spacing], lambda a, b: a - b), strict=True)
    )
    return {node: (x, row_y[y]) for node, (x, y) in pos.items()}


@dataclass(frozen=True)
class _Extent:
    """The layout's bounds in layout units: x counts leaf slots, y generations (root on top)."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    @property
    def slots(self) -> float:
        return self.xmax - self.xmin + 1.0

    @property
    def depth(self) -> int:
        return max(round(self.ymax - self.ymin), 0)


@dataclass(frozen=True)
class _Across:
    """The x axis: points per layout unit and the limits (an edge pad beyond the outermost
    slots, room for ↻n and rings)."""

    pts_per_x: float
    lo: float
    hi: float


@dataclass
class _Key:
    """The legend on its way into the figure: where it goes (``place`` None: nowhere), its
    rows, each row's marker spot and its size in points, then (once the figure is laid out)
    its top-left corner in points from the figure's bottom-left.  The width and height steps
    settle ``place`` (``"auto"`` becomes ``"below"`` on a narrow pinned figure, None where
    a given axes has no room beside it)."""

    place: str | None
    rows: list[_Row]
    width: float
    height: float
    spots: list[Position] = field(default_factory=list)
    origin: Position = (0.0, 0.0)


@dataclass(frozen=True)
class _Shapes:
    """What each node draws: its label (if it gets one), its shape's width and its rings'
    extra width, in points."""

    plan: list[_Label]
    widths: dict[Hashable, float]
    rings: dict[Hashable, float]

    @property
    def planned(self) -> dict[Hashable, _Label]:
        return {lab.node: lab for lab in self.plan}


#: (above the top row, below the bottom row, points per generation)
_Vertical = tuple[float, float, float]


def draw_tree(
    graph: nx.DiGraph,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    labels: Labels = "auto",
    highlight: Any = None,
    pos: Mapping[Hashable, Position] | None = None,
    legend: LegendPlace = True,
    figsize: tuple[float, float] | None = None,
    limits: tuple[float, float, float, float] | None = None,
    root: Hashable | None = None,
    ghosts: bool = True,
    now: float | None = None,
) -> Figure:
    """Draw a supervision tree (the tracer's graph) and return the Figure (a
    :class:`TreeFigure` unless ``ax`` is given: notebooks show it whole, as SVG and PNG).

    Application as a box, supervisors as ellipses with their name inside, the registry as a
    diamond, workers as discs coloured by job status, each labelled by the naming rule with
    its pid beneath (a job also with its status and try: ``doomed-3 · running · try 2``);
    dashed edges lead to dynamic children (a DynamicSupervisor's); ``↻n`` and a red outline
    say a child was restarted n times; a process that replaced another is ringed orange and
    says which pid it replaced; ghosts (``ghosts=False`` hides them) show processes that just
    crashed (red cross), gave up (dark-red cross) or were shut down by their supervisor (grey
    bar).  The legend lists every mark drawn.

    ``labels``: ``True`` all, ``False`` none, ``"auto"`` all up to :data:`AUTO_LABEL_LIMIT`
    nodes, then only non-leaf nodes, and only labels that fit.  ``highlight``: a node key (or
    a list of keys) ringed in blue, e.g. the job selected in a table.  ``root``: draw only the
    subtree under this node (a pid, ``"app:<name>"``, an application's name or a unique
    label), e.g. the app in a lesson.  ``now`` (runtime seconds): hide ghosts older than
    :data:`jobber_lab.trace.GHOST_SECONDS` at that time.  ``ax``: draw into it and return its
    figure (the legend then takes the right of that axes' area).  ``pos`` and ``limits``
    (``xmin, xmax, ymin, ymax`` in layout units) pin the layout, as :func:`tree_gif` does so
    frames do not jump; ``figsize`` pins the size.  ``legend``: ``"right"`` a column beside
    the tree, ``"below"`` a strip of entries flowing under it (the tree keeps the full
    width), ``True``/``"auto"`` below on a pinned ``figsize`` where a column would take
    more than a fifth of the width (the dashboard's box), beside otherwise; ``False`` none.
    With ``ax`` the legend is always beside.

    In SVG output the pieces carry ids: ``jl-nodes-<role>-<n>`` (one ``<use>`` per node),
    ``jl-edges``, ``jl-labels`` and ``jl-pids`` (one path per line), ``jl-restarts``,
    ``jl-new-<n>``, ``jl-highlight-<n>``, ``jl-ghost-<mark>``, ``jl-legend``; and one
    ``<g class="jl-node">`` per node with a ``<title>`` tooltip (see :func:`tree_svg`).
    """
    view = _view(graph, root, now, ghosts)
    roots, children = tree_children(view)
    layout = _positions(view, roots, children, pos)
    extent = _extent(layout, limits)
    highlighted = _as_set(highlight) & set(view.nodes)
    leaves = {n for n, kids in children.items() if not kids}
    key = _new_key(view, highlighted, legend)
    title_pts = _TITLE_INCHES * 72 if title else 6.0

    # Width first (the label plan needs only the width), then the height the plan asks for.
    if ax is None:
        fig_w = _figure_width(view, leaves, extent, key, figsize)
        ax_w_pts = _key_in_figure(key, fig_w)
    else:
        ax_w_pts = _key_beside_axes(ax, key)
    across = _across(extent, ax_w_pts)
    shapes = _plan_shapes(view, layout, leaves, labels, highlighted, across, figsize is not None)
    # A pinned figure spaces its rows one by one (see _rows_in_points); gif frames keep theirs.
    by_rows = ax is None and figsize is not None and limits is None and extent.depth > 0

    def measure(plan: list[_Label]) -> _Vertical:
        return _vertical(view, layout, replace(shapes, plan=plan), extent.depth, by_rows)

    budget = _height_budget(ax, figsize, title_pts, key)
    plan, vertical = _fit_height(shapes.plan, measure, budget, labels is True, highlighted, extent)
    shapes = replace(shapes, plan=plan)

    if ax is None:
        fig_h = _figure_height(figsize, vertical, extent, title_pts, key)
        fig, ax = _new_figure(fig_w, fig_h, ax_w_pts, title_pts, key)
    else:
        fig = _make_room_for_key(ax, key, ax_w_pts)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=11, loc="left", pad=6)
    layout = _place_rows(ax, fig, view, layout, shapes, extent, by_rows, across)

    _draw_edges(ax, view, layout, across.pts_per_x)
    _draw_nodes(ax, view, layout, shapes.widths, highlighted, shapes.rings, across.pts_per_x)
    _draw_labels(ax, view, layout, shapes.plan, shapes.widths, shapes.rings)
    if key.place and key.rows:
        _draw_key(fig, key.rows, key.origin, key.spots)
    _remember_tips(fig, ax, view, layout, shapes.widths)
    return fig


def _figure_of(ax: Axes) -> Figure:
    """The figure an axes is drawn on (the root one, on matplotlib versions that nest)."""
    fig = ax.get_figure(root=True) if _has_root_kw() else ax.get_figure()
    assert isinstance(fig, Figure)
    return fig


def _positions(
    view: nx.DiGraph,
    roots: list[Hashable],
    children: Mapping[Hashable, list[Hashable]],
    pos: Mapping[Hashable, Position] | None,
) -> Mapping[Hashable, Position]:
    """The layout: the one given (a gif's union layout), with any node it lacks placed where
    the tree's own layout puts it; the tree's own layout without one."""
    if pos is None:
        return layout_forest(roots, children)
    missing = [n for n in view.nodes if n not in pos]
    fallback = layout_forest(roots, children) if missing else {}
    return {n: (pos[n] if n in pos else fallback[n]) for n in view.nodes}


def _extent(
    pos: Mapping[Hashable, Position], limits: tuple[float, float, float, float] | None
) -> _Extent:
    """The bounds to show: ``limits`` when pinned, else the layout's own (a point if empty)."""
    return _Extent(*(limits if limits is not None else layout_bounds(pos)))


def _new_key(view: nx.DiGraph, highlighted: set[Hashable], legend: LegendPlace) -> _Key:
    """The legend's rows and its size as one column (no rows when there is no legend)."""
    place = _legend_place(legend)
    rows = _legend_rows(view, highlighted) if place else []
    width, height = _legend_size(rows) if place else (0.0, 0.0)
    return _Key(place, rows, width, height)


def _figure_width(
    view: nx.DiGraph,
    leaves: set[Hashable],
    extent: _Extent,
    key: _Key,
    figsize: tuple[float, float] | None,
) -> float:
    """A new figure's width in inches: the pinned one (where ``legend="auto"`` goes below
    if a column would take too much of it), else a slot per leaf plus the key, bounded."""
    if figsize is not None:
        if key.place == "auto" and key.width + 24 > _BESIDE_SHARE * figsize[0] * 72:
            key.place = "below"
        return figsize[0]
    wanted = extent.slots * _slot_inches(view, leaves) + (2 * _EDGE_PAD + key.width + 16) / 72
    return min(max(wanted, _MIN_SIZE[0]), _MAX_SIZE[0])


def _key_in_figure(key: _Key, fig_w: float) -> float:
    """Lay the key out for a new figure ``fig_w`` inches wide: a strip the figure's width
    under the tree, or a column beside it.  Returns the width left to the tree, in points."""
    if key.place == "below":
        key.spots, key.height = _legend_spots(key.rows, fig_w * 72 - 16)
        key.width = fig_w * 72 - 16
        return fig_w * 72 - 16
    key.spots, key.height = _legend_spots(key.rows, None)
    return fig_w * 72 - key.width - 16 - 8


def _key_beside_axes(ax: Axes, key: _Key) -> float:
    """Lay the key out as a column at the right of a given axes, or drop it where it would
    take more than half the axes' width (better no key than a cut one).  Returns the width
    left to the tree, in points."""
    fig = _figure_of(ax)
    box = ax.get_position()
    fw, _fh = fig.get_size_inches()
    if key.place and key.width + 8 > box.width * fw * 72 * 0.5:
        key.place, key.rows = None, []
    key.spots, key.height = _legend_spots(key.rows, None)
    return float(box.width * fw * 72 - (key.width + 8 if key.place else 0.0))


def _across(extent: _Extent, ax_w_pts: float) -> _Across:
    """Scale the x axis so the slots fill the tree's width, an edge pad left and right."""
    pad = _EDGE_PAD
    pts_per_x = max((ax_w_pts - 2 * pad) / extent.slots, 0.5)
    return _Across(
        pts_per_x, extent.xmin - 0.5 - pad / pts_per_x, extent.xmax + 0.5 + pad / pts_per_x
    )


def _plan_shapes(
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    leaves: set[Hashable],
    labels: Labels,
    highlighted: set[Hashable],
    across: _Across,
    pinned: bool,
) -> _Shapes:
    """Labels and shape sizes from the room each node has sideways on its row."""
    room = _level_room(pos, across.pts_per_x, across.lo, across.hi)
    plan = _plan_labels(view, leaves, labels, highlighted, room, pinned)
    widths = _shape_widths(view, {lab.node: lab for lab in plan}, room)
    return _Shapes(plan, widths, _rings(view, highlighted))


def _rings(view: nx.DiGraph, highlighted: set[Hashable]) -> dict[Hashable, float]:
    """Extra width of each ringed node: one ring for a new process, one for the selection."""
    rings: dict[Hashable, float] = {}
    for node, attrs in view.nodes(data=True):
        extra = _RING if _is_new(_role(node, attrs), attrs) else 0.0
        if node in highlighted:
            extra += _RING
        if extra:
            rings[node] = extra
    return rings


def _vertical(
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    shapes: _Shapes,
    depth: int,
    by_rows: bool,
) -> _Vertical:
    """The points the rows need: above, below, and per generation (on average, when the
    rows are spaced one by one; else the largest need between two rows)."""
    if by_rows:
        _levels, needs, up, down = _row_needs(
            view, pos, shapes.planned, shapes.widths, shapes.rings
        )
        return up, down, sum(needs) / max(depth, 1)
    return _vertical_room(view, pos, shapes.planned, shapes.widths, shapes.rings)


def _height_budget(
    ax: Axes | None, figsize: tuple[float, float] | None, title_pts: float, key: _Key
) -> float | None:
    """The points the rows may take when the height is fixed (a pinned figure, less its
    title and a key strip; a given axes), None when the figure grows to fit them."""
    if ax is None and figsize is not None:
        return figsize[1] * 72 - title_pts - 8 - (key.height if key.place == "below" else 0.0)
    if ax is not None:
        return float(ax.get_position().height * _figure_of(ax).get_size_inches()[1] * 72)
    return None


def _fit_height(
    plan: list[_Label],
    measure: Callable[[list[_Label]], _Vertical],
    budget: float | None,
    forced: bool,
    highlighted: set[Hashable],
    extent: _Extent,
) -> tuple[list[_Label], _Vertical]:
    """The label plan, with its upright labels shortened where the rows overflow a fixed
    height (see :func:`_fit_upright`), and the vertical room that plan needs."""
    vertical = measure(plan)
    above, below, gap = vertical
    if budget is None or above + below + extent.depth * gap <= budget:
        return plan, vertical
    plan = _fit_upright(plan, budget, forced, highlighted, extent.depth, measure)
    return plan, measure(plan)


def _figure_height(
    figsize: tuple[float, float] | None,
    vertical: _Vertical,
    extent: _Extent,
    title_pts: float,
    key: _Key,
) -> float:
    """A new figure's height in inches: the pinned one, else its rows (a generation at
    least the preferred height apart), the title and a key strip; at least the key's
    column; bounded."""
    if figsize is not None:
        return figsize[1]
    above, below, gap = vertical
    tree_h = above + below + extent.depth * max(gap, _LEVEL_PTS) + title_pts + 8
    if key.place == "below":
        tree_h += key.height
    return min(max(tree_h / 72, (key.height + title_pts + 8) / 72, _MIN_SIZE[1]), _MAX_SIZE[1])


def _new_figure(
    fig_w: float, fig_h: float, ax_w_pts: float, title_pts: float, key: _Key
) -> tuple[Figure, Axes]:
    """The figure and the tree's axes in it, a margin round it, the title above and the
    key's strip below; settles where the key goes."""
    fig = TreeFigure(figsize=(fig_w, fig_h), dpi=DEFAULT_DPI)
    strip = key.height if key.place == "below" else 0.0
    ax = fig.add_axes(
        (
            8 / 72 / fig_w,
            (8 + strip) / 72 / fig_h,
            ax_w_pts / 72 / fig_w,
            1 - (title_pts + 8 + strip) / 72 / fig_h,
        )
    )
    if key.place == "below":
        key.origin = (8.0, key.height + 4.0)
    elif key.place:
        key.origin = (fig_w * 72 - key.width - 8, fig_h * 72 - title_pts)
    return fig, ax


def _make_room_for_key(ax: Axes, key: _Key, ax_w_pts: float) -> Figure:
    """Narrow a given axes to leave the key its column, keep the rows that fit its height,
    and settle where the key goes.  Returns the axes' figure."""
    fig = _figure_of(ax)
    fw, fh = fig.get_size_inches()
    box = ax.get_position()
    if key.place:
        ax.set_position((box.x0, box.y0, ax_w_pts / 72 / fw, box.height))
        rows_fit = max(int((box.height * fh * 72 - 12.0) // _LEGEND_ROW), 0)
        key.rows, key.spots = key.rows[:rows_fit], key.spots[:rows_fit]
        key.origin = (box.x1 * fw * 72 - key.width, box.y1 * fh * 72)
    return fig


def _place_rows(
    ax: Axes,
    fig: Figure,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    shapes: _Shapes,
    extent: _Extent,
    by_rows: bool,
    across: _Across,
) -> Mapping[Hashable, Position]:
    """Set the axes' limits so the rows fill its height, each as far from the next as its
    shapes and labels need; returns the layout (in points from the top row when the rows are
    spaced one by one)."""
    ax_h_pts = ax.get_position().height * fig.get_size_inches()[1] * 72.0
    levels, needs, above, below = _row_needs(view, pos, shapes.planned, shapes.widths, shapes.rings)
    ymin, ymax = extent.ymin, extent.ymax
    if by_rows and len(needs) == extent.depth and ax_h_pts - above - below > 1.0:
        pos = _rows_in_points(pos, levels, needs, ax_h_pts - above - below)
        ymin, ymax, pts_per_y = ax_h_pts * -1 + above + below, 0.0, 1.0
    else:
        pts_per_y = max((ax_h_pts - above - below) / max(extent.depth, 1), 1.0)
    ax.set_xlim(across.lo, across.hi)
    ax.set_ylim(ymin - below / pts_per_y, ymax + above / pts_per_y)
    return pos


def _draw_edges(
    ax: Axes, view: nx.DiGraph, pos: Mapping[Hashable, Position], pts_per_x: float
) -> None:
    """One LineCollection of (at most) three polylines: static edges solid, dynamic edges
    dashed, edges to ghosts pale; each edge a NaN-separated piece.  Agg lifts the pen at a
    NaN, so this draws the same as a segment per edge, without 2,000 Path objects."""
    nan = (math.nan, math.nan)
    pieces: dict[tuple[bool, bool], list[Position]] = {}
    for parent, child, data in view.edges(data=True):
        if parent in pos and child in pos:
            kind = (bool(data.get("dynamic")), bool(view.nodes[child].get("ghost")))
            pieces.setdefault(kind, []).extend((pos[parent], pos[child], nan))
    kinds = sorted(pieces)
    # Thin lines on big trees; dashes stay 4 pt on, 2.5 off whatever the width (matplotlib
    # scales dashes by line width: at 0.4 pt they became 1.5 pt and cost 3x as many strokes).
    width = min(max(pts_per_x * 0.4, 0.4), 1.0)
    dashed = (0.0, (4.0 / width, 2.5 / width))
    edges = LineCollection(
        [np.asarray(pieces[k][:-1], dtype=float) for k in kinds],
        colors=[("#c4c4c4" if ghost else EDGE_COLOUR) for _, ghost in kinds] or EDGE_COLOUR,
        linestyles=[dashed if dyn else "-" for dyn, _ in kinds] or "-",
        linewidths=width,
        zorder=1,
    )
    edges.set_gid("jl-edges")
    ax.add_collection(edges, autolim=False)


def _draw_nodes(
    ax: Axes,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    widths: Mapping[Hashable, float],
    highlighted: set[Hashable],
    rings: Mapping[Hashable, float],
    pts_per_x: float,
) -> None:
    """One collection per look (shape, colour, size, outline).  A collection of one look is
    stamped by Agg's draw_markers, rendered once and blitted per node; a mixed one is
    rasterised node by node, 0.2 ms each (500 nodes: 115 ms against 3 ms)."""
    groups, marks = _node_looks(view, pos, widths, pts_per_x)
    for i, ((role, face, width, edge, lw, style), xy) in enumerate(groups.items()):
        _markers(
            ax,
            _ROLE_SHAPES[role][0],
            xy,
            width * width,
            faces=face,
            edges=edge,
            linewidths=lw,
            zorder=2,
            gid=f"jl-nodes-{role}-{i}",
            linestyles=style,
        )
    _draw_ghost_marks(ax, marks)
    _draw_rings(ax, view, pos, widths, highlighted, rings)


#: A node's look: (role, face colour, width, outline colour, outline width, outline style).
_Look = tuple[str, str, float, str, float, str]


def _node_looks(
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    widths: Mapping[Hashable, float],
    pts_per_x: float,
) -> tuple[dict[_Look, list[Position]], dict[tuple[str, float], list[Position]]]:
    """The nodes grouped by look, and the ghosts' marks grouped by (mark, node width): a
    ghost's outline is dashed in its mark's colour, a restarted node's red and thick."""
    groups: dict[_Look, list[Position]] = {}
    marks: dict[tuple[str, float], list[Position]] = {}
    for node, attrs in view.nodes(data=True):
        role = _role(node, attrs)
        mark = _ghost_mark(attrs)
        if mark is not None:
            look = (GHOST_MARKS[mark][0], 1.0, "dashed")
            x, y = pos[node]
            if role in _INSIDE_ROLES:  # on the shape's right end, not over its name
                x += widths[node] / 2 / pts_per_x
            marks.setdefault((mark, widths[node]), []).append((x, y))
        elif _int(attrs.get("restarts")) > 0:
            look = (RESTART_COLOUR, 1.8, "solid")
        else:
            look = ("#333333", 0.8, "solid")
        groups.setdefault((role, _face(role, attrs), widths[node], *look), []).append(pos[node])
    return groups, marks


def _draw_ghost_marks(ax: Axes, marks: Mapping[tuple[str, float], list[Position]]) -> None:
    """A ghost's cross (crashed, gave up) or bar (shut down), one collection per kind."""
    for (mark, width), xy in marks.items():
        colour = GHOST_MARKS[mark][0]
        size = min(max(width * 0.45, 4.0), 9.0)
        symbol = _BAR if mark == "shut down" else _CROSS
        _markers(
            ax,
            symbol,
            xy,
            size * size,
            faces=colour,
            edges=colour,
            linewidths=2.0,
            zorder=3,
            gid=f"jl-ghost-{mark.replace(' ', '-')}",
        )


def _draw_rings(
    ax: Axes,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    widths: Mapping[Hashable, float],
    highlighted: set[Hashable],
    rings: Mapping[Hashable, float],
) -> None:
    """The selection's blue ring outside a new process's orange one, each the node's own
    shape a little larger, so a ring never covers a supervisor's name."""
    for rung, node in enumerate(sorted(rings, key=str)):
        role = _role(node, view.nodes[node])
        outer = widths[node] + rings[node]
        layers = []
        if node in highlighted:
            layers.append((HIGHLIGHT_COLOUR, outer, "jl-highlight"))
            outer -= _RING
        if _is_new(role, view.nodes[node]):
            layers.append((NEW_COLOUR, outer, "jl-new"))
        for colour, width, gid in layers:
            _markers(
                ax,
                _ROLE_SHAPES[role][0],
                [pos[node]],
                width * width,
                faces="none",
                edges=colour,
                linewidths=2.5,
                zorder=3,
                gid=f"{gid}-{rung}",
            )


class _Labels:
    """Labels on their way to one path collection, remembered as text too: PNG draws the
    paths (fast, see _pathtext), SVG writes real ``<text>`` instead (a job id can be searched
    for and read aloud, and 100 labels cost 30 KB instead of 1 MB of glyph outlines)."""

    def __init__(self, gid: str, zorder: float = 4) -> None:
        self.gid = gid
        self.zorder = zorder
        self.anchors: list[Position] = []
        self.paths: list[MplPath] = []
        self.colours: list[str] = []
        self.texts: list[tuple[str, float, str, str, float, tuple[float, float], str]] = []

    def add(
        self,
        xy: Position,
        text: str,
        size: float,
        colour: str,
        *,
        ha: HAlign = "center",
        va: VAlign = "center",
        rotation: float = 0.0,
        offset: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        if not text:
            return
        self.anchors.append(xy)
        self.paths.append(label_path(text, size, ha=ha, va=va, rotation=rotation, offset=offset))
        self.colours.append(colour)
        self.texts.append((text, size, ha, va, rotation, offset, colour))

    def draw(self, target: Axes | Figure, fig: Figure, transform: Any = None) -> None:
        collection = path_labels(
            target,
            self.anchors,
            self.paths,
            color=self.colours,
            anchor_transform=transform,
            zorder=self.zorder,
            gid=self.gid,
        )
        if collection is None:
            return
        if transform is None:
            assert isinstance(target, Axes)
            transform = target.transData
        texts = list(getattr(fig, "_jl_texts", []))
        texts.append((collection, transform, np.asarray(self.anchors, dtype=float), self.texts))
        fig._jl_texts = texts  # type: ignore[attr-defined]


def _draw_labels(
    ax: Axes,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    plan: list[_Label],
    widths: Mapping[Hashable, float],
    rings: Mapping[Hashable, float],
) -> None:
    """Names, pid lines and ↻n: three path collections (see _pathtext for why not Text)."""
    names, pids, counts = _Labels("jl-labels"), _Labels("jl-pids"), _Labels("jl-restarts", 5)
    for lab in plan:
        attrs = view.nodes[lab.node]
        half = _half_height(_role(lab.node, attrs), widths[lab.node])
        _add_caption(names, pids, lab, pos[lab.node], half, bool(attrs.get("ghost")))
        count = _int(attrs.get("restarts"))
        if count > 0 and not attrs.get("ghost"):
            # Only labelled nodes say ↻n (thinning applies to it too); all keep the red outline.
            _add_count(counts, lab, attrs, pos[lab.node], half, widths, rings)
    fig = _figure_of(ax)
    for group in (names, pids, counts):
        group.draw(ax, fig)


def _add_caption(
    names: _Labels, pids: _Labels, lab: _Label, xy: Position, half: float, ghost: bool
) -> None:
    """A node's name and pid lines: centred inside its shape, upright below it, or flat
    below it line by line (greyed for a ghost)."""
    ink, pid_ink = ("#8a8a8a", "#8a8a8a") if ghost else ("#222222", "#555555")
    sub = lab.size * _PID_SCALE
    lines = [(t, lab.size, names, ink) for t in lab.names]
    lines += [(t, sub, pids, pid_ink) for t in lab.subs]
    if lab.inside and lab.subs and not lab.rotated:
        # the lines centred in the shape
        y = sum(size for _, size, _, _ in lines) * 1.2 / 2
        for text, size, group, colour in lines:
            group.add(xy, text, size, colour, va="top", offset=(0, y))
            y -= size * 1.2
    elif lab.inside:
        names.add(xy, lab.text, lab.size, ink, rotation=90 if lab.rotated else 0)
    elif lab.rotated:
        hang = (0.0, -(half + 3))
        beside = (lab.size * 1.1, -(half + 3))
        names.add(xy, lab.text, lab.size, ink, ha="right", rotation=90, offset=hang)
        pids.add(xy, lab.sub, sub, pid_ink, ha="right", rotation=90, offset=beside)
    else:
        y = -(half + 3)
        for text, size, group, colour in lines:
            group.add(xy, text, size, colour, va="top", offset=(0, y))
            y -= lab.size * 1.3 if group is names else size * 1.3


def _add_count(
    counts: _Labels,
    lab: _Label,
    attrs: Mapping[str, Any],
    xy: Position,
    half: float,
    widths: Mapping[Hashable, float],
    rings: Mapping[Hashable, float],
) -> None:
    """``↻n`` outside any ring: above a wide shape (not beside it, or off the edge), at the
    upper right of a marker."""
    ring = rings.get(lab.node, 0.0) / 2
    if _role(lab.node, attrs) in _INSIDE_ROLES:
        side = (widths[lab.node] * 0.3, half + ring + 1)
    else:
        side = (widths[lab.node] / 2 + ring + 1, half + ring - 2)
    count = _int(attrs.get("restarts"))
    counts.add(xy, f"↻{count}", 8.0, RESTART_COLOUR, ha="left", va="bottom", offset=side)


# ---------------------------------------------------------------------------- output


@functools.cache
def _has_root_kw() -> bool:
    """``Axes.get_figure(root=...)`` exists from matplotlib 3.10; the package allows 3.7."""
    import inspect

    from matplotlib.artist import Artist

    return "root" in inspect.signature(Artist.get_figure).parameters


def _remember_tips(
    fig: Figure,
    ax: Axes,
    view: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    widths: Mapping[Hashable, float],
) -> None:
    """Where each node ended up, in figure fractions, for the SVG's tooltips.  The text is
    only written when an SVG is (a PNG redraw must not pay for 2,000 tooltips)."""
    nodes = list(view.nodes)
    if not nodes:
        return
    xy = np.asarray([pos[n] for n in nodes], dtype=float)
    frac = fig.transFigure.inverted().transform(ax.transData.transform(xy))
    tips = list(getattr(fig, "_jl_tips", []))
    tips.append((view, nodes, frac, [widths[n] for n in nodes]))
    fig._jl_tips = tips  # type: ignore[attr-defined]


def node_tooltip(key: Hashable, attrs: Mapping[str, Any]) -> str:
    """Everything a node's hover shows: pid, name, kind, restart type, status, restarts,
    last exit reason, job id and attempts (and, for a ghost, how and when it left)."""
    text, _pid = node_caption(key, attrs)
    role = _role(key, attrs)
    lines = [text]
    if attrs.get("pid"):
        lines.append(f"pid {attrs['pid']}")
    kind = role if not attrs.get("behaviour") else f"{role} ({attrs['behaviour']})"
    lines.append(kind + (f", restart {attrs['restart']}" if attrs.get("restart") else ""))
    lines.append(f"status {node_status(attrs)}")
    lines.append(f"restarted {_int(attrs.get('restarts'))}×")
    if attrs.get("replaced"):
        lines.append(f"replaced {attrs['replaced']}")
    if attrs.get("last_exit"):
        lines.append(f"last exit: {attrs['last_exit']}")
    if attrs.get("job_id") is not None:
        lines.append(f"job {attrs['job_id']}, attempts {_int(attrs.get('attempts'))}")
    if attrs.get("ghost"):
        lines.append(f"{attrs['ghost']} at {attrs.get('exited')} s: {attrs.get('reason')}")
    return "\n".join(lines)


def _svg_tips(fig: Figure) -> str:
    """One ``<g class="jl-node">`` per node: an invisible hit area under its centre with a
    ``<title>`` (the browser's hover tooltip, read by screen readers) and the label in
    ``aria-label``, so a job id can be found in the SVG although its text is drawn as paths."""
    from xml.sax.saxutils import escape, quoteattr

    w_pt, h_pt = (float(v) * 72 for v in fig.get_size_inches())
    parts = ['<g id="jl-tips">']
    for view, nodes, frac, widths in getattr(fig, "_jl_tips", []):
        for node, (fx, fy), width in zip(nodes, frac, widths, strict=True):
            attrs = view.nodes[node]
            role = _role(node, attrs)
            rx = max(width / 2, 5.0)
            ry = max(_half_height(role, width), 5.0)
            label = " ".join(t for t in node_caption(node, attrs) if t)
            parts.append(
                f'<g class="jl-node" data-node={quoteattr(str(node))} '
                f"aria-label={quoteattr(label)}>"
                f"<title>{escape(node_tooltip(node, attrs))}</title>"
                f'<ellipse cx="{fx * w_pt:.2f}" cy="{(1 - fy) * h_pt:.2f}" rx="{rx:.1f}" '
                f'ry="{ry:.1f}" style="fill:#ffffff;fill-opacity:0;pointer-events:all"/></g>'
            )
    parts.append("</g>")
    return "\n".join(parts)


class TreeFigure(Figure):
    """The Figure :func:`draw_tree` returns: shows itself whole in Jupyter.

    IPython's inline backend saves figures with ``bbox_inches="tight"``, which trims to what
    it thinks is drawn and cut the hand-placed legend of earlier versions; a ``TreeFigure``
    answers with its own ``_repr_mimebundle_`` instead: an SVG (crisp, with tooltips) and a
    PNG at twice its pixels with its display size in the metadata, both of its own bounds.
    """

    def _repr_svg_(self) -> str:
        return figure_bytes(self, "svg").decode("utf-8")

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        width, height = (round(float(v) * self.dpi) for v in self.get_size_inches())
        return figure_bytes(self, "png", self.dpi * 2), {"width": width, "height": height}

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        png, size = self._repr_png_()
        data = {"image/svg+xml": self._repr_svg_(), "image/png": png}
        return data, {"image/png": size}


_QUIET_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Creator": None, "Producer": None},
}


def _png_bytes(fig: Figure, dpi: float | None) -> bytes:
    """PNG through Agg and Pillow directly, as a 128-colour palette image at zlib level 1.

    Encoding was half of a redraw at savefig's defaults (RGBA, zlib level 6: 44-60 ms for a
    1280x640 tree).  These drawings have a dozen flat colours plus their anti-aliasing, so a
    fast octree palette without dithering looks the same and costs 8 ms + 5 ms to encode, and
    the file is 3x smaller, which the widget then sends to the browser on every redraw."""
    canvas = FigureCanvasAgg(fig)
    saved_dpi = fig.dpi
    if dpi is not None and dpi != saved_dpi:
        fig.set_dpi(dpi)
    try:
        canvas.draw()
        rgba = canvas.buffer_rgba()
        image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        palette = image.convert("RGB").quantize(
            colors=128, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        palette.save(buf, format="png", compress_level=1)
    finally:
        if fig.dpi != saved_dpi:
            fig.set_dpi(saved_dpi)
    return buf.getvalue()


def figure_bytes(fig: Figure, fmt: str, dpi: float | None = None) -> bytes:
    """``fig`` as ``fmt`` bytes (png, svg, pdf, ...) at its own size, never trimmed.

    SVG gets the node tooltips and fixed ids (``svg.hashsalt``), so the same tree gives the
    same bytes and notebooks' saved outputs do not change for nothing."""
    if fmt == "png":
        return _png_bytes(fig, dpi)
    buf = io.BytesIO()
    metadata = _QUIET_METADATA.get(fmt)
    extra: dict[str, Any] = {} if metadata is None else {"metadata": metadata}
    texts = getattr(fig, "_jl_texts", []) if fmt == "svg" else []
    for collection, *_ in texts:
        collection.set_visible(False)  # written as <text> below instead of glyph outlines
    try:
        with rc_context({"svg.hashsalt": "jobber-lab"}):
            fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, **extra)
    finally:
        for collection, *_ in texts:
            collection.set_visible(True)
    data = buf.getvalue()
    if fmt == "svg":
        end = data.rfind(b"</svg>")
        extra_svg = _svg_texts(fig) + "\n" + _svg_tips(fig) + "\n"
        data = data[:end] + extra_svg.encode("utf-8") + data[end:]
    return data


_SVG_ANCHOR = {"left": "start", "center": "middle", "right": "end"}
_SVG_BASELINE = {
    "top": "text-before-edge",
    "center": "central",
    "baseline": "alphabetic",
    "bottom": "text-after-edge",
}


def _svg_texts(fig: Figure) -> str:
    """Every label as an SVG ``<text>`` where its path would have been drawn."""
    from xml.sax.saxutils import escape

    scale = 72.0 / fig.dpi  # display pixels -> SVG points
    height = float(fig.get_size_inches()[1]) * 72
    parts = ['<g id="jl-text" style="font-family:\'DejaVu Sans\',Verdana,sans-serif">']
    for collection, transform, anchors, texts in getattr(fig, "_jl_texts", []):
        points = transform.transform(anchors) * scale
        for (x, y), (text, size, ha, va, rotation, (dx, dy), colour) in zip(
            points, texts, strict=True
        ):
            sx, sy = x + dx, height - (y + dy)
            turn = f" rotate({-rotation:g})" if rotation else ""
            parts.append(
                f'<text transform="translate({sx:.2f} {sy:.2f}){turn}" '
                f'style="font-size:{size:g}px;fill:{colour};text-anchor:{_SVG_ANCHOR[ha]};'
                f'dominant-baseline:{_SVG_BASELINE[va]}" class="{collection.get_gid()}">'
                f"{escape(text)}</text>"
            )
    parts.append("</g>")
    return "\n".join(parts)


def tree_png(
    graph: nx.DiGraph, *, dpi: float | None = None, scale: float = 1.0, **kw: Any
) -> bytes:
    """PNG bytes of :func:`draw_tree` (keywords pass through) at ``dpi`` (80 unless given)
    times ``scale``: ``scale=2`` for a picture shown at its 80-dpi size on a sharp screen."""
    if not scale > 0:
        raise ValueError(f"tree_png(scale): expected a number > 0, got {scale!r}")
    return figure_bytes(draw_tree(graph, **kw), "png", (dpi or DEFAULT_DPI) * scale)


def tree_svg(graph: nx.DiGraph, **kw: Any) -> bytes:
    """SVG bytes of :func:`draw_tree`, with one ``<g class="jl-node">`` per node holding a
    ``<title>`` tooltip (pid, name, kind, restart type, status, restarts, last exit, job id,
    attempts) and its label in ``aria-label``."""
    return figure_bytes(draw_tree(graph, **kw), "svg")


def save_tree(graph: nx.DiGraph, path: str | Path, **kw: Any) -> Path:
    """Write the tree to ``path``; the format follows the suffix (png, svg, pdf, jpg...).

    PNG is written at twice the figure's 80 dpi unless ``dpi`` is given: crisp on a sharp
    screen, and a committed picture a reader can zoom into."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if not fmt:
        raise ValueError(
            f"save_tree(path): expected a file name with a suffix such as .png "
            f"or .svg, got {str(path)!r}"
        )
    if fmt == "jpeg":
        fmt = "jpg"
    dpi = kw.pop("dpi", None)
    fig = draw_tree(graph, **kw)
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(
            f"save_tree(path): unsupported suffix {target.suffix!r}; expected one "
            f"of {', '.join('.' + k for k in sorted(supported))}"
        )
    if fmt == "png" and dpi is None:
        dpi = DEFAULT_DPI * 2
    target.write_bytes(figure_bytes(fig, fmt, dpi))
    return target
