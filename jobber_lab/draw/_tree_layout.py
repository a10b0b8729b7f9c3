"""The layout in points: which part of the graph is drawn, how big the figure is, where each
generation and each node goes, and how much room the shapes and the key need.

Computed once, here, instead of ``tight_layout``: everything drawn lies inside the figure.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from jobber_lab.trace import GHOST_SECONDS
from jobber_lab.trace import ghosts as graph_ghosts

from ._layout import Position, layout_bounds, layout_forest
from ._pathtext import text_width
from ._tree_labels import (
    _LINE,
    _Label,
    _level_room,
    _plan_labels,
)
from ._tree_legend import (
    _BESIDE_SHARE,
    _Key,
)
from ._tree_look import (
    _EDGE_PAD,
    _INSIDE_PAD,
    _INSIDE_ROLES,
    _LEAF_MARKER,
    _LEVEL_PTS,
    _MAX_FONT,
    _MAX_SIZE,
    _MIN_MARKER,
    _MIN_ROTATED_FONT,
    _MIN_SIZE,
    _PID_SCALE,
    _RING,
    _ROLE_SHAPES,
    _SLOT_INCHES,
    _SUP_HEIGHT,
    AUTO_LABEL_LIMIT,
    DEFAULT_DPI,
    Labels,
    _figure_of,
    _half_height,
    _int,
    _is_new,
    _role,
    node_caption,
    node_label,
)
from ._tree_output import (
    TreeFigure,
)


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


# ------------------------------------------------------------------- sizes and positions


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
    view: nx.DiGraph, pos: Mapping[Hashable, Position], shapes: _Shapes
) -> tuple[float, float, float]:
    """(above the top row, below the bottom row, least distance between two rows), in
    points, so no shape, ring or hanging label reaches the next row or the figure's edge."""
    levels, needs, above, below = _row_needs(view, pos, shapes)
    if not levels:
        return 10.0, 10.0, _LEVEL_PTS
    return above, below, max(max(needs, default=0.0), 1.0)


def _row_needs(
    view: nx.DiGraph, pos: Mapping[Hashable, Position], shapes: _Shapes
) -> tuple[list[float], list[float], float, float]:
    """The rows' y values from the top, the points each pair of neighbouring rows needs
    between them, and the points above the top row and below the bottom one."""
    planned, widths, rings = shapes.planned, shapes.widths, shapes.rings
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
        _levels, needs, up, down = _row_needs(view, pos, shapes)
        return up, down, sum(needs) / max(depth, 1)
    return _vertical_room(view, pos, shapes)


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
