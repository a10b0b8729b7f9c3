"""The legend (the key): one row per look that is actually drawn, beside or under the tree.

It lies inside the figure, placed by hand in points, so no viewer trims it away.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import Affine2D

from ._layout import Position
from ._pathtext import text_width
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
)
from ._tree_labels import (
    _Labels,
)
from ._tree_look import (
    _BOX,
    _CIRCLE,
    _DIAMOND,
    _ELLIPSE,
    LegendPlace,
    _figure_of,
    _ghost_mark,
    _int,
    _is_new,
    _markers,
    _role,
)

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


def _legend_rows(
    view: nx.DiGraph, highlighted: set[Hashable], highlight_label: str = "selected"
) -> list[_Row]:
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
        rows.append((highlight_label, [_ring_layer(HIGHLIGHT_COLOUR)], False))
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


def _new_key(
    view: nx.DiGraph,
    highlighted: set[Hashable],
    legend: LegendPlace,
    highlight_label: str = "selected",
) -> _Key:
    """The legend's rows and its size as one column (no rows when there is no legend)."""
    place = _legend_place(legend)
    rows = _legend_rows(view, highlighted, highlight_label) if place else []
    width, height = _legend_size(rows) if place else (0.0, 0.0)
    return _Key(place, rows, width, height)


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
