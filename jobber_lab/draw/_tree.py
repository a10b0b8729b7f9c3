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

This module is :func:`draw_tree` and its drawing steps; the rest is split by concern: how a
node looks (``_tree_look``), its labels (``_tree_labels``), the key (``_tree_legend``), the
layout in points (``_tree_layout``) and the bytes (``_tree_output``).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ._layout import Position, tree_children
from ._style import (
    EDGE_COLOUR,
    GHOST_MARKS,
    HIGHLIGHT_COLOUR,
    NEW_COLOUR,
    RESTART_COLOUR,
)
from ._tree_labels import (
    _as_set,
    _draw_labels,
    _Label,
)
from ._tree_layout import (
    _Across,
    _across,
    _Extent,
    _extent,
    _figure_height,
    _figure_width,
    _fit_height,
    _height_budget,
    _new_figure,
    _plan_shapes,
    _positions,
    _row_needs,
    _rows_in_points,
    _Shapes,
    _Vertical,
    _vertical,
    _view,
)
from ._tree_legend import (
    _BAR,
    _CROSS,
    _LEGEND_ROW,
    _draw_key,
    _Key,
    _key_beside_axes,
    _key_in_figure,
    _new_key,
)
from ._tree_look import (
    _INSIDE_ROLES,
    _RING,
    _ROLE_SHAPES,
    _TITLE_INCHES,
    AUTO_LABEL_LIMIT,
    DEFAULT_DPI,
    Labels,
    LegendPlace,
    _face,
    _figure_of,
    _ghost_mark,
    _int,
    _is_new,
    _markers,
    _role,
    node_caption,
    node_label,
)
from ._tree_output import (
    TreeFigure,
    _remember_tips,
    figure_bytes,
    node_tooltip,
)

__all__ = [
    "AUTO_LABEL_LIMIT",
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


def draw_tree(
    graph: nx.DiGraph,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    labels: Labels = "auto",
    highlight: Any = None,
    highlight_label: str = "selected",
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
    a list of keys) ringed in blue, e.g. the job selected in a table; ``highlight_label`` is
    that ring's words in the legend (the dashboard says "this step" for a Step's processes).
    ``root``: draw only the
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
    if not isinstance(highlight_label, str) or not highlight_label.strip():
        raise TypeError(
            f"draw_tree(highlight_label): expected a non-empty str, got {highlight_label!r}"
        )
    key = _new_key(view, highlighted, legend, highlight_label)
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
    _draw_nodes(ax, view, layout, shapes, highlighted, across.pts_per_x)
    _draw_labels(ax, view, layout, shapes.plan, shapes.widths, shapes.rings)
    if key.place and key.rows:
        _draw_key(fig, key.rows, key.origin, key.spots)
    _remember_tips(fig, ax, view, layout, shapes.widths)
    return fig


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
    levels, needs, above, below = _row_needs(view, pos, shapes)
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
    shapes: _Shapes,
    highlighted: set[Hashable],
    pts_per_x: float,
) -> None:
    """One collection per look (shape, colour, size, outline).  A collection of one look is
    stamped by Agg's draw_markers, rendered once and blitted per node; a mixed one is
    rasterised node by node, 0.2 ms each (500 nodes: 115 ms against 3 ms)."""
    groups, marks = _node_looks(view, pos, shapes.widths, pts_per_x)
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
    _draw_rings(ax, view, pos, shapes, highlighted)


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
    shapes: _Shapes,
    highlighted: set[Hashable],
) -> None:
    """The selection's blue ring outside a new process's orange one, each the node's own
    shape a little larger, so a ring never covers a supervisor's name."""
    widths, rings = shapes.widths, shapes.rings
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
