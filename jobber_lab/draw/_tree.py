"""The supervision tree as a picture: graph in, matplotlib Figure or PNG/SVG bytes out.

Built for redraw speed because the dashboard redraws it live (JUPYTER.md measured the costs):
text labels dominate, so labels are thinned on big trees by a rule a student can see (a
label is drawn only where it fits); nodes are one scatter collection per shape and edges one
``LineCollection`` (arrowheads cost 2.7x and a tree's direction is already top-down); no
``tight_layout`` or ``bbox_inches="tight"``: the layout is computed here, once, in points.
No pyplot: ``Figure()`` objects are freed with their last reference, pyplot's are not.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D, IdentityTransform
from PIL import Image

from ._layout import Position, layout_forest, tree_children
from ._pathtext import label_path, path_labels, text_width
from ._style import (
    EDGE_COLOUR,
    HIGHLIGHT_COLOUR,
    RESTART_COLOUR,
    ROLE_COLOURS,
    STATUS_COLOURS,
    STATUS_ORDER,
    node_status,
)

__all__ = [
    "AUTO_LABEL_LIMIT",
    "draw_tree",
    "node_label",
    "save_tree",
    "tree_png",
    "tree_svg",
]

Labels = bool | Literal["auto"]

#: With ``labels="auto"`` every node is labelled up to this many nodes; above it only the
#: non-leaf nodes (and the highlighted ones) are candidates, and of those only labels that fit.
AUTO_LABEL_LIMIT = 150

# Sizes, in points unless named otherwise.
_MAX_FONT = 9.0
_MIN_FONT = 6.0
_MIN_ROTATED_FONT = 5.0
_INSIDE_PAD = 2.0  # an ellipse is its label's width plus this many font sizes
_LEAF_MARKER = 11.0
_MIN_MARKER = 3.0  # diameter of a worker / registry marker
_SUP_HEIGHT = 14.0  # an unlabelled supervisor ellipse
_ELLIPSE_ASPECT = 2.4
_BOX_ASPECT = 2.8
_SLOT_INCHES = 0.55  # preferred width of one leaf slot
_LEVEL_INCHES = 0.95  # preferred height of one generation
_LEGEND_INCHES = 1.55
_MIN_SIZE = (6.0, 3.0)
_MAX_SIZE = (16.0, 8.0)
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


def _marker_path(marker: MarkerStyle) -> MplPath:
    """A marker's outline in the unit square, as ``scatter`` would draw it."""
    return marker.get_path().transformed(marker.get_transform())


def _markers(
    ax: Axes,
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
) -> PathCollection:
    """``ax.scatter`` without its argument checking, masking and data-limit updates: the
    same PathCollection for a few milliseconds less, which a live redraw notices."""
    collection = PathCollection(
        [_marker_path(marker)],
        sizes=np.atleast_1d(np.asarray(sizes, dtype=float)),
        offsets=np.asarray(xy, dtype=float).reshape(-1, 2),
        offset_transform=transform if transform is not None else ax.transData,
        transform=IdentityTransform(),  # without it add_collection applies transData to the
        facecolors=faces,  # marker outline itself: giant markers, 30x slower, clipped away
        edgecolors=edges,
        linewidths=linewidths,
        zorder=zorder,
    )
    collection.set_gid(gid)
    if transform is not None:
        collection.set_clip_on(False)
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
    """What a node is called: the tracer's ``label``, else its name, child id or pid."""
    for field in ("label", "name", "child_id", "pid"):
        value = attrs.get(field)
        if value not in (None, ""):
            return str(value)
    return str(key)


def _role(key: Hashable, attrs: Mapping[str, Any]) -> str:
    role = attrs.get("role")
    if role in _ROLE_SHAPES:
        return str(role)
    return "application" if str(key).startswith("app:") else "worker"


def _face(role: str, attrs: Mapping[str, Any]) -> str:
    status = node_status(attrs)
    if status == "zombie" or role == "worker":
        return STATUS_COLOURS[status]
    return ROLE_COLOURS[role]


def _restarts(attrs: Mapping[str, Any]) -> int:
    try:
        return int(attrs.get("restarts") or 0)
    except (TypeError, ValueError):
        return 0


@dataclass
class _Label:
    node: Hashable
    text: str
    size: float
    rotated: bool
    inside: bool


def _quantise(size: float) -> float:
    """Half-point font sizes: neighbours of one level then share a size, which reads calmer."""
    return math.floor(size * 2) / 2 if math.isfinite(size) else size


def _as_set(highlight: Any) -> set[Hashable]:
    if highlight is None:
        return set()
    if isinstance(highlight, list | tuple | set | frozenset):
        return set(highlight)
    return {highlight}


def _level_room(pos: Mapping[Hashable, Position], pts_per_x: float) -> dict[Hashable, float]:
    """Points from each node to its nearest neighbour on the same level (inf when alone):
    the width a node's shape and label may take without touching another node."""
    by_level: dict[float, list[Hashable]] = {}
    for node, (_, y) in pos.items():
        by_level.setdefault(y, []).append(node)
    room: dict[Hashable, float] = {}
    for row in by_level.values():
        row.sort(key=lambda n: pos[n][0])
        for i, node in enumerate(row):
            gap = math.inf
            if i > 0:
                gap = pos[node][0] - pos[row[i - 1]][0]
            if i + 1 < len(row):
                gap = min(gap, pos[row[i + 1]][0] - pos[node][0])
            room[node] = gap * pts_per_x
    return room


def _plan_labels(
    graph: nx.DiGraph,
    pos: Mapping[Hashable, Position],
    leaves: set[Hashable],
    labels: Labels,
    highlighted: set[Hashable],
    room: Mapping[Hashable, float],
) -> list[_Label]:
    """Which nodes get a label, at what size, horizontal or rotated.

    Room for a label is the distance to the nearest node on the same level.  A label that fits
    is drawn horizontally (inside the shape for applications and supervisors, below the marker
    for workers); a leaf's label that does not fit is turned upright, where it only needs a
    line's height.  A small tree (or ``labels=True``) gets every label, at the minimum size
    where it does not fit; on a big tree with ``labels="auto"`` a label that fits neither way
    is left out, which is the thinning: only as much text as can be read.
    """
    if labels is False:
        return []
    if labels == "auto" and len(graph) > AUTO_LABEL_LIMIT:
        candidates = [n for n in graph.nodes if n not in leaves or n in highlighted]
    else:
        candidates = list(graph.nodes)
    forced = labels is True or len(graph) <= AUTO_LABEL_LIMIT
    plan: list[_Label] = []
    for node in candidates:
        attrs = graph.nodes[node]
        text = node_label(node, attrs)
        inside = _role(node, attrs) in _INSIDE_ROLES
        space = room.get(node, math.inf) * 0.92
        per_point = text_width(text, 1.0) + (_INSIDE_PAD if inside else 0.0)
        flat = _quantise(min(_MAX_FONT, space / max(per_point, 0.5)))
        if flat >= _MIN_FONT:
            plan.append(_Label(node, text, flat, False, inside))
            continue
        upright = _quantise(min(_MAX_FONT - 1, space / 1.25))
        if not inside and upright >= _MIN_ROTATED_FONT:
            plan.append(_Label(node, text, upright, True, False))
        elif forced or node in highlighted:
            plan.append(_Label(node, text, _MIN_ROTATED_FONT, not inside, inside))
    return plan


def _figure_size(n_slots: float, depth: int, legend: bool) -> tuple[float, float]:
    width = n_slots * _SLOT_INCHES + 0.4 + (_LEGEND_INCHES if legend else 0.0)
    height = (depth + 1) * _LEVEL_INCHES + 1.0
    return (
        min(max(width, _MIN_SIZE[0]), _MAX_SIZE[0]),
        min(max(height, _MIN_SIZE[1]), _MAX_SIZE[1]),
    )


_LEGEND_ROW = 13.0  # points between legend rows


def _draw_key(ax: Axes, graph: nx.DiGraph, ax_w_pts: float, ax_h_pts: float) -> None:
    """The legend, drawn right of the axes with the same fast path labels.

    Every status always (a key that changes from frame to frame reads badly), the shapes,
    dashed edges and the restart mark only when the tree has them.
    """
    rows: list[tuple[str, str, MarkerStyle | None, str, str]] = [
        (status, "marker", _CIRCLE, STATUS_COLOURS[status], "#333333") for status in STATUS_ORDER
    ]
    roles = {_role(n, a) for n, a in graph.nodes(data=True)}
    for role in ("application", "supervisor", "registry"):
        if role in roles:
            rows.append((role, "marker", _ROLE_SHAPES[role][0], ROLE_COLOURS[role], "#333333"))
    if any(d.get("dynamic") for _, _, d in graph.edges(data=True)):
        rows.append(("dynamic child", "dashed", None, EDGE_COLOUR, EDGE_COLOUR))
    if any(_restarts(a) > 0 for _, a in graph.nodes(data=True)):
        rows.append(("↻n restarts", "marker", _CIRCLE, "white", RESTART_COLOUR))
    fx = 1.0 / max(ax_w_pts, 1.0)  # axes fraction per point
    fy = 1.0 / max(ax_h_pts, 1.0)
    x0 = 1.0 + 10 * fx
    anchors = []
    paths = []
    key_markers: dict[
        int, tuple[MarkerStyle, list[Position], list[str], list[str], list[tuple[float, float]]]
    ] = {}
    for i, (text, _kind, marker, face, edge) in enumerate(rows):
        y = 1.0 - (6 + i * _LEGEND_ROW) * fy
        if _kind == "dashed":
            ax.add_collection(
                LineCollection(
                    [((x0 - 7 * fx, y), (x0 + 7 * fx, y))],
                    colors=edge,
                    linestyles="--",
                    linewidths=1.0,
                    transform=ax.transAxes,
                    clip_on=False,
                ),
                autolim=False,
            )
        else:
            assert marker is not None
            width = 18.0 if marker is _ELLIPSE or marker is _BOX else 8.0
            width = 6.0 if marker is _DIAMOND else width
            key_markers.setdefault(id(marker), (marker, [], [], [], []))
            _, xy, faces, edges, lws = key_markers[id(marker)]
            xy.append((x0, y))
            faces.append(face)
            edges.append(edge)
            lws.append((1.8 if edge == RESTART_COLOUR else 0.8, width * width))
        anchors.append((x0 + 13 * fx, y))
        paths.append(label_path(text, 8.0, ha="left", va="center"))
    for marker, xy, faces, edges, lws in key_markers.values():
        _markers(
            ax,
            marker,
            xy,
            [w for _, w in lws],
            faces=faces,
            edges=edges,
            linewidths=[lw for lw, _ in lws],
            zorder=2,
            gid="jl-legend-markers",
            transform=ax.transAxes,
        )
    path_labels(ax, anchors, paths, anchor_transform=ax.transAxes, gid="jl-legend")


def draw_tree(
    graph: nx.DiGraph,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    labels: Labels = "auto",
    highlight: Any = None,
    pos: Mapping[Hashable, Position] | None = None,
    legend: bool = True,
    figsize: tuple[float, float] | None = None,
    limits: tuple[float, float, float, float] | None = None,
) -> Figure:
    """Draw a supervision tree (the tracer's graph) and return the Figure.

    Application as a box, supervisors as ellipses with their name inside, the registry as a
    diamond, workers as discs coloured by job status; dashed edges lead to dynamic children
    (a DynamicSupervisor's), and ``↻n`` next to a node (plus a red outline) counts restarts.

    ``labels``: ``True`` all, ``False`` none, ``"auto"`` all up to :data:`AUTO_LABEL_LIMIT`
    nodes, then only non-leaf nodes, and only labels that fit.  ``highlight``: a node key (or
    a list of keys) ringed in orange, e.g. JobRunner's new pid after a restart.  ``ax``: draw
    into it and return its figure (sizes then follow that axes; the key goes to its right).
    ``pos`` and ``limits`` (``xmin, xmax, ymin, ymax`` in layout units) pin the layout, as
    :func:`tree_gif` does so frames do not jump.

    In SVG output the pieces carry ids: ``jl-nodes-<role>-<n>`` (one ``<use>`` per node),
    ``jl-edges``, ``jl-labels`` (one path per label), ``jl-restarts``, ``jl-highlight-<n>``.
    """
    roots, children = tree_children(graph)
    if pos is None:
        pos = layout_forest(roots, children)
    else:
        missing = [n for n in graph.nodes if n not in pos]
        fallback = layout_forest(roots, children) if missing else {}
        pos = {n: (pos[n] if n in pos else fallback[n]) for n in graph.nodes}
    if limits is not None:
        xmin, xmax, ymin, ymax = limits
    elif pos:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        xmin, xmax, ymin, ymax = min(xs), max(xs), min(ys), max(ys)
    else:
        xmin = xmax = ymin = ymax = 0.0
    n_slots = xmax - xmin + 1.0
    depth = round(ymax - ymin)

    if ax is None:
        size = figsize or _figure_size(n_slots, depth, legend)
        fig = Figure(figsize=size, dpi=DEFAULT_DPI)
        right = (_LEGEND_INCHES if legend else 0.15) / size[0]
        top = (0.45 if title else 0.15) / size[1]
        ax = fig.add_axes(
            (0.15 / size[0], 0.1 / size[1], 1 - right - 0.15 / size[0], 1 - top - 0.1 / size[1])
        )
    else:
        fig = ax.get_figure(root=True) if _has_root_kw() else ax.get_figure()
        assert isinstance(fig, Figure)
    bbox = ax.get_position()
    fw, fh = fig.get_size_inches()
    ax_w_pts = bbox.width * fw * 72.0
    ax_h_pts = bbox.height * fh * 72.0
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=11, loc="left")

    highlighted = _as_set(highlight) & set(graph.nodes)
    leaves = {n for n, kids in children.items() if not kids}
    pts_per_x = ax_w_pts / n_slots
    room = _level_room(pos, pts_per_x)
    plan = _plan_labels(graph, pos, leaves, labels, highlighted, room)
    planned = {lab.node: lab for lab in plan}

    # Vertical room, in points: half the tallest shape above the roots, and below the lowest
    # level the longest label that hangs under a leaf there.
    below = _LEAF_MARKER
    for lab in plan:
        if not lab.inside and pos[lab.node][1] <= ymin:
            extent = text_width(lab.text, lab.size) if lab.rotated else lab.size * 1.3
            below = max(below, _LEAF_MARKER / 2 + 3 + extent)
    above = 28.0
    pts_per_y = max((ax_h_pts - above - below) / max(depth, 1), 1.0)
    ax.set_xlim(xmin - 0.5, xmax + 0.5)
    ax.set_ylim(ymin - below / pts_per_y, ymax + above / pts_per_y)

    # Edges: one LineCollection of (at most) two polylines, static edges solid and dynamic
    # edges dashed, each edge a NaN-separated piece.  Agg lifts the pen at a NaN, so this
    # draws the same as a segment per edge, without building 2,000 Path objects for a big tree.
    nan = (math.nan, math.nan)
    pieces: dict[bool, list[Position]] = {False: [], True: []}
    for parent, child, data in graph.edges(data=True):
        if parent in pos and child in pos:
            pieces[bool(data.get("dynamic"))].extend((pos[parent], pos[child], nan))
    kinds = [k for k in (False, True) if pieces[k]]
    # Thin lines on big trees; dashes stay 4 pt on, 2.5 off whatever the width (matplotlib
    # scales dashes by line width: at 0.4 pt they became 1.5 pt and cost 3x as many strokes).
    width = min(max(pts_per_x * 0.4, 0.4), 1.0)
    dashed = (0.0, (4.0 / width, 2.5 / width))
    styles = [dashed if k else "-" for k in kinds] or "-"
    edges = LineCollection(
        [np.asarray(pieces[k][:-1], dtype=float) for k in kinds],
        colors=EDGE_COLOUR,
        linestyles=styles,
        linewidths=width,
        zorder=1,
    )
    edges.set_gid("jl-edges")
    ax.add_collection(edges, autolim=False)

    # Nodes: one collection per look (shape, colour, size, outline).  A collection of one
    # look is stamped by Agg's draw_markers, rendered once and blitted per node; a mixed one
    # is rasterised node by node, 0.2 ms each (500 nodes: 115 ms against 3 ms).
    groups: dict[tuple[str, str, float, bool], list[Position]] = {}
    widths: dict[Hashable, float] = {}
    for node, attrs in graph.nodes(data=True):
        role = _role(node, attrs)
        _marker, ratio = _ROLE_SHAPES[role]
        lab = planned.get(node)
        # Shapes shrink to the room their level leaves them (big trees: dots, not a smear).
        fit = max(room.get(node, math.inf) * 0.85, _MIN_MARKER)
        if role in _INSIDE_ROLES:
            width = min(_SUP_HEIGHT / ratio, fit)
            if lab is not None and not lab.rotated:
                width = max(width, text_width(lab.text, lab.size) + _INSIDE_PAD * lab.size)
        else:
            width = min(_LEAF_MARKER if role == "worker" else _LEAF_MARKER * 0.85, fit)
        width = math.ceil(width)  # few distinct sizes: few collections
        widths[node] = width
        key = (role, _face(role, attrs), width, _restarts(attrs) > 0)
        groups.setdefault(key, []).append(pos[node])
    for i, ((role, face, width, restarted), xy) in enumerate(groups.items()):
        marker, _ = _ROLE_SHAPES[role]
        _markers(
            ax,
            marker,
            xy,
            width * width,
            faces=face,
            edges=RESTART_COLOUR if restarted else "#333333",
            linewidths=1.8 if restarted else 0.8,
            zorder=2,
            gid=f"jl-nodes-{role}-{i}",
        )
    for i, node in enumerate(sorted(highlighted, key=str)):
        # The node's own shape, a little larger, so a ring never covers a supervisor's name.
        role = _role(node, graph.nodes[node])
        marker, _ = _ROLE_SHAPES[role]
        _markers(
            ax,
            marker,
            [pos[node]],
            (widths[node] + 12) ** 2,
            faces="none",
            edges=HIGHLIGHT_COLOUR,
            linewidths=2.5,
            zorder=3,
            gid=f"jl-highlight-{i}",
        )

    # Labels: one path collection (see _pathtext for why not Text).
    hang = -(_LEAF_MARKER / 2 + 3)
    anchors = []
    paths = []
    for lab in plan:
        weight = "bold" if lab.node in highlighted else "normal"
        anchors.append(pos[lab.node])
        if lab.inside:
            paths.append(
                label_path(lab.text, lab.size, rotation=90 if lab.rotated else 0, weight=weight)
            )
        elif lab.rotated:
            paths.append(
                label_path(
                    lab.text,
                    lab.size,
                    ha="right",
                    va="center",
                    rotation=90,
                    offset=(0, hang),
                    weight=weight,
                )
            )
        else:
            paths.append(
                label_path(
                    lab.text, lab.size, ha="center", va="top", offset=(0, hang), weight=weight
                )
            )
    path_labels(ax, anchors, paths, gid="jl-labels")
    # Restart counts next to every labelled node that restarted (unlabelled ones keep the
    # red outline only: thinning applies to this text too).
    anchors = []
    paths = []
    for node in planned:
        count = _restarts(graph.nodes[node])
        if count > 0:
            role = _role(node, graph.nodes[node])
            half = _LEAF_MARKER / 2 if role not in _INSIDE_ROLES else _SUP_HEIGHT / 2
            anchors.append(pos[node])
            paths.append(
                label_path(f"↻{count}", 8.0, ha="left", va="bottom", offset=(half + 1, half - 2))
            )
    path_labels(ax, anchors, paths, color=RESTART_COLOUR, zorder=5, gid="jl-restarts")
    if legend:
        _draw_key(ax, graph, ax_w_pts, ax_h_pts)
    return fig


@functools.cache
def _has_root_kw() -> bool:
    """``Axes.get_figure(root=...)`` exists from matplotlib 3.10; the package allows 3.7."""
    import inspect

    from matplotlib.artist import Artist

    return "root" in inspect.signature(Artist.get_figure).parameters


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


def _to_bytes(fig: Figure, fmt: str, dpi: float | None) -> bytes:
    if fmt == "png":
        return _png_bytes(fig, dpi)
    buf = io.BytesIO()
    # Metadata without dates or versions: the same tree gives the same bytes, so tests and
    # notebooks' saved outputs do not change for nothing.
    metadata = _QUIET_METADATA.get(fmt)
    extra: dict[str, Any] = {} if metadata is None else {"metadata": metadata}
    fig.savefig(buf, format=fmt, dpi=dpi or fig.dpi, **extra)
    return buf.getvalue()


def tree_png(graph: nx.DiGraph, *, dpi: float | None = None, **kw: Any) -> bytes:
    """PNG bytes of :func:`draw_tree` (keywords pass through); 80 dpi unless ``dpi``."""
    return _to_bytes(draw_tree(graph, **kw), "png", dpi)


def tree_svg(graph: nx.DiGraph, **kw: Any) -> bytes:
    """SVG bytes of :func:`draw_tree`; each node label is a ``<g id="jl-label-N">``."""
    return _to_bytes(draw_tree(graph, **kw), "svg", None)


def save_tree(graph: nx.DiGraph, path: str | Path, **kw: Any) -> Path:
    """Write the tree to ``path``; the format follows the suffix (png, svg, pdf, jpg...)."""
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
    target.write_bytes(_to_bytes(fig, fmt, dpi))
    return target
